"""Validate the CloudTrail log files of one trail and source region over a period.

Entry point::

    validate_trail(scope, store, keys, period, *, trail_logging_periods=None, as_of=None,
                   workers=16, keep_valid_log_keys=False) -> RegionIntegrity

* ``scope`` (:class:`~evidence.integrity.models.TrailScope`): trail, source region, bucket, prefix,
  organization id; ``store``: :class:`~evidence.integrity.store.S3Store` or
  :class:`~evidence.integrity.store.LocalStore`; ``keys``: a
  :class:`~evidence.integrity.keys.PublicKeyProvider`, or None to skip signature checks.
* ``trail_logging_periods``: when the trail was logging (from GetTrailStatus / history). None
  means unknown: chain restarts are then taken as CloudTrail's "no log files were delivered",
  and the period's end is still expected to be covered.
* ``as_of`` (default now): digests for the last two hours before it may not be delivered yet.

Steps: list the period's digests (:mod:`.layout`); fetch and judge each in a bounded thread
pool (:mod:`.digest`), plus the digests their previous pointers name (re-listing any other
bucket a pointer leads to); replay the CLI's walk (:mod:`.walk`) to know which findings the
CLI shares; check chain links and uncovered time (:mod:`.chain`); stream and hash every log
file listed by a trusted digest, in the same pool (:mod:`.logs`). Results do not depend on
the order in which fetches complete. Raises :class:`~evidence.integrity.errors.StoreAccessError`
or :class:`~evidence.integrity.errors.PublicKeyError` when the evidence cannot be read at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from evidence.integrity.chain import covered_ranges, find_gaps, key_use, link_failures
from evidence.integrity.digest import DigestRecord, Failure, LogRef, SignatureState, evaluate_digest
from evidence.integrity.errors import ObjectNotFound
from evidence.integrity.keys import PublicKey, PublicKeyProvider
from evidence.integrity.layout import DigestKey, list_digest_keys, parse_digest_key
from evidence.integrity.logs import LogOutcome, check_log
from evidence.integrity.models import (
    CliSummary,
    Counts,
    FindingCode,
    Gap,
    IntegrityItem,
    ItemKind,
    RegionIntegrity,
    TimeRange,
    TrailScope,
    Verdict,
)
from evidence.integrity.store import ObjectStore
from evidence.integrity.walk import NOT_FOUND, CliWalk, Location, walk_like_cli

_KEY_RANGE_AFTER = timedelta(hours=2)  # validate-logs asks ListPublicKeys for start .. end + 2 h
_BACKFILL_KEY_MARGIN = timedelta(hours=1)
_DELIVERY_ALLOWANCE = timedelta(hours=2)
_LISTING_MARGIN_AFTER = timedelta(hours=1)
LogId = tuple[str, str, str | None]  # bucket, key, expected hash
_T = TypeVar("_T")
_R = TypeVar("_R")


def validate_trail(
    scope: TrailScope,
    store: ObjectStore,
    keys: PublicKeyProvider | None,
    period: TimeRange,
    *,
    trail_logging_periods: Sequence[TimeRange] | None = None,
    as_of: datetime | None = None,
    workers: int = 16,
    keep_valid_log_keys: bool = False,
) -> RegionIntegrity:
    """Validate digests and log files of ``scope`` over ``period`` (see the module docstring)."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="integrity") as pool:
        run = _Run(scope, store, _KeyLookup(keys, period), period, pool, workers)
        run.gather()
        standard = walk_like_cli(scope.bucket, period.start, run.listing(backfill=False), run.resolve)
        backfill = walk_like_cli(scope.bucket, period.start, run.listing(backfill=True), run.resolve)
        reported = run.reported(standard, backfill)
        outcomes = run.check_logs(reported)
    return _Assembly(
        run, reported, outcomes, standard, backfill, trail_logging_periods, as_of or datetime.now(UTC)
    ).result(keep_valid_log_keys)


class _KeyLookup:
    """Public keys as validate-logs looks them up; ``None`` provider: signatures not checked."""

    def __init__(self, provider: PublicKeyProvider | None, period: TimeRange) -> None:
        self.provider = provider
        self._range = (period.start, period.end + _KEY_RANGE_AFTER)

    def find(self, fingerprint: str, backfill_generated: datetime | None) -> PublicKey | None:
        assert self.provider is not None
        if backfill_generated is None:
            found = self.provider.keys_between(*self._range)
        else:
            found = self.provider.keys_between(
                backfill_generated - _BACKFILL_KEY_MARGIN, backfill_generated + _BACKFILL_KEY_MARGIN
            )
        return found.get(fingerprint)


