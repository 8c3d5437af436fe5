"""One framework's workbook (openpyxl, write-only): every control, finding, evidence file and gap.

Text from AWS never becomes a formula: a cell whose text starts with = + - @ or a tab / carriage
return is written as a string with Excel's quote prefix, and control characters are shown as
escapes. Each table sheet has a frozen, filterable header row.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from evidence.models import Pack, Role, Status
from evidence.render.changes import ChangesView
from evidence.render.errors import RenderError
from evidence.render.text import printable
from evidence.render.view import STATUS_ORDER, FrameworkView, build_view, finding_order, resource_type

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"

# Excel's own "good / bad / neutral" pairs where they exist: (fill, text colour).
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.PASS: ("C6EFCE", "006100"),
    Status.FAIL: ("FFC7CE", "9C0006"),
    Status.NOT_EVALUATED: ("FFEB9C", "9C5700"),
    Status.NOT_APPLICABLE: ("EDEDED", "595959"),
    Status.MANUAL: ("DDEBF7", "1F4E79"),
    Status.EXCEPTED: ("E4DFEC", "5B2C6F"),
}
_BOLD = Font(bold=True)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1B2A3A", end_color="1B2A3A")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINK_FONT = Font(color="0B5CAD", underline="single")


@dataclass(frozen=True)
class Column:
    header: str
    wrap: bool = False
    width: int | None = None  # fixed width; otherwise fitted to the content, at most MAX_WIDTH


@dataclass(frozen=True)
class Link:
    """A cell that jumps to another place in the workbook."""

    text: str
    location: str


def _text(value: str) -> str:
    text = printable(value)
    if len(text) > MAX_CELL_CHARS:
        marker = " [truncated: see pack.json]"
        text = text[: MAX_CELL_CHARS - len(marker)] + marker
    return text


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def cell_value(ws: Any, value: Any, *, wrap: bool = False) -> Any:
    """A value for `ws.append`: text neutralised, dates as UTC, links as hyperlinks."""
    if isinstance(value, str):
        text = _text(value)
        risky = text.startswith(FORMULA_START)
        if not (risky or wrap):
            return text
        cell = WriteOnlyCell(ws, text)
        if risky:
            cell.data_type = "s"
            cell.quotePrefix = True
        if wrap:
            cell.alignment = _WRAP
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, _naive_utc(value))
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Link):
        cell = WriteOnlyCell(ws, _text(value.text))
        cell.hyperlink = Hyperlink(ref="", location=value.location)
        cell.font = _LINK_FONT
        return cell
    return value


def _width(values: Iterable[Any]) -> int:
    longest = 0
    for v in values:
        if isinstance(v, datetime):
            n = 19
        elif isinstance(v, Link):
            n = len(v.text)
        else:
            n = len(str(v)) if v is not None else 0
        longest = max(longest, n)
    return longest


def _table(wb: Workbook, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
           *, status_col: int | None = None) -> None:
    """A sheet holding one table: fitted widths, frozen filterable header, status colours."""
    ws = wb.create_sheet(title)
    for i, col in enumerate(columns):
        fitted = min(MAX_WIDTH, max(len(col.header), _width(r[i] for r in rows)) + 2)
        ws.column_dimensions[get_column_letter(i + 1)].width = col.width or fitted
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, col.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    ws.append(header)
    wraps = [c.wrap for c in columns]
    for row in rows:
        ws.append([cell_value(ws, v, wrap=w) for v, w in zip(row, wraps, strict=True)])
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    if status_col is not None and rows:
        _status_colours(ws, f"{get_column_letter(status_col + 1)}2:{get_column_letter(status_col + 1)}{len(rows) + 1}")


def _status_colours(ws: Any, ref: str) -> None:
    for status in STATUS_ORDER:
        fill, font = STATUS_STYLE[status]
        ws.conditional_formatting.add(
            ref,
            CellIsRule(operator="equal", formula=[f'"{status.value}"'],
                       fill=PatternFill("solid", start_color=fill, end_color=fill), font=Font(color=font)),
        )


# --------------------------------------------------------------------------- sheets


def _findings_rows(view: FrameworkView) -> tuple[list[list[Any]], dict[str, int]]:
    """Every finding of the framework's checks, and the sheet row where each check's findings start."""
    rows: list[list[Any]] = []
    first: dict[str, int] = {}
    for check in view.checks:
        controls = ", ".join(view.controls_of_check.get(check.key, ()))
        if check.findings:
            first[check.key] = len(rows) + 2
        for f in sorted(check.findings, key=finding_order):
            rows.append([check.key, check.title, check.severity.value, f.status.value, f.resource, f.account,
                         f.region, f.reason, controls])
    return rows, first


# The largest sheet: only the reason wraps, so tens of thousands of rows stay one line each and fast to write.
FINDINGS_COLUMNS = (
    Column("Check"), Column("Check title", width=40), Column("Severity"), Column("Status"), Column("Resource"),
    Column("Account"), Column("Region"), Column("Reason", wrap=True, width=60), Column("Controls", width=30),
)

CONTROLS_COLUMNS = (
    Column("Control"), Column("Title", wrap=True, width=50), Column("Section", wrap=True, width=30),
    Column("Status"), Column("Evidence"), Column("Reason", wrap=True, width=50), Column("Failed resources"),
    Column("Primary checks", wrap=True, width=40), Column("Secondary checks", wrap=True, width=40),
    Column("AWS Config rules", wrap=True, width=35), Column("Manual evidence requested", wrap=True, width=45),
    Column("Implementation"), Column("Inherited"), Column("Findings"),
)


def _controls_rows(view: FrameworkView, first_row: dict[str, int]) -> list[list[Any]]:
    titles = {s.id: s.title for s in view.sections}
    rows: list[list[Any]] = []
    for c in view.framework.controls:
        starts = [first_row[cc.key] for cc in c.checks if cc.key in first_row]
        link = Link(f"row {min(starts)}", f"'Findings'!A{min(starts)}") if starts else None
        rows.append([
            c.id, c.title, titles.get(c.section, c.section), c.status.value, c.evidence.value, c.reason,
            c.failed_resources,
            "\n".join(f"{cc.key}: {cc.status.value}" for cc in c.checks if cc.role is Role.PRIMARY),
            "\n".join(f"{cc.key}: {cc.status.value}" for cc in c.checks if cc.role is Role.SECONDARY),
            ", ".join(c.config_rules), c.manual_evidence or "", c.implementation or "",
            "yes" if c.inherited else "no", link,
        ])
    return rows


EVIDENCE_COLUMNS = (
    Column("Path", wrap=True), Column("Key"), Column("Account"), Column("Region"), Column("Collected at (UTC)"),
    Column("API operations", wrap=True, width=40), Column("SHA-256", width=68), Column("Error code"),
    Column("Error message", wrap=True, width=50), Column("Used by checks", wrap=True, width=40),
)


def _evidence_rows(view: FrameworkView) -> list[list[Any]]:
    return [
        [e.path, e.key, e.account_id, e.region, e.collected_at, ", ".join(e.api_calls), e.sha256,
         e.error.code if e.error else "", e.error.message if e.error else "",
         ", ".join(view.checks_of_key.get(e.key, ()))]
        for e in view.evidence
    ]


GAPS_COLUMNS = (
    Column("Key"), Column("Account"), Column("Region"), Column("Code"), Column("Message", wrap=True, width=60),
    Column("Checks affected", wrap=True, width=40), Column("Controls not evaluated", wrap=True, width=40),
)


def _gaps_rows(view: FrameworkView) -> list[list[Any]]:
    return [
        [g.gap.key, g.gap.account_id, g.gap.region, g.gap.code, g.gap.message, ", ".join(g.checks),
         ", ".join(g.not_evaluated)]
        for g in view.gaps
    ]


INVENTORY_COLUMNS = (
    Column("Resource type"), Column("Account"), Column("Region"), Column("Resources"),
    Column("Failing resources"), Column("Checks", wrap=True, width=60),
)


def _inventory_rows(view: FrameworkView) -> list[list[Any]]:
    resources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    failing: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    checks: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for check in view.checks:
        for f in check.findings:
            group = (resource_type(f.resource), f.account, f.region)
            resources[group].add(f.resource)
            checks[group].add(check.key)
            if f.status is Status.FAIL:
                failing[group].add(f.resource)
    return [
        [t, a, r, len(resources[(t, a, r)]), len(failing[(t, a, r)]), ", ".join(sorted(checks[(t, a, r)]))]
        for (t, a, r) in sorted(resources)
    ]


CONFIG_COLUMNS = (
    Column("Control"), Column("Our status"), Column("AWS Config verdict"), Column("Disagrees"),
    Column("Reason", wrap=True, width=60), Column("Config rules behind the verdict", wrap=True, width=50),
    Column("Resources judged oppositely", wrap=True, width=60),
)


def _config_rows(view: FrameworkView) -> list[list[Any]]:
    return [
        [v.control, v.ours.value, v.config.value, "yes" if v.disagrees else "no", v.reason,
         "\n".join(f"{r.name} ({r.source}) {r.account}/{r.region}: {r.compliance.value}" for r in v.rules),
         "\n".join(f"{c.resource} ({c.account}/{c.region}): Config {c.config.value} under {c.rule}, "
                   f"{c.check} {c.ours.value}" for c in v.conflicts)]
        for v in view.framework.config.controls
    ]


CONFIG_RULE_COLUMNS = (
    Column("Rule"), Column("Source"), Column("Managed"), Column("Account"), Column("Region"),
    Column("AWS Config verdict"), Column("Compliant resources"), Column("Non-compliant resources"),
    Column("Conformance pack"), Column("Pack verdict"),
)


def _config_rule_rows(view: FrameworkView) -> list[list[Any]]:
    cross = view.framework.config
    packs = {(p.account, p.region, p.name): p for p in cross.packs}
    rows = []
    for r in cross.rules:
        pack = packs.get((r.account, r.region, r.conformance_pack or ""))
        rows.append([r.name, r.source, "yes" if r.managed else "no", r.account, r.region, r.compliance.value,
                     r.compliant, r.non_compliant, r.conformance_pack or "", pack.compliance.value if pack else ""])
    return rows


CHANGES_COLUMNS = (
    Column("Change"), Column("Check or control"), Column("Resource or title", wrap=True, width=60), Column("Account"),
    Column("Region"), Column("Before"), Column("Now"), Column("Detail", wrap=True, width=60),
)


def _changes_rows(changes: ChangesView) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for label, findings in (("New failure", changes.new_failures), ("Fixed", changes.fixed),
                            ("Still failing", changes.still_failing)):
        rows += [[label, r.check, r.resource, r.account, r.region, r.old_status.value if r.old_status else "not judged",
                  r.new_status.value if r.new_status else "not judged", r.reason] for r in findings]
    rows += [["Control status change", c.control, c.title, "", "", c.old_status.value, c.new_status.value, ""]
             for c in changes.controls]
    rows += [["Exception expired", e.id, e.reason, "", "", e.old_state.value if e.old_state else "",
              e.new_state.value if e.new_state else "", f"Expired on {e.expires_on}; owner {e.owner}."]
             for e in changes.expired_exceptions]
    for label, resources in (("New resource", changes.new_resources), ("Removed resource", changes.removed_resources)):
        rows += [[label, "", r.resource, r.account, "", "", "", ""] for r in resources]
    return rows


EXCEPTIONS_COLUMNS = (
    Column("Exception"), Column("Check"), Column("Control"), Column("Framework"), Column("Resource pattern"),
    Column("Account"), Column("Reason", wrap=True, width=50), Column("Owner"), Column("Approved by"),
    Column("Approved on"), Column("Expires on"), Column("Ticket"), Column("State"), Column("Findings matched"),
    Column("Note", wrap=True, width=50),
)


def _exceptions_rows(view: FrameworkView) -> list[list[Any]]:
    return [
        [x.entry.id, x.entry.check or "", x.entry.control or "", x.entry.framework or "", x.entry.resource,
         x.entry.account, x.entry.reason, x.entry.owner, x.entry.approved_by or "",
         x.entry.approved_on.isoformat() if x.entry.approved_on else "", x.entry.expires_on.isoformat(),
         x.entry.ticket or "", x.state.value, x.matched, x.note]
        for x in view.exceptions
    ]


ATTACHMENTS_COLUMNS = (
    Column("Control"), Column("Path", wrap=True, width=50), Column("SHA-256", width=68),
    Column("Note", wrap=True, width=50), Column("Attached by"), Column("Attached at (UTC)"), Column("Stale"),
)


def _attachments_rows(view: FrameworkView) -> list[list[Any]]:
    return [
        [c.id, a.path, a.sha256, a.note, a.attached_by, a.attached_at, "yes" if a.stale else "no"]
        for c in view.framework.controls
        for a in c.attachments
    ]


INTEGRITY_COLUMNS = (
    Column("Account"), Column("Trail", wrap=True, width=50), Column("Source region"), Column("Kind"),
    Column("Bucket"), Column("Key", wrap=True, width=60), Column("Verdict"), Column("Code"),
    Column("Reason", wrap=True, width=60), Column("validate-logs reports it too"),
)


def _integrity_rows(view: FrameworkView) -> list[list[Any]]:
    return [
        [i.account, i.trail_arn, i.source_region, i.kind, i.bucket, i.key or "", i.verdict, i.code, i.reason,
         "yes" if i.cli_equivalent else "no"]
        for i in view.integrity_items
    ]


ACCOUNTS_COLUMNS = (
    Column("Account"), Column("Failing findings"), Column("Passing findings"), Column("Not evaluated findings"),
    Column("Excepted findings"), Column("Gaps"), Column("Regions not enabled (not collected)"),
)


def _accounts_rows(view: FrameworkView) -> list[list[Any]]:
    return [[a.account, a.fail, a.passed, a.not_evaluated, a.excepted, a.gaps, ", ".join(a.regions_not_enabled)]
            for a in view.accounts]


def _signoff_facts(view: FrameworkView) -> list[tuple[str, Any]]:
    """The recorded sign-off as Summary rows; none when the pack was not signed off."""
    so = view.signoff
    if so is None:
        return []
    return [
        ("Sign-off", so.note),
        ("Signed off by", so.name),
        ("Signer role", so.role),
        ("Decision", so.decision),
        ("Comment", so.comment),
        ("Signed at (UTC)", so.signed_at),
        ("Content digest", so.content_digest),
    ]


def _summary(wb: Workbook, view: FrameworkView) -> None:
    ws = wb.create_sheet("Summary")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 48
    for letter in "CDEFGHI":
        ws.column_dimensions[letter].width = 15
    c = view.collection
    fw = view.framework

    def label(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, text)
        cell.font = _BOLD
        return cell

    title = WriteOnlyCell(ws, _text(f"{fw.name} {fw.version}: evidence workbook"))
    title.font = Font(bold=True, size=14)
    ws.append([title])
    facts: list[tuple[str, Any]] = [
        ("Pack ID", view.pack_id),
        ("Evidence collected (UTC)", c.finished_at),
        ("Collection started (UTC)", c.started_at),
        ("Audit period start (UTC)", c.period.start),
        ("Audit period end (UTC)", c.period.end),
        ("Accounts", ", ".join(c.scope.accounts)),
        ("Regions", ", ".join(c.scope.regions)),
        *([("Regions not enabled (not collected)",
            "; ".join(f"{r.account}: {', '.join(r.regions)}" for r in c.regions_not_enabled))]
          if c.regions_not_enabled else []),
        ("Tool", f"evidence {view.tool_version}"),
        ("Framework source", fw.source),
        ("Failing checks", f"{view.failing_checks} of {len(view.checks)}"),
        ("Gaps", len(view.gaps)),
        *_signoff_facts(view),
    ]
    for name, value in facts:
        ws.append([label(name), cell_value(ws, value, wrap=True)])
    ws.append([])
    status_row = ws._max_row + 1
    ws.append([label("Status"), label("Controls")])
    for status, n in view.tally.counts:
        cell = WriteOnlyCell(ws, status.value)
        fill, font = STATUS_STYLE[status]
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.font = Font(color=font)
        ws.append([cell, n])
    ws.append([label("Total"), view.tally.total])
    ws.append([])
    ws.append([label("Section"), label("Title"), label("Controls"), *(label(s.value) for s in STATUS_ORDER)])
    for s in view.sections:
        ws.append([cell_value(ws, s.id), cell_value(ws, s.title, wrap=True), s.tally.total,
                   *(n for _, n in s.tally.counts)])

    chart = BarChart()
    chart.type = "bar"
    chart.title = "Controls by status"
    chart.legend = None
    chart.y_axis.title = "Controls"
    data = Reference(ws, min_col=2, min_row=status_row, max_row=status_row + len(STATUS_ORDER))
    cats = Reference(ws, min_col=1, min_row=status_row + 1, max_row=status_row + len(STATUS_ORDER))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    series = chart.series[0]
    for i, status in enumerate(STATUS_ORDER):
        point = DataPoint(idx=i)
        point.graphicalProperties.solidFill = STATUS_STYLE[status][1]
        series.dPt.append(point)
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, "D2")


def render_xlsx(pack: Pack, framework_id: str, out: Path) -> None:
    """Write the workbook of one framework of `pack` to `out`."""
    view = build_view(pack, framework_id)
    wb = Workbook(write_only=True)
    collected = _naive_utc(view.collected_at)
    wb.properties.title = f"{view.framework.name} {view.framework.version} evidence workbook"
    wb.properties.creator = f"evidence {view.tool_version}"
    wb.properties.identifier = view.pack_id
    wb.properties.created = collected
    wb.properties.modified = collected

    findings, first_row = _findings_rows(view)
    _summary(wb, view)
    if view.changes is not None:
        _table(wb, "Changes", CHANGES_COLUMNS, _changes_rows(view.changes), status_col=6)
    _table(wb, "Controls", CONTROLS_COLUMNS, _controls_rows(view, first_row), status_col=3)
    _table(wb, "Findings", FINDINGS_COLUMNS, findings, status_col=3)
    _table(wb, "Evidence", EVIDENCE_COLUMNS, _evidence_rows(view))
    _table(wb, "Gaps", GAPS_COLUMNS, _gaps_rows(view))
    _table(wb, "Inventory", INVENTORY_COLUMNS, _inventory_rows(view))
    if view.exceptions:
        _table(wb, "Exceptions", EXCEPTIONS_COLUMNS, _exceptions_rows(view))
    if view.accounts:
        _table(wb, "Accounts", ACCOUNTS_COLUMNS, _accounts_rows(view))
    if view.integrity:
        _table(wb, "CloudTrail integrity", INTEGRITY_COLUMNS, _integrity_rows(view))
    attachments = _attachments_rows(view)
    if attachments:
        _table(wb, "Attachments", ATTACHMENTS_COLUMNS, attachments)
    if view.framework.config.controls:
        _table(wb, "Config cross-check", CONFIG_COLUMNS, _config_rows(view), status_col=1)
    if view.framework.config.rules:
        _table(wb, "Config rules", CONFIG_RULE_COLUMNS, _config_rule_rows(view))
    buffer = io.BytesIO()
    wb.save(buffer)
    try:
        out.write_bytes(buffer.getvalue())
    except OSError as exc:
        raise RenderError(f"cannot write {out}: {exc.strerror}") from None
