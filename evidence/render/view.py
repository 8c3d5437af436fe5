"""One framework of a Pack, arranged for reading: sections, capped failure lists, tallies, gaps.

Both renderers (PDF and workbook) read this view; it is computed from the Pack alone. Lists meant
for the PDF are capped here, with the number left out, so the PDF stays short and points to the
workbook for resource-level detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from evidence.models import (
    CheckResult,
    CollectionInfo,
    ConfigVerdict,
    ControlResult,
    EvidenceError,
    EvidenceRef,
    ExceptionResult,
    Finding,
    FrameworkResult,
    Frozen,
    Gap,
    IntegrityItemRow,
    Pack,
    Role,
    Section,
    Severity,
    SignOffView,
    Status,
)
from evidence.render.changes import ChangesView, changes_view
from evidence.render.errors import RenderError

STATUS_ORDER: tuple[Status, ...] = (
    Status.PASS,
    Status.FAIL,
    Status.NOT_EVALUATED,
    Status.NOT_APPLICABLE,
    Status.MANUAL,
    Status.EXCEPTED,
)
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
# Findings sort failures first, then what could not be judged, then the rest.
_FINDING_ORDER = {s: i for i, s in enumerate((Status.FAIL, Status.NOT_EVALUATED, Status.EXCEPTED, Status.PASS,
                                              Status.NOT_APPLICABLE, Status.MANUAL))}

FAILURES_PER_CHECK = 5
EVIDENCE_PER_CHECK = 3
GAPS_PER_CHECK = 5
TOP_FAILING_CHECKS = 10
INTEGRITY_CHECK = "cloudtrail.digest_chain_valid"
INTEGRITY_ITEMS_IN_PDF = 25


class Tally(Frozen):
    """Controls (or checks) counted by status, in the report's status order."""

    counts: tuple[tuple[Status, int], ...]
    total: int

    @classmethod
    def of(cls, statuses: Iterable[Status]) -> Tally:
        n = dict.fromkeys(STATUS_ORDER, 0)
        for s in statuses:
            n[s] += 1
        return cls(counts=tuple(n.items()), total=sum(n.values()))

    def get(self, status: Status) -> int:
        return dict(self.counts)[status]


class CheckLine(Frozen):
    key: str
    check: str
    title: str
    role: Role
    status: Status
    severity: Severity
    failing: int
    judged: int
    excepted: int = 0  # failures covered by an applied exception


class EvidenceLine(Frozen):
    path: str
    sha256: str | None  # None: the path is not among the pack's evidence files
    collected_at: datetime | None
    error: EvidenceError | None


class CheckDetail(Frozen):
    """A primary check of a control with its failing resources, evidence files and gaps (each capped).

    Several controls often rely on the same check: its detail is shown at the first of them in the
    report, and the others point there (`shown_in` / `shown_at`).
    """

    line: CheckLine
    failures: tuple[Finding, ...]
    more_failures: int
    evidence: tuple[EvidenceLine, ...]
    more_evidence: int
    more_evidence_keys: tuple[str, ...]
    gaps: tuple[Gap, ...]
    more_gaps: int
    shown_in: str | None = None  # id of the control where this detail was shown first
    shown_at: str | None = None  # its anchor


class ControlView(Frozen):
    result: ControlResult
    anchor: str
    primary: tuple[CheckDetail, ...]
    secondary: tuple[CheckLine, ...]
    config: ConfigVerdict | None = None  # AWS Config's verdict beside ours, when the control lists Config rules


class SectionView(Frozen):
    id: str
    title: str
    anchor: str
    controls: tuple[ControlView, ...]
    tally: Tally


class TopCheck(Frozen):
    key: str
    title: str
    severity: Severity
    failing: int
    judged: int
    controls: tuple[str, ...]


class GapView(Frozen):
    gap: Gap
    checks: tuple[str, ...]
    not_evaluated: tuple[str, ...]  # controls this gap left not_evaluated


class KeyStat(Frozen):
    """What one collector key produced across accounts and regions."""

    key: str
    files: int
    errors: int
    api_calls: tuple[str, ...]


class AccountRow(Frozen):
    """One account of an organization pack: its findings by status under this framework, and its gaps."""

    account: str
    fail: int
    passed: int
    not_evaluated: int
    excepted: int
    gaps: int
    regions_not_enabled: tuple[str, ...] = ()


