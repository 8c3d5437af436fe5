"""AWS Config's verdict beside ours: per control, with every disagreement flagged.

Pure: from the Config snapshots (`config.rules`, `config.conformance_packs`) and a FrameworkResult.
For a control, Config's verdict combines the deployed rules whose managed identifier the control
lists (`Control.config_rules`): NON_COMPLIANT if any is, else NOT_COLLECTED when some region's rules
could not be read, else COMPLIANT if any is, else INSUFFICIENT_DATA, else NOT_APPLICABLE; with no such
rule deployed it is NOT_DEPLOYED. The two disagree when Config is COMPLIANT where we fail, NON_COMPLIANT
where we pass, or when, on one resource, a rule and its equivalent check of ours (config_rule_map)
reach opposite verdicts. Custom rules and unknown conformance packs are listed with their verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from evidence.config_rule_map import EQUIVALENT_RULES
from evidence.models import (
    ConfigCompliance,
    ConfigConflict,
    ConfigCrossCheck,
    ConfigRuleVerdict,
    ConfigVerdict,
    ConformancePackVerdict,
    ControlResult,
    Evidence,
    FrameworkResult,
    Gap,
    Status,
)

C = ConfigCompliance

# Config resource types whose ARN can be built from the resource id Config reports.
_ARN_FORMATS = {
    "AWS::::Account": "arn:aws:iam::{id}:root",
    "AWS::S3::Bucket": "arn:aws:s3:::{id}",
    "AWS::CloudTrail::Trail": "arn:aws:cloudtrail:{region}:{account}:trail/{id}",
    "AWS::EC2::Instance": "arn:aws:ec2:{region}:{account}:instance/{id}",
    "AWS::EC2::NetworkAcl": "arn:aws:ec2:{region}:{account}:network-acl/{id}",
    "AWS::EC2::SecurityGroup": "arn:aws:ec2:{region}:{account}:security-group/{id}",
    "AWS::EC2::Subnet": "arn:aws:ec2:{region}:{account}:subnet/{id}",
    "AWS::EC2::Volume": "arn:aws:ec2:{region}:{account}:volume/{id}",
    "AWS::EC2::VPC": "arn:aws:ec2:{region}:{account}:vpc/{id}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{id}",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{account}:key/{id}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{id}",
}
_CUSTOM = {"CUSTOM_LAMBDA": "custom Lambda rule", "CUSTOM_POLICY": "custom Guard rule"}
_SHOWN = 3  # conflicts named in a reason sentence


def evaluation_resource(account: str, region: str, resource_type: str, resource_id: str) -> str:
    """The ARN of a resource Config evaluated, as our checks name it; `type/id` when it has none we can build."""
    if resource_id.startswith("arn:"):
        return resource_id
    fmt = _ARN_FORMATS.get(resource_type)
    if fmt is None:
        return f"{resource_type}/{resource_id}"
    return fmt.format(account=account, region=region, id=resource_id)


def rule_source(rule: Mapping[str, Any]) -> str:
    """A rule's managed identifier (e.g. S3_BUCKET_VERSIONING_ENABLED), or what kind of custom rule it is."""
    source = rule.get("Source") or {}
    owner = source.get("Owner", "")
    if owner == "AWS":
        return str(source.get("SourceIdentifier", ""))
    return _CUSTOM.get(owner, owner or "unknown source")


def evaluations(ev: Evidence, rule: Mapping[str, Any]) -> list[tuple[str, ConfigCompliance]]:
    """(resource, compliance) of every resource the rule judged."""
    out = []
    for result in rule.get("EvaluationResults") or []:
        q = result.get("EvaluationResultIdentifier", {}).get("EvaluationResultQualifier", {})
        kind = result.get("ComplianceType")
        if kind in (C.COMPLIANT, C.NON_COMPLIANT):
            resource = evaluation_resource(ev.account_id, ev.region, q.get("ResourceType", ""), q.get("ResourceId", ""))
            out.append((resource, C(kind)))
    return out


def _compliance(value: object) -> ConfigCompliance:
    try:
        return C(str(value))
    except ValueError:
        return C.INSUFFICIENT_DATA


