"""Systems Manager: managed instances and a compliance store.

DescribeInstanceInformation lists the EC2 instances of the same account and region that have an
IAM instance profile, standing in for the SSM Agent, which registers an instance once it has
credentials: running instances are Online, stopped ones ConnectionLost.

PutComplianceItems stores the items reported for a resource and compliance type (the latest
upload replaces the earlier one), and ListResourceComplianceSummaries summarises them as AWS
does: NON_COMPLIANT if any item is, with the highest severity among those items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.ssm.responses import SimpleSystemManagerResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed, utc
from evidence.demo.patches._state import attached

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED")
PING_STATUS = {"running": "Online", "stopped": "ConnectionLost", "stopping": "ConnectionLost"}
AGENT_VERSION = "3.3.1142.0"


class InvalidNextToken(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("InvalidNextToken", "The specified token is not valid.")


class InvalidFilter(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidFilter", message)


@dataclass(frozen=True)
class Upload:
    resource_type: str
    execution: dict[str, Any]
    items: tuple[dict[str, Any], ...]


@dataclass
class ComplianceStore:
    """The latest upload per (resource id, compliance type), for one account and region."""

    uploads: dict[tuple[str, str], Upload] = field(default_factory=dict)


def apply() -> None:
    install(SimpleSystemManagerResponse, "describe_instance_information", _describe_instance_information)
    install(SimpleSystemManagerResponse, "put_compliance_items", _put_compliance_items)
    install(SimpleSystemManagerResponse, "list_resource_compliance_summaries", _list_resource_compliance_summaries)


def _describe_instance_information(self: SimpleSystemManagerResponse) -> ActionResult:
    params = parsed(self)
    ec2 = ec2_backends[self.current_account][self.region]
    profiled = set(ec2.iam_instance_profile_associations)
    listed = [
        _information(i) for i in sorted(ec2.all_instances(), key=lambda i: i.id)
        if i.id in profiled and i.state in PING_STATUS
    ]
    shown, token = page(listed, params.get("MaxResults"), params.get("NextToken"), default_limit=50,
                        invalid_token=InvalidNextToken)
    return ActionResult({"InstanceInformationList": shown, "NextToken": token})


def _information(instance: Any) -> dict[str, Any]:
    return {
        "InstanceId": instance.id,
        "PingStatus": PING_STATUS[instance.state],
        "LastPingDateTime": datetime.now(UTC),
        "AgentVersion": AGENT_VERSION,
        "IsLatestVersion": True,
        "PlatformType": "Windows" if instance.platform == "windows" else "Linux",
        "ResourceType": "EC2Instance",
        "IPAddress": instance.private_ip,
        "ComputerName": instance.private_dns_name,
        "SourceId": instance.id,
        "SourceType": "AWS::EC2::Instance",
    }


def _put_compliance_items(self: SimpleSystemManagerResponse) -> ActionResult:
    params = parsed(self)
    execution = dict(params["ExecutionSummary"])
    execution["ExecutionTime"] = utc(execution["ExecutionTime"])
    store = attached(self.ssm_backend, ComplianceStore)
    store.uploads[(params["ResourceId"], params["ComplianceType"])] = Upload(
        resource_type=params["ResourceType"], execution=execution, items=tuple(params.get("Items", []))
    )
    return ActionResult({})


def _summary(resource_id: str, compliance_type: str, upload: Upload) -> dict[str, Any]:
    def counts(status: str) -> dict[str, int]:
        found = [i for i in upload.items if i.get("Status") == status]
        return {f"{s.title()}Count": sum(1 for i in found if i.get("Severity", "UNSPECIFIED") == s)
                for s in SEVERITIES}

    bad = [i.get("Severity", "UNSPECIFIED") for i in upload.items if i.get("Status") == "NON_COMPLIANT"]
    good = sum(1 for i in upload.items if i.get("Status") == "COMPLIANT")
    return {
        "ComplianceType": compliance_type,
        "ResourceType": upload.resource_type,
        "ResourceId": resource_id,
        "Status": "NON_COMPLIANT" if bad else "COMPLIANT",
        "OverallSeverity": min(bad, key=SEVERITIES.index) if bad else "UNSPECIFIED",
        "ExecutionSummary": upload.execution,
        "CompliantSummary": {"CompliantCount": good, "SeveritySummary": counts("COMPLIANT")},
        "NonCompliantSummary": {"NonCompliantCount": len(bad), "SeveritySummary": counts("NON_COMPLIANT")},
    }


def _matches(summary: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for f in filters:
        key, values, kind = f["Key"], f.get("Values", []), f.get("Type", "EQUAL")
        if key not in summary:
            raise InvalidFilter(f"The emulator does not filter compliance summaries by {key}")
        if kind not in ("EQUAL", "NOT_EQUAL"):
            raise InvalidFilter(f"The emulator does not support the {kind} filter type")
        if (summary[key] in values) != (kind == "EQUAL"):
            return False
    return True


def _list_resource_compliance_summaries(self: SimpleSystemManagerResponse) -> ActionResult:
    params = parsed(self)
    store = attached(self.ssm_backend, ComplianceStore)
    summaries = [_summary(rid, ctype, up) for (rid, ctype), up in sorted(store.uploads.items())]
    chosen = [s for s in summaries if _matches(s, params.get("Filters") or [])]
    shown, token = page(chosen, params.get("MaxResults"), params.get("NextToken"), default_limit=50,
                        invalid_token=InvalidNextToken)
    return ActionResult({"ResourceComplianceSummaryItems": shown, "NextToken": token})
