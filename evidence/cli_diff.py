"""`evidence diff` for people: the counts of a PackDiff, then the first rows of each kind of change.

Print on a console with markup off: resource names and check keys hold square brackets. Text from
AWS is shown with control characters escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table

from evidence.models import FindingChange, PackDiff, ResourceChange, Status
from evidence.render.text import printable

TOP_ROWS = 10


def _status(status: Status | None) -> str:
    return status.value if status is not None else "—"


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _more(console: Console, total: int) -> None:
    if total > TOP_ROWS:
        console.print(f"  … and {total - TOP_ROWS} more (all of them with --json)")


def _findings(console: Console, title: str, rows: Sequence[FindingChange]) -> None:
    if not rows:
        return
    table = Table(title=f"{title} ({len(rows)})", title_justify="left", show_lines=False)
    for header in ("Check", "Resource", "Account", "Region", "Before", "Now"):
        table.add_column(header, overflow="fold")
    for r in rows[:TOP_ROWS]:
        table.add_row(r.check, printable(r.resource), r.account, r.region, _status(r.old_status),
                      _status(r.new_status))
    console.print(table)
    _more(console, len(rows))


def _resources(console: Console, title: str, rows: Sequence[ResourceChange]) -> None:
    if not rows:
        return
    table = Table(title=f"{title} ({len(rows)})", title_justify="left")
    table.add_column("Resource", overflow="fold")
    table.add_column("Account")
    for r in rows[:TOP_ROWS]:
        table.add_row(printable(r.resource), r.account)
    console.print(table)
    _more(console, len(rows))


def print_diff(console: Console, diff: PackDiff) -> None:
    console.print(f"Older pack {diff.old.pack_id[:16]}…, collected {_when(diff.old.collected_at)}")
    console.print(f"Newer pack {diff.new.pack_id[:16]}…, collected {_when(diff.new.collected_at)}")
    console.print(f"Compared: {len(diff.checks)} check(s) run in both; frameworks in both: "
                  f"{', '.join(diff.frameworks) or 'none'}")
    counts = Table(title="Changes", title_justify="left")
    counts.add_column("Change")
    counts.add_column("Count", justify="right")
    for label, n in (
        ("New failures", len(diff.new_failures)),
        ("Fixed", len(diff.fixed)),
        ("Still failing", len(diff.still_failing)),
        ("New resources", len(diff.new_resources)),
        ("Removed resources", len(diff.removed_resources)),
        ("Control status changes", len(diff.control_changes)),
        ("Exceptions expired in between", len(diff.expired_exceptions)),
    ):
        counts.add_row(label, str(n))
    console.print(counts)
    _findings(console, "New failures", diff.new_failures)
    _findings(console, "Fixed", diff.fixed)
    _findings(console, "Still failing", diff.still_failing)
    _resources(console, "New resources", diff.new_resources)
    _resources(console, "Removed resources", diff.removed_resources)
    if diff.control_changes:
        table = Table(title=f"Control status changes ({len(diff.control_changes)})", title_justify="left")
        for header in ("Framework", "Control", "Title", "Before", "Now"):
            table.add_column(header, overflow="fold")
        for c in diff.control_changes[:TOP_ROWS]:
            table.add_row(c.framework, c.control, c.title, c.old_status.value, c.new_status.value)
        console.print(table)
        _more(console, len(diff.control_changes))
    if diff.expired_exceptions:
        table = Table(title=f"Exceptions expired in between ({len(diff.expired_exceptions)})", title_justify="left")
        for header in ("Exception", "Expired on", "Owner", "Reason"):
            table.add_column(header, overflow="fold")
        for e in diff.expired_exceptions[:TOP_ROWS]:
            table.add_row(printable(e.id), e.expires_on.isoformat(), printable(e.owner), printable(e.reason))
        console.print(table)
        _more(console, len(diff.expired_exceptions))
