"""The digest chain as a whole: links between digests, uncovered time, covered ranges, key use.

* :func:`link_failures` — a digest's ``previousDigestSignature`` must be the S3 signature of the
  digest it points to and ``previousDigestHashValue`` the SHA-256 of that digest's uncompressed
  bytes. Checked only when the predecessor is itself trusted (a predecessor that fails its own
  signature is already reported, and its successor's link says nothing more).
* :func:`find_gaps` — walks the period in time order over every digest that could be read. A
  stretch no digest covers is classified by the digest after it: if that digest points back to
  a predecessor, digests are missing there (``gap``); if it starts a new chain (null previous
  pointer) CloudTrail itself signals that no log files were delivered — unless the trail's
  logging periods, when supplied, show it was logging, which makes it a ``gap`` too. The stretch
  from the newest digest to the end of the period (``newest_missing``) is expected to be covered
  wherever the trail was logging (the whole period when logging periods are not supplied). The
  number of digests missing in a stretch is estimated from CloudTrail's hourly cadence, less
  those already reported by key (deleted digests a pointer names, unreadable digests).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from evidence.integrity.digest import DigestRecord, Failure, SignatureState
from evidence.integrity.models import (
    FindingCode,
    Gap,
    GapKind,
    IntegrityItem,
    ItemKind,
    KeyRotation,
    TimeRange,
    Verdict,
)

CADENCE = timedelta(hours=1)
TOLERANCE = timedelta(minutes=5)
_DISPLAY = "%Y-%m-%dT%H:%M:%SZ"


def _hex(value: object) -> str | None:
    return value.lower() if isinstance(value, str) else None


def link_failures(record: DigestRecord, previous: DigestRecord | None) -> tuple[Failure, ...]:
    """How the link from ``record`` to the digest it points to (``previous``) does not hold."""
    if previous is None or not previous.trusted:
        return ()
    where = f"s3://{previous.bucket}/{previous.key}"
    failures = []
    if previous.signature_hex is not None and _hex(record.previous_signature) != _hex(previous.signature_hex):
        reason = f"previousDigestSignature is not the signature of the previous digest {where}"
        failures.append(Failure(FindingCode.chain_link_broken, reason))
    if _hex(record.previous_hash) != previous.inflated_sha256:
        reason = f"previousDigestHashValue is not the SHA-256 of the previous digest {where}"
        failures.append(Failure(FindingCode.chain_link_broken, reason))
    return tuple(failures)


def _logged(window: TimeRange, logging: Sequence[TimeRange] | None) -> timedelta:
    if logging is None:
        return window.duration
    return sum((window.overlap(period) for period in logging), timedelta(0))


def _expected(duration: timedelta) -> int:
    return max(1, round(duration / CADENCE))


def _fmt(moment: datetime) -> str:
    return moment.strftime(_DISPLAY)


class _GapFinder:
    def __init__(self, bucket: str, markers: Sequence[datetime], logging: Sequence[TimeRange] | None) -> None:
        self.bucket = bucket
        self.markers = markers
        self.logging = logging
        self.gaps: list[Gap] = []
        self.items: list[IntegrityItem] = []

    def _identified(self, window: TimeRange, upto: datetime | None) -> int:
        return sum(1 for m in self.markers if window.start < m and (upto is None or m <= upto))

    def _missing(self, window: TimeRange, expected: int, identified: int, code: FindingCode, why: str) -> None:
        self.gaps.append(Gap(window=window, kind=GapKind.digests_missing))
        unreported = expected - identified
        if unreported > 0:
            reason = (
                f"no digest covers {_fmt(window.start)} to {_fmt(window.end)}: {why}; "
                f"about {expected} digest file(s) expected, {unreported} not otherwise reported"
            )
            self.items.append(
                IntegrityItem(
                    kind=ItemKind.digest,
                    bucket=self.bucket,
                    key=None,
                    verdict=Verdict.missing,
                    code=code,
                    reason=reason,
                    cli_equivalent=False,
                    window=window,
                    count=unreported,
                )
            )

    def before(self, window: TimeRange, following: DigestRecord) -> None:
        identified = self._identified(window, window.end + TOLERANCE)
        if following.previous is not None:
            why = "the next digest's chain points back into this time"
            self._missing(window, _expected(window.duration), identified, FindingCode.gap, why)
            return
        logged = _logged(window, self.logging)
        if self.logging is None or logged <= TOLERANCE:
            self.gaps.append(Gap(window=window, kind=GapKind.no_log_files_delivered))
            return
        why = "the trail was logging, yet the digest chain restarts after it (log file validation off?)"
        self._missing(window, _expected(logged), identified, FindingCode.gap, why)

    def tail(self, window: TimeRange) -> None:
        logged = _logged(window, self.logging)
        if logged <= TOLERANCE:
            return
        why = "the newest digest file(s) are missing"
        if self.logging is None:
            why += " (trail logging periods not supplied: expected if the trail was stopped)"
        identified = self._identified(window, None)
        self._missing(window, _expected(logged), identified, FindingCode.newest_missing, why)


def find_gaps(
    timed: Iterable[DigestRecord],
    markers: Sequence[datetime],
    period: TimeRange,
    logging: Sequence[TimeRange] | None,
    required_until: datetime,
    bucket: str,
) -> tuple[list[Gap], list[IntegrityItem]]:
    """Uncovered stretches of ``period`` and the findings they make.

    ``timed``: digests whose start and end could be read; ``markers``: end times (from the key
    names) of digests already reported missing or unreadable; ``required_until``: how far the
    newest digest must reach (the period end, or earlier when delivery may still be pending).
    """
    finder = _GapFinder(bucket, markers, logging)
    covered_until = period.start
    for record in sorted(timed, key=lambda r: (r.start, r.end, r.bucket, r.key)):
        assert record.start is not None and record.end is not None
        end = min(record.start, period.end)
        if end - covered_until > TOLERANCE:
            finder.before(TimeRange(start=covered_until, end=end), record)
        covered_until = max(covered_until, record.end)
    tail_end = min(period.end, required_until)
    if tail_end - covered_until > TOLERANCE:
        finder.tail(TimeRange(start=covered_until, end=tail_end))
    return finder.gaps, finder.items


def covered_ranges(ranges: Iterable[tuple[datetime, datetime]], period: TimeRange) -> tuple[TimeRange, ...]:
    """The union of ``ranges`` within ``period``, merged where they touch."""
    merged: list[list[datetime]] = []
    for start, end in sorted(ranges):
        start, end = max(start, period.start), min(end, period.end)
        if start > end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(TimeRange(start=start, end=end) for start, end in merged)


def key_use(records: Iterable[DigestRecord]) -> tuple[tuple[str, ...], tuple[KeyRotation, ...]]:
    """Fingerprints of verified digests in order of first use, and each change of key over time."""
    verified = sorted(
        (r for r in records if r.signature is SignatureState.verified and r.end and r.fingerprint),
        key=lambda r: (r.end, r.key),
    )
    fingerprints: list[str] = []
    rotations: list[KeyRotation] = []
    previous: str | None = None
    for record in verified:
        fingerprint = str(record.fingerprint)
        if fingerprint not in fingerprints:
            fingerprints.append(fingerprint)
        if previous is not None and fingerprint != previous:
            rotations.append(KeyRotation(at=record.end, previous_fingerprint=previous, fingerprint=fingerprint))
        previous = fingerprint
    return tuple(fingerprints), tuple(rotations)