class FrameworkView(Frozen):
    pack_id: str
    tool_version: str
    collection: CollectionInfo
    framework: FrameworkResult
    sections: tuple[SectionView, ...]
    tally: Tally
    checks: tuple[CheckResult, ...]  # in the order of the first control that uses each
    controls_of_check: Mapping[str, tuple[str, ...]]
    top_failing: tuple[TopCheck, ...]
    failing_checks: int
    gaps: tuple[GapView, ...]
    evidence: tuple[EvidenceRef, ...]
    evidence_keys: tuple[KeyStat, ...]
    api_operations: tuple[str, ...]
    checks_of_key: Mapping[str, tuple[str, ...]]  # evidence key -> check keys of this framework reading it
    inherited: tuple[ControlResult, ...]
    changes: ChangesView | None = None  # the diff against the previous pack, when there is one
    signoff: SignOffView | None = None  # the recorded sign-off decision, when there is one
    exceptions: tuple[ExceptionResult, ...] = ()  # register entries that concern this framework
    integrity: tuple[CheckResult, ...] = ()  # this framework's CloudTrail digest-chain check results
    integrity_items: tuple[IntegrityItemRow, ...] = ()  # CloudTrail digest and log files that are not valid
    accounts: tuple[AccountRow, ...] = ()  # per-account breakdown, for packs covering several accounts

    @property
    def collected_at(self) -> datetime:
        return self.collection.finished_at

    @property
    def failures_per_check(self) -> int:
        return FAILURES_PER_CHECK

    @property
    def evidence_per_check(self) -> int:
        return EVIDENCE_PER_CHECK

    @property
    def integrity_items_in_pdf(self) -> int:
        return INTEGRITY_ITEMS_IN_PDF

    @property
    def evidence_errors(self) -> int:
        return sum(1 for e in self.evidence if e.error is not None)


def select_framework(pack: Pack, framework_id: str) -> FrameworkResult:
    for fr in pack.frameworks:
        if fr.id == framework_id:
            return fr
    have = ", ".join(fr.id for fr in pack.frameworks) or "none"
    raise RenderError(f"the pack has no results for framework {framework_id!r} (it has: {have})")


def _sections(fr: FrameworkResult) -> list[Section]:
    known = {s.id: s for s in fr.sections}
    out = list(fr.sections)
    for c in fr.controls:
        if c.section not in known:
            known[c.section] = Section(id=c.section, title=c.section)
            out.append(known[c.section])
    return out


def _check_lines(control: ControlResult, results: Mapping[str, CheckResult]) -> tuple[CheckLine, ...]:
    lines = []
    for cc in sorted(control.checks, key=lambda cc: cc.role is not Role.PRIMARY):
        r = results[cc.key]
        lines.append(
            CheckLine(
                key=cc.key, check=cc.check, title=r.title, role=cc.role, status=cc.status, severity=r.severity,
                failing=sum(1 for f in r.findings if f.status is Status.FAIL), judged=len(r.findings),
                excepted=sum(1 for f in r.findings if f.status is Status.EXCEPTED),
            )
        )
    return tuple(lines)


def _detail(line: CheckLine, result: CheckResult, refs: Mapping[str, EvidenceRef]) -> CheckDetail:
    failing = [f for f in result.findings if f.status is Status.FAIL]
    evidence = [
        EvidenceLine(path=path, sha256=ref.sha256 if ref else None, collected_at=ref.collected_at if ref else None,
                     error=ref.error if ref else None)
        for path in dict.fromkeys(result.evidence)
        for ref in (refs.get(path),)
    ]
    hidden = evidence[EVIDENCE_PER_CHECK:]
    return CheckDetail(
        line=line,
        failures=tuple(failing[:FAILURES_PER_CHECK]),
        more_failures=max(0, len(failing) - FAILURES_PER_CHECK),
        evidence=tuple(evidence[:EVIDENCE_PER_CHECK]),
        more_evidence=len(hidden),
        more_evidence_keys=tuple(dict.fromkeys(refs[e.path].key for e in hidden if e.path in refs)),
        gaps=result.gaps[:GAPS_PER_CHECK],
        more_gaps=max(0, len(result.gaps) - GAPS_PER_CHECK),
    )


