"""The order in which ``aws cloudtrail validate-logs`` visits digests, replayed over our results.

The CLI walks one stream (standard, then backfill) newest to oldest: it starts at the newest
listed digest; after a valid digest it follows the digest's previous pointer (re-listing when
the pointer names another bucket), or, at a chain start, takes the next older listed digest;
after an invalid or missing digest it takes the next older listed digest than that one. It
stops once a valid digest starts before the period. What it reports therefore depends on the
walk — a digest a pointer jumps over is never looked at — so we replay the walk over the
digests we already fetched and judged, to know exactly which findings the CLI shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from evidence.integrity.digest import DigestRecord, Failure
from evidence.integrity.layout import DigestKey
from evidence.integrity.models import FindingCode

Location = tuple[str, str]
NOT_FOUND = Failure(FindingCode.not_found, "not found")


@dataclass
class CliWalk:
    valid: list[Location] = field(default_factory=list)  # visit order
    invalid: dict[Location, Failure] = field(default_factory=dict)


def walk_like_cli(
    bucket: str,
    start: datetime,
    listing: Callable[[str, datetime | None], list[DigestKey]],
    resolve: Callable[[str, str], DigestRecord],
) -> CliWalk:
    """Replay the CLI walk of one stream.

    ``listing(bucket, end)`` gives the stream's listed digests in a bucket, oldest first (``end``
    is the end time of the digest whose pointer led to the bucket, None for the first bucket);
    ``resolve(bucket, key)`` gives a judged digest. A pointer back to a digest already visited
    (possible only in content that is not signature-checked) ends the chain instead of looping.
    """
    walk = CliWalk()
    pending = list(listing(bucket, None))

    def next_older(before: datetime | None) -> DigestKey | None:
        while pending:
            candidate = pending.pop()
            if before is None or candidate.end < before:
                return candidate
        return None

    newest = next_older(None)
    if newest is None:
        return walk
    key: str | None = newest.key
    last_start = newest.end
    seen: set[Location] = set()
    while key is not None and start <= last_start:
        seen.add((bucket, key))
        record = resolve(bucket, key)
        before = record.key_end or last_start
        if not record.found or record.cli_failure is not None:
            walk.invalid[(bucket, key)] = record.cli_failure or NOT_FOUND
            key = _key(next_older(before))
            continue
        walk.valid.append((bucket, key))
        last_start = record.start or last_start
        if record.previous is not None and record.previous not in seen:
            previous_bucket, key = record.previous
            if previous_bucket != bucket:
                bucket = previous_bucket
                pending = list(listing(bucket, record.end))
        else:
            key = _key(next_older(before))
    return walk


def _key(digest: DigestKey | None) -> str | None:
    return None if digest is None else digest.key
