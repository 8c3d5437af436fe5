"""`evidence cloudtrail validate`: one trail's log-file integrity, standalone, like `aws cloudtrail validate-logs`.

Exit codes: 0 everything valid; 1 something invalid or missing (or signatures not verifiable);
2 a usage or access error. `--json` prints every digest and log file with its verdict.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console

from evidence.aws import AwsError, ClientFactory
from evidence.integrity.errors import IntegrityError
from evidence.integrity.keys import CloudTrailKeys, load_public_keys_file
from evidence.integrity.models import IntegrityReport, RegionIntegrity, TimeRange, TrailScope, Verdict
from evidence.integrity.sidecar import ObjectMetadataIndex
from evidence.integrity.store import LocalStore, S3Store
from evidence.integrity.validate import validate_trail

app = typer.Typer(help="CloudTrail log-file integrity.", no_args_is_help=True, pretty_exceptions_show_locals=False)
err = Console(stderr=True, highlight=False)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(2)


def items_json(result: RegionIntegrity) -> list[dict[str, Any]]:
    """Every digest and log file with its verdict: valid ones by key, the others with their reason."""
    out: list[dict[str, Any]] = [
        {"kind": "digest", "key": key, "verdict": "valid", "reason": None} for key in result.valid_digest_keys
    ]
    out += [{"kind": "log", "key": key, "verdict": "valid", "reason": None} for key in result.valid_log_keys or ()]
    out += [
        {"kind": item.kind.value, "key": item.key, "verdict": item.verdict.value, "reason": item.reason,
         "code": item.code.value, "cli_equivalent": item.cli_equivalent}
        for item in result.items
    ]
    return out


@app.command()
def validate(
    trail_arn: Annotated[str, typer.Option("--trail-arn", help="ARN of the trail.")],
    start: Annotated[datetime, typer.Option("--start", help="Period start (UTC).")],
    end: Annotated[datetime | None, typer.Option("--end", help="Period end (UTC). Default: now.")] = None,
    from_dir: Annotated[
        Path | None, typer.Option("--from-dir", help="A local copy of the log bucket (`aws s3 sync` layout).")
    ] = None,
    public_keys: Annotated[
        Path | None, typer.Option("--public-keys", help="JSON printed by `aws cloudtrail list-public-keys`.")
    ] = None,
    digest_metadata: Annotated[
        Path | None, typer.Option("--digest-metadata", help="Digest signatures captured from S3 (sidecar file).")
    ] = None,
    bucket: Annotated[str | None, typer.Option("--bucket", help="Log bucket (default: from the trail).")] = None,
    prefix: Annotated[str | None, typer.Option("--prefix", help="S3 key prefix of the trail.")] = None,
    source_region: Annotated[
        str | None, typer.Option("--source-region", help="Region whose logs to validate (default: home).")
    ] = None,
    account_id: Annotated[str | None, typer.Option("--account-id", help="Account whose logs to validate.")] = None,
    organization_id: Annotated[
        str | None, typer.Option("--organization-id", help="For an organization trail's layout.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every item and the summary as JSON.")] = False,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS named profile.")] = None,
) -> None:
    """Validate one trail's digest chain and log files over a period."""
    end_at = _utc(end) if end else datetime.now(UTC)
    start_at = _utc(start)
    if start_at >= end_at:
        raise _fail("--start must be before --end")
    period = TimeRange(start=start_at, end=end_at)
    try:
        result = _run(trail_arn, period, from_dir, public_keys, digest_metadata, bucket, prefix, source_region,
                      account_id, organization_id, profile)
    except (AwsError, IntegrityError, ValueError) as exc:
        raise _fail(str(exc)) from None
    except ClientError as exc:
        raise _fail(f"AWS refused: {exc}") from None
    except BotoCoreError as exc:
        raise _fail(f"cannot reach AWS: {exc}") from None
    report = IntegrityReport.from_regions(period, (result,))
    if as_json:
        print(json.dumps({"trail_arn": trail_arn, "period": period.model_dump(mode="json"),
                          "source_region": result.scope.source_region,
                          "summary": report.summary.model_dump(mode="json"),
                          "signatures_verified": result.signatures_verified,
                          "notes": list(result.notes), "items": items_json(result)}, indent=2))
    else:
        _print(result)
    raise typer.Exit(0 if result.ok else 1)


def _run(
    trail_arn: str, period: TimeRange, from_dir: Path | None, public_keys: Path | None, digest_metadata: Path | None,
    bucket: str | None, prefix: str | None, source_region: str | None, account_id: str | None,
    organization_id: str | None, profile: str | None,
) -> RegionIntegrity:
    if from_dir is not None:
        if not bucket:
            raise ValueError("--from-dir needs --bucket (the name of the bucket the folder copies)")
        if not from_dir.is_dir():
            raise ValueError(f"{from_dir}: no such folder")
        scope = TrailScope.for_trail(trail_arn, bucket, prefix=prefix, source_region=source_region,
                                     account_id=account_id, organization_id=organization_id)
        metadata = ObjectMetadataIndex.load(digest_metadata) if digest_metadata else None
        static = load_public_keys_file(public_keys) if public_keys else None
        return validate_trail(scope, LocalStore(from_dir, bucket, metadata), static, period, keep_valid_log_keys=True)
    factory = ClientFactory.from_options(profile=profile)
    home = trail_arn.split(":")[3] if trail_arn.count(":") >= 5 else "us-east-1"
    if bucket is None:
        trails = factory.client("cloudtrail", home).describe_trails(trailNameList=[trail_arn])["trailList"]
        if not trails:
            raise ValueError(f"A trail could not be found for {trail_arn}")
        bucket, prefix = trails[0]["S3BucketName"], prefix or trails[0].get("S3KeyPrefix")
        if trails[0].get("IsOrganizationTrail") and organization_id is None:
            organization_id = factory.client("organizations", home).describe_organization()["Organization"]["Id"]
    scope = TrailScope.for_trail(trail_arn, bucket, prefix=prefix, source_region=source_region,
                                 account_id=account_id, organization_id=organization_id)
    location = factory.client("s3", home).get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    s3 = factory.client("s3", location)
    keys = load_public_keys_file(public_keys) if public_keys else CloudTrailKeys(factory.client("cloudtrail", home))
    return validate_trail(scope, S3Store(lambda _b: s3), keys, period, keep_valid_log_keys=True)


def _print(result: RegionIntegrity) -> None:
    for item in result.items:
        if item.verdict in (Verdict.invalid, Verdict.missing):
            where = f"s3://{item.bucket}/{item.key}" if item.key else "(time window)"
            err.print(f"[red]{item.kind.value} {item.verdict.value}:[/] {where}: {item.reason}", soft_wrap=True)
    for note in result.notes:
        err.print(note)
    d, logs = result.digests, result.logs
    print(f"Trail {result.scope.trail_arn}, source region {result.scope.source_region}, "
          f"{result.period.start:%Y-%m-%dT%H:%M:%SZ} to {result.period.end:%Y-%m-%dT%H:%M:%SZ}")
    print(f"{d.valid}/{d.total} digest files valid ({d.invalid} invalid, {d.missing} missing, "
          f"{d.unverified} unverified)")
    print(f"{logs.valid}/{logs.total} log files valid ({logs.invalid} invalid, {logs.missing} missing)")
    for gap in result.gaps:
        print(f"gap: {gap.model_dump(mode='json')}")
    print("RESULT: " + ("all valid" if result.ok else "INTEGRITY NOT PROVEN"))
