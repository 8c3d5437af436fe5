"""Systems Manager checks: instances are managed and patched, and documents are not public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, judged, unknown
from evidence.checks.ec2 import instance_arn, instances
from evidence.checks.network import by_place
from evidence.models import Evidence, Finding
from evidence.registry import check


def managed_arn(ev: Evidence, info: dict[str, Any]) -> str:
    if info.get("ResourceType") == "EC2Instance":
        return f"arn:aws:ec2:{ev.region}:{ev.account_id}:instance/{info['InstanceId']}"
    return f"arn:aws:ssm:{ev.region}:{ev.account_id}:managed-instance/{info['InstanceId']}"


@check("ssm.instances_managed", needs=("ec2.instances", "ssm.managed_instances"), severity="medium")
def instances_managed(reservations: tuple[Evidence, ...], managed: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every running EC2 instance is an online Systems Manager managed instance."""
    fleet = by_place(managed)
    for ev in reservations:
        found = fleet.get((ev.account_id, ev.region))
        pings = {i["InstanceId"]: i.get("PingStatus") for i in (found.data or [])} if found else {}
        for inst in instances(ev):
            if inst.get("State", {}).get("Name") != "running":
                continue
            arn = instance_arn(ev, inst)
            if found is None:
                yield unknown(ev, arn, "The region's Systems Manager inventory could not be read.")
                continue
            ping = pings.get(inst["InstanceId"])
            yield judged(ev, arn, ping == "Online", "The instance is managed by Systems Manager and online.",
                         f"The instance is managed by Systems Manager but its agent is {ping}." if ping else
                         "The instance is not managed by Systems Manager (no agent has registered it).")


def _counts(summary: dict[str, Any]) -> str:
    severities = summary.get("NonCompliantSummary", {}).get("SeveritySummary", {})
    parts = [f"{n} {k.removesuffix('Count').lower()}" for k, n in severities.items() if n]
    return ", ".join(parts) or "unspecified severity"


@check("ssm.patch_compliance", needs=("ssm.managed_instances", "ssm.patch_compliance"), severity="high")
def patch_compliance(managed: tuple[Evidence, ...], compliance: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every managed instance reports COMPLIANT for patching."""
    reports = by_place(compliance)
    for ev in managed:
        found = reports.get((ev.account_id, ev.region))
        summaries = {s.get("ResourceId"): s for s in (found.data or [])} if found else {}
        for info in ev.data or []:
            arn = managed_arn(ev, info)
            if found is None:
                yield unknown(ev, arn, "The region's patch compliance could not be read.")
                continue
            summary = summaries.get(info["InstanceId"])
            if summary is None:
                yield failed(ev, arn, "The instance has never reported patch compliance.")
                continue
            missing = summary.get("NonCompliantSummary", {}).get("NonCompliantCount", 0)
            yield judged(ev, arn, summary.get("Status") == "COMPLIANT", "The instance reports every patch installed.",
                         f"The instance is missing {missing} patch(es) ({_counts(summary)}).")


@check("ssm.documents_not_public", needs="ssm.documents", severity="high")
def documents_not_public(documents: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No Systems Manager document the account owns is shared publicly."""
    for ev in documents:
        for doc in ev.data or []:
            arn = f"arn:aws:ssm:{ev.region}:{ev.account_id}:document/{doc['Name']}"
            if "SharedWith" in doc.get("errors", {}):
                yield unknown(ev, arn, f"The document's sharing could not be read ({doc['errors']['SharedWith']}).")
                continue
            shared = doc.get("SharedWith", [])
            yield judged(ev, arn, "all" not in shared,
                         f"The document is shared with {len(shared)} named account(s) and not publicly."
                         if shared else "The document is not shared.",
                         f"Document {doc['Name']} is shared publicly with every AWS account.")
