"""The three stages on a pack folder: collect -> evaluate -> report, alone or chained.

Each function works inside a folder that `store.staged_pack` or `store.collecting_pack` provides,
so whatever fails, no half-written pack is ever left where a finished one is expected.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import assert_never

from botocore.exceptions import BotoCoreError, ClientError

from evidence import registry, store
from evidence.attachments import read_register
from evidence.aws import NOT_OPTED_IN, AwsError, ClientFactory
from evidence.collect import AccountTarget, collect_each, paginate, plan_units, shard_accounts, shard_pairs
from evidence.diff import DIFF_JSON, diff_packs, read_diff
from evidence.evaluate import evaluate
from evidence.exceptions import load_register
from evidence.models import (
    AccountRegions,
    CollectionInfo,
    Evidence,
    EvidenceError,
    Framework,
    Pack,
    Period,
    Scope,
    ShardInfo,
    SignOffView,
)
from evidence.registry import CollectorSpec
from evidence.version import TOOL_VERSION

DEFAULT_PERIOD_DAYS = 90


class PeriodError(ValueError):
    """The audit period given makes no sense."""


class PipelineError(Exception):
    """A run cannot go on as asked (scope mismatch on resume, shards that do not fit together...)."""


def make_period(
    start: datetime | None, end: datetime | None, *, now: datetime | None = None, day_aligned: bool = False
) -> Period:
    """The audit period; by default the 90 days before now (before today's midnight UTC when day-aligned,
    so that every shard of a sharded run computes the same period)."""
    now = now or datetime.now(UTC)
    default_end = now.replace(hour=0, minute=0, second=0, microsecond=0) if day_aligned else now
    end = _utc(end) if end else default_end
    start = _utc(start) if start else end - timedelta(days=DEFAULT_PERIOD_DAYS)
    if start >= end:
        raise PeriodError(f"the audit period starts ({start:%Y-%m-%d}) after it ends ({end:%Y-%m-%d})")
    if end > now + timedelta(minutes=5):
        raise PeriodError(f"the audit period ends in the future ({end:%Y-%m-%d %H:%M} UTC)")
    return Period(start=start, end=end)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Target:
    """What to collect from: the caller's factory, the accounts reached from it, regions, period."""

    factory: ClientFactory
    regions: tuple[str, ...]
    period: Period
    accounts: tuple[AccountTarget, ...] = ()
    organization_id: str | None = None
    shard: tuple[int, int] | None = None
    only: tuple[str, ...] = ()  # collector key patterns (e.g. "iam.*"); empty: every collector


def chosen_collectors(only: Sequence[str]) -> list[CollectorSpec]:
    """The registered collectors whose keys match one of the patterns (all of them without patterns)."""
    specs = sorted(registry.collectors().values(), key=lambda s: s.key)
    if not only:
        return specs
    chosen = [s for s in specs if any(fnmatch.fnmatchcase(s.key, p) for p in only)]
    unmatched = [p for p in only if not any(fnmatch.fnmatchcase(s.key, p) for s in specs)]
    if unmatched:
        raise PipelineError(f"--only {unmatched[0]!r} matches no collector (see `evidence iam-policy` sources)")
    return chosen


# ----------------------------------------------------------------------------- organizations


def organization_accounts(factory: ClientFactory, *, only: Sequence[str] = ()) -> tuple[str, list[str]]:
    """(organization id, active account ids) as the management or delegated administrator account sees them."""
    org = factory.client("organizations", "us-east-1")
    try:
        org_id = org.describe_organization()["Organization"]["Id"]
        listed = paginate(org, "list_accounts", "Accounts")
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise AwsError(
            f"cannot list the organization's accounts ({code}): run from the management account or a "
            "delegated administrator, with organizations:ListAccounts"
        ) from None
    except BotoCoreError as exc:
        raise AwsError(f"cannot list the organization's accounts: {exc}") from None
    active = sorted(a["Id"] for a in listed if a.get("Status", "ACTIVE") == "ACTIVE")
    if only:
        unknown = sorted(set(only) - set(active))
        if unknown:
            raise PipelineError(f"account {unknown[0]} is not an active account of organization {org_id}")
        active = sorted(set(only))
    return org_id, active


