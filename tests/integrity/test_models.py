"""The integrity models: time ranges, scopes, items, counts and the report roll-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from evidence.integrity.errors import LayoutError
from evidence.integrity.models import (
    Counts,
    FindingCode,
    IntegrityItem,
    IntegrityReport,
    ItemKind,
    TimeRange,
    TrailScope,
    Verdict,
)

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def test_time_range_is_utc_and_ordered() -> None:
    plus_two = timezone(timedelta(hours=2))
    window = TimeRange(start=datetime(2024, 3, 1, 2, tzinfo=plus_two), end=T0 + timedelta(hours=1))
    assert window.start == T0 and window.start.tzinfo is UTC and window.duration == timedelta(hours=1)
    with pytest.raises(ValidationError, match="is after end"):
        TimeRange(start=T0, end=T0 - timedelta(seconds=1))
    with pytest.raises(ValidationError):
        TimeRange(start=datetime(2024, 3, 1), end=T0)  # naive


def test_overlap() -> None:
    a = TimeRange(start=T0, end=T0 + timedelta(hours=2))
    assert a.overlap(TimeRange(start=T0 + timedelta(hours=1), end=T0 + timedelta(hours=5))) == timedelta(hours=1)
    assert a.overlap(TimeRange(start=T0 + timedelta(hours=3), end=T0 + timedelta(hours=5))) == timedelta(0)


def test_scope_from_a_trail_arn() -> None:
    scope = TrailScope.for_trail("arn:aws:cloudtrail:us-east-2:111122223333:trail/main", "b", prefix="")
    assert (scope.home_region, scope.source_region, scope.account_id, scope.trail_name, scope.prefix) == (
        "us-east-2",
        "us-east-2",
        "111122223333",
        "main",
        None,
    )
    member = TrailScope.for_trail(
        "arn:aws:cloudtrail:us-east-2:111122223333:trail/org", "b", account_id="444455556666", source_region="eu-west-1"
    )
    assert (member.account_id, member.source_region) == ("444455556666", "eu-west-1")
    with pytest.raises(LayoutError, match="Invalid trail ARN provided"):
        TrailScope.for_trail("arn:aws:s3:::bucket", "b")


def item(**changes: Any) -> IntegrityItem:
    fields: dict[str, Any] = {
        "kind": ItemKind.log,
        "bucket": "b",
        "key": "k",
        "verdict": Verdict.invalid,
        "code": FindingCode.hash_mismatch,
        "reason": "hash value doesn't match",
        "cli_equivalent": True,
    }
    return IntegrityItem(**{**fields, **changes})


def test_cli_message() -> None:
    assert item().cli_message() == "Log file\ts3://b/k\tINVALID: hash value doesn't match"
    assert item(kind=ItemKind.digest, backfill=True).cli_message().startswith("(backfill) Digest file\t")


def test_counts_add_up() -> None:
    total = Counts(valid=1, invalid=2) + Counts(missing=3, unverified=4)
    assert total == Counts(valid=1, invalid=2, missing=3, unverified=4) and total.total == 10


def test_report_rolls_regions_up(make_chain: Any) -> None:
    sc = make_chain()
    clean = sc.validate()
    sc.store.delete(sc.chain.digests[0].log_keys[0])
    sc.store.delete(sc.digest(5))
    broken = sc.validate()
    unverified = sc.validate(keys=None)
    report = IntegrityReport.from_regions(sc.period, (clean, broken, unverified))
    assert report.summary.digests == Counts(valid=11, missing=2, unverified=5)
    assert report.summary.logs == Counts(valid=12 + 9 + 9, missing=2)  # the deleted digest listed 2 logs
    assert (report.summary.findings, report.summary.cli_equivalent_findings) == (4, 2)
    assert clean.ok and not broken.ok