def _packs(packs: Iterable[Evidence]) -> tuple[list[ConformancePackVerdict], dict[tuple[str, str, str], str]]:
    verdicts, pack_of = [], {}
    for ev in packs:
        for pack in ev.data or []:
            name = pack["ConformancePackName"]
            rules = tuple(sorted(r["ConfigRuleName"] for r in pack.get("RuleCompliance") or []))
            for rule in rules:
                pack_of[(ev.account_id, ev.region, rule)] = name
            summary = pack.get("ComplianceSummary") or {}
            verdicts.append(ConformancePackVerdict(
                name=name, account=ev.account_id, region=ev.region,
                state=(pack.get("Status") or {}).get("ConformancePackState"),
                compliance=_compliance(summary.get("ConformancePackComplianceStatus")) if summary
                else C.NOT_COLLECTED,
                rules=rules,
            ))
    return sorted(verdicts, key=lambda p: (p.account, p.region, p.name)), pack_of


class _Rules:
    """Every rule found, with the resources it judged."""

    def __init__(self, snapshots: Iterable[Evidence], pack_of: Mapping[tuple[str, str, str], str]) -> None:
        self.verdicts: list[ConfigRuleVerdict] = []
        self.judged: dict[ConfigRuleVerdict, list[tuple[str, ConfigCompliance]]] = {}
        for ev in snapshots:
            for rule in ev.data or []:
                judged = evaluations(ev, rule)
                verdict = ConfigRuleVerdict(
                    name=rule["ConfigRuleName"],
                    arn=rule.get("ConfigRuleArn"),
                    source=rule_source(rule),
                    managed=(rule.get("Source") or {}).get("Owner") == "AWS",
                    account=ev.account_id,
                    region=ev.region,
                    compliance=_compliance((rule.get("Compliance") or {}).get("ComplianceType")),
                    compliant=sum(1 for _, c in judged if c is C.COMPLIANT),
                    non_compliant=sum(1 for _, c in judged if c is C.NON_COMPLIANT),
                    conformance_pack=pack_of.get((ev.account_id, ev.region, rule["ConfigRuleName"])),
                )
                self.judged[verdict] = judged
                self.verdicts.append(verdict)
        self.verdicts.sort(key=lambda r: (r.account, r.region, r.name))
        self.by_source: dict[str, list[ConfigRuleVerdict]] = defaultdict(list)
        for v in self.verdicts:
            if v.managed:
                self.by_source[v.source].append(v)


def combine(values: Sequence[ConfigCompliance], *, gap: bool) -> ConfigCompliance:
    """One verdict over several rules (see the module docstring for the order)."""
    if C.NON_COMPLIANT in values:
        return C.NON_COMPLIANT
    if gap:
        return C.NOT_COLLECTED
    for kind in (C.COMPLIANT, C.INSUFFICIENT_DATA, C.NOT_APPLICABLE):
        if kind in values:
            return kind
    return C.NOT_DEPLOYED


def _our_verdicts(result: FrameworkResult) -> dict[str, dict[tuple[str, str], Status]]:
    """check key -> (account, resource) -> FAIL if any finding fails it, else PASS if one passes it."""
    out: dict[str, dict[tuple[str, str], Status]] = {}
    for cr in result.checks:
        seen: dict[tuple[str, str], Status] = {}
        for f in cr.findings:
            key = (f.account, f.resource)
            if f.status is Status.FAIL or (f.status is Status.PASS and key not in seen):
                seen[key] = f.status
        out[cr.key] = seen
    return out


def _opposite(config: ConfigCompliance, ours: Status) -> bool:
    return (config is C.COMPLIANT and ours is Status.FAIL) or (config is C.NON_COMPLIANT and ours is Status.PASS)


