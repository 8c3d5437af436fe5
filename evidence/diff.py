"""Quarter over quarter: what changed between an older and a newer pack of the same estate.

Findings are compared per (check, resource, account, region), over the checks run in both packs,
so that choosing other frameworks is not mistaken for a change in the estate. A pair is failing
when any framework's run of the check failed it (parameters can differ per framework).

- new failure: failing now, and the older pack did not fail it (it passed, or did not exist);
- fixed: failing before, still judged by the same check, and no longer failing;
- still failing: failing in both.

Resources are compared per (resource, account) over the findings of those checks. Control status
changes are listed per framework evaluated in both packs. An exception expired in between when its
expiry date falls on or after the older collection day and before the newer one, or when it was
applied in the older pack and is expired in the newer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from evidence.models import (
    ControlChange,
    ExceptionState,
    ExpiredException,
    Finding,
    FindingChange,
    Pack,
    PackDiff,
    PackRef,
    ResourceChange,
    Status,
)

DIFF_JSON = "diff.json"  # the diff against the previous pack, kept in the newer pack by `report --previous`

PairKey = tuple[str, str, str, str]  # check, resource, account, region


class DiffError(Exception):
    """A diff kept in a pack cannot be read."""


def read_diff(root: Path) -> PackDiff | None:
    """The diff kept in a pack folder, if any."""
    path = root / DIFF_JSON
    if not path.is_file():
        return None
    try:
        return PackDiff.model_validate(json.loads(path.read_bytes()))
    except (ValueError, ValidationError) as exc:
        raise DiffError(f"{path}: not a valid diff ({type(exc).__name__})") from None


def _ref(pack: Pack) -> PackRef:
    return PackRef(
        pack_id=pack.pack_id,
        collected_at=pack.collection.finished_at,
        period=pack.collection.period,
        frameworks=tuple(fw.id for fw in pack.frameworks),
    )


def _checks_run(pack: Pack) -> set[str]:
    return {cr.check for fw in pack.frameworks for cr in fw.checks}


def _judged(findings: Iterable[Finding], checks: set[str]) -> dict[PairKey, Finding]:
    """One finding per pair: a failing one when any framework failed it."""
    out: dict[PairKey, Finding] = {}
    for f in findings:
        if f.check not in checks:
            continue
        key = (f.check, f.resource, f.account, f.region)
        if key not in out or f.status is Status.FAIL:
            out[key] = f
    return out


def _change(key: PairKey, old: Finding | None, new: Finding | None) -> FindingChange:
    shown = new or old
    assert shown is not None
    return FindingChange(
        check=key[0], resource=key[1], account=key[2], region=key[3], severity=shown.severity,
        old_status=old.status if old else None, new_status=new.status if new else None, reason=shown.reason,
    )


def _control_changes(old: Pack, new: Pack) -> tuple[tuple[str, ...], list[ControlChange]]:
    before = {fw.id: fw for fw in old.frameworks}
    shared: list[str] = []
    changes: list[ControlChange] = []
    for fw in new.frameworks:
        previous = before.get(fw.id)
        if previous is None:
            continue
        shared.append(fw.id)
        was = {c.id: c.status for c in previous.controls}
        for c in fw.controls:
            if c.id in was and was[c.id] is not c.status:
                changes.append(ControlChange(framework=fw.id, control=c.id, title=c.title,
                                             old_status=was[c.id], new_status=c.status))
    return tuple(shared), changes


def _expired(old: Pack, new: Pack) -> list[ExpiredException]:
    since: date = old.collection.finished_at.date()
    until: date = new.collection.finished_at.date()
    before = {r.entry.id: r for r in old.exceptions}
    after = {r.entry.id: r for r in new.exceptions}
    entries = {ident: r.entry for ident, r in (before | after).items()}  # the newer register's entry wins
    out: list[ExpiredException] = []
    for ident, entry in sorted(entries.items()):
        was, now = before.get(ident), after.get(ident)
        lapsed = since <= entry.expires_on < until
        dropped = (was is not None and was.state is ExceptionState.APPLIED
                   and now is not None and now.state is ExceptionState.EXPIRED)
        if lapsed or dropped:
            out.append(ExpiredException(
                id=ident, expires_on=entry.expires_on, reason=entry.reason, owner=entry.owner,
                old_state=was.state if was else None, new_state=now.state if now else None,
            ))
    return out


def _resources(pairs: set[tuple[str, str]]) -> tuple[ResourceChange, ...]:
    return tuple(ResourceChange(resource=r, account=a) for r, a in sorted(pairs))


def diff_packs(old: Pack, new: Pack) -> PackDiff:
    """What changed from `old` to `new`; pure: the same two packs always give the same diff."""
    checks = _checks_run(old) & _checks_run(new)
    before = _judged(old.findings, checks)
    after = _judged(new.findings, checks)
    new_failures: list[FindingChange] = []
    fixed: list[FindingChange] = []
    still: list[FindingChange] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        failed = was is not None and was.status is Status.FAIL
        fails = now is not None and now.status is Status.FAIL
        if fails and failed:
            still.append(_change(key, was, now))
        elif fails:
            new_failures.append(_change(key, was, now))
        elif failed and now is not None:
            fixed.append(_change(key, was, now))
    resources_before = {(k[1], k[2]) for k in before}
    resources_after = {(k[1], k[2]) for k in after}
    frameworks, control_changes = _control_changes(old, new)
    return PackDiff(
        old=_ref(old),
        new=_ref(new),
        frameworks=frameworks,
        checks=tuple(sorted(checks)),
        new_failures=tuple(new_failures),
        fixed=tuple(fixed),
        still_failing=tuple(still),
        new_resources=_resources(resources_after - resources_before),
        removed_resources=_resources(resources_before - resources_after),
        control_changes=tuple(control_changes),
        expired_exceptions=tuple(_expired(old, new)),
    )
