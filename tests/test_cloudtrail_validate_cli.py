"""`evidence cloudtrail validate` against the emulator's S3 and from a local copy."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from evidence.cli import app
from evidence.demo.emulator import emulator_credentials
from evidence.integrity.models import TrailScope
from evidence.integrity.synthetic import ChainSpec, S3Sink, build_chain, public_key_of

ACCOUNT = "123456789012"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/cli-trail"
BUCKET = "cli-trail-logs"


@pytest.fixture(scope="module")
def chain(emulator: Any) -> dict[str, Any]:
    emulator.reset()
    creds = emulator_credentials()
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=emulator.endpoint_url, **creds)
    s3.create_bucket(Bucket=BUCKET)
    boto3.client("cloudtrail", region_name="us-east-1", endpoint_url=emulator.endpoint_url, **creds).create_trail(
        Name="cli-trail", S3BucketName=BUCKET, EnableLogFileValidation=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = public_key_of(key)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    emulator.register_cloudtrail_public_key("us-east-1", public.fingerprint, public.der,
                                            now - timedelta(days=30), now + timedelta(days=30))
    start = now - timedelta(hours=13)
    scope = TrailScope.for_trail(TRAIL, BUCKET, account_id=ACCOUNT)
    built = build_chain(ChainSpec(scope=scope, start=start, hours=12, seed=3), key, S3Sink(s3))
    return {"s3": s3, "built": built, "start": start, "public": public}


@pytest.fixture
def aws_env(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = emulator_credentials()
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["aws_secret_access_key"])


def validate(*extra: str, start: datetime) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["cloudtrail", "validate", "--trail-arn", TRAIL,
                                      "--start", start.strftime("%Y-%m-%dT%H:%M:%S"), *extra])
    return result.exit_code, result.stdout


def test_clean_chain_exits_0_with_every_item(chain: dict[str, Any], aws_env: None) -> None:
    code, out = validate("--json", start=chain["start"])
    assert code == 0, out
    data = json.loads(out)
    assert data["summary"]["findings"] == 0
    kinds = {(i["kind"], i["verdict"]) for i in data["items"]}
    assert kinds == {("digest", "valid"), ("log", "valid")}
    assert sum(1 for i in data["items"] if i["kind"] == "log") == chain["built"].log_count


def test_altered_log_exits_1_and_names_it(chain: dict[str, Any], aws_env: None) -> None:
    target = chain["built"].digests[3].log_keys[0]
    original = chain["s3"].get_object(Bucket=BUCKET, Key=target)["Body"].read()
    chain["s3"].put_object(Bucket=BUCKET, Key=target, Body=gzip.compress(b'{"Records": []}'))
    try:
        code, out = validate("--json", start=chain["start"])
    finally:
        chain["s3"].put_object(Bucket=BUCKET, Key=target, Body=original)
    assert code == 1
    bad = [i for i in json.loads(out)["items"] if i["verdict"] != "valid"]
    assert [(i["key"], i["code"], i["cli_equivalent"]) for i in bad] == [(target, "hash_mismatch", True)]


def test_local_copy_with_public_keys_file(chain: dict[str, Any], tmp_path: Path) -> None:
    for page in chain["s3"].get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            path = tmp_path / "copy" / obj["Key"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(chain["s3"].get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read())
    import base64

    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"PublicKeyList": [{
        "Fingerprint": chain["public"].fingerprint, "Value": base64.b64encode(chain["public"].der).decode(),
        "ValidityStartTime": "2020-01-01T00:00:00Z", "ValidityEndTime": "2030-01-01T00:00:00Z"}]}))
    code, out = validate("--from-dir", str(tmp_path / "copy"), "--bucket", BUCKET, "--public-keys", str(keys),
                         start=chain["start"])
    # Without the digests' S3 metadata, signatures cannot be verified: never reported as all valid.
    assert code == 1 and "INTEGRITY NOT PROVEN" in out
    (tmp_path / "copy" / chain["built"].digests[5].log_keys[1]).unlink()
    code, out = validate("--from-dir", str(tmp_path / "copy"), "--bucket", BUCKET, "--json", start=chain["start"])
    missing = [i for i in json.loads(out)["items"] if i["verdict"] == "missing"]
    assert code == 1 and missing and missing[0]["code"] == "not_found"


@pytest.mark.parametrize(("args", "message"), [
    (["--from-dir", "/nonexistent", "--bucket", "b"], "no such folder"),
    (["--from-dir", "/tmp"], "--from-dir needs --bucket"),
    (["--end", "2020-01-01"], "--start must be before --end"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["cloudtrail", "validate", "--trail-arn", TRAIL, "--start", "2026-01-01", *args])
    assert result.exit_code == 2 and message in result.output
