"""AWS Config: a compliance store behind PutEvaluations and the compliance read APIs.

moto accepts PutEvaluations only in TestMode and keeps no results. Here every evaluation is
stored per account, region and rule (the latest per resource wins), and the rule-level and
aggregator-level compliance is derived from the stored results as AWS Config does:
NON_COMPLIANT if any resource is, else COMPLIANT if any resource is, else INSUFFICIENT_DATA.

The emulator's ResultToken for PutEvaluations is the name of the rule being evaluated (in AWS
it is an opaque token handed to the rule's Lambda function). Any existing rule is accepted,
managed rules included, so a scenario can record results for every kind of rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.config.exceptions import (
    InvalidNextTokenException,
    InvalidParameterValueException,
    InvalidResultTokenException,
    NoSuchConfigRuleException,
    NoSuchConfigurationAggregatorException,
)
from moto.config.models import ConfigBackend, config_backends
from moto.config.responses import ConfigResponse
from moto.core.responses import ActionResult

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed, utc
from evidence.demo.patches._state import attached

RESOURCE_COMPLIANCE = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")


@dataclass(frozen=True)
class Evaluation:
    rule_name: str
    resource_type: str
    resource_id: str
    compliance_type: str
    annotation: str | None
    ordering_timestamp: datetime
    recorded: datetime

    def result(self) -> dict[str, Any]:
        """An EvaluationResult (and ConformancePackEvaluationResult) as AWS shapes it."""
        result: dict[str, Any] = {
            "EvaluationResultIdentifier": {
                "EvaluationResultQualifier": {
                    "ConfigRuleName": self.rule_name,
                    "ResourceType": self.resource_type,
                    "ResourceId": self.resource_id,
                    "EvaluationMode": "DETECTIVE",
                },
                "OrderingTimestamp": self.ordering_timestamp,
            },
            "ComplianceType": self.compliance_type,
            "ResultRecordedTime": self.recorded,
            "ConfigRuleInvokedTime": self.recorded,
        }
        if self.annotation:
            result["Annotation"] = self.annotation
        return result


@dataclass
class ComplianceStore:
    """Latest evaluation per rule and resource, for one account and region."""

    by_rule: dict[str, dict[tuple[str, str], Evaluation]] = field(default_factory=dict)

    def record(self, evaluation: Evaluation) -> None:
        resource = (evaluation.resource_type, evaluation.resource_id)
        self.by_rule.setdefault(evaluation.rule_name, {})[resource] = evaluation

    def results(self, rule_name: str) -> list[Evaluation]:
        return sorted(self.by_rule.get(rule_name, {}).values(), key=lambda e: (e.resource_type, e.resource_id))


def store(backend: ConfigBackend) -> ComplianceStore:
    return attached(backend, ComplianceStore)


def rule_compliance(results: Iterable[Evaluation]) -> dict[str, Any]:
    """The Compliance of a rule over its latest results."""
    types = [e.compliance_type for e in results]
    non_compliant = types.count("NON_COMPLIANT")
    if non_compliant:
        count = {"CappedCount": min(non_compliant, 100), "CapExceeded": non_compliant > 100}
        return {"ComplianceType": "NON_COMPLIANT", "ComplianceContributorCount": count}
    return {"ComplianceType": "COMPLIANT" if "COMPLIANT" in types else "INSUFFICIENT_DATA"}


def record_evaluations(backend: ConfigBackend, rule_name: str, evaluations: Iterable[dict[str, Any]]) -> None:
    """Store results for a rule, each shaped like PutEvaluations' ``Evaluation``."""
    if rule_name not in backend.config_rules:
        raise NoSuchConfigRuleException(rule_name)
    now = datetime.now(UTC)
    for given in evaluations:
        compliance_type = given["ComplianceType"]
        if compliance_type not in RESOURCE_COMPLIANCE:
            raise InvalidParameterValueException(
                f"ComplianceType {compliance_type} is not one of {', '.join(RESOURCE_COMPLIANCE)}"
            )
        evaluation = Evaluation(
            rule_name=rule_name,
            resource_type=given["ComplianceResourceType"],
            resource_id=given["ComplianceResourceId"],
            compliance_type=compliance_type,
            annotation=given.get("Annotation"),
            ordering_timestamp=utc(given.get("OrderingTimestamp", now)),
            recorded=now,
        )
        store(backend).record(evaluation)