def _conflicts(
    control: ControlResult, rules: Sequence[ConfigRuleVerdict], found: _Rules,
    ours: Mapping[str, Mapping[tuple[str, str], Status]],
) -> list[ConfigConflict]:
    conflicts = []
    for ref in control.checks:
        equivalent = EQUIVALENT_RULES.get(ref.check, ())
        verdicts = ours.get(ref.key, {})
        for rule in rules:
            if rule.source not in equivalent:
                continue
            for resource, config in found.judged[rule]:
                mine = verdicts.get((rule.account, resource))
                if mine is not None and _opposite(config, mine):
                    conflicts.append(ConfigConflict(resource=resource, account=rule.account, region=rule.region,
                                                    rule=rule.name, config=config, check=ref.check, ours=mine))
    return conflicts


def _names(rules: Iterable[ConfigRuleVerdict]) -> str:
    return ", ".join(sorted({f"{r.name} ({r.source})" for r in rules}))


def _reason(verdict: ConfigCompliance, ours: Status, rules: Sequence[ConfigRuleVerdict],
            conflicts: Sequence[ConfigConflict], gap_regions: Sequence[str], listed: int) -> str:
    parts = []
    if conflicts:
        shown = "; ".join(
            f"rule {c.rule} finds {c.resource} {c.config.value.replace('_', '-').lower()}, check {c.check} "
            f"{'fails' if c.ours is Status.FAIL else 'passes'} it"
            for c in conflicts[:_SHOWN]
        )
        more = f" (and {len(conflicts) - _SHOWN} more)" if len(conflicts) > _SHOWN else ""
        parts.append(f"AWS Config and our checks disagree on {len(conflicts)} resource(s): {shown}{more}.")
    if _opposite(verdict, ours) and verdict is C.COMPLIANT:
        parts.append(f"AWS Config finds {_names(rules)} compliant, but our checks fail this control.")
    elif _opposite(verdict, ours):
        bad = [r for r in rules if r.compliance is C.NON_COMPLIANT]
        parts.append(f"AWS Config finds non-compliant resources under {_names(bad)}, but our checks pass this control.")
    if parts:
        return " ".join(parts)
    if verdict is C.NOT_DEPLOYED:
        return f"None of the {listed} AWS Config managed rule(s) mapped to this control is deployed."
    if verdict is C.NOT_COLLECTED:
        where = ", ".join(gap_regions) or "this pack"
        return f"AWS Config's rules could not be read in {where} (see Gaps): no verdict to compare."
    text = f"AWS Config says {verdict.value} from {_names(rules)}"
    if ours in (Status.PASS, Status.FAIL):
        return f"{text}, in line with our verdict ({ours.value})."
    return f"{text}; our verdict is {ours.value}, so there is nothing to contradict."


def cross_check(
    result: FrameworkResult,
    rules: Sequence[Evidence],
    packs: Sequence[Evidence],
    gaps: Sequence[Gap],
) -> ConfigCrossCheck:
    """AWS Config's verdict for every control that lists Config rules, beside ours.

    `rules` and `packs` are the usable `config.rules` and `config.conformance_packs` snapshots and
    `gaps` the `config.rules` snapshots that could not be taken; with neither rules nor gaps,
    Config was not collected at all and every verdict is NOT_COLLECTED.
    """
    pack_verdicts, pack_of = _packs(packs)
    found = _Rules(rules, pack_of)
    ours = _our_verdicts(result)
    gap_regions = sorted({f"{g.account_id}/{g.region}" for g in gaps})
    missing = bool(gaps) or not rules
    controls = []
    for control in result.controls:
        if not control.config_rules:
            continue
        deployed = [r for source in sorted(set(control.config_rules)) for r in found.by_source.get(source, [])]
        verdict = combine([r.compliance for r in deployed], gap=missing)
        conflicts = _conflicts(control, deployed, found, ours)
        disagrees = bool(conflicts) or _opposite(verdict, control.status)
        controls.append(ConfigVerdict(
            control=control.id, ours=control.status, config=verdict, rules=tuple(deployed), disagrees=disagrees,
            reason=_reason(verdict, control.status, deployed, conflicts, gap_regions, len(control.config_rules)),
            conflicts=tuple(conflicts),
        ))
    return ConfigCrossCheck(controls=tuple(controls), rules=tuple(found.verdicts), packs=tuple(pack_verdicts),
                            gaps=tuple(gaps))
