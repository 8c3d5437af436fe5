"""IAM: credential report, account summary, password policy, MFA devices, authorisation details."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from evidence.collect import CollectContext, declare, paginate
from evidence.registry import Scope, collector

declare(
    "iam.password_policy",
    service="iam",
    operation="GetAccountPasswordPolicy",
    result_key="PasswordPolicy",
    scope=Scope.GLOBAL,
    absent=("NoSuchEntity",),
)
declare(
    "iam.virtual_mfa_devices",
    service="iam",
    operation="ListVirtualMFADevices",
    result_key="VirtualMFADevices",
    scope=Scope.GLOBAL,
)


@collector("iam.account_summary", service="iam", actions=("iam:GetAccountSummary",), scope=Scope.GLOBAL)
def account_summary(ctx: CollectContext) -> Any:
    """Account-level IAM counters (root MFA, root access keys)."""
    return ctx.client("iam").get_account_summary()["SummaryMap"]


@collector(
    "iam.credential_report",
    service="iam",
    actions=("iam:GenerateCredentialReport", "iam:GetCredentialReport"),
    scope=Scope.GLOBAL,
)
def credential_report(ctx: CollectContext) -> Any:
    """The IAM credential report: one row per user and the root user, parsed from its CSV."""
    iam = ctx.client("iam")
    deadline = time.monotonic() + 120
    while iam.generate_credential_report()["State"] != "COMPLETE":
        if time.monotonic() > deadline:
            raise TimeoutError("the credential report was not ready within 120 s")
        time.sleep(2)
    resp = iam.get_credential_report()
    content = resp["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return {"generated_at": resp.get("GeneratedTime"), "rows": list(csv.DictReader(io.StringIO(text)))}


@collector(
    "iam.authorization_details",
    service="iam",
    actions=("iam:GetAccountAuthorizationDetails",),
    scope=Scope.GLOBAL,
)
def authorization_details(ctx: CollectContext) -> Any:
    """Users, groups, roles with their inline and attached policies; customer policies' default versions."""
    iam = ctx.client("iam")
    out: dict[str, list[Any]] = {"users": [], "groups": [], "roles": [], "policies": []}
    pages = iam.get_paginator("get_account_authorization_details").paginate(
        Filter=["User", "Role", "Group", "LocalManagedPolicy"]
    )
    for page in pages:
        out["users"].extend(page.get("UserDetailList", []))
        out["groups"].extend(page.get("GroupDetailList", []))
        out["roles"].extend(page.get("RoleDetailList", []))
        for policy in page.get("Policies", []):
            versions = [v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")]
            out["policies"].append({**policy, "PolicyVersionList": versions})
    return out


@collector("iam.users", service="iam", actions=("iam:ListUsers",), scope=Scope.GLOBAL)
def users(ctx: CollectContext) -> Any:
    """IAM users."""
    return paginate(ctx.client("iam"), "list_users", "Users")
