"""AWS Config conformance packs: deploy a template's rules and report the pack's compliance.

PutConformancePack reads the template (TemplateBody, or TemplateS3Uri from the emulator's own
S3) and creates each ``AWS::Config::ConfigRule`` in it as a real Config rule, named as AWS
names them: ``<ConfigRuleName>-conformance-pack-<8 characters>``. So DescribeConfigRules
lists them, and PutEvaluations (ResultToken = the created rule's name) feeds the pack's
compliance. Deployment completes at once (CREATE_COMPLETE).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import yaml
from moto.config.exceptions import (
    InvalidNextTokenException,
    InvalidParameterValueException,
    ValidationException,
)
from moto.config.models import ConfigBackend
from moto.config.responses import ConfigResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random
from moto.s3.models import s3_backends

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed
from evidence.demo.patches._state import attached
from evidence.demo.patches.config_compliance import Evaluation, rule_compliance, store

_CONFIG_RULE_TYPE = "AWS::Config::ConfigRule"
_CREATED_BY = "config-conforms.amazonaws.com"


class NoSuchConformancePackException(JsonRESTError):
    code = 400

    def __init__(self, name: str) -> None:
        super().__init__("NoSuchConformancePackException", f"One or more conformance packs do not exist: {name}")


@dataclass(frozen=True)
class ConformancePack:
    name: str
    arn: str
    pack_id: str
    delivery_bucket: str | None
    delivery_prefix: str | None
    input_parameters: list[dict[str, str]]
    rule_names: tuple[str, ...]
    requested: datetime

    def detail(self, account_id: str) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "ConformancePackName": self.name,
            "ConformancePackArn": self.arn,
            "ConformancePackId": self.pack_id,
            "ConformancePackInputParameters": self.input_parameters,
            "LastUpdateRequestedTime": self.requested,
            "CreatedBy": account_id,
        }
        if self.delivery_bucket:
            detail["DeliveryS3Bucket"] = self.delivery_bucket
        if self.delivery_prefix:
            detail["DeliveryS3KeyPrefix"] = self.delivery_prefix
        return detail

    def status(self, account_id: str, region: str, partition: str) -> dict[str, Any]:
        return {
            "ConformancePackName": self.name,
            "ConformancePackId": self.pack_id,
            "ConformancePackArn": self.arn,
            "ConformancePackState": "CREATE_COMPLETE",
            "StackArn": f"arn:{partition}:cloudformation:{region}:{account_id}:stack/"
            f"awsconfigconforms-{self.name}/{self.pack_id}",
            "LastUpdateRequestedTime": self.requested,
            "LastUpdateCompletedTime": self.requested,
        }


@dataclass
class ConformancePacks:
    by_name: dict[str, ConformancePack] = field(default_factory=dict)

    def get(self, name: str) -> ConformancePack:
        if name not in self.by_name:
            raise NoSuchConformancePackException(name)
        return self.by_name[name]

    def named(self, names: list[str] | None) -> list[ConformancePack]:
        return [self.get(name) for name in names] if names else sorted_packs(self)


def sorted_packs(packs: ConformancePacks) -> list[ConformancePack]:
    return [packs.by_name[name] for name in sorted(packs.by_name)]


def apply() -> None:
    install(ConfigResponse, "put_conformance_pack", _put_conformance_pack)
    install(ConfigResponse, "describe_conformance_packs", _describe_conformance_packs)
    install(ConfigResponse, "describe_conformance_pack_status", _describe_conformance_pack_status)
    install(ConfigResponse, "describe_conformance_pack_compliance", _describe_conformance_pack_compliance)
    install(ConfigResponse, "get_conformance_pack_compliance_details", _get_conformance_pack_compliance_details)
    install(ConfigResponse, "get_conformance_pack_compliance_summary", _get_conformance_pack_compliance_summary)


def _packs(self: ConfigResponse) -> ConformancePacks:
    return attached(self.config_backend, ConformancePacks)


def _put_conformance_pack(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    backend = self.config_backend
    name = params["ConformancePackName"]
    template = _load_template(self, params)
    packs = attached(backend, ConformancePacks)
    previous = packs.by_name.get(name)
    if previous is not None:
        for rule_name in previous.rule_names:
            backend.delete_config_rule(rule_name)
    pack_id = previous.pack_id if previous else f"conformance-pack-{mock_random.get_random_string(14).lower()}"
    rule_names = tuple(_create_rules(backend, template))
    pack = ConformancePack(
        name=name,
        arn=f"arn:{self.partition}:config:{self.region}:{self.current_account}:conformance-pack/{name}/{pack_id}",
        pack_id=pack_id,
        delivery_bucket=params.get("DeliveryS3Bucket"),
        delivery_prefix=params.get("DeliveryS3KeyPrefix"),
        input_parameters=params.get("ConformancePackInputParameters") or [],
        rule_names=rule_names,
        requested=datetime.now(UTC),
    )
    packs.by_name[name] = pack
    return ActionResult({"ConformancePackArn": pack.arn})


def _load_template(self: ConfigResponse, params: dict[str, Any]) -> dict[str, Any]:
    body = params.get("TemplateBody")
    uri = params.get("TemplateS3Uri")
    if not body and uri:
        location = urlparse(uri)
        key = s3_backends[self.current_account][self.partition].get_object(location.netloc, location.path.lstrip("/"))
        if key is None:
            raise ValidationException(f"The template at {uri} could not be read")
        body = key.value.decode()
    if not body:
        raise ValidationException("Either the TemplateBody or the TemplateS3Uri parameter is required")
    try:
        template = yaml.load(body, Loader=_TemplateLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValidationException(f"The template is not valid YAML or JSON: {exc}") from exc
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise ValidationException("The template has no Resources section")
    return template


class _TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, ...) as their plain value."""


