"""AWS Config: recorders and delivery channels, rules with per-resource compliance, conformance packs,
and aggregator compliance, per region.

Compliance is what AWS Config itself concluded; the checks turn it into findings and the
cross-check (evidence.crosscheck) sets it beside our own verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError, PaginationError

from evidence.aws import error_code
from evidence.collect import CollectContext, bounded_pages, paginate
from evidence.registry import collector

# Results judged per resource; NOT_APPLICABLE results are left out (they judge nothing).
JUDGED = ["COMPLIANT", "NON_COMPLIANT"]


def next_token_pages(method: Any, result_key: str, **params: Any) -> list[Any]:
    """Every item of a NextToken listing that botocore has no paginator for (with the paginator's limits)."""

    def pages() -> Iterator[dict[str, Any]]:
        tokens: set[str] = set()
        while True:
            resp = method(**params)
            yield resp
            token = resp.get("NextToken")
            if not token:
                return
            if token in tokens:
                raise PaginationError(message=f"{method.__name__} sent the same NextToken twice; the listing loops")
            tokens.add(token)
            params["NextToken"] = token

    return [item for page in bounded_pages(pages(), method.__name__) for item in page.get(result_key, [])]


@collector(
    "config.recorders",
    service="config",
    actions=(
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeDeliveryChannels",
        "config:DescribeDeliveryChannelStatus",
    ),
)
def recorders(ctx: CollectContext) -> Any:
    """Configuration recorders and delivery channels of the region, each with its status."""
    client = ctx.client("config")
    found = client.describe_configuration_recorders()["ConfigurationRecorders"]
    statuses = {s["name"]: s for s in client.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]}
    channels = client.describe_delivery_channels()["DeliveryChannels"]
    channel_statuses = {s["name"]: s for s in client.describe_delivery_channel_status()["DeliveryChannelsStatus"]}
    return {
        "recorders": [{**r, "Status": statuses.get(r["name"])} for r in found],
        "delivery_channels": [{**c, "Status": channel_statuses.get(c["name"])} for c in channels],
    }


def _rule(ctx: CollectContext, rule: dict[str, Any], compliance: dict[str, Any] | None) -> dict[str, Any]:
    rule = {**rule, "Compliance": compliance, "errors": {}}
    try:
        rule["EvaluationResults"] = paginate(
            ctx.client("config"),
            "get_compliance_details_by_config_rule",
            "EvaluationResults",
            ConfigRuleName=rule["ConfigRuleName"],
            ComplianceTypes=JUDGED,
        )
    except ClientError as exc:
        rule["errors"]["GetComplianceDetailsByConfigRule"] = error_code(exc)
    return rule


@collector(
    "config.rules",
    service="config",
    actions=(
        "config:DescribeConfigRules",
        "config:DescribeComplianceByConfigRule",
        "config:GetComplianceDetailsByConfigRule",
    ),
)
def rules(ctx: CollectContext) -> Any:
    """Every Config rule of the region (managed, custom, from conformance packs) with its compliance
    and the compliant and non-compliant resources it judged."""
    client = ctx.client("config")
    found = paginate(client, "describe_config_rules", "ConfigRules")
    compliance = {
        c["ConfigRuleName"]: c.get("Compliance")
        for c in paginate(client, "describe_compliance_by_config_rule", "ComplianceByConfigRules")
    }
    return ctx.map(lambda r: _rule(ctx, r, compliance.get(r["ConfigRuleName"])), found)


def _pack(ctx: CollectContext, pack: dict[str, Any], status: dict[str, Any] | None) -> dict[str, Any]:
    client = ctx.client("config")
    name = pack["ConformancePackName"]
    pack = {**pack, "Status": status, "errors": {}}
    reads = (
        ("ComplianceSummary", "GetConformancePackComplianceSummary",
         lambda: client.get_conformance_pack_compliance_summary(ConformancePackNames=[name])
         ["ConformancePackComplianceSummaryList"]),
        ("RuleCompliance", "DescribeConformancePackCompliance",
         lambda: paginate(client, "describe_conformance_pack_compliance", "ConformancePackRuleComplianceList",
                          ConformancePackName=name)),
        ("EvaluationResults", "GetConformancePackComplianceDetails",
         lambda: next_token_pages(client.get_conformance_pack_compliance_details,
                                  "ConformancePackRuleEvaluationResults", ConformancePackName=name)),
    )
    for field, operation, read in reads:
        try:
            pack[field] = read()
        except ClientError as exc:
            pack["errors"][operation] = error_code(exc)
    summaries = pack.get("ComplianceSummary")
    if isinstance(summaries, list):
        pack["ComplianceSummary"] = summaries[0] if summaries else None
    return pack


@collector(
    "config.conformance_packs",
    service="config",
    actions=(
        "config:DescribeConformancePacks",
        "config:DescribeConformancePackStatus",
        "config:GetConformancePackComplianceSummary",
        "config:DescribeConformancePackCompliance",
        "config:GetConformancePackComplianceDetails",
    ),
)
def conformance_packs(ctx: CollectContext) -> Any:
    """Conformance packs of the region: deployment state, compliance summary, per-rule compliance and
    per-resource results."""
    client = ctx.client("config")
    packs = paginate(client, "describe_conformance_packs", "ConformancePackDetails")
    if not packs:
        return []
    statuses = {
        s["ConformancePackName"]: s
        for s in paginate(client, "describe_conformance_pack_status", "ConformancePackStatusDetails")
    }
    return ctx.map(lambda p: _pack(ctx, p, statuses.get(p["ConformancePackName"])), packs)


def _aggregator(ctx: CollectContext, aggregator: dict[str, Any]) -> dict[str, Any]:
    aggregator = {**aggregator, "errors": {}}
    try:
        aggregator["ComplianceByConfigRules"] = paginate(
            ctx.client("config"),
            "describe_aggregate_compliance_by_config_rules",
            "AggregateComplianceByConfigRules",
            ConfigurationAggregatorName=aggregator["ConfigurationAggregatorName"],
        )
    except ClientError as exc:
        aggregator["errors"]["DescribeAggregateComplianceByConfigRules"] = error_code(exc)
    return aggregator


@collector(
    "config.aggregators",
    service="config",
    actions=("config:DescribeConfigurationAggregators", "config:DescribeAggregateComplianceByConfigRules"),
)
def aggregators(ctx: CollectContext) -> Any:
    """Configuration aggregators of the region with the rule compliance they aggregate (per account
    and region)."""
    found = paginate(ctx.client("config"), "describe_configuration_aggregators", "ConfigurationAggregators")
    return ctx.map(lambda a: _aggregator(ctx, a), found)
