"""The pack's diff against the previous pack, as one framework's report shows it.

Finding changes are limited to the checks the framework runs and control changes to its controls;
resource changes and lapsed exceptions concern the whole pack. The PDF shows the first rows of each
list (PDF_ROWS); the workbook shows them all.
"""

from __future__ import annotations

from evidence.models import (
    ControlChange,
    ExpiredException,
    FindingChange,
    FrameworkResult,
    Frozen,
    PackDiff,
    PackRef,
    ResourceChange,
)

PDF_ROWS = 15


class ChangesView(Frozen):
    old: PackRef
    new: PackRef
    compared: bool  # the framework was evaluated in both packs
    new_failures: tuple[FindingChange, ...]
    fixed: tuple[FindingChange, ...]
    still_failing: tuple[FindingChange, ...]
    new_resources: tuple[ResourceChange, ...]
    removed_resources: tuple[ResourceChange, ...]
    controls: tuple[ControlChange, ...]
    expired_exceptions: tuple[ExpiredException, ...]
    pdf_rows: int = PDF_ROWS

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        return (
            ("New failures", len(self.new_failures)),
            ("Fixed", len(self.fixed)),
            ("Still failing", len(self.still_failing)),
            ("New resources", len(self.new_resources)),
            ("Removed resources", len(self.removed_resources)),
            ("Control status changes", len(self.controls)),
            ("Exceptions expired in between", len(self.expired_exceptions)),
        )


def changes_view(diff: PackDiff | None, fr: FrameworkResult) -> ChangesView | None:
    if diff is None:
        return None
    checks = {c.check for c in fr.checks}

    def mine(rows: tuple[FindingChange, ...]) -> tuple[FindingChange, ...]:
        return tuple(r for r in rows if r.check in checks)

    return ChangesView(
        old=diff.old,
        new=diff.new,
        compared=fr.id in diff.frameworks,
        new_failures=mine(diff.new_failures),
        fixed=mine(diff.fixed),
        still_failing=mine(diff.still_failing),
        new_resources=diff.new_resources,
        removed_resources=diff.removed_resources,
        controls=tuple(c for c in diff.control_changes if c.framework == fr.id),
        expired_exceptions=diff.expired_exceptions,
    )