def _plain_value(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node, deep=True)


_TemplateLoader.add_multi_constructor("!", _plain_value)


def _create_rules(backend: ConfigBackend, template: dict[str, Any]) -> list[str]:
    names = []
    for logical_id, resource in template["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") != _CONFIG_RULE_TYPE:
            continue
        properties = dict(resource.get("Properties") or {})
        if "Source" not in properties:
            raise InvalidParameterValueException(f"Config rule {logical_id} in the template has no Source")
        base = properties.get("ConfigRuleName", logical_id)
        properties["ConfigRuleName"] = f"{base}-conformance-pack-{mock_random.get_random_string(8).lower()}"
        if isinstance(properties.get("InputParameters"), dict):
            properties["InputParameters"] = json.dumps(properties["InputParameters"])
        backend.put_config_rule(properties)
        backend.config_rules[properties["ConfigRuleName"]].created_by = _CREATED_BY
        names.append(properties["ConfigRuleName"])
    return names


def _describe_conformance_packs(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    packs = _packs(self).named(params.get("ConformancePackNames"))
    shown, token = _page(packs, params)
    return ActionResult({"ConformancePackDetails": [p.detail(self.current_account) for p in shown], "NextToken": token})


def _describe_conformance_pack_status(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    packs = _packs(self).named(params.get("ConformancePackNames"))
    shown, token = _page(packs, params)
    statuses = [p.status(self.current_account, self.region, self.partition) for p in shown]
    return ActionResult({"ConformancePackStatusDetails": statuses, "NextToken": token})


def _describe_conformance_pack_compliance(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    pack = _packs(self).get(params["ConformancePackName"])
    filters = params.get("Filters") or {}
    rules = []
    for rule_name in _filtered_rules(pack, filters):
        compliance = rule_compliance(store(self.config_backend).results(rule_name))["ComplianceType"]
        if filters.get("ComplianceType") in (None, compliance):
            rules.append({"ConfigRuleName": rule_name, "ComplianceType": compliance, "Controls": []})
    shown, token = _page(rules, params)
    return ActionResult(
        {"ConformancePackName": pack.name, "ConformancePackRuleComplianceList": shown, "NextToken": token}
    )


def _get_conformance_pack_compliance_details(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    pack = _packs(self).get(params["ConformancePackName"])
    filters = params.get("Filters") or {}
    results = [
        evaluation
        for rule_name in _filtered_rules(pack, filters)
        for evaluation in store(self.config_backend).results(rule_name)
        if _evaluation_matches(evaluation, filters)
    ]
    shown, token = _page(results, params, default_limit=100)
    evaluations = [_pack_result(evaluation) for evaluation in shown]
    return ActionResult(
        {"ConformancePackName": pack.name, "ConformancePackRuleEvaluationResults": evaluations, "NextToken": token}
    )


def _get_conformance_pack_compliance_summary(self: ConfigResponse) -> ActionResult:
    params = parsed(self)
    packs = _packs(self).named(params.get("ConformancePackNames"))
    shown, token = _page(packs, params)
    summaries = []
    for pack in shown:
        per_rule = [
            rule_compliance(store(self.config_backend).results(name))["ComplianceType"] for name in pack.rule_names
        ]
        status = next((kind for kind in ("NON_COMPLIANT", "COMPLIANT") if kind in per_rule), "INSUFFICIENT_DATA")
        summaries.append({"ConformancePackName": pack.name, "ConformancePackComplianceStatus": status})
    return ActionResult({"ConformancePackComplianceSummaryList": summaries, "NextToken": token})


def _filtered_rules(pack: ConformancePack, filters: dict[str, Any]) -> list[str]:
    wanted = filters.get("ConfigRuleNames")
    return [name for name in sorted(pack.rule_names) if not wanted or name in wanted]


def _evaluation_matches(evaluation: Evaluation, filters: dict[str, Any]) -> bool:
    return (
        filters.get("ComplianceType") in (None, evaluation.compliance_type)
        and filters.get("ResourceType") in (None, evaluation.resource_type)
        and (not filters.get("ResourceIds") or evaluation.resource_id in filters["ResourceIds"])
    )


def _pack_result(evaluation: Evaluation) -> dict[str, Any]:
    result = evaluation.result()
    return {
        key: result[key]
        for key in ("ComplianceType", "EvaluationResultIdentifier", "ConfigRuleInvokedTime", "ResultRecordedTime")
    } | ({"Annotation": evaluation.annotation} if evaluation.annotation else {})


def _page(items: list[Any], params: dict[str, Any], default_limit: int = 1000) -> tuple[list[Any], str | None]:
    return page(
        items,
        params.get("Limit"),
        params.get("NextToken"),
        default_limit=default_limit,
        invalid_token=InvalidNextTokenException,
    )