def reach_accounts(
    factory: ClientFactory,
    account_ids: Sequence[str],
    *,
    role_name: str,
    external_id: str | None = None,
    duration_seconds: int = 3600,
    workers: int = 8,
    shard: tuple[int, int] | None = None,
    regions: Sequence[str] = (),
) -> tuple[AccountTarget, ...]:
    """A factory per account through AssumeRole; an account that cannot be assumed is a gap, not an error.

    With a shard, only the accounts it collects from (in `regions`) are assumed; the others are listed, unreached.
    """
    own, _ = factory.identity()
    wanted = set(account_ids) if shard is None else shard_accounts(account_ids, regions, shard)

    def reach(account_id: str) -> AccountTarget:
        if account_id not in wanted:
            return AccountTarget(account_id, None)
        if account_id == own:
            return AccountTarget(account_id, factory)
        try:
            return AccountTarget(
                account_id,
                factory.assume(account_id, role_name, external_id=external_id, duration_seconds=duration_seconds),
            )
        except AwsError as exc:
            return AccountTarget(account_id, None, EvidenceError(code="AssumeRoleFailed", message=str(exc)))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="assume") as pool:
        return tuple(pool.map(reach, account_ids))


# ----------------------------------------------------------------------------- collect


def _resume_state(folder: Path, target: Target) -> Target:
    """On a resumed run, keep the interrupted run's period; refuse a different scope."""
    path = folder / store.RESUME_STATE
    wanted = {
        "regions": list(target.regions),
        "accounts": sorted(a.account_id for a in target.accounts),
        "shard": list(target.shard) if target.shard else None,
        "only": list(target.only),
    }
    if path.is_file():
        saved = json.loads(path.read_text())
        for field, value in wanted.items():
            if saved.get(field) != value:
                raise PipelineError(
                    f"--resume: the interrupted run had {field} {saved.get(field)}, this one has {value}"
                )
        period = Period(start=saved["period"]["start"], end=saved["period"]["end"])
        return replace(target, period=period)
    state = {**wanted, "period": target.period.model_dump(mode="json")}
    store.write_file(folder, store.RESUME_STATE, store.canonical_json(state))
    return target


def collect_into(
    folder: Path,
    target: Target,
    *,
    on_done: Callable[[Evidence], None] | None = None,
    on_plan: Callable[[Mapping[str, int]], None] | None = None,
) -> CollectionInfo:
    """Collect into a work folder, writing each snapshot as soon as it is taken (so a run can resume).

    `on_plan` learns, before the first snapshot, how many snapshots each account still needs.
    """
    target = _resume_state(folder, target)
    _, arn = target.factory.identity(target.regions[0])
    accounts = enabled_regions_of(accounts_of(target), target.regions)
    skip = store.collected_units(folder)
    started = datetime.now(UTC)
    specs = chosen_collectors(target.only)
    if on_plan is not None:
        on_plan(Counter(u.account.account_id for u in plan_units(accounts, specs, target.regions, shard=target.shard)
                        if u.ident not in skip))
    lock = threading.Lock()

    def done(ev: Evidence) -> None:
        store.write_evidence(folder, ev)
        if on_done is not None:
            with lock:
                on_done(ev)

    collect_each(accounts, done, regions=target.regions, period=target.period, specs=specs, shard=target.shard,
                 skip=skip)
    info = CollectionInfo(
        tool_version=TOOL_VERSION,
        scope=Scope(
            accounts=tuple(sorted(a.account_id for a in accounts)),
            regions=target.regions,
            organization_id=target.organization_id,
        ),
        period=target.period,
        started_at=started,
        finished_at=datetime.now(UTC),
        identity_arn=arn,
        shard=ShardInfo(index=target.shard[0], count=target.shard[1]) if target.shard else None,
        unreachable_accounts=tuple(sorted(a.account_id for a in accounts if a.error is not None)),
        regions_not_enabled=_not_enabled(accounts, target, skip),
    )
    store.write_file(folder, store.COLLECTION, store.canonical_json(info))
    return info