def _bounded(
    pool: ThreadPoolExecutor, limit: int, fn: Callable[[_T], _R], items: Iterable[_T]
) -> Iterator[tuple[_T, _R]]:
    """Run ``fn`` over ``items`` with at most ``limit`` calls queued or running; any order."""
    running: dict[Future[_R], _T] = {}
    for item in items:
        if len(running) >= limit:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield running.pop(future), future.result()
        running[pool.submit(fn, item)] = item
    for future in list(running):
        yield running.pop(future), future.result()


@dataclass
class _Run:
    scope: TrailScope
    store: ObjectStore
    keys: _KeyLookup
    period: TimeRange
    pool: ThreadPoolExecutor
    workers: int
    listings: dict[str, tuple[list[DigestKey], list[DigestKey]]] = field(default_factory=dict)
    records: dict[Location, DigestRecord] = field(default_factory=dict)
    listed: set[Location] = field(default_factory=set)

    def _fetch(self, location: Location) -> DigestRecord:
        bucket, key = location
        parsed = parse_digest_key(self.scope, key)
        record = DigestRecord(
            bucket=bucket,
            key=key,
            backfill=parsed.backfill if parsed else key.endswith("_backfill.json.gz"),
            key_end=parsed.end if parsed else None,
            found=True,
        )
        try:
            with closing(self.store.open(bucket, key)) as stream:
                body = stream.read()
            metadata = self.store.metadata(bucket, key)
        except ObjectNotFound:
            return replace(record, found=False)
        return evaluate_digest(
            record, body, metadata, self.keys if self.keys.provider else None, self.scope.home_region
        )

    def _fetch_all(self, locations: Iterable[Location]) -> None:
        wanted = sorted(set(locations) - self.records.keys())
        for location, record in _bounded(self.pool, self.workers * 2, self._fetch, wanted):
            self.records[location] = record

    def resolve(self, bucket: str, key: str) -> DigestRecord:
        # gather() fetched every digest the CLI walk can reach: listed ones, and the targets of
        # pointers of trusted digests that start in the period (the walk follows no others).
        return self.records[(bucket, key)]

    def _list(self, bucket: str) -> list[Location]:
        standard, backfill = list_digest_keys(self.store, self.scope, bucket, self.period)
        self.listings[bucket] = (standard, backfill)
        locations = [(bucket, digest.key) for digest in standard + backfill]
        self.listed.update(locations)
        return locations

    def gather(self) -> None:
        """Fetch the listed digests and, transitively, what in-period trusted digests point to."""
        self._fetch_all(self._list(self.scope.bucket))
        while True:
            targets = {
                record.previous
                for location, record in self.records.items()
                if record.previous is not None and record.trusted and self._in_period(location, record)
            } - self.records.keys()
            new_buckets = sorted({bucket for bucket, _ in targets} - self.listings.keys())
            listed = [location for bucket in new_buckets for location in self._list(bucket)]
            if not targets and not listed:
                return
            self._fetch_all([*targets, *listed])

    def _in_period(self, location: Location, record: DigestRecord) -> bool:
        return location in self.listed or (record.start is not None and record.start >= self.period.start)

    def listing(self, *, backfill: bool) -> Callable[[str, datetime | None], list[DigestKey]]:
        def listed(bucket: str, end: datetime | None) -> list[DigestKey]:
            digests = self.listings[bucket][1 if backfill else 0]
            if end is None:
                return digests
            return [digest for digest in digests if digest.end <= end + _LISTING_MARGIN_AFTER]

        return listed

    def reported(self, *walks: CliWalk) -> list[DigestRecord]:
        """The digests the result is about: listed, visited by the CLI, missing in the period."""
        chosen = set(self.listed)
        for walk in walks:
            chosen.update(walk.valid)
            chosen.update(walk.invalid)
        for record in list(self.records.values()):
            if record.trusted and record.previous is not None and self._in_period((record.bucket, record.key), record):
                target = self.records[record.previous]
                if not target.found and target.key_end is not None and target.key_end >= self.period.start:
                    chosen.add(record.previous)
        return sorted((self.records[location] for location in chosen), key=_record_order)

    def check_logs(self, reported: Sequence[DigestRecord]) -> dict[LogId, LogOutcome]:
        refs = sorted(
            {(ref.bucket, ref.key, ref.hash_value) for record in reported if record.trusted for ref in record.logs},
            key=lambda ref: (ref[0], ref[1], ref[2] or ""),
        )

        def check(ref: LogId) -> LogOutcome:
            return check_log(self.store, *ref)

        return dict(_bounded(self.pool, self.workers * 2, check, refs))


