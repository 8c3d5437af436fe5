"""The three stages on a pack folder: collect -> evaluate -> report, alone or chained.

Each function works inside a folder that `store.staged_pack` provides, so whatever fails, no
half-written pack is ever left where a finished one is expected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evidence import registry, store
from evidence.aws import ClientFactory
from evidence.collect import collect
from evidence.evaluate import evaluate
from evidence.models import CollectionInfo, Evidence, Framework, Pack, Period, Scope
from evidence.version import TOOL_VERSION

DEFAULT_PERIOD_DAYS = 90


class PeriodError(ValueError):
    """The audit period given makes no sense."""


def make_period(start: datetime | None, end: datetime | None, *, now: datetime | None = None) -> Period:
    now = now or datetime.now(UTC)
    end = _utc(end) if end else now
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
    """What to collect from: one identity's factory, its regions, the audit period."""

    factory: ClientFactory
    regions: tuple[str, ...]
    period: Period


def collect_into(
    folder: Path, target: Target, *, on_done: Callable[[Evidence], None] | None = None
) -> CollectionInfo:
    account_id, arn = target.factory.identity(target.regions[0])
    started = datetime.now(UTC)
    specs = sorted(registry.collectors().values(), key=lambda s: s.key)
    for ev in collect(
        target.factory, account_id=account_id, regions=target.regions, period=target.period, specs=specs,
        on_done=on_done,
    ):
        store.write_evidence(folder, ev)
    info = CollectionInfo(
        tool_version=TOOL_VERSION,
        scope=Scope(accounts=(account_id,), regions=target.regions),
        period=target.period,
        started_at=started,
        finished_at=datetime.now(UTC),
        identity_arn=arn,
    )
    store.write_file(folder, store.COLLECTION, store.canonical_json(info))
    return info


def evaluate_in(folder: Path, frameworks: Sequence[Framework]) -> Pack:
    collection = store.read_collection(folder)
    evidence, refs = store.read_evidence(folder)
    pack = evaluate(evidence, refs, collection, frameworks, pack_id=store.pack_id_of(folder))
    store.write_file(folder, store.PACK_JSON, store.canonical_json(pack))
    return pack


def report_in(folder: Path, pack: Pack, *, company: str | None = None, logo: Path | None = None) -> list[str]:
    """Render a PDF and a workbook per framework of the pack; returns the file names written."""
    from evidence.render import Branding, render_pdf, render_xlsx

    branding = Branding(company=company, logo=logo)
    written: list[str] = []
    for fw in pack.frameworks:
        render_pdf(pack, fw.id, folder / f"{fw.id}.pdf", branding=branding)
        render_xlsx(pack, fw.id, folder / f"{fw.id}.xlsx")
        written += [f"{fw.id}.pdf", f"{fw.id}.xlsx"]
    return written