def _not_enabled(
    accounts: Sequence[AccountTarget], target: Target, collected: Set[tuple[str, str, str]]
) -> tuple[AccountRegions, ...]:
    """The (account, region) pairs of this collection (its shard's) that were left out as not enabled; a pair that
    has snapshots from before an interruption was collected, whatever the account says now."""
    ids = [a.account_id for a in accounts]
    pairs = set(shard_pairs(ids, target.regions, target.shard)) if target.shard else None
    had = {(account, region) for account, region, _ in collected}
    out = []
    for account in sorted(accounts, key=lambda a: a.account_id):
        usable = account.usable(target.regions)
        left = tuple(r for r in target.regions if r not in usable and (account.account_id, r) not in had
                     and (pairs is None or (account.account_id, r) in pairs))
        if left:
            out.append(AccountRegions(account=account.account_id, regions=left))
    return tuple(out)


def _joined(lists: Iterable[AccountRegions], regions: Sequence[str]) -> tuple[AccountRegions, ...]:
    by_account: dict[str, set[str]] = {}
    for item in lists:
        by_account.setdefault(item.account, set()).update(item.regions)
    return tuple(AccountRegions(account=a, regions=tuple(r for r in regions if r in by_account[a]))
                 for a in sorted(by_account))


def enabled_regions_of(
    accounts: Sequence[AccountTarget], regions: Sequence[str], *, workers: int = 8
) -> tuple[AccountTarget, ...]:
    """Each reached account with the regions in scope it has enabled, as its own ec2:DescribeRegions says.

    An opt-in region whose status is `not-opted-in` for the account refuses every call: it is left out and listed
    in the collection, not recorded as a gap. A region the account's list does not know (another partition), or
    an account whose list cannot be read, is collected as asked (a refused call is a gap).
    """
    def enabled(account: AccountTarget) -> AccountTarget:
        if account.factory is None:
            return account
        for region in dict.fromkeys((regions[0], "us-east-1")):  # the first region may be one it has not enabled
            try:
                statuses = account.factory.opt_in_statuses(region)
            except AwsError:
                continue
            return replace(account, regions=tuple(r for r in regions if statuses.get(r) != NOT_OPTED_IN))
        return account

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="regions") as pool:
        return tuple(pool.map(enabled, accounts))


def accounts_of(target: Target) -> tuple[AccountTarget, ...]:
    """The accounts to collect: those reached in an organization, or the caller's own."""
    if target.accounts:
        return target.accounts
    own, _ = target.factory.identity(target.regions[0])
    return (AccountTarget(own, target.factory),)


# ----------------------------------------------------------------------------- merge


def merge_shards(folder: Path, shards: Sequence[Path]) -> CollectionInfo:
    """Join the evidence of every shard of one sharded run; refuse a missing or duplicated shard."""
    if not shards:
        raise PipelineError("merge needs the shard folders of one sharded run")
    infos: list[tuple[Path, CollectionInfo]] = []
    for path in shards:
        result = store.verify(path)
        if not result.ok:
            raise PipelineError(f"shard {path} fails verification: run `evidence verify {path}`")
        info = store.read_collection(path)
        if info.shard is None:
            raise PipelineError(f"{path} is not a shard (it was not collected with --shard)")
        infos.append((path, info))
    count = infos[0][1].shard.count if infos[0][1].shard else 0
    seen: dict[int, Path] = {}
    for path, info in infos:
        assert info.shard is not None
        if info.shard.count != count:
            raise PipelineError(f"{path} is shard {info.shard.index}/{info.shard.count}, others are of {count}")
        if info.shard.index in seen:
            raise PipelineError(f"shard {info.shard.index}/{count} is given twice: {seen[info.shard.index]} and {path}")
        seen[info.shard.index] = path
        first = infos[0][1]
        if (info.scope, info.period) != (first.scope, first.period):
            raise PipelineError(f"{path} was collected for another scope or period than {infos[0][0]}")
    missing = sorted(set(range(count)) - set(seen))
    if missing:
        raise PipelineError(f"shard {missing[0]}/{count} is missing ({len(missing)} of {count} missing)")
    for path, _ in infos:
        for src in sorted((path / store.EVIDENCE_DIR).rglob("*.json")):
            rel = src.relative_to(path)
            dst = folder / rel
            if dst.exists():
                raise PipelineError(f"{rel} is in more than one shard")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    first = infos[0][1]
    info = CollectionInfo(
        tool_version=TOOL_VERSION,
        scope=first.scope,
        period=first.period,
        started_at=min(i.started_at for _, i in infos),
        finished_at=max(i.finished_at for _, i in infos),
        identity_arn=first.identity_arn,
        unreachable_accounts=tuple(sorted({a for _, i in infos for a in i.unreachable_accounts})),
        regions_not_enabled=_joined((r for _, i in infos for r in i.regions_not_enabled), first.scope.regions),
    )
    store.write_file(folder, store.COLLECTION, store.canonical_json(info))
    return info


