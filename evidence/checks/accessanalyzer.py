"""IAM Access Analyzer checks: an analyzer watches every region, and no resource is open to the world or to
other accounts without review."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check

EXTERNAL_ACCESS = frozenset({"ACCOUNT", "ORGANIZATION"})


def analyzer_arn(ev: Evidence) -> str:
    return f"arn:aws:access-analyzer:{ev.region}:{ev.account_id}:analyzer"


def _external(ev: Evidence) -> list[dict[str, Any]]:
    return [a for a in ev.data or [] if a.get("type") in EXTERNAL_ACCESS]


@check("iam.access_analyzer_enabled", needs="accessanalyzer.analyzers", severity="medium")
def access_analyzer_enabled(analyzers: tuple[Evidence, ...]) -> Iterator[Finding]:
    """An account or organisation IAM Access Analyzer is active in every region in scope."""
    for ev in analyzers:
        found = _external(ev)
        active = [a for a in found if a.get("status") == "ACTIVE"]
        if active:
            a = active[0]
            yield passed(ev, a["arn"], f"Analyzer {a['name']} ({a['type'].lower()} zone of trust) is active.")
        elif found:
            a = found[0]
            yield failed(ev, a["arn"], f"Analyzer {a['name']} is {str(a.get('status', 'not active')).lower()}: "
                                       f"{a.get('statusReason', {}).get('code', 'no reason given')}.")
        else:
            yield failed(ev, analyzer_arn(ev), f"No external-access analyzer in {ev.region}.")


def _grantee(finding: dict[str, Any]) -> str:
    if finding.get("isPublic"):
        return "anyone (public)"
    principal = finding.get("principal") or {}
    return ", ".join(f"{k} {v}" for k, v in sorted(principal.items())) or "an external principal"


@check("accessanalyzer.no_active_external_access", needs="accessanalyzer.analyzers", severity="high")
def no_active_external_access(analyzers: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No resource is reachable publicly or from another account without review (no active Access Analyzer
    finding)."""
    for ev in analyzers:
        for a in _external(ev):
            if a.get("status") != "ACTIVE":
                continue
            if "ListFindings" in a.get("errors", {}):
                code = a["errors"]["ListFindings"]
                yield unknown(ev, a["arn"], f"The analyzer's findings could not be read ({code}).")
                continue
            findings = a.get("findings", [])
            for f in findings:
                actions = ", ".join(f.get("action") or []) or "unlisted actions"
                yield failed(ev, f.get("resource", a["arn"]),
                             f"{f.get('resourceType', 'The resource')} is open to {_grantee(f)} for {actions} "
                             f"(active finding {f.get('id')}).")
            if not findings:
                yield passed(ev, a["arn"], f"Analyzer {a['name']} has no active finding.")