def _control_view(
    control: ControlResult,
    anchor: str,
    results: Mapping[str, CheckResult],
    refs: Mapping[str, EvidenceRef],
    shown: dict[str, tuple[str, str]],
    config: ConfigVerdict | None,
) -> ControlView:
    """`shown` maps check keys whose detail is already in the report to (control id, anchor); updated here."""
    lines = _check_lines(control, results)
    primary = []
    for line in lines:
        if line.role is not Role.PRIMARY:
            continue
        if line.key in shown:
            first_id, first_anchor = shown[line.key]
            primary.append(CheckDetail(line=line, failures=(), more_failures=0, evidence=(), more_evidence=0,
                                       more_evidence_keys=(), gaps=(), more_gaps=0, shown_in=first_id,
                                       shown_at=first_anchor))
        else:
            shown[line.key] = (control.id, anchor)
            primary.append(_detail(line, results[line.key], refs))
    return ControlView(
        result=control,
        anchor=anchor,
        primary=tuple(primary),
        secondary=tuple(line for line in lines if line.role is not Role.PRIMARY),
        config=config,
    )


def _ordered_checks(fr: FrameworkResult) -> tuple[list[CheckResult], dict[str, tuple[str, ...]]]:
    by_key = {c.key: c for c in fr.checks}
    controls_of: dict[str, list[str]] = defaultdict(list)
    order: dict[str, None] = {}
    for control in fr.controls:
        for cc in control.checks:
            if control.id not in controls_of[cc.key]:
                controls_of[cc.key].append(control.id)
            order.setdefault(cc.key)
    order.update(dict.fromkeys(sorted(by_key)))  # checks no control refers to, last
    return [by_key[k] for k in order if k in by_key], {k: tuple(v) for k, v in controls_of.items()}


def _failing(result: CheckResult) -> int:
    return sum(1 for f in result.findings if f.status is Status.FAIL)


def _top_failing(checks: Sequence[CheckResult], controls_of: Mapping[str, tuple[str, ...]]) -> list[TopCheck]:
    failing = [c for c in checks if c.status is Status.FAIL]
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    failing.sort(key=lambda c: (rank[c.severity], -_failing(c), c.key))
    return [
        TopCheck(key=c.key, title=c.title, severity=c.severity, failing=_failing(c), judged=len(c.findings),
                 controls=controls_of.get(c.key, ()))
        for c in failing[:TOP_FAILING_CHECKS]
    ]


def _gap_views(pack: Pack, fr: FrameworkResult, checks: Sequence[CheckResult]) -> list[GapView]:
    checks_of: dict[Gap, list[str]] = defaultdict(list)
    for c in checks:
        for g in c.gaps:
            if c.key not in checks_of[g]:
                checks_of[g].append(c.key)
    left: dict[Gap, list[str]] = defaultdict(list)
    by_key = {c.key: c for c in checks}
    for control in fr.controls:
        if control.status is not Status.NOT_EVALUATED:
            continue
        for cc in control.checks:
            if cc.role is Role.PRIMARY and cc.status is Status.NOT_EVALUATED:
                for g in by_key[cc.key].gaps:
                    if control.id not in left[g]:
                        left[g].append(control.id)
    every = dict.fromkeys(pack.gaps)
    every.update(dict.fromkeys(checks_of))
    ordered = sorted(every, key=lambda g: (g.key, g.account_id, g.region, g.code))
    return [GapView(gap=g, checks=tuple(checks_of.get(g, ())), not_evaluated=tuple(left.get(g, ()))) for g in ordered]


def _key_stats(evidence: Sequence[EvidenceRef]) -> list[KeyStat]:
    files: dict[str, int] = defaultdict(int)
    errors: dict[str, int] = defaultdict(int)
    calls: dict[str, dict[str, None]] = defaultdict(dict)
    for e in evidence:
        files[e.key] += 1
        errors[e.key] += e.error is not None
        calls[e.key].update(dict.fromkeys(e.api_calls))
    return [KeyStat(key=k, files=files[k], errors=errors[k], api_calls=tuple(sorted(calls[k]))) for k in sorted(files)]


