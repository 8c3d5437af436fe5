"""Security Hub checks: the hub is on in every region, and no active critical or high finding is left open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def hub_arn(ev: Evidence) -> str:
    return f"arn:aws:securityhub:{ev.region}:{ev.account_id}:hub/default"


def _standard_name(subscription: dict[str, Any]) -> str:
    """`aws-foundational-security-best-practices/v/1.0.0` from a standards ARN."""
    arn = str(subscription.get("StandardsArn", ""))
    return arn.split("/", 1)[1] if "/" in arn else arn


@check("securityhub.enabled", needs="securityhub.hub", severity="medium")
def enabled(hubs: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Security Hub is enabled in every region in scope."""
    for ev in hubs:
        data = ev.data or {}
        hub = data.get("hub")
        if hub is None:
            yield failed(ev, hub_arn(ev), f"Security Hub is not enabled in {ev.region}.")
            continue
        if "GetEnabledStandards" in data.get("errors", {}):
            standards = "its enabled standards could not be read"
        else:
            names = [_standard_name(s) for s in data.get("standards", []) if s.get("StandardsStatus") != "DELETING"]
            standards = f"standards: {', '.join(names)}" if names else "no standard is enabled"
        since = hub.get("SubscribedAt", "an unknown date")
        yield passed(ev, hub.get("HubArn", hub_arn(ev)), f"Security Hub is enabled since {since}; {standards}.")


def _label(finding: dict[str, Any]) -> str:
    compliance = finding.get("Compliance") or {}
    control = compliance.get("SecurityControlId") or finding.get("GeneratorId", "")
    kind = f"failed control {control}" if compliance.get("Status") == "FAILED" else "finding"
    severity = (finding.get("Severity") or {}).get("Label", "UNKNOWN")
    return f"{severity.lower()} {kind}: {finding.get('Title', finding.get('Id', ''))}"


@check("securityhub.no_active_high_findings", needs="securityhub.hub", severity="high")
def no_active_high_findings(hubs: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No active critical or high Security Hub finding (failed controls included) is left unresolved."""
    for ev in hubs:
        data = ev.data or {}
        if data.get("hub") is None:
            continue
        arn = data["hub"].get("HubArn", hub_arn(ev))
        if "GetFindings" in data.get("errors", {}):
            yield unknown(ev, arn, f"Security Hub findings could not be read ({data['errors']['GetFindings']}).")
            continue
        findings = data.get("findings", [])
        for f in findings:
            resources = f.get("Resources") or [{}]
            status = (f.get("Workflow") or {}).get("Status", "NEW")
            yield failed(ev, resources[0].get("Id", f.get("Id", arn)),
                         f"Open {_label(f)} (workflow {status}, first seen {f.get('FirstObservedAt', 'unknown')}).",
                         region=resources[0].get("Region") or ev.region)
        if not findings:
            yield passed(ev, arn, "No active critical or high finding is open.")
