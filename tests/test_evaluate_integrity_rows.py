"""evaluate() carries every CloudTrail digest or log file that is not valid into the Pack."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import snapshot

from evidence.evaluate import evaluate, integrity_rows
from evidence.models import CollectionInfo, Period, Scope

TRAIL = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"
ITEM = {"kind": "log", "bucket": "logs", "key": "AWSLogs/x.json.gz", "verdict": "invalid", "code": "LOG_HASH_MISMATCH",
        "reason": "The hash differs.", "cli_equivalent": True, "backfill": False, "digest_key": "d", "window": None,
        "count": 1}


def _integrity(items: list[dict[str, object]]) -> dict[str, object]:
    return {"period": {}, "region_errors": [], "trails": [
        {"trail_arn": TRAIL, "home_region": "us-east-1", "validation_enabled": True, "error": None, "regions": [
            {"source_region": "us-east-1", "error": None, "result": {"items": items}},
            {"source_region": "eu-west-1", "error": {"code": "AccessDenied", "message": "no"}},
        ]},
        {"trail_arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/off", "validation_enabled": False,
         "regions": []},
    ]}


def test_items_become_rows() -> None:
    rows = integrity_rows([snapshot("cloudtrail.integrity", _integrity([ITEM, {**ITEM, "key": None,
                                                                              "kind": "digest",
                                                                              "verdict": "missing"}]))])
    assert [(r.trail_arn, r.source_region, r.kind, r.verdict, r.key) for r in rows] == [
        (TRAIL, "us-east-1", "log", "invalid", "AWSLogs/x.json.gz"), (TRAIL, "us-east-1", "digest", "missing", None)]
    assert rows[0].account == "111122223333" and rows[0].cli_equivalent and rows[0].code == "LOG_HASH_MISMATCH"


def test_valid_chain_gives_no_rows() -> None:
    assert integrity_rows([snapshot("cloudtrail.integrity", _integrity([]))]) == ()


def test_evaluate_fills_pack_integrity() -> None:
    at = datetime(2025, 3, 31, tzinfo=UTC)
    collection = CollectionInfo(tool_version="t", scope=Scope(accounts=("111122223333",), regions=("us-east-1",)),
                                period=Period(start=at, end=at), started_at=at, finished_at=at)
    pack = evaluate([snapshot("cloudtrail.integrity", _integrity([ITEM]))], [], collection, [], pack_id="p")
    assert [r.key for r in pack.integrity] == ["AWSLogs/x.json.gz"]
