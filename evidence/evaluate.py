"""Snapshots + frameworks -> Pack: run every mapped check once per parameter set, roll up controls.

Roll-up rules (documented in the README):
- a check fails when any resource fails; else it is not_evaluated when any evidence it needs is
  missing; else not_applicable when there was nothing to judge; else it passes;
- a control with no primary check is manual; otherwise it fails when a primary check fails (a known
  failure is never hidden behind a gap), else it is not_evaluated when a primary check is, else
  not_applicable when every primary check is, else it passes. Secondary checks never decide.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from evidence import registry
from evidence.attachments import apply_attachments
from evidence.crosscheck import cross_check
from evidence.exceptions import apply_exceptions, register_results
from evidence.models import (
    Attachment,
    CheckRef,
    CheckResult,
    CollectionInfo,
    Control,
    ControlCheck,
    ControlResult,
    Evidence,
    EvidenceRef,
    ExceptionEntry,
    Finding,
    Framework,
    FrameworkResult,
    Gap,
    IntegrityItemRow,
    Pack,
    Role,
    Status,
)
from evidence.registry import CheckSpec
from evidence.store import evidence_relpath
from evidence.version import TOOL_VERSION


class EvidenceIndex:
    """Snapshots by key: the usable ones, and the gaps."""

    def __init__(self, evidence: Iterable[Evidence]) -> None:
        self.ok: dict[str, list[Evidence]] = defaultdict(list)
        self.gaps: dict[str, list[Gap]] = defaultdict(list)
        self.paths: dict[str, list[str]] = defaultdict(list)
        for ev in evidence:
            self.paths[ev.key].append(evidence_relpath(ev))
            if ev.error is None:
                self.ok[ev.key].append(ev)
            else:
                self.gaps[ev.key].append(
                    Gap(key=ev.key, account_id=ev.account_id, region=ev.region,
                        code=ev.error.code, message=ev.error.message)
                )

    def all_gaps(self) -> tuple[Gap, ...]:
        return tuple(g for key in sorted(self.gaps) for g in self.gaps[key])


def check_key(check_id: str, params: Mapping[str, Any], defaults: Mapping[str, Any]) -> str:
    changed = {k: v for k, v in sorted(params.items()) if defaults.get(k) != v}
    if not changed:
        return check_id
    return f"{check_id}[{json.dumps(changed, sort_keys=True, separators=(',', '='))[1:-1]}]"


def run_check(spec: CheckSpec, params: Mapping[str, Any], index: EvidenceIndex, key: str) -> CheckResult:
    gaps: list[Gap] = []
    for need in spec.needs:
        gaps.extend(index.gaps.get(need, ()))
        if need not in index.ok and need not in index.gaps:
            gaps.append(Gap(key=need, account_id="*", region="*", code="NotCollected",
                            message=f"no snapshot of {need} in this pack"))
    findings: list[Finding] = []
    try:
        evidence = {need: tuple(index.ok.get(need, ())) for need in spec.needs}
        findings = list(spec.run(evidence, {**spec.params, **params}))
    except Exception as exc:  # a check defect makes the check not_evaluated, visibly
        gaps.append(Gap(key=spec.id, account_id="*", region="*", code="CheckError",
                        message=f"{type(exc).__name__}: {exc}"))
    if any(f.status is Status.FAIL for f in findings):
        status = Status.FAIL
    elif gaps or any(f.status is Status.NOT_EVALUATED for f in findings):
        status = Status.NOT_EVALUATED
    elif not findings:
        status = Status.NOT_APPLICABLE
    else:
        status = Status.PASS
    return CheckResult(
        check=spec.id,
        key=key,
        title=spec.title,
        severity=spec.severity,
        params=dict(params),
        status=status,
        findings=tuple(findings),
        gaps=tuple(gaps),
        evidence=tuple(p for need in spec.needs for p in sorted(index.paths.get(need, ()))),
    )


def roll_up(
    control: Control, results: Mapping[str, CheckResult], keys: Sequence[tuple[CheckRef, str]]
) -> ControlResult:
    checks = tuple(
        ControlCheck(key=key, check=ref.id, role=ref.role, status=results[key].status) for ref, key in keys
    )
    primary = [results[key] for ref, key in keys if ref.role is Role.PRIMARY]
    failed = sum(1 for r in primary for f in r.findings if f.status is Status.FAIL)
    if not primary:
        status = Status.MANUAL
        reason = "No automated check decides this control; the auditor needs the manual evidence requested."
    else:
        statuses = [r.status for r in primary]
        n = len(primary)
        if Status.FAIL in statuses:
            status = Status.FAIL
            bad = sum(1 for s in statuses if s is Status.FAIL)
            reason = f"{bad} of {n} primary checks failed, on {failed} resource(s)."
        elif Status.NOT_EVALUATED in statuses:
            status = Status.NOT_EVALUATED
            missing = sum(1 for s in statuses if s is Status.NOT_EVALUATED)
            reason = f"{missing} of {n} primary checks could not be evaluated: evidence is missing (see Gaps)."
        elif all(s is Status.NOT_APPLICABLE for s in statuses):
            status = Status.NOT_APPLICABLE
            reason = "No resource in scope for the primary checks."
        else:
            status = Status.PASS
            reason = f"All {n} primary checks passed."
    return ControlResult(
        id=control.id,
        title=control.title,
        section=control.section,
        evidence=control.evidence,
        status=status,
        reason=reason,
        checks=checks,
        config_rules=control.config_rules,
        manual_evidence=control.manual_evidence,
        inherited=control.inherited,
        implementation=control.implementation,
        failed_resources=failed,
        renewal_days=control.renewal_days,
    )


def evaluate_framework(framework: Framework, index: EvidenceIndex) -> FrameworkResult:
    specs = registry.checks()
    results: dict[str, CheckResult] = {}
    controls: list[ControlResult] = []
    for control in framework.controls:
        keys: list[tuple[CheckRef, str]] = []
        for ref in control.checks:
            spec = specs[ref.id]
            key = check_key(ref.id, ref.params, spec.params)
            if key not in results:
                results[key] = run_check(spec, ref.params, index, key)
            keys.append((ref, key))
        controls.append(roll_up(control, results, keys))
    result = FrameworkResult(
        id=framework.id,
        name=framework.name,
        version=framework.version,
        source=framework.source,
        sections=framework.sections,
        controls=tuple(controls),
        checks=tuple(results[k] for k in sorted(results)),
    )
    config = cross_check(result, index.ok.get("config.rules", []), index.ok.get("config.conformance_packs", []),
                         index.gaps.get("config.rules", []))
    return result.model_copy(update={"config": config})


def integrity_rows(snapshots: Iterable[Evidence]) -> tuple[IntegrityItemRow, ...]:
    """Every CloudTrail digest or log file item that is not valid, from the `cloudtrail.integrity` snapshots."""
    rows = []
    for ev in snapshots:
        for trail in (ev.data or {}).get("trails", []):
            for entry in trail.get("regions", []):
                for item in (entry.get("result") or {}).get("items", []):
                    rows.append(IntegrityItemRow(
                        account=ev.account_id, trail_arn=trail["trail_arn"], source_region=entry["source_region"],
                        kind=item["kind"], bucket=item["bucket"], key=item.get("key"), verdict=item["verdict"],
                        code=item["code"], reason=item["reason"], cli_equivalent=bool(item.get("cli_equivalent")),
                    ))
    return tuple(rows)


def evaluate(
    evidence: Sequence[Evidence],
    refs: Sequence[EvidenceRef],
    collection: CollectionInfo,
    frameworks: Sequence[Framework],
    *,
    pack_id: str,
    exceptions: Sequence[ExceptionEntry] = (),
    attachments: Sequence[Attachment] = (),
) -> Pack:
    index = EvidenceIndex(evidence)
    as_of = collection.finished_at.date()
    matched: dict[str, int] = {}
    evaluated: list[FrameworkResult] = []
    for fw in frameworks:
        result, counts = apply_exceptions(evaluate_framework(fw, index), exceptions, as_of)
        for key, n in counts.items():
            matched[key] = matched.get(key, 0) + n
        evaluated.append(apply_attachments(result, attachments, collection.finished_at))
    results = tuple(evaluated)
    seen: set[tuple[str, str, str, str, str]] = set()
    findings: list[Finding] = []
    for fr in results:
        for cr in fr.checks:
            for f in cr.findings:
                ident = (f.check, f.resource, f.account, f.region, f.reason)
                if ident not in seen:
                    seen.add(ident)
                    findings.append(f)
    findings.sort(key=lambda f: (f.check, f.account, f.region, f.resource))
    return Pack(
        pack_id=pack_id,
        tool_version=TOOL_VERSION,
        evaluated_at=datetime.now(UTC),
        collection=collection,
        evidence=tuple(refs),
        gaps=index.all_gaps(),
        findings=tuple(findings),
        frameworks=results,
        exceptions=register_results(exceptions, matched, as_of),
        integrity=integrity_rows(index.ok.get("cloudtrail.integrity", ())),
    )
