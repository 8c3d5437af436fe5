"""Run collectors x regions concurrently and turn every outcome into a timestamped snapshot.

A collector that fails (AccessDenied, a disabled region, throttling beyond the retries, an
unreachable endpoint, a listing that never ends, a crash) still yields an Evidence value, with its
error: a gap, never a pass. Expired credentials are different: they stop the run (CredentialsExpired),
keeping what was collected, so that it can resume once they are renewed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import ThreadPoolExecutor, as_completed
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
    """One account to collect from: a factory for it, or the reason it could not be reached."""

    account_id: str
    factory: ClientFactory | None
    error: EvidenceError | None = None


@dataclass(frozen=True)
class Unit:
    account: AccountTarget
    spec: CollectorSpec
    region: str  # region the calls go to
    label: str  # region recorded in the snapshot (`global` for global collectors)

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.account.account_id, self.label, self.spec.key)


def shard_pairs(accounts: Sequence[str], regions: Sequence[str]) -> list[tuple[str, str]]:
    """Every (account, region) pair in a fixed order: shard i of n takes the pairs at i, i+n, i+2n..."""
    return [(a, r) for a in sorted(accounts) for r in regions]


def plan_units(
    accounts: Sequence[AccountTarget],
    specs: Sequence[CollectorSpec],
    regions: Sequence[str],
    *,
    shard: tuple[int, int] | None = None,
) -> list[Unit]:
    """Collectors x accounts x regions; a global collector runs once per account, in its first region."""
    home = regions[0]
    chosen: set[tuple[str, str]] | None = None
    if shard is not None:
        index, count = shard
        pairs = shard_pairs([a.account_id for a in accounts], regions)
        chosen = {p for n, p in enumerate(pairs) if n % count == index}
    units: list[Unit] = []
    for account in accounts:
        for spec in specs:
            targets = [(home, GLOBAL_REGION)] if spec.scope is Scope.GLOBAL else [(r, r) for r in regions]
            for region, label in targets:
                if chosen is None or (account.account_id, region) in chosen:
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
    ctx = CollectContext(factory=factory, account_id=account_id, region=unit.region, period=period, regions=regions)
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


def _interleave(units: list[Unit]) -> list[Unit]:
    """Round-robin over accounts, so the per-account limit never idles the pool."""
    by_account: dict[str, list[Unit]] = {}
    for u in units:
        by_account.setdefault(u.account.account_id, []).append(u)
    queues = list(by_account.values())
    out: list[Unit] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def collect(
    accounts: Sequence[AccountTarget],
    *,
    regions: Sequence[str],
    period: Period,
    specs: Sequence[CollectorSpec] | None = None,
    shard: tuple[int, int] | None = None,
    skip: Set[tuple[str, str, str]] = frozenset(),
    workers: int = 16,
    per_account: int = 8,
    per_service_region: int = 4,
    on_done: Callable[[Evidence], None] | None = None,
) -> list[Evidence]:
    """Snapshot every collector x account x region concurrently (global collectors once per account).

    Concurrency is bounded per account and per (account, service, region); units in `skip`
    (account, region label, key) were collected before an interruption and are not collected again.
    """
    chosen = list(specs) if specs is not None else sorted(registry.collectors().values(), key=lambda s: s.key)
    units = _interleave([u for u in plan_units(accounts, chosen, regions, shard=shard) if u.ident not in skip])
    account_limits = {a.account_id: threading.Semaphore(per_account) for a in accounts}
    service_limits: dict[tuple[str, str, str], threading.Semaphore] = {}
    for u in units:
        service_limits.setdefault(
            (u.account.account_id, u.spec.service, u.region), threading.Semaphore(per_service_region)
        )
    scope = tuple(regions)

    def work(unit: Unit) -> Evidence:
        with account_limits[unit.account.account_id], service_limits[
            (unit.account.account_id, unit.spec.service, unit.region)
        ]:
            return run_unit(unit, period, scope)

    out: list[Evidence] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        futures = [pool.submit(work, u) for u in units]
        try:
            for fut in as_completed(futures):
                ev = fut.result()
                out.append(ev)
                if on_done is not None:
                    on_done(ev)
        except BaseException:  # stop at once (expired credentials, Ctrl-C): queued units are not started
            for fut in futures:
                fut.cancel()
            raise
    out.sort(key=lambda e: (e.account_id, e.region, e.key))
    return out
