"""Differential test against the real `aws cloudtrail validate-logs` (opt-in).

Runs only when ``EVIDENCE_AWSCLI_PYTHON`` names a Python interpreter that can run
``-m awscli`` (awscli v1 >= 1.46.3, whose log check also rejects bytes after the gzip stream),
optionally with ``EVIDENCE_AWSCLI_PYTHONPATH``. Each scenario is put into the local emulator's
S3; the CLI reads it there (``AWS_ENDPOINT_URL_S3``) and gets its public key from a stand-in
CloudTrail endpoint that answers ListPublicKeys. Its INVALID lines, summary and exit code must
equal what our result says the CLI would report.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.demo.emulator import Emulator, emulator_credentials, start_emulator
from evidence.integrity.keys import PublicKey
from evidence.integrity.store import S3Store
from evidence.integrity.synthetic import public_key_of
from evidence.integrity.validate import validate_trail

from .conftest import AS_OF, BUCKET, Scenario
from .test_validate import rewrite

AWSCLI_PYTHON = os.environ.get("EVIDENCE_AWSCLI_PYTHON")
pytestmark = pytest.mark.skipif(not AWSCLI_PYTHON, reason="EVIDENCE_AWSCLI_PYTHON is not set")
REGION = "eu-west-1"
DISPLAY = "%Y-%m-%dT%H:%M:%SZ"


def _log(sc: Scenario, hour: int, index: int = 0) -> str:
    return sc.chain.digests[hour].log_keys[index]


def _replace(sc: Scenario, key: str, body: bytes) -> None:
    sc.store.put(BUCKET, key, body, sc.store.meta(key))


TAMPERS: dict[str, Callable[[Scenario, RSAPrivateKey, RSAPrivateKey], object]] = {
    "clean": lambda sc, key, other: None,
    "log modified": lambda sc, key, other: _replace(sc, _log(sc, 2), gzip.compress(b"{}")),
    "log deleted": lambda sc, key, other: sc.store.delete(_log(sc, 4, 1)),
    "log truncated": lambda sc, key, other: _replace(sc, _log(sc, 1), sc.store.body(_log(sc, 1))[:-8]),
    "log trailing data": lambda sc, key, other: _replace(sc, _log(sc, 1), sc.store.body(_log(sc, 1)) + b"x"),
    "log not gzip": lambda sc, key, other: _replace(sc, _log(sc, 1), b"plain"),
    "digest modified": lambda sc, key, other: rewrite(sc, 3, lambda d: d.update(awsAccountId="1")),
    "digest deleted": lambda sc, key, other: sc.store.delete(sc.digest(3)),
    "digest run deleted": lambda sc, key, other: [sc.store.delete(sc.digest(h)) for h in (2, 3, 4)],
    "newest deleted": lambda sc, key, other: sc.store.delete(sc.digest(5)),
    "wrong key": lambda sc, key, other: rewrite(sc, 3, lambda d: None, sign_with=other),
    "unknown key": lambda sc, key, other: rewrite(
        sc, 3, lambda d: d.update(digestPublicKeyFingerprint="f" * 32), sign_with=other
    ),
    "previous signature re-signed": lambda sc, key, other: rewrite(
        sc, 3, lambda d: d.update(previousDigestSignature="ab" * 256), sign_with=key
    ),
    "sha1": lambda sc, key, other: rewrite(sc, 3, lambda d: None, sign_with=key, algorithm=hashes.SHA1()),
    "metadata missing": lambda sc, key, other: sc.store.meta(sc.digest(3)).pop("signature"),
    "signature not hex": lambda sc, key, other: sc.store.meta(sc.digest(3)).update(signature="zz"),
    "moved": lambda sc, key, other: sc.store.put(
        BUCKET, sc.digest(4), sc.store.body(sc.digest(3)), sc.store.meta(sc.digest(3))
    ),
    "digest garbage": lambda sc, key, other: _replace(sc, sc.digest(3), b"garbage"),
    "digest trailing data": lambda sc, key, other: _replace(sc, sc.digest(3), sc.store.body(sc.digest(3)) + b"\0"),
    "bad time": lambda sc, key, other: rewrite(sc, 3, lambda d: d.update(digestStartTime="soon"), sign_with=key),
}
SPECS: dict[str, dict[str, Any]] = {
    "quiet hour": {"quiet_hours": frozenset({3})},
    "backfill": {"backfill_hours": frozenset({2})},
    "rotation": {},  # filled in with the other key by the test
}


class _PublicKeys(BaseHTTPRequestHandler):
    keys: list[PublicKey] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        entries = [
            {"Value": base64.b64encode(k.der).decode(), "Fingerprint": k.fingerprint, "ValidityStartTime": 1}
            for k in self.keys
        ]
        body = json.dumps({"PublicKeyList": entries}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cloudtrail(signing_key: RSAPrivateKey, other_key: RSAPrivateKey) -> Iterator[str]:
    _PublicKeys.keys = [public_key_of(signing_key), public_key_of(other_key)]
    server = HTTPServer(("127.0.0.1", 0), _PublicKeys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _run_cli(sc: Scenario, emulator: Emulator, cloudtrail: str) -> subprocess.CompletedProcess[str]:
    credentials = emulator_credentials()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
        "AWS_ENDPOINT_URL_S3": emulator.endpoint_url,
        "PYTHONPATH": os.environ.get("EVIDENCE_AWSCLI_PYTHONPATH", ""),
    }
    env.pop("AWS_PROFILE", None)
    command = [str(AWSCLI_PYTHON), "-m", "awscli", "cloudtrail", "validate-logs"]
    command += ["--trail-arn", sc.spec.scope.trail_arn, "--s3-bucket", BUCKET, "--region", REGION]
    command += ["--start-time", sc.period.start.strftime(DISPLAY), "--end-time", sc.period.end.strftime(DISPLAY)]
    command += ["--endpoint-url", cloudtrail]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", [*TAMPERS, *SPECS])
def test_same_verdicts_as_the_aws_cli(
    name: str,
    make_chain: Any,
    signing_key: RSAPrivateKey,
    other_key: RSAPrivateKey,
    emulator: Emulator,
    cloudtrail: str,
) -> None:
    spec = {"rotations": {3: other_key}} if name == "rotation" else SPECS.get(name, {})
    sc: Scenario = make_chain(**spec)
    TAMPERS.get(name, TAMPERS["clean"])(sc, signing_key, other_key)
    emulator.reset()
    s3 = boto3.Session(region_name=REGION, **emulator_credentials()).client("s3", endpoint_url=emulator.endpoint_url)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for (bucket, key), (body, metadata) in sc.store.objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=metadata)

    cli = _run_cli(sc, emulator, cloudtrail)
    ours = validate_trail(sc.spec.scope, S3Store(lambda bucket: s3), sc.keys, sc.period, as_of=AS_OF)

    assert sorted(line for line in cli.stderr.splitlines() if "\tINVALID: " in line) == sorted(
        item.cli_message() for item in ours.items if item.cli_equivalent
    )
    c = ours.cli
    expected = [f"{c.digests_valid}/{c.digests_valid + c.digests_invalid} digest files valid"]
    if c.backfill_digests_valid + c.backfill_digests_invalid:
        total = c.backfill_digests_valid + c.backfill_digests_invalid
        expected.append(f"{c.backfill_digests_valid}/{total} backfill digest files valid")
    expected.append(f"{c.logs_valid}/{c.logs_valid + c.logs_invalid} log files valid")
    summary = [line.split(",")[0] for line in cli.stdout.splitlines() if " files valid" in line]
    assert summary == expected
    assert c.found is not None
    assert f"Results found for {c.found.start.strftime(DISPLAY)} to {c.found.end.strftime(DISPLAY)}:" in cli.stdout
    assert cli.returncode == c.exit_code
