"""Run collectors x regions concurrently and turn every outcome into a timestamped snapshot.

A collector that fails (AccessDenied, a disabled region, throttling beyond the retries, an
unreachable endpoint, a listing that never ends, a crash) still yields an Evidence value, with its
error: a gap, never a pass. Expired credentials are different: they stop the run (CredentialsExpired),
keeping what was collected, so that it can resume once they are renewed.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, PaginationError

from evidence import registry
from evidence.aws import AwsError, ClientFactory, ReadOnlyViolation, error_code, iam_action
from evidence.models import GLOBAL_REGION, Evidence, EvidenceError, Period
from evidence.registry import CollectorSpec, Scope
from evidence.store import canonical_json
from evidence.version import TOOL_VERSION

T = TypeVar("T")
R = TypeVar("R")

# A listing longer than this is a service repeating itself, not an estate: the snapshot becomes a gap.
MAX_PAGES = 10_000
# The caller's credentials ran out: every later call would fail the same way, so the run stops
# (resumable) instead of recording the rest of the estate as gaps.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException"})


class CredentialsExpired(AwsError):
    """The AWS credentials expired during a collection; what was collected before is kept."""


@dataclass(frozen=True)
class CollectContext:
    """What a collector may use: guarded clients for one account and one region."""

    factory: ClientFactory
    account_id: str
    region: str
    period: Period
    regions: tuple[str, ...] = ()

    def client(self, service: str, region: str | None = None) -> Any:
        return self.factory.client(service, region or self.region)

    def shared(self, api: str, region: str, read: Callable[[], T]) -> T:
        """An idempotent read that several collectors need, sent once per account (see ClientFactory.shared)."""
        return self.factory.shared(api, region, read)

    def map(self, func: Callable[[T], R], items: Sequence[T], workers: int = 8) -> list[R]:
        """Apply `func` to items concurrently; API calls made are still recorded for this snapshot."""
        if len(items) <= 1:
            return [func(i) for i in items]
        recorder = self.factory.recorder
        calls = recorder.current()

        def bound(item: T) -> R:
            with recorder.bind(calls):
                return func(item)

        with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="collect-item") as pool:
            return list(pool.map(bound, items))


def paginate(client: Any, operation: str, result_key: str, **params: Any) -> list[Any]:
    """Every item of a listing, through botocore's paginator when the operation has one."""
    if client.can_paginate(operation):
        items: list[Any] = []
        for page in bounded_pages(client.get_paginator(operation).paginate(**params), operation):
            items.extend(page.get(result_key, []))
        return items
    resp = getattr(client, operation)(**params)
    value = resp.get(result_key, [])
    return list(value) if isinstance(value, list) else value


def bounded_pages(pages: Iterable[dict[str, Any]], operation: str, limit: int = MAX_PAGES) -> Iterator[dict[str, Any]]:
    """The pages of a listing, stopped with a PaginationError when the service repeats a page (a pagination
    token that leads back to an earlier page) or sends more than `limit` pages."""
    seen: set[str] = set()
    for n, page in enumerate(pages, 1):
        if n > limit:
            raise PaginationError(message=f"{operation} sent more than {limit} pages; the listing does not end")
        body = {k: v for k, v in page.items() if k != "ResponseMetadata"}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        if digest in seen:
            raise PaginationError(message=f"{operation} sent page {n} again; its pagination token loops")
        seen.add(digest)
        yield page


def declare(
    key: str,
    *,
    service: str,
    operation: str,
    result_key: str,
    scope: Scope = Scope.REGIONAL,
    absent: Iterable[str] = (),
    params: Mapping[str, Any] | None = None,
) -> CollectorSpec:
    """Register a plain collector as data: one paginated call, one result key.

    `absent` lists error codes meaning "the thing is not configured" (the snapshot then holds
    null), as opposed to errors that mean the evidence could not be collected.
    """
    absent_codes = frozenset(absent)
    call_params = dict(params or {})

    def run(ctx: CollectContext) -> Any:
        client = ctx.client(service)
        try:
            return paginate(client, operation_name(client, operation), result_key, **call_params)
        except ClientError as exc:
            if error_code(exc) in absent_codes:
                return None
            raise

    return registry.register_collector(
        CollectorSpec(
            key=key,
            service=service,
            scope=scope,
            actions=(iam_action(service, operation),),
            func=run,
            description=f"{service}:{operation} ({result_key})",
        )
    )


def operation_name(client: Any, operation: str) -> str:
    """boto3 method name (snake_case) of an API operation name (CamelCase)."""
    for py_name, api in client.meta.method_to_api_mapping.items():
        if api == operation:
            return str(py_name)
    raise registry.RegistryError(f"{client.meta.service_model.service_name} has no operation {operation}")


def _jsonable(data: Any) -> Any:
    """The data exactly as it will be read back from the pack (timestamps as ISO strings)."""
    return json.loads(canonical_json(data))