def _accounts(pack: Pack, checks: Sequence[CheckResult]) -> list[AccountRow]:
    """Findings by status and gaps per account; none for a single-account pack outside an organization."""
    scope = pack.collection.scope
    if len(scope.accounts) < 2 and scope.organization_id is None:
        return []
    # every account in scope gets a row, even one without findings
    counts = {account: dict.fromkeys(Status, 0) for account in scope.accounts}
    for c in checks:
        for f in c.findings:
            counts.setdefault(f.account, dict.fromkeys(Status, 0))[f.status] += 1
    gaps: dict[str, int] = defaultdict(int)
    for g in pack.gaps:
        if g.account_id != "*":
            gaps[g.account_id] += 1
            counts.setdefault(g.account_id, dict.fromkeys(Status, 0))
    not_enabled = {r.account: r.regions for r in pack.collection.regions_not_enabled}
    return [
        AccountRow(account=a, fail=n[Status.FAIL], passed=n[Status.PASS], not_evaluated=n[Status.NOT_EVALUATED],
                   excepted=n[Status.EXCEPTED], gaps=gaps[a], regions_not_enabled=not_enabled.get(a, ()))
        for a, n in sorted(counts.items())
    ]


def build_view(pack: Pack, framework_id: str) -> FrameworkView:
    fr = select_framework(pack, framework_id)
    checks, controls_of = _ordered_checks(fr)
    results = {c.key: c for c in fr.checks}
    refs = {e.path: e for e in pack.evidence}
    key_of_path = {e.path: e.key for e in pack.evidence}

    anchors = {c.id: f"control-{i + 1}" for i, c in enumerate(fr.controls)}
    members: dict[str, list[ControlResult]] = defaultdict(list)
    for control in fr.controls:
        members[control.section].append(control)
    config_of = {v.control: v for v in fr.config.controls}
    shown: dict[str, tuple[str, str]] = {}
    sections = []
    for n, s in enumerate(_sections(fr)):
        if not members[s.id]:
            continue
        views = tuple(_control_view(c, anchors[c.id], results, refs, shown, config_of.get(c.id))
                      for c in members[s.id])
        sections.append(SectionView(id=s.id, title=s.title, anchor=f"section-{n + 1}", controls=views,
                                    tally=Tally.of(cv.result.status for cv in views)))

    checks_of_key: dict[str, dict[str, None]] = defaultdict(dict)
    for c in checks:
        for path in c.evidence:
            if path in key_of_path:
                checks_of_key[key_of_path[path]][c.key] = None

    return FrameworkView(
        pack_id=pack.pack_id,
        tool_version=pack.tool_version,
        collection=pack.collection,
        framework=fr,
        sections=tuple(sections),
        tally=Tally.of(c.status for c in fr.controls),
        checks=tuple(checks),
        controls_of_check=controls_of,
        top_failing=tuple(_top_failing(checks, controls_of)),
        failing_checks=sum(1 for c in checks if c.status is Status.FAIL),
        gaps=tuple(_gap_views(pack, fr, checks)),
        evidence=pack.evidence,
        evidence_keys=tuple(_key_stats(pack.evidence)),
        api_operations=tuple(sorted({op for e in pack.evidence for op in e.api_calls})),
        checks_of_key={k: tuple(v) for k, v in checks_of_key.items()},
        inherited=tuple(c for c in fr.controls if c.inherited),
        changes=changes_view(pack.diff, fr),
        signoff=pack.signoff,
        exceptions=tuple(e for e in pack.exceptions if e.entry.framework in (None, fr.id)),
        integrity=tuple(c for c in checks if c.check == INTEGRITY_CHECK),
        integrity_items=pack.integrity,
        accounts=tuple(_accounts(pack, checks)),
    )


def finding_order(f: Finding) -> tuple[int, str, str, str]:
    """Failures first, then by account, region and resource."""
    return (_FINDING_ORDER[f.status], f.account, f.region, f.resource)


def resource_type(resource: str) -> str:
    """`service:type` from an ARN (`s3` for buckets, `iam:role`, `ec2:instance`); `other` if not an ARN."""
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "other"
    service, rest = parts[2], parts[5]
    for sep in ("/", ":"):
        if sep in rest:
            return f"{service}:{rest.split(sep, 1)[0]}"
    return service
