"""AWS Systems Manager: managed instances, their patch compliance, and the account's documents' sharing."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, declare, paginate
from evidence.registry import collector

declare("ssm.managed_instances", service="ssm", operation="DescribeInstanceInformation",
        result_key="InstanceInformationList")
declare("ssm.patch_compliance", service="ssm", operation="ListResourceComplianceSummaries",
        result_key="ResourceComplianceSummaryItems",
        params={"Filters": [{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}]})


def _sharing(ctx: CollectContext, document: dict[str, Any]) -> dict[str, Any]:
    document = {**document, "errors": {}}
    try:
        resp = ctx.client("ssm").describe_document_permission(Name=document["Name"], PermissionType="Share")
        document["SharedWith"] = resp.get("AccountIds", [])
    except ClientError as exc:
        document["errors"]["SharedWith"] = error_code(exc)
    return document


@collector("ssm.documents", service="ssm", actions=("ssm:ListDocuments", "ssm:DescribeDocumentPermission"))
def documents(ctx: CollectContext) -> Any:
    """Documents the account owns, each with the accounts it is shared with ("all" means public)."""
    owned = paginate(ctx.client("ssm"), "list_documents", "DocumentIdentifiers",
                     Filters=[{"Key": "Owner", "Values": ["Self"]}])
    return ctx.map(lambda d: _sharing(ctx, d), owned)
