"""S3Store against the local AWS emulator (moto's server, real HTTP), end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from urllib3.exceptions import ProtocolError

from evidence.demo.emulator import Emulator, emulator_credentials, start_emulator
from evidence.integrity.errors import ObjectNotFound, StoreAccessError
from evidence.integrity.keys import StaticKeys
from evidence.integrity.models import Counts, FindingCode, TimeRange
from evidence.integrity.sidecar import capture_digest_metadata
from evidence.integrity.store import LocalStore, S3Store
from evidence.integrity.synthetic import ChainSpec, S3Sink, build_chain, public_key_of
from evidence.integrity.validate import validate_trail

from .conftest import AS_OF, BUCKET, START, scope

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture
def s3(emulator: Emulator) -> Any:
    emulator.reset()
    client = boto3.Session(region_name=REGION, **emulator_credentials()).client(
        "s3", endpoint_url=emulator.endpoint_url
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


def test_chain_in_s3_validates_and_reports_tampering(s3: Any, signing_key: RSAPrivateKey, tmp_path: Path) -> None:
    spec = ChainSpec(scope=scope(), start=START, hours=4, logs_per_hour=2)
    chain = build_chain(spec, signing_key, S3Sink(s3))
    store = S3Store(lambda bucket: s3)
    keys = StaticKeys([public_key_of(signing_key)])
    period = TimeRange(start=START, end=chain.digests[-1].end)

    clean = validate_trail(spec.scope, store, keys, period, as_of=AS_OF, workers=4)
    assert clean.ok and clean.digests == Counts(valid=4) and clean.logs == Counts(valid=8)

    tampered_log = chain.digests[1].log_keys[0]
    s3.put_object(Bucket=BUCKET, Key=tampered_log, Body=b"\x1f\x8b rewritten")
    s3.delete_object(Bucket=BUCKET, Key=chain.digests[2].key)
    result = validate_trail(spec.scope, store, keys, period, as_of=AS_OF, workers=4)
    assert [(i.key, i.code, i.cli_equivalent) for i in result.items] == [
        (chain.digests[2].key, FindingCode.not_found, True),
        (tampered_log, FindingCode.invalid_format, True),
    ]

    # The auditor's copy: objects synced without metadata, plus the sidecar captured from S3.
    sidecar = capture_digest_metadata(store, spec.scope, period, captured_at=AS_OF)
    for key in store.list_keys(BUCKET, "AWSLogs/"):
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    local = validate_trail(spec.scope, LocalStore(tmp_path, BUCKET, sidecar), keys, period, as_of=AS_OF)
    assert local.model_dump(exclude={"notes"}) == result.model_dump(exclude={"notes"})


def test_s3_store_errors(s3: Any) -> None:
    store = S3Store(lambda bucket: s3)
    with pytest.raises(ObjectNotFound):
        store.open(BUCKET, "absent")
    with pytest.raises(ObjectNotFound):
        store.metadata(BUCKET, "absent")
    with pytest.raises(StoreAccessError, match="Cannot read s3://no-such-bucket/key"):
        store.open("no-such-bucket", "key")
    with pytest.raises(StoreAccessError, match="Cannot list s3://no-such-bucket/AWSLogs/"):
        list(store.list_keys("no-such-bucket", "AWSLogs/"))


def test_s3_store_lists_after_a_key_and_reads_metadata(s3: Any) -> None:
    for key in ("p/a", "p/b", "p/c", "q/a"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode(), Metadata={"signature": key})
    store = S3Store(lambda bucket: s3)
    assert list(store.list_keys(BUCKET, "p/")) == ["p/a", "p/b", "p/c"]
    assert list(store.list_keys(BUCKET, "p/", "p/a")) == ["p/b", "p/c"]
    assert store.metadata(BUCKET, "p/b") == {"signature": "p/b"}
    stream = store.open(BUCKET, "p/c")
    assert stream.read(1) + stream.read() == b"p/c"
    stream.close()


class _BrokenRaw:
    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise ProtocolError("connection reset")

    def close(self) -> None:
        pass


def test_transport_failure_while_reading_is_a_store_error() -> None:
    client = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_response("get_object", {"Body": StreamingBody(_BrokenRaw(), 10)}, {"Bucket": BUCKET, "Key": "k"})
    with stub:
        stream = S3Store(lambda bucket: client).open(BUCKET, "k")
        with pytest.raises(StoreAccessError, match="Reading s3://org-cloudtrail-logs/k failed"):
            stream.read(1024)
