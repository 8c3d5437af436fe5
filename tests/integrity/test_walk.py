"""The replay of the CLI's walk: which digests `validate-logs` visits, and in what way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evidence.integrity.digest import DigestRecord, Failure
from evidence.integrity.layout import DigestKey
from evidence.integrity.models import FindingCode
from evidence.integrity.walk import NOT_FOUND, walk_like_cli

T0 = datetime(2024, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
BAD = Failure(FindingCode.signature_invalid, "signature verification failed")


def key(n: int, bucket: str = "b") -> str:
    return f"{bucket}-digest-{n:02d}"


def record(
    n: int,
    *,
    previous: int | None = None,
    bucket: str = "b",
    previous_bucket: str | None = None,
    failure: Failure | None = None,
    found: bool = True,
) -> DigestRecord:
    return DigestRecord(
        bucket=bucket,
        key=key(n, bucket),
        backfill=False,
        key_end=T0 + n * HOUR,
        found=found,
        cli_failure=failure,
        start=T0 + (n - 1) * HOUR,
        end=T0 + n * HOUR,
        previous=None if previous is None else (previous_bucket or bucket, key(previous, previous_bucket or bucket)),
    )


def run(records: list[DigestRecord], listed: dict[str, list[int]], start: datetime = T0, bucket: str = "b") -> tuple:
    by_location = {(r.bucket, r.key): r for r in records}
    calls: list[tuple[str, datetime | None]] = []

    def listing(name: str, end: datetime | None) -> list[DigestKey]:
        calls.append((name, end))
        return [DigestKey(key=key(n, name), end=T0 + n * HOUR, backfill=False) for n in listed.get(name, [])]

    def resolve(name: str, k: str) -> DigestRecord:
        return by_location.get((name, k)) or DigestRecord(bucket=name, key=k, backfill=False, key_end=None, found=False)

    walk = walk_like_cli(bucket, start, listing, resolve)
    return [k for _, k in walk.valid], {k: f for (_, k), f in walk.invalid.items()}, calls


def test_follows_pointers_and_stops_before_the_period() -> None:
    chain = [record(1)] + [record(n, previous=n - 1) for n in range(2, 6)]
    valid, invalid, _ = run(chain, {"b": [1, 2, 3, 4, 5]}, start=T0 + 2 * HOUR)
    # Digest 3 starts at T0+2h (not before the start): visited; digest 2 starts before it: last one.
    assert valid == [key(5), key(4), key(3), key(2)] and invalid == {}


def test_a_pointer_skips_listed_digests() -> None:
    chain = [record(1), record(2, previous=1), record(3, previous=2, failure=BAD), record(4, previous=2)]
    valid, invalid, _ = run(chain, {"b": [1, 2, 3, 4]})
    assert valid == [key(4), key(2), key(1)] and invalid == {}


def test_after_an_invalid_digest_the_next_older_listed_one() -> None:
    chain = [record(1), record(2, previous=1), record(3, previous=2, failure=BAD), record(4, previous=3)]
    valid, invalid, _ = run(chain, {"b": [1, 2, 3, 4]})
    assert valid == [key(4), key(2), key(1)] and invalid == {key(3): BAD}


def test_a_missing_predecessor_is_reported_once_and_the_walk_goes_on() -> None:
    chain = [record(1), record(4, previous=3)]  # 2 and 3 deleted
    valid, invalid, _ = run(chain, {"b": [1, 4]})
    assert valid == [key(4), key(1)] and invalid == {key(3): NOT_FOUND}


def test_a_chain_start_continues_with_the_next_older_listed_digest() -> None:
    chain = [record(1), record(3)]
    valid, _, _ = run(chain, {"b": [1, 3]})
    assert valid == [key(3), key(1)]


def test_a_pointer_to_another_bucket_lists_that_bucket_up_to_the_digest_end() -> None:
    chain = [record(1, bucket="old"), record(2, bucket="old", previous=1), record(3, previous=2, previous_bucket="old")]
    valid, _, calls = run(chain, {"b": [3], "old": [1, 2]})
    assert valid == [key(3), key(2, "old"), key(1, "old")]
    assert calls == [("b", None), ("old", T0 + 3 * HOUR)]


def test_a_pointer_back_to_a_visited_digest_ends_the_chain() -> None:
    chain = [record(1), record(2, previous=2)]
    valid, _, _ = run(chain, {"b": [1, 2]})
    assert valid == [key(2), key(1)]


def test_nothing_listed() -> None:
    assert run([], {}) == ([], {}, [("b", None)])
