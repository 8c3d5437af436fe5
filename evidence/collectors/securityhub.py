"""Security Hub: whether the hub is on, the standards it runs, and its active critical and high findings."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

NOT_ENABLED = "InvalidAccessException"  # what Security Hub answers in a region where it is off
# Unresolved findings that matter most: active, not yet resolved or suppressed, critical or high.
OPEN_SEVERE = {
    "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}, {"Value": "NOTIFIED", "Comparison": "EQUALS"}],
    "SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}, {"Value": "HIGH", "Comparison": "EQUALS"}],
}


@collector(
    "securityhub.hub",
    service="securityhub",
    actions=("securityhub:DescribeHub", "securityhub:GetEnabledStandards", "securityhub:GetFindings"),
)
def hub(ctx: CollectContext) -> Any:
    """The region's hub (null when Security Hub is off), its enabled standards, and its active critical and
    high findings (failed controls included) that are not resolved or suppressed."""
    client = ctx.client("securityhub")
    try:
        described = client.describe_hub()
    except ClientError as exc:
        if error_code(exc) == NOT_ENABLED:
            return {"hub": None, "standards": [], "findings": [], "errors": {}}
        raise
    described.pop("ResponseMetadata", None)
    data: dict[str, Any] = {"hub": described, "errors": {}}
    reads: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
        ("standards", "GetEnabledStandards", "get_enabled_standards", "StandardsSubscriptions", {}),
        ("findings", "GetFindings", "get_findings", "Findings", {"Filters": OPEN_SEVERE}),
    )
    for field, operation, method, result_key, params in reads:
        try:
            data[field] = paginate(client, method, result_key, **params)
        except ClientError as exc:
            data["errors"][operation] = error_code(exc)
    return data