@dataclass(frozen=True)
class AccountTarget:
    """One account to collect from: a factory for it, or the reason it could not be reached (neither: the
    account is outside this shard and was not reached)."""

    account_id: str
    factory: ClientFactory | None
    error: EvidenceError | None = None
    regions: tuple[str, ...] | None = None  # the regions in scope the account has enabled, when known

    def usable(self, regions: Sequence[str]) -> tuple[str, ...]:
        """The regions of `regions` to collect from in this account (all of them when its own list is unknown)."""
        return tuple(r for r in regions if self.regions is None or r in self.regions)


@dataclass(frozen=True)
class Unit:
    account: AccountTarget
    spec: CollectorSpec
    region: str  # region the calls go to
    label: str  # region recorded in the snapshot (`global` for global collectors)

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.account.account_id, self.label, self.spec.key)


def shard_pairs(accounts: Sequence[str], regions: Sequence[str], shard: tuple[int, int]) -> list[tuple[str, str]]:
    """Shard i of n's (account, region) pairs: the i-th of n contiguous, equal (to one pair) runs of every pair in
    a fixed order (accounts sorted, then regions as given). Contiguous, so that a shard reaches few accounts: about
    1/n of them, plus one at each end of its run."""
    index, count = shard
    pairs = [(a, r) for a in sorted(accounts) for r in regions]
    return pairs[index * len(pairs) // count:(index + 1) * len(pairs) // count]


def shard_accounts(accounts: Sequence[str], regions: Sequence[str], shard: tuple[int, int]) -> set[str]:
    """The accounts a shard collects from."""
    return {a for a, _ in shard_pairs(accounts, regions, shard)}


def plan_units(
    accounts: Sequence[AccountTarget],
    specs: Sequence[CollectorSpec],
    regions: Sequence[str],
    *,
    shard: tuple[int, int] | None = None,
) -> list[Unit]:
    """Collectors x accounts x regions; a global collector runs once per account, in its first region.

    Regions an account has not enabled are left out: nothing can exist there, and AWS refuses every call.
    A global collector still runs in an account that has none of them enabled (its calls are refused: gaps),
    and belongs to the shard of the account's first region in scope, whichever region it calls.
    """
    chosen: set[tuple[str, str]] | None = None
    if shard is not None:
        chosen = set(shard_pairs([a.account_id for a in accounts], regions, shard))
    units: list[Unit] = []
    for account in accounts:
        usable = account.usable(regions)
        home = usable[0] if usable else regions[0]
        for spec in specs:
            # (region called, region recorded, region of the (account, region) pair that owns the unit)
            glob = spec.scope is Scope.GLOBAL
            targets = [(home, GLOBAL_REGION, regions[0])] if glob else [(r, r, r) for r in usable]
            for region, label, owner in targets:
                if chosen is None or (account.account_id, owner) in chosen:
                    units.append(Unit(account, spec, region, label))
    return units


def run_unit(unit: Unit, period: Period, regions: tuple[str, ...] = ()) -> Evidence:
    account_id = unit.account.account_id
    factory = unit.account.factory
    if factory is None:
        return Evidence(
            key=unit.spec.key, account_id=account_id, region=unit.label, collected_at=datetime.now(UTC),
            tool_version=TOOL_VERSION, error=unit.account.error
            or EvidenceError(code="AccountUnreachable", message="the account could not be reached"),
        )
    ctx = CollectContext(factory=factory, account_id=account_id, region=unit.region, period=period,
                         regions=unit.account.usable(regions))
    data: Any = None
    error: EvidenceError | None = None
    with factory.recorder.unit() as calls:
        try:
            data = _jsonable(unit.spec.func(ctx))
        except ReadOnlyViolation:
            raise
        except ClientError as exc:
            if error_code(exc) in EXPIRED_CODES:
                raise CredentialsExpired(
                    f"the AWS credentials expired during the collection ({error_code(exc)} on {unit.spec.key} "
                    f"in {unit.label}); renew them and resume the run"
                ) from None
            msg = exc.response.get("Error", {}).get("Message", "") or str(exc)
            error = EvidenceError(code=error_code(exc), message=msg)
        except BotoCoreError as exc:
            error = EvidenceError(code=type(exc).__name__, message=str(exc))
        except Exception as exc:  # a collector defect is a gap in the pack, not a crashed run
            error = EvidenceError(code="CollectorError", message=f"{type(exc).__name__}: {exc}")
    return Evidence(
        key=unit.spec.key,
        account_id=account_id,
        region=unit.label,
        collected_at=datetime.now(UTC),
        tool_version=TOOL_VERSION,
        api_calls=tuple(calls),
        data=data if error is None else None,
        error=error,
    )


class _Scheduler:
    """Hands units to the pool only when they may run, a few accounts at a time.

    A unit starts when its account has fewer than `per_account` units in flight and its (account, service,
    region) fewer than `per_service_region`, so no worker thread ever waits on a limit. Accounts open one by
    one, only while the open ones cannot fill the pool, and at most `accounts_at_once` are open: when an
    account's last unit is done its clients are released, so memory follows the open accounts, not the
    organization.
    """

    def __init__(self, units: Sequence[Unit], *, workers: int, per_account: int, per_service_region: int,
                 accounts_at_once: int) -> None:
        self.waiting: deque[list[Unit]] = deque()
        for unit in units:
            if not self.waiting or self.waiting[-1][0].account.account_id != unit.account.account_id:
                self.waiting.append([])
            self.waiting[-1].append(unit)
        self.open: dict[str, list[Unit]] = {}
        self.in_flight: dict[str, int] = {}
        self.by_service: dict[tuple[str, str, str], int] = {}
        self.workers = workers
        self.per_account = per_account
        self.per_service_region = per_service_region
        self.accounts_at_once = max(1, accounts_at_once)
        self.running = 0

    @staticmethod
    def _service(unit: Unit) -> tuple[str, str, str]:
        return (unit.account.account_id, unit.spec.service, unit.region)

    def _fits(self, unit: Unit) -> bool:
        return (
            self.in_flight[unit.account.account_id] < self.per_account
            and self.by_service.get(self._service(unit), 0) < self.per_service_region
        )

    def ready(self) -> Iterator[Unit]:
        """Units that may start now, each from the open account with the fewest in flight; opens accounts as needed."""
        while self.running < self.workers:
            unit = self._next_open() or self._open_next()
            if unit is None:
                return
            self.running += 1
            self.in_flight[unit.account.account_id] += 1
            self.by_service[self._service(unit)] = self.by_service.get(self._service(unit), 0) + 1
            yield unit

    def _next_open(self) -> Unit | None:
        for _, pending in sorted(self.open.items(), key=lambda kv: self.in_flight[kv[0]]):
            for n, unit in enumerate(pending):
                if self._fits(unit):
                    return pending.pop(n)
        return None

    def _open_next(self) -> Unit | None:
        while self.waiting and len(self.open) < self.accounts_at_once:
            units = self.waiting.popleft()
            account_id = units[0].account.account_id
            self.open[account_id] = units
            self.in_flight[account_id] = 0
            unit = self._next_open()
            if unit is not None:
                return unit
        return None

    def finished(self, unit: Unit) -> None:
        account_id = unit.account.account_id
        self.running -= 1
        self.in_flight[account_id] -= 1
        self.by_service[self._service(unit)] -= 1
        if not self.open[account_id] and not self.in_flight[account_id]:
            del self.open[account_id], self.in_flight[account_id]
            if unit.account.factory is not None:
                unit.account.factory.release()

    @property
    def done(self) -> bool:
        return not self.running and not self.open and not self.waiting


def collect_each(
    accounts: Sequence[AccountTarget],
    on_done: Callable[[Evidence], None],
    *,
    regions: Sequence[str],
    period: Period,
    specs: Sequence[CollectorSpec] | None = None,
    shard: tuple[int, int] | None = None,
    skip: Set[tuple[str, str, str]] = frozenset(),
    workers: int = 16,
    per_account: int = 8,
    per_service_region: int = 4,
    accounts_at_once: int = 4,
) -> None:
    """Snapshot every collector x account x region concurrently (global collectors once per account), handing
    each snapshot to `on_done` as it is taken (from this thread, one at a time).

    Concurrency is bounded per account and per (account, service, region), and at most `accounts_at_once`
    accounts have clients alive; units in `skip` (account, region label, key) were collected before an
    interruption and are not collected again.
    """
    chosen = list(specs) if specs is not None else sorted(registry.collectors().values(), key=lambda s: s.key)
    units = [u for u in plan_units(accounts, chosen, regions, shard=shard) if u.ident not in skip]
    plan = _Scheduler(units, workers=workers, per_account=per_account, per_service_region=per_service_region,
                      accounts_at_once=accounts_at_once)
    scope = tuple(regions)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        running: dict[Future[Evidence], Unit] = {}
        try:
            while not plan.done:
                for unit in plan.ready():
                    running[pool.submit(run_unit, unit, period, scope)] = unit
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    plan.finished(running.pop(fut))
                    on_done(fut.result())
        except BaseException:  # stop at once (expired credentials, Ctrl-C): units not started stay unstarted
            for fut in running:
                fut.cancel()
            raise


def collect(
    accounts: Sequence[AccountTarget],
    *,
    regions: Sequence[str],
    period: Period,
    specs: Sequence[CollectorSpec] | None = None,
    shard: tuple[int, int] | None = None,
    skip: Set[tuple[str, str, str]] = frozenset(),
    workers: int = 16,
) -> list[Evidence]:
    """Every snapshot of `collect_each`, in (account, region, key) order."""
    out: list[Evidence] = []
    collect_each(accounts, out.append, regions=regions, period=period, specs=specs, shard=shard, skip=skip,
                 workers=workers)
    out.sort(key=lambda e: (e.account_id, e.region, e.key))
    return out
