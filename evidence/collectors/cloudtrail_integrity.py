"""CloudTrail log-file integrity over the audit period, for every trail and source region in scope.

For each trail with log file validation on, every digest of the period is fetched and its
signature, chain links and listed log files are verified (evidence.integrity); the result per
(trail, source region) is the snapshot. A store or key problem for one trail-region is recorded
as that entry's error: a gap for that trail, not for the others.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext
from evidence.collectors.cloudtrail import describe_trails
from evidence.integrity.errors import IntegrityError
from evidence.integrity.keys import CloudTrailKeys
from evidence.integrity.models import TimeRange, TrailScope
from evidence.integrity.store import S3Store
from evidence.integrity.validate import validate_trail
from evidence.registry import Scope, collector

ACTIONS = (
    "cloudtrail:DescribeTrails",
    "cloudtrail:ListPublicKeys",
    "organizations:DescribeOrganization",
    "s3:GetBucketLocation",
    "s3:ListBucket",
    "s3:GetObject",
)


def _trails(ctx: CollectContext) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Trails visible from the regions in scope, and the regions whose listing was refused."""
    found: dict[str, dict[str, Any]] = {}
    refused: dict[str, str] = {}
    for region in ctx.regions or (ctx.region,):
        try:
            listed = describe_trails(ctx, region)
        except ClientError as exc:
            refused[region] = error_code(exc)
            continue
        for t in listed:
            found.setdefault(t["TrailARN"], t)
    if refused and len(refused) == len(ctx.regions or (ctx.region,)):
        region, code = sorted(refused.items())[0]
        raise ClientError({"Error": {"Code": code, "Message": f"DescribeTrails refused in {region}"}}, "DescribeTrails")
    return [found[k] for k in sorted(found)], refused


def _bucket_client(ctx: CollectContext, cache: dict[str, Any], bucket: str) -> Any:
    if bucket not in cache:
        location = ctx.client("s3").get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
        cache[bucket] = ctx.client("s3", "eu-west-1" if location == "EU" else location)
    return cache[bucket]


def _error(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ClientError):
        return {"code": error_code(exc), "message": str(exc)}
    return {"code": type(exc).__name__, "message": str(exc)}


def _trail(ctx: CollectContext, trail: dict[str, Any], clients: dict[str, Any], org_id: str | None) -> dict[str, Any]:
    arn, home = trail["TrailARN"], trail.get("HomeRegion") or ctx.region
    entry: dict[str, Any] = {
        "trail_arn": arn, "home_region": home, "bucket": trail.get("S3BucketName"),
        "prefix": trail.get("S3KeyPrefix"), "validation_enabled": bool(trail.get("LogFileValidationEnabled")),
        "regions": [], "error": None,
    }
    if not entry["validation_enabled"] or not entry["bucket"]:
        return entry
    sources = [r for r in ctx.regions if trail.get("IsMultiRegionTrail")] or [home]
    period = TimeRange(start=ctx.period.start, end=ctx.period.end)
    try:
        client = _bucket_client(ctx, clients, entry["bucket"])
    except (ClientError, BotoCoreError) as exc:
        entry["error"] = _error(exc)
        return entry
    store = S3Store(lambda _bucket: client)
    keys = CloudTrailKeys(ctx.client("cloudtrail", home))
    for source in sources:
        scope = TrailScope.for_trail(
            arn, entry["bucket"], prefix=entry["prefix"], source_region=source, account_id=ctx.account_id,
            organization_id=org_id if trail.get("IsOrganizationTrail") else None,
        )
        try:
            result = validate_trail(scope, store, keys, period, as_of=ctx.period.end, workers=16)
        except (IntegrityError, ClientError, BotoCoreError) as exc:
            entry["regions"].append({"source_region": source, "error": _error(exc)})
            continue
        entry["regions"].append({"source_region": source, "error": None,
                                 "result": result.model_dump(mode="json", exclude={"valid_log_keys"})})
    return entry


@collector("cloudtrail.integrity", service="cloudtrail", actions=ACTIONS, scope=Scope.GLOBAL)
def integrity(ctx: CollectContext) -> Any:
    """Digest-chain and log-file validation of every trail over the audit period."""
    trails, refused = _trails(ctx)
    org_id = None
    if any(t.get("IsOrganizationTrail") for t in trails):
        org_id = ctx.client("organizations").describe_organization()["Organization"]["Id"]
    clients: dict[str, Any] = {}
    return {
        "period": {"start": ctx.period.start, "end": ctx.period.end},
        "trails": [_trail(ctx, t, clients, org_id) for t in trails],
        "region_errors": refused,
    }