def _record_order(record: DigestRecord) -> tuple[object, ...]:
    anchor = record.key_end or record.end or datetime.min.replace(tzinfo=UTC)
    return (anchor, record.bucket, record.key)


def _ref_id(ref: LogRef) -> LogId:
    return (ref.bucket, ref.key, ref.hash_value)


class _Assembly:
    """Turns the judged digests, the CLI walks and the log outcomes into a RegionIntegrity."""

    def __init__(
        self,
        run: _Run,
        reported: list[DigestRecord],
        outcomes: Mapping[LogId, LogOutcome],
        standard: CliWalk,
        backfill: CliWalk,
        logging: Sequence[TimeRange] | None,
        as_of: datetime,
    ) -> None:
        self.run = run
        self.scope = run.scope
        self.period = run.period
        self.reported = reported
        self.outcomes = outcomes
        self.standard = standard
        self.backfill = backfill
        self.logging = logging
        self.as_of = as_of
        self.cli_invalid = {**standard.invalid, **backfill.invalid}
        self.cli_valid = set(standard.valid) | set(backfill.valid)

    def result(self, keep_valid_log_keys: bool) -> RegionIntegrity:
        items: list[IntegrityItem] = []
        verdicts: dict[Location, Verdict] = {}
        for record in self.reported:
            found = self._digest_items(record)
            items.extend(found)
            verdicts[(record.bucket, record.key)] = _worst(found)
        log_items, log_counts, valid_logs = self._log_items()
        gap_items, gaps = self._gaps()
        items.extend(gap_items)
        items.sort(key=self._item_order)
        standard, backfill = self._digest_counts(verdicts)
        standard = standard + Counts(missing=sum(item.count for item in gap_items))
        fingerprints, rotations = key_use(self.reported)
        unverified = [r for r in self.reported if r.trusted and r.signature is SignatureState.unavailable]
        covered = covered_ranges(
            (
                (r.start, r.end)
                for r in self.reported
                if r.start and r.end and verdicts[(r.bucket, r.key)] in (Verdict.valid, Verdict.unverified)
            ),
            self.period,
        )
        return RegionIntegrity(
            scope=self.scope,
            period=self.period,
            digests=standard,
            backfill_digests=backfill,
            logs=log_counts,
            logs_not_checked=sum(len(r.logs) for r in self.reported if r.found and not r.trusted),
            covered=covered,
            gaps=tuple(gaps),
            items=(*items, *log_items),
            valid_digest_keys=tuple(key for (_, key), verdict in verdicts.items() if verdict is Verdict.valid),
            valid_log_keys=tuple(sorted(valid_logs)) if keep_valid_log_keys else None,
            key_fingerprints=fingerprints,
            key_rotations=rotations,
            signatures_verified=not unverified,
            notes=self._notes(unverified),
            cli=self._cli_summary(),
        )

    def _item(self, record: DigestRecord, verdict: Verdict, failure: Failure, cli: bool) -> IntegrityItem:
        return IntegrityItem(
            kind=ItemKind.digest,
            bucket=record.bucket,
            key=record.key,
            verdict=verdict,
            code=failure.code,
            reason=failure.reason,
            cli_equivalent=cli,
            backfill=record.backfill,
        )

    def _digest_items(self, record: DigestRecord) -> list[IntegrityItem]:
        location = (record.bucket, record.key)
        cli = location in self.cli_invalid
        if not record.found:
            return [self._item(record, Verdict.missing, NOT_FOUND, cli)]
        if record.cli_failure is not None:
            return [self._item(record, Verdict.invalid, record.cli_failure, cli)]
        previous = None if record.previous is None else self.run.records.get(record.previous)
        failures = record.strict + link_failures(record, previous)
        found = [self._item(record, Verdict.invalid, failure, False) for failure in failures]
        if record.signature is SignatureState.unavailable:
            why = Failure(FindingCode.signature_not_verified, f"signature not verified: {record.unverified_reason}")
            found.append(self._item(record, Verdict.unverified, why, False))
        return found

    def _log_items(self) -> tuple[list[IntegrityItem], Counts, list[str]]:
        items: list[IntegrityItem] = []
        seen: set[LogId] = set()
        counts = {verdict: 0 for verdict in Verdict}
        valid: list[str] = []
        for record in self.reported:
            if not record.trusted:
                continue
            cli_checks = (record.bucket, record.key) in self.cli_valid
            for ref in record.logs:
                if _ref_id(ref) in seen:
                    continue
                seen.add(_ref_id(ref))
                outcome = self.outcomes[_ref_id(ref)]
                counts[outcome.verdict] += 1
                if outcome.code is None:
                    valid.append(ref.key)
                    continue
                items.append(
                    IntegrityItem(
                        kind=ItemKind.log,
                        bucket=ref.bucket,
                        key=ref.key,
                        verdict=outcome.verdict,
                        code=outcome.code,
                        reason=outcome.reason,
                        cli_equivalent=cli_checks and outcome.cli_invalid,
                        backfill=record.backfill,
                        digest_key=record.key,
                    )
                )
        log_counts = Counts(
            valid=counts[Verdict.valid], invalid=counts[Verdict.invalid], missing=counts[Verdict.missing]
        )
        return items, log_counts, valid

    def _gaps(self) -> tuple[list[IntegrityItem], list[Gap]]:
        # Time is covered by digests whose content is trusted, including predecessors from before the
        # period; a digest that is missing or fails its checks accounts for one digest by its key name.
        timed = [r for r in self.run.records.values() if r.trusted and r.timed]
        markers = [r.key_end for r in self.reported if r.key_end is not None and not r.trusted]
        gaps, items = find_gaps(
            timed,
            markers,
            self.period,
            self.logging,
            self.as_of - _DELIVERY_ALLOWANCE,
            self.scope.bucket,
        )
        return items, gaps

    def _digest_counts(self, verdicts: Mapping[Location, Verdict]) -> tuple[Counts, Counts]:
        tallies: dict[bool, dict[Verdict, int]] = {False: dict.fromkeys(Verdict, 0), True: dict.fromkeys(Verdict, 0)}
        for record in self.reported:
            tallies[record.backfill][verdicts[(record.bucket, record.key)]] += 1
        standard, backfill = (
            Counts(
                valid=tally[Verdict.valid],
                invalid=tally[Verdict.invalid],
                missing=tally[Verdict.missing],
                unverified=tally[Verdict.unverified],
            )
            for tally in (tallies[False], tallies[True])
        )
        return standard, backfill

    def _notes(self, unverified: Sequence[DigestRecord]) -> tuple[str, ...]:
        notes = []
        reasons = sorted({str(r.unverified_reason) for r in unverified})
        for reason in reasons:
            count = sum(1 for r in unverified if r.unverified_reason == reason)
            notes.append(f"Signatures of {count} digest file(s) were not verified: {reason}.")
        if self.logging is None:
            notes.append(
                "Trail logging periods were not supplied: chain restarts are taken as times when no "
                "log files were delivered, and the end of the period is expected to be covered."
            )
        return tuple(notes)

    def _cli_summary(self) -> CliSummary:
        logs_valid = logs_invalid = 0
        found_start: datetime | None = None
        found_end: datetime | None = None
        for location in [*self.standard.valid, *self.backfill.valid]:
            record = self.run.records[location]
            assert record.start is not None and record.end is not None
            start, end = max(record.start, self.period.start), min(record.end, self.period.end)
            found_start = start if found_start is None else min(found_start, start)
            found_end = end if found_end is None else max(found_end, end)
            for ref in record.logs:
                if self.outcomes[_ref_id(ref)].cli_invalid:
                    logs_invalid += 1
                else:
                    logs_valid += 1
        found = None
        if found_start is not None and found_end is not None:
            found = TimeRange(start=found_start, end=found_end) if found_start <= found_end else None
        return CliSummary(
            digests_valid=len(self.standard.valid),
            digests_invalid=len(self.standard.invalid),
            backfill_digests_valid=len(self.backfill.valid),
            backfill_digests_invalid=len(self.backfill.invalid),
            logs_valid=logs_valid,
            logs_invalid=logs_invalid,
            found=found,
        )

    def _item_order(self, item: IntegrityItem) -> tuple[object, ...]:
        """Digests in time order; a window of missing digests after the digest its end meets."""
        if item.window is not None:
            return (item.window.end, 1, item.bucket, "", item.code.value)
        anchor, bucket, key = _record_order(self.run.records[(item.bucket, str(item.key))])
        return (anchor, 0, bucket, key, item.code.value)


def _worst(items: Sequence[IntegrityItem]) -> Verdict:
    verdicts = {item.verdict for item in items}
    for verdict in (Verdict.missing, Verdict.invalid, Verdict.unverified):
        if verdict in verdicts:
            return verdict
    return Verdict.valid
