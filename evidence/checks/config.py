"""AWS Config checks: recorder coverage, conformance packs, and the verdicts of Config's own rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from evidence.checks import account_arn, failed, judged, passed, unknown
from evidence.crosscheck import evaluation_resource, rule_source
from evidence.models import Evidence, Finding
from evidence.registry import check

# The IAM types that only a recorder with global resource types records.
GLOBAL_TYPES = frozenset({"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"})
DEPLOYED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE"})


def recorder_arn(ev: Evidence, name: str | None = None) -> str:
    base = f"arn:aws:config:{ev.region}:{ev.account_id}:configuration-recorder"
    return f"{base}/{name}" if name else base


def _customer_recorders(ev: Evidence) -> list[dict[str, Any]]:
    """Recorders the account manages (service-linked recorders record one service's types only)."""
    return [r for r in (ev.data or {}).get("recorders", []) if not r.get("servicePrincipal")]


def records_all_types(group: dict[str, Any]) -> bool:
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    if strategy:
        return bool(strategy == "ALL_SUPPORTED_RESOURCE_TYPES" and group.get("allSupported", True))
    return bool(group.get("allSupported"))


def records_global_types(group: dict[str, Any]) -> bool:
    if records_all_types(group):
        return bool(group.get("includeGlobalResourceTypes"))
    return set(group.get("resourceTypes") or []) >= GLOBAL_TYPES


def _recorder_problems(recorder: dict[str, Any]) -> list[str]:
    status = recorder.get("Status") or {}
    problems = []
    if not status.get("recording"):
        problems.append(f"recorder {recorder['name']} is stopped")
    elif status.get("lastStatus") == "FAILURE":
        problems.append(f"recorder {recorder['name']} fails to record ({status.get('lastErrorCode', 'no error code')})")
    if not records_all_types(recorder.get("recordingGroup") or {}):
        problems.append(f"recorder {recorder['name']} records selected resource types only, not all supported types")
    return problems


def _channel_problems(channels: list[dict[str, Any]]) -> list[str]:
    if not channels:
        return ["no delivery channel delivers configuration history"]
    problems = []
    for channel in channels:
        status = channel.get("Status") or {}
        for kind in ("configHistoryDeliveryInfo", "configSnapshotDeliveryInfo", "configStreamDeliveryInfo"):
            info = status.get(kind) or {}
            if info.get("lastStatus") == "FAILURE":
                what = kind.removeprefix("config").removesuffix("DeliveryInfo").lower()
                problems.append(
                    f"delivery channel {channel['name']} fails to deliver {what} "
                    f"({info.get('lastErrorCode', 'no error code')})"
                )
    return problems


@check("config.recorder_all_regions", needs="config.recorders", severity="high")
def recorder_all_regions(recorders: tuple[Evidence, ...]) -> Iterator[Finding]:
    """AWS Config records every resource type in every region, global types in one, with healthy delivery."""
    global_regions: dict[str, list[str]] = defaultdict(list)
    accounts: dict[str, Evidence] = {}
    for ev in recorders:
        accounts.setdefault(ev.account_id, ev)
        found = _customer_recorders(ev)
        if not found:
            yield failed(ev, recorder_arn(ev), f"No configuration recorder in {ev.region}: changes are not recorded.")
            continue
        channels = list((ev.data or {}).get("delivery_channels", []))
        recorder = found[0]
        problems = _recorder_problems(recorder) + _channel_problems(channels)
        if records_global_types(recorder.get("recordingGroup") or {}):
            global_regions[ev.account_id].append(ev.region)
        if problems:
            yield failed(ev, recorder_arn(ev, recorder["name"]), f"In {ev.region}: {'; '.join(problems)}.")
        else:
            targets = ", ".join(f"s3://{c.get('s3BucketName')}" for c in channels)
            yield passed(ev, recorder_arn(ev, recorder["name"]),
                         f"Recorder {recorder['name']} records all supported resource types and delivers to {targets}.")
    for account_id, ev in sorted(accounts.items()):
        regions = sorted(global_regions.get(account_id, []))
        yield judged(ev, account_arn(ev), bool(regions),
                     f"Global resource types (IAM) are recorded in {', '.join(regions)}.",
                     "No region's recorder records global resource types (IAM users, roles, groups, policies).",
                     region="global")


@check("config.conformance_pack_deployed", needs="config.conformance_packs", severity="medium")
def conformance_pack_deployed(packs: tuple[Evidence, ...]) -> Iterator[Finding]:
    """At least one AWS Config conformance pack is deployed, so Config evaluates a defined rule set."""
    by_account: dict[str, list[Evidence]] = defaultdict(list)
    for ev in packs:
        by_account[ev.account_id].append(ev)
    for _, evs in sorted(by_account.items()):
        deployed, broken = [], []
        for ev in evs:
            for pack in ev.data or []:
                state = (pack.get("Status") or {}).get("ConformancePackState")
                label = f"{pack['ConformancePackName']} ({ev.region})"
                if state in DEPLOYED:
                    deployed.append(label)
                else:
                    broken.append(f"{label}: {state or 'state unknown'}")
        ev = evs[0]
        if deployed:
            yield passed(ev, account_arn(ev), f"Conformance packs deployed: {', '.join(deployed)}.", region="global")
        elif broken:
            yield failed(ev, account_arn(ev), f"No conformance pack is deployed successfully: {', '.join(broken)}.",
                         region="global")
        else:
            yield failed(ev, account_arn(ev), "No AWS Config conformance pack is deployed in any region in scope.",
                         region="global")


def _qualifier(result: dict[str, Any]) -> dict[str, Any]:
    return dict(result.get("EvaluationResultIdentifier", {}).get("EvaluationResultQualifier", {}))


@check("config.rules_compliant", needs="config.rules", severity="medium")
def rules_compliant(rules: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every resource that an AWS Config rule judged is compliant with that rule."""
    for ev in rules:
        for rule in ev.data or []:
            name, source = rule["ConfigRuleName"], rule_source(rule)
            error = rule.get("errors", {}).get("GetComplianceDetailsByConfigRule")
            compliance = (rule.get("Compliance") or {}).get("ComplianceType")
            if error:
                yield unknown(ev, rule.get("ConfigRuleArn", name),
                              f"The resources judged by Config rule {name} could not be read ({error}).")
                continue
            results = rule.get("EvaluationResults") or []
            for result in results:
                q = _qualifier(result)
                resource = evaluation_resource(ev.account_id, ev.region, q.get("ResourceType", ""),
                                               q.get("ResourceId", ""))
                note = f": {result['Annotation']}" if result.get("Annotation") else "."
                kind = result.get("ComplianceType")
                if kind == "NON_COMPLIANT":
                    yield failed(ev, resource, f"AWS Config rule {name} ({source}) finds it non-compliant{note}")
                elif kind == "COMPLIANT":
                    yield passed(ev, resource, f"AWS Config rule {name} ({source}) finds it compliant.")
            if compliance == "NON_COMPLIANT" and not any(r.get("ComplianceType") == "NON_COMPLIANT" for r in results):
                yield failed(ev, rule.get("ConfigRuleArn", name),
                             f"AWS Config rule {name} ({source}) is non-compliant; its resources were not listed.")
