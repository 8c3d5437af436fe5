"""Digest and log key naming, and which digests a period lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evidence.integrity.layout import digest_folder, digest_key, list_digest_keys, log_key, parse_digest_key
from evidence.integrity.models import TimeRange

from .conftest import BUCKET, MemoryStore, scope

END = datetime(2024, 3, 1, 5, 17, 5, tzinfo=UTC)


def test_standard_digest_key() -> None:
    assert digest_key(scope(), END) == (
        "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/03/01/"
        "111122223333_CloudTrail-Digest_eu-west-1_management-events_eu-west-1_20240301T051705Z.json.gz"
    )


def test_prefix_organization_and_source_region() -> None:
    trail = scope(prefix="logs/ct", organization_id="o-abc123", account_id="444455556666", source_region="us-east-2")
    key = digest_key(trail, END, backfill=True)
    assert key == (
        "logs/ct/AWSLogs/o-abc123/444455556666/CloudTrail-Digest/us-east-2/2024/03/01/"
        "444455556666_CloudTrail-Digest_us-east-2_management-events_eu-west-1_20240301T051705Z_backfill.json.gz"
    )
    assert digest_folder(trail) == "logs/ct/AWSLogs/o-abc123/444455556666/CloudTrail-Digest/us-east-2"


def test_log_key() -> None:
    assert log_key(scope(), END, "AbCdEfGhIjKlMnOp") == (
        "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/"
        "111122223333_CloudTrail_eu-west-1_20240301T0517Z_AbCdEfGhIjKlMnOp.json.gz"
    )


def test_parse_digest_key_round_trips() -> None:
    parsed = parse_digest_key(scope(), digest_key(scope(), END, backfill=True))
    assert parsed is not None and (parsed.end, parsed.backfill) == (END, True)
    plain = parse_digest_key(scope(), digest_key(scope(), END))
    assert plain is not None and not plain.backfill


def test_keys_of_other_trails_regions_and_bad_times_are_not_digests() -> None:
    key = digest_key(scope(), END)
    assert parse_digest_key(scope(), key.replace("management-events", "other-trail")) is None
    assert parse_digest_key(scope(source_region="us-east-1"), key) is None
    assert parse_digest_key(scope(), key.replace("20240301T051705Z", "20241301T051705Z")) is None
    assert parse_digest_key(scope(), key + ".tmp") is None


def test_listing_keeps_start_to_end_plus_one_hour_split_by_kind() -> None:
    trail = scope()
    store = MemoryStore()
    times = [END + timedelta(hours=n) for n in range(-3, 4)]
    for moment in times:
        store.put(BUCKET, digest_key(trail, moment), b"", {})
    store.put(BUCKET, digest_key(trail, END, backfill=True), b"", {})
    store.put(BUCKET, digest_key(trail, END).replace("management-events", "other"), b"", {})
    store.put(BUCKET, digest_key(trail, END) + ".tmp", b"", {})  # listed between two digests
    period = TimeRange(start=END - timedelta(hours=1), end=END + timedelta(hours=1))
    standard, backfill = list_digest_keys(store, trail, BUCKET, period)
    assert [d.end for d in standard] == times[2:6]
    assert [d.key for d in backfill] == [digest_key(trail, END, backfill=True)]


def test_listing_starts_at_the_period_start_to_the_second() -> None:
    trail = scope()
    store = MemoryStore()
    store.put(BUCKET, digest_key(trail, END), b"", {})
    at_start = TimeRange(start=END.replace(microsecond=500), end=END + timedelta(hours=1))
    assert [d.end for d in list_digest_keys(store, trail, BUCKET, at_start)[0]] == [END]
    after = TimeRange(start=END + timedelta(seconds=1), end=END + timedelta(hours=1))
    assert list_digest_keys(store, trail, BUCKET, after) == ([], [])
