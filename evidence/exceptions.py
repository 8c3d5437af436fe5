"""The exceptions register (accepted risk): failures an approver accepted, until a date.

A register is YAML:

    exceptions:
      - id: EX-001
        check: s3.bucket_access_logging        # or `control: CC7.2` (optionally with `framework: soc2`)
        resource: "arn:aws:s3:::example-*"      # glob on the finding's resource; default "*"
        account: "123456789012"                # glob; default "*"
        reason: Access logs of this bucket are replaced by CloudTrail data events.
        owner: platform-team
        approved_by: Jane Doe (CISO)
        approved_on: 2026-09-01
        expires_on: 2027-03-01
        ticket: SEC-1234

A matching failure becomes `excepted`. An exception applies only when approved (approved_by and
approved_on set) and not expired on the day the evidence was collected; otherwise it is listed as
expired or unapproved and the failure stands. An approved, current exception that matches nothing
is reported as unused.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from evidence import registry
from evidence.models import (
    CheckResult,
    ControlCheck,
    ControlResult,
    ExceptionEntry,
    ExceptionResult,
    ExceptionState,
    Finding,
    FrameworkResult,
    Role,
    Status,
)


class ExceptionsError(Exception):
    """The register cannot be read or has an invalid entry."""


def load_register(path: Path) -> tuple[ExceptionEntry, ...]:
    from evidence.frameworks import FrameworkError, read_yaml

    try:
        data = read_yaml(path, "exceptions register")
    except FrameworkError as exc:
        raise ExceptionsError(str(exc)) from None
    items = data.get("exceptions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ExceptionsError(f"{path}: expected a mapping with a list under `exceptions`")
    entries: list[ExceptionEntry] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        label = item.get("id", f"#{n}") if isinstance(item, dict) else f"#{n}"
        try:
            entry = ExceptionEntry.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            raise ExceptionsError(f"{path}: exception {label}: {where + ': ' if where else ''}{message}") from None
        if entry.id in seen:
            raise ExceptionsError(f"{path}: exception {entry.id}: the id is used twice")
        seen.add(entry.id)
        entries.append(entry)
    known = registry.checks()
    for entry in entries:
        if entry.check is not None and entry.check not in known:
            raise ExceptionsError(f"{path}: exception {entry.id}: unknown check {entry.check!r}")
    return tuple(entries)


def _state(entry: ExceptionEntry, as_of: date) -> ExceptionState | None:
    if not (entry.approved_by and entry.approved_on):
        return ExceptionState.UNAPPROVED
    if entry.expires_on < as_of:
        return ExceptionState.EXPIRED
    return None


def _matches(entry: ExceptionEntry, f: Finding) -> bool:
    return fnmatch.fnmatchcase(f.resource, entry.resource) and fnmatch.fnmatchcase(f.account, entry.account)


def _check_status(findings: Sequence[Finding], gaps: bool) -> Status:
    statuses = {f.status for f in findings}
    if Status.FAIL in statuses:
        return Status.FAIL
    if gaps or Status.NOT_EVALUATED in statuses:
        return Status.NOT_EVALUATED
    if Status.EXCEPTED in statuses:
        return Status.EXCEPTED
    return Status.PASS if findings else Status.NOT_APPLICABLE


def _except(findings: Sequence[Finding], entry: ExceptionEntry, counter: dict[str, int]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        if f.status is Status.FAIL and _matches(entry, f):
            counter[entry.id] = counter.get(entry.id, 0) + 1
            f = f.model_copy(update={"status": Status.EXCEPTED,
                                     "reason": f"{f.reason} Excepted by {entry.id}: {entry.reason}"})
        out.append(f)
    return out


def _control_status(checks: Sequence[ControlCheck], current: ControlResult) -> tuple[Status, str]:
    primary = [c.status for c in checks if c.role is Role.PRIMARY]
    if not primary:
        return current.status, current.reason
    if Status.FAIL in primary:
        return Status.FAIL, current.reason
    if Status.NOT_EVALUATED in primary:
        return Status.NOT_EVALUATED, current.reason
    if Status.EXCEPTED in primary:
        n = sum(1 for s in primary if s is Status.EXCEPTED)
        return Status.EXCEPTED, (
            f"{n} of {len(primary)} primary checks failed only on resources covered by approved exceptions."
        )
    return current.status, current.reason


def apply_exceptions(
    framework: FrameworkResult, entries: Sequence[ExceptionEntry], as_of: date
) -> tuple[FrameworkResult, dict[str, int]]:
    """The framework result with active exceptions applied, and how many failures each one matched."""
    active = [e for e in entries if _state(e, as_of) is None and e.framework in (None, framework.id)]
    counter: dict[str, int] = {}
    checks: dict[str, CheckResult] = {}
    for cr in framework.checks:
        findings = list(cr.findings)
        for entry in active:
            if entry.check == cr.check and not entry.control:
                findings = _except(findings, entry, counter)
        checks[cr.key] = cr.model_copy(update={"findings": tuple(findings),
                                               "status": _check_status(findings, bool(cr.gaps))})
    controls: list[ControlResult] = []
    for control in framework.controls:
        refs: list[ControlCheck] = []
        applied: set[str] = set()
        for ref in control.checks:
            result = checks[ref.key]
            status = result.status
            for entry in active:
                if entry.control == control.id and entry.check in (None, ref.check) and status is Status.FAIL:
                    before = dict(counter)
                    findings = _except(result.findings, entry, counter)
                    if counter != before:
                        applied.add(entry.id)
                    status = _check_status(findings, bool(result.gaps))
            if status is Status.EXCEPTED:
                applied.update(e.id for e in active if e.check == ref.check and not e.control and counter.get(e.id))
            refs.append(ref.model_copy(update={"status": status}))
        status, reason = _control_status(refs, control)
        controls.append(control.model_copy(update={
            "checks": tuple(refs), "status": status, "reason": reason,
            "exceptions": tuple(sorted(applied)),
        }))
    updated = framework.model_copy(update={"checks": tuple(checks[c.key] for c in framework.checks),
                                           "controls": tuple(controls)})
    return updated, counter


def register_results(
    entries: Sequence[ExceptionEntry], matched: dict[str, int], as_of: date
) -> tuple[ExceptionResult, ...]:
    out: list[ExceptionResult] = []
    for entry in entries:
        state = _state(entry, as_of)
        n = matched.get(entry.id, 0)
        if state is ExceptionState.EXPIRED:
            note = f"Expired on {entry.expires_on}; the failures it covered stand."
        elif state is ExceptionState.UNAPPROVED:
            note = "Not approved (approved_by and approved_on are required); it does not apply."
        elif n == 0:
            state, note = ExceptionState.UNUSED, "Approved and current, but no failure matches it."
        else:
            state, note = ExceptionState.APPLIED, f"Covers {n} failure(s)."
        out.append(ExceptionResult(entry=entry, state=state, matched=n, note=note))
    return tuple(out)


