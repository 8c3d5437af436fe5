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
    Finding,
    FrameworkResult,
    Frozen,
    Gap,
    Pack,
    Role,
    Section,
    Severity,
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

FAILURES_PER_CONTROL = 10
EVIDENCE_PER_CONTROL = 6
GAPS_PER_CONTROL = 5
TOP_FAILING_CHECKS = 10


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


class EvidenceLine(Frozen):
    path: str
    sha256: str | None  # None: the path is not among the pack's evidence files
    collected_at: datetime | None
    error: EvidenceError | None


class ControlView(Frozen):
    result: ControlResult
    anchor: str
    checks: tuple[CheckLine, ...]
    failures: tuple[Finding, ...]
    more_failures: int
    more_failure_checks: tuple[str, ...]
    evidence: tuple[EvidenceLine, ...]
    more_evidence: int
    more_evidence_keys: tuple[str, ...]
    gaps: tuple[Gap, ...]
    more_gaps: int
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

    @property
    def collected_at(self) -> datetime:
        return self.collection.finished_at

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
            )
        )
    return tuple(lines)


def _control_view(
    control: ControlResult, anchor: str, results: Mapping[str, CheckResult], refs: Mapping[str, EvidenceRef]
) -> ControlView:
    lines = _check_lines(control, results)
    failures: list[Finding] = []
    more = 0
    more_checks: list[str] = []
    for line in lines:
        if line.role is not Role.PRIMARY or not line.failing:
            continue
        failing = [f for f in results[line.key].findings if f.status is Status.FAIL]
        room = FAILURES_PER_CONTROL - len(failures)
        failures.extend(failing[:room])
        if len(failing) > room:
            more += len(failing) - room
            more_checks.append(line.key)

    paths: dict[str, None] = {}
    gaps: dict[Gap, None] = {}
    for line in lines:
        paths.update(dict.fromkeys(results[line.key].evidence))
        gaps.update(dict.fromkeys(results[line.key].gaps))
    evidence = []
    for path in paths:
        ref = refs.get(path)
        evidence.append(
            EvidenceLine(path=path, sha256=ref.sha256 if ref else None,
                         collected_at=ref.collected_at if ref else None, error=ref.error if ref else None)
        )
    hidden = evidence[EVIDENCE_PER_CONTROL:]
    hidden_keys = dict.fromkeys(refs[e.path].key for e in hidden if e.path in refs)
    gap_list = list(gaps)
    return ControlView(
        result=control,
        anchor=anchor,
        checks=lines,
        failures=tuple(failures),
        more_failures=more,
        more_failure_checks=tuple(more_checks),
        evidence=tuple(evidence[:EVIDENCE_PER_CONTROL]),
        more_evidence=len(hidden),
        more_evidence_keys=tuple(hidden_keys),
        gaps=tuple(gap_list[:GAPS_PER_CONTROL]),
        more_gaps=max(0, len(gap_list) - GAPS_PER_CONTROL),
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


def build_view(pack: Pack, framework_id: str) -> FrameworkView:
    fr = select_framework(pack, framework_id)
    checks, controls_of = _ordered_checks(fr)
    results = {c.key: c for c in fr.checks}
    refs = {e.path: e for e in pack.evidence}
    key_of_path = {e.path: e.key for e in pack.evidence}

    by_section: dict[str, list[ControlView]] = defaultdict(list)
    config_of = {v.control: v for v in fr.config.controls}
    for i, control in enumerate(fr.controls):
        cv = _control_view(control, f"control-{i + 1}", results, refs)
        by_section[control.section].append(cv.model_copy(update={"config": config_of.get(control.id)}))
    sections = [
        SectionView(id=s.id, title=s.title, anchor=f"section-{n + 1}", controls=tuple(by_section[s.id]),
                    tally=Tally.of(cv.result.status for cv in by_section[s.id]))
        for n, s in enumerate(_sections(fr))
        if by_section[s.id]
    ]

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
