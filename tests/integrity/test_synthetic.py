"""The chain builder writes realistic CloudTrail log files and digests."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

from evidence.integrity.synthetic import decode_digest

from .conftest import BUCKET

DIGEST_FIELDS = {
    "awsAccountId",
    "digestStartTime",
    "digestEndTime",
    "digestS3Bucket",
    "digestS3Object",
    "digestPublicKeyFingerprint",
    "digestSignatureAlgorithm",
    "newestEventTime",
    "oldestEventTime",
    "previousDigestS3Bucket",
    "previousDigestS3Object",
    "previousDigestHashValue",
    "previousDigestHashAlgorithm",
    "previousDigestSignature",
    "logFiles",
}
RECORD_FIELDS = {
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestID",
    "eventID",
    "eventType",
    "recipientAccountId",
}


def test_digests_have_cloudtrail_fields_and_link_up(make_chain: Any) -> None:
    sc = make_chain(hours=3, logs_per_hour=3)
    first, second, _ = (decode_digest(sc.store.body(d.key)) for d in sc.chain.digests)
    assert set(first) == DIGEST_FIELDS
    assert first["previousDigestSignature"] is None and first["previousDigestS3Object"] is None
    assert second["previousDigestS3Object"] == sc.digest(0)
    assert second["previousDigestSignature"] == sc.store.meta(sc.digest(0))["signature"]
    inflated = gzip.decompress(sc.store.body(sc.digest(0)))
    assert second["previousDigestHashValue"] == hashlib.sha256(inflated).hexdigest()
    assert second["digestStartTime"] == first["digestEndTime"]
    assert sc.store.meta(sc.digest(1))["signature-algorithm"] == "SHA256withRSA"
    assert len(first["logFiles"]) == 3 and sc.chain.log_count == 9


def test_log_files_hold_cloudtrail_records(make_chain: Any) -> None:
    sc = make_chain(hours=1, records_per_log=4)
    digest = decode_digest(sc.store.body(sc.digest(0)))
    entry = digest["logFiles"][0]
    content = gzip.decompress(sc.store.body(entry["s3Object"]))
    assert hashlib.sha256(content).hexdigest() == entry["hashValue"]
    records = json.loads(content)["Records"]
    assert len(records) == 4 and all(set(record) >= RECORD_FIELDS for record in records)
    times = [record["eventTime"] for record in records]
    assert times == sorted(times) and (entry["oldestEventTime"], entry["newestEventTime"]) == (times[0], times[-1])
    assert records[0]["recipientAccountId"] == sc.spec.scope.account_id


def test_same_seed_same_objects(make_chain: Any) -> None:
    assert make_chain(hours=2).store.objects == make_chain(hours=2).store.objects
    assert make_chain(hours=2).store.objects != make_chain(hours=2, seed=1).store.objects


def test_quiet_hours_and_backfill(make_chain: Any) -> None:
    sc = make_chain(hours=4, quiet_hours=frozenset({1}), backfill_hours=frozenset({3}))
    assert [(d.hour, d.backfill) for d in sc.chain.digests] == [(0, False), (2, False), (3, True)]
    assert decode_digest(sc.store.body(sc.digest(2)))["previousDigestS3Object"] is None
    assert decode_digest(sc.store.body(sc.digest(3)))["previousDigestS3Object"] is None
    assert "backfill-generation-timestamp" in sc.store.meta(sc.digest(3))
    assert all(bucket == BUCKET for bucket, _ in sc.store.objects)


def test_hours_without_log_files(make_chain: Any) -> None:
    sc = make_chain(hours=2, logs_per_hour=0)
    digest = decode_digest(sc.store.body(sc.digest(1)))
    assert digest["logFiles"] == [] and digest["newestEventTime"] is None
    assert sc.validate().ok
