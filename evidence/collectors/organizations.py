"""AWS Organizations: the organisation, and from its management account the tree and its SCPs."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import Scope, collector

SCP = "SERVICE_CONTROL_POLICY"


def _tree(ctx: CollectContext) -> dict[str, list[dict[str, Any]]]:
    """Roots, organisational units and accounts, each with the id of its parent."""
    org = ctx.client("organizations")
    roots = paginate(org, "list_roots", "Roots")
    units: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    parents = [r["Id"] for r in roots]
    while parents:
        children = ctx.map(
            lambda p: (
                p,
                paginate(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=p),
                paginate(org, "list_accounts_for_parent", "Accounts", ParentId=p),
            ),
            parents,
        )
        parents = []
        for parent, ous, accts in children:
            units.extend({**ou, "ParentId": parent} for ou in ous)
            accounts.extend({**a, "ParentId": parent} for a in accts)
            parents.extend(ou["Id"] for ou in ous)
    return {"roots": roots, "organizational_units": units, "accounts": accounts}


def _policy(ctx: CollectContext, summary: dict[str, Any]) -> dict[str, Any]:
    org = ctx.client("organizations")
    policy: dict[str, Any] = {**summary, "errors": {}}
    try:
        policy["Content"] = org.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
    except ClientError as exc:
        policy["errors"]["DescribePolicy"] = error_code(exc)
    try:
        targets = paginate(org, "list_targets_for_policy", "Targets", PolicyId=summary["Id"])
        policy["Targets"] = targets
    except ClientError as exc:
        policy["errors"]["ListTargetsForPolicy"] = error_code(exc)
    return policy


@collector(
    "organizations.organization",
    service="organizations",
    actions=(
        "organizations:DescribeOrganization",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccountsForParent",
        "organizations:ListPolicies",
        "organizations:DescribePolicy",
        "organizations:ListTargetsForPolicy",
    ),
    scope=Scope.GLOBAL,
)
def organization(ctx: CollectContext) -> Any:
    """The organisation the account belongs to; from the management account, its accounts and SCPs.

    `organization` is null when the account is in no organisation. Only the management account
    can list the tree and the service control policies, so a member account records just the
    organisation.
    """
    try:
        org = ctx.client("organizations").describe_organization()["Organization"]
    except ClientError as exc:
        if error_code(exc) == "AWSOrganizationsNotInUseException":
            return {"organization": None, "is_management_account": False}
        raise
    if org.get("MasterAccountId") != ctx.account_id:
        return {"organization": org, "is_management_account": False}
    summaries = paginate(ctx.client("organizations"), "list_policies", "Policies", Filter=SCP)
    policies = ctx.map(lambda s: _policy(ctx, s), sorted(summaries, key=lambda s: s["Id"]))
    return {"organization": org, "is_management_account": True, **_tree(ctx), "service_control_policies": policies}
