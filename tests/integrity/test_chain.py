"""Covered ranges and key use over the chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evidence.integrity.chain import covered_ranges, key_use
from evidence.integrity.digest import DigestRecord, SignatureState
from evidence.integrity.models import TimeRange

T0 = datetime(2024, 3, 1, tzinfo=UTC)
H = timedelta(hours=1)


def test_covered_ranges_merge_touching_and_clip_to_the_period() -> None:
    period = TimeRange(start=T0 + H / 2, end=T0 + 6 * H)
    ranges = [(T0 + 2 * H, T0 + 3 * H), (T0, T0 + H), (T0 + H, T0 + 2 * H), (T0 + 4 * H, T0 + 9 * H), (T0 - H, T0)]
    assert covered_ranges(ranges, period) == (
        TimeRange(start=T0 + H / 2, end=T0 + 3 * H),
        TimeRange(start=T0 + 4 * H, end=T0 + 6 * H),
    )


def verified(n: int, fingerprint: str, state: SignatureState = SignatureState.verified) -> DigestRecord:
    return DigestRecord(
        bucket="b",
        key=f"k{n}",
        backfill=False,
        key_end=T0 + n * H,
        found=True,
        signature=state,
        fingerprint=fingerprint,
        start=T0 + (n - 1) * H,
        end=T0 + n * H,
    )


def test_key_use_records_every_change_of_key() -> None:
    records = [
        verified(3, "b"),
        verified(1, "a"),
        verified(2, "a"),
        verified(4, "a"),
        verified(5, "c", SignatureState.unavailable),
    ]
    fingerprints, rotations = key_use(records)
    assert fingerprints == ("a", "b")
    assert [(r.at, r.previous_fingerprint, r.fingerprint) for r in rotations] == [
        (T0 + 3 * H, "a", "b"),
        (T0 + 4 * H, "b", "a"),
    ]