def put_config_evaluations(
    account_id: str, region: str, rule_name: str, evaluations: Sequence[tuple[str, str, str]]
) -> None:
    record_evaluations(
        config_backends[account_id][region],
        rule_name,
        (
            {"ComplianceResourceType": rtype, "ComplianceResourceId": rid, "ComplianceType": compliance}
            for rtype, rid, compliance in evaluations
        ),
    )


def apply() -> None:
    install(ConfigResponse, "put_evaluations", _put_evaluations)
    install(ConfigResponse, "describe_compliance_by_config_rule", _describe_compliance_by_config_rule)
    install(ConfigResponse, "get_compliance_details_by_config_rule", _get_compliance_details_by_config_rule)
    install(
        ConfigResponse,
        "describe_aggregate_compliance_by_config_rules",
        _describe_aggregate_compliance_by_config_rules,
    )


def _put_evaluations(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    evaluations = params.get("Evaluations") or []
    if not evaluations:
        raise InvalidParameterValueException("The Evaluations object in your request cannot be null.")
    rule_name = params.get("ResultToken", "")
    if rule_name not in self.config_backend.config_rules:
        raise InvalidResultTokenException()
    if not params.get("TestMode"):
        record_evaluations(self.config_backend, rule_name, evaluations)
    return ActionResult({"FailedEvaluations": []})


def _describe_compliance_by_config_rule(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    backend = self.config_backend
    names = params.get("ConfigRuleNames") or sorted(backend.config_rules)
    wanted = set(params.get("ComplianceTypes") or [])
    rules = []
    for name in names:
        if name not in backend.config_rules:
            raise NoSuchConfigRuleException(name)
        compliance = rule_compliance(store(backend).results(name))
        if not wanted or compliance["ComplianceType"] in wanted:
            rules.append({"ConfigRuleName": name, "Compliance": compliance})
    return ActionResult({"ComplianceByConfigRules": rules})


def _get_compliance_details_by_config_rule(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    backend = self.config_backend
    name = params["ConfigRuleName"]
    if name not in backend.config_rules:
        raise NoSuchConfigRuleException(name)
    wanted = set(params.get("ComplianceTypes") or RESOURCE_COMPLIANCE)
    results = [e for e in store(backend).results(name) if e.compliance_type in wanted]
    shown, token = page(
        results,
        params.get("Limit"),
        params.get("NextToken"),
        default_limit=100,
        invalid_token=InvalidNextTokenException,
    )
    return ActionResult({"EvaluationResults": [e.result() for e in shown], "NextToken": token})


def _describe_aggregate_compliance_by_config_rules(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    name = params["ConfigurationAggregatorName"]
    aggregator = self.config_backend.config_aggregators.get(name)
    if aggregator is None:
        raise NoSuchConfigurationAggregatorException()
    filters = params.get("Filters") or {}
    rows = []
    for account_id, region, backend in _aggregated_backends(aggregator):
        for rule_name in sorted(backend.config_rules):
            row = {
                "ConfigRuleName": rule_name,
                "Compliance": rule_compliance(store(backend).results(rule_name)),
                "AccountId": account_id,
                "AwsRegion": region,
            }
            if _matches(row, filters):
                rows.append(row)
    shown, token = page(
        rows,
        params.get("Limit"),
        params.get("NextToken"),
        default_limit=1000,
        invalid_token=InvalidNextTokenException,
    )
    return ActionResult({"AggregateComplianceByConfigRules": shown, "NextToken": token})


def _aggregated_backends(aggregator: Any) -> list[tuple[str, str, ConfigBackend]]:
    """The (account, region) backends that already exist and that the aggregator covers."""
    org = aggregator.organization_aggregation_source
    sources = aggregator.account_aggregation_sources or []
    covered = []
    for account_id, regions in sorted(config_backends.items()):
        for region, backend in sorted(regions.items()):
            if org is not None:
                if org.all_aws_regions or region in (org.aws_regions or []):
                    covered.append((account_id, region, backend))
                continue
            if any(
                account_id in source.account_ids and (source.all_aws_regions or region in (source.aws_regions or []))
                for source in sources
            ):
                covered.append((account_id, region, backend))
    return covered


def _matches(row: dict[str, Any], filters: dict[str, str]) -> bool:
    actual = {
        "ConfigRuleName": row["ConfigRuleName"],
        "ComplianceType": row["Compliance"]["ComplianceType"],
        "AccountId": row["AccountId"],
        "AwsRegion": row["AwsRegion"],
    }
    return all(actual[key] == value for key, value in filters.items() if value)
