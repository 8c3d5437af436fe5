"""GuardDuty findings: CreateSampleFindings, ListFindings and GetFindings, stored per detector.

Findings are kept in the GuardDuty ``Finding`` shape. ListFindings understands the
FindingCriteria conditions on any attribute path (``severity``, ``type``,
``service.archived``, ``resource.instanceDetails.instanceId``, ...), SortCriteria and
MaxResults/NextToken paging.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.guardduty import urls
from moto.guardduty.models import GuardDutyBackend, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.moto_api._internal import mock_random

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed
from evidence.demo.patches._state import attached

_ROUTES = {
    "{0}/detector/(?P<detector_id>[^/]+)/findings$": GuardDutyResponse.dispatch,
    "{0}/detector/(?P<detector_id>[^/]+)/findings/create$": GuardDutyResponse.dispatch,
    "{0}/detector/(?P<detector_id>[^/]+)/findings/get$": GuardDutyResponse.dispatch,
}
# Severity AWS gives the sample findings of a few common types; other types get 5.0 (medium).
_SAMPLE_SEVERITY = {
    "Backdoor:EC2/C&CActivity.B!DNS": 8.0,
    "CryptoCurrency:EC2/BitcoinTool.B!DNS": 8.0,
    "Recon:EC2/PortProbeUnprotectedPort": 2.0,
    "UnauthorizedAccess:EC2/SSHBruteForce": 2.0,
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": 8.0,
}
_SAMPLE_RESOURCE = {"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-99999999"}}


class BadRequestException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)


@dataclass
class Findings:
    by_detector: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def of(self, detector_id: str) -> dict[str, dict[str, Any]]:
        return self.by_detector.setdefault(detector_id, {})


def add_finding(
    backend: GuardDutyBackend,
    detector_id: str,
    *,
    severity: float,
    finding_type: str,
    resource: Mapping[str, Any],
    title: str | None = None,
    archived: bool = False,
    sample: bool = False,
) -> str:
    backend.get_detector(detector_id)  # DetectorNotFoundException if it does not exist
    finding_id = mock_random.get_random_hex(32)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    partition, region, account = backend.partition, backend.region_name, backend.account_id
    service: dict[str, Any] = {
        "ServiceName": "guardduty",
        "DetectorId": detector_id,
        "Archived": archived,
        "Count": 1,
        "EventFirstSeen": now,
        "EventLastSeen": now,
        "ResourceRole": "TARGET",
    }
    if sample:
        service["AdditionalInfo"] = {"Value": '{"sample":true}', "Type": "default"}
    attached(backend, Findings).of(detector_id)[finding_id] = {
        "AccountId": account,
        "Arn": f"arn:{partition}:guardduty:{region}:{account}:detector/{detector_id}/finding/{finding_id}",
        "Confidence": severity,
        "CreatedAt": now,
        "Description": title or finding_type,
        "Id": finding_id,
        "Partition": partition,
        "Region": region,
        "Resource": dict(resource),
        "SchemaVersion": "2.0",
        "Service": service,
        "Severity": severity,
        "Title": title or finding_type,
        "Type": finding_type,
        "UpdatedAt": now,
    }
    return finding_id


def put_guardduty_finding(
    account_id: str,
    region: str,
    detector_id: str,
    *,
    severity: float,
    finding_type: str,
    resource: Mapping[str, Any],
    title: str | None = None,
    archived: bool = False,
) -> str:
    backend = guardduty_backends[account_id][region]
    return add_finding(
        backend,
        detector_id,
        severity=severity,
        finding_type=finding_type,
        resource=resource,
        title=title,
        archived=archived,
    )


def apply() -> None:
    for pattern, handler in _ROUTES.items():
        urls.url_paths.setdefault(pattern, handler)
    install(GuardDutyResponse, "create_sample_findings", _create_sample_findings)
    install(GuardDutyResponse, "list_findings", _list_findings)
    install(GuardDutyResponse, "get_findings", _get_findings)


def _create_sample_findings(self: GuardDutyResponse) -> ActionResult:
    params = parsed(self)
    for finding_type in params.get("FindingTypes") or sorted(_SAMPLE_SEVERITY):
        add_finding(
            self.guardduty_backend,
            params["DetectorId"],
            severity=_SAMPLE_SEVERITY.get(finding_type, 5.0),
            finding_type=finding_type,
            resource=_SAMPLE_RESOURCE,
            sample=True,
        )
    return ActionResult({})


def _list_findings(self: GuardDutyResponse) -> ActionResult:
    params = parsed(self)
    findings = _detector_findings(self, params["DetectorId"])
    criteria = (params.get("FindingCriteria") or {}).get("Criterion") or {}
    matching = [f for f in findings.values() if all(_meets(f, path, c) for path, c in criteria.items())]
    ordered = _sorted(matching, params.get("SortCriteria"))
    shown, token = page(
        [f["Id"] for f in ordered],
        params.get("MaxResults"),
        params.get("NextToken"),
        default_limit=50,
        invalid_token=lambda: BadRequestException("The request is rejected because the nextToken is invalid."),
    )
    return ActionResult({"FindingIds": shown, "NextToken": token})


def _get_findings(self: GuardDutyResponse) -> ActionResult:
    params = parsed(self)
    findings = _detector_findings(self, params["DetectorId"])
    found = [findings[i] for i in params.get("FindingIds", []) if i in findings]
    return ActionResult({"Findings": _sorted(found, params.get("SortCriteria"))})


def _detector_findings(self: GuardDutyResponse, detector_id: str) -> dict[str, dict[str, Any]]:
    self.guardduty_backend.get_detector(detector_id)
    return attached(self.guardduty_backend, Findings).of(detector_id)


def _value(finding: Mapping[str, Any], path: str) -> Any:
    """The attribute at a criterion path such as ``service.archived``, matching names case-blind."""
    value: Any = finding
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
    return value


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _number(value: Any) -> float:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
    return float(value)


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "Gt": operator.gt,
    "GreaterThan": operator.gt,
    "Gte": operator.ge,
    "GreaterThanOrEqual": operator.ge,
    "Lt": operator.lt,
    "LessThan": operator.lt,
    "Lte": operator.le,
    "LessThanOrEqual": operator.le,
}


def _meets(finding: Mapping[str, Any], path: str, condition: Mapping[str, Any]) -> bool:
    value = _value(finding, path)
    for name, operand in condition.items():
        if name in ("Eq", "Equals"):
            met = _text(value) in operand
        elif name in ("Neq", "NotEquals"):
            met = _text(value) not in operand
        elif name in _COMPARISONS:
            met = value is not None and _COMPARISONS[name](_number(value), float(operand))
        else:
            raise BadRequestException(f"The emulator does not support the {name} condition")
        if not met:
            return False
    return True


def _sorted(findings: list[dict[str, Any]], sort: Mapping[str, str] | None) -> list[dict[str, Any]]:
    if not sort or not sort.get("AttributeName"):
        return sorted(findings, key=lambda f: (f["CreatedAt"], f["Id"]))
    name = sort["AttributeName"]
    return sorted(
        findings,
        key=lambda f: (_value(f, name) is None, _value(f, name) or 0, f["Id"]),
        reverse=sort.get("OrderBy") == "DESC",
    )