# ----------------------------------------------------------------------------- evaluate, report


EXCEPTIONS_FILE = "exceptions.yaml"


def evaluate_in(folder: Path, frameworks: Sequence[Framework], *, exceptions: Path | None = None) -> Pack:
    """Evaluate the evidence in a pack folder; the exceptions register given is kept in the pack."""
    if exceptions is not None:
        load_register(exceptions)  # a bad register is refused before anything is written
        shutil.copyfile(exceptions, folder / EXCEPTIONS_FILE)
    kept = folder / EXCEPTIONS_FILE
    entries = load_register(kept) if kept.is_file() else ()
    collection = store.read_collection(folder)
    evidence, refs = store.read_evidence(folder)
    pack = evaluate(evidence, refs, collection, frameworks, pack_id=store.pack_id_of(folder),
                    exceptions=entries, attachments=read_register(folder))
    store.write_file(folder, store.PACK_JSON, store.canonical_json(pack))
    return pack


class ReportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    OSCAL = "oscal"


DEFAULT_FORMATS = (ReportFormat.PDF, ReportFormat.XLSX)
REPORT_SUFFIXES: dict[ReportFormat, str] = {
    ReportFormat.PDF: ".pdf",
    ReportFormat.XLSX: ".xlsx",
    ReportFormat.OSCAL: ".oscal.json",
}


def report_in(
    folder: Path,
    pack: Pack,
    *,
    company: str | None = None,
    logo: Path | None = None,
    signoff: SignOffView | None = None,
    formats: Sequence[ReportFormat] = DEFAULT_FORMATS,
) -> list[str]:
    """Render each format asked for (by default a PDF and a workbook) per framework of the pack, with the
    diff kept in the folder if any; returns the file names written."""
    from evidence.render import Branding, render_pdf, render_xlsx
    from evidence.render.oscal import render_oscal

    pack = pack.model_copy(update={"signoff": signoff, "diff": pack.diff or read_diff(folder)})
    branding = Branding(company=company, logo=logo)
    stored = folder / store.PACK_JSON
    pack_json = stored.read_bytes() if stored.is_file() else None  # attached to the PDFs exactly as hashed
    written: list[str] = []
    for fw in pack.frameworks:
        for fmt in formats:
            out = folder / f"{fw.id}{REPORT_SUFFIXES[fmt]}"
            if fmt is ReportFormat.PDF:
                render_pdf(pack, fw.id, out, branding=branding, pack_json=pack_json)
            elif fmt is ReportFormat.XLSX:
                render_xlsx(pack, fw.id, out)
            elif fmt is ReportFormat.OSCAL:
                render_oscal(pack, fw.id, out)
            else:
                assert_never(fmt)
            written.append(out.name)
    return written


def diff_in(folder: Path, pack: Pack, previous: Pack) -> Pack:
    """Compare the pack with the previous one: the diff is kept in the folder (diff.json) and returned in the pack."""
    diff = diff_packs(previous, pack)
    store.write_file(folder, DIFF_JSON, store.canonical_json(diff))
    return pack.model_copy(update={"diff": diff})
