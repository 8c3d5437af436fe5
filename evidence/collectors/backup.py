"""AWS Backup: plans with their rules and resource assignments, protected resources, vaults."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, declare, paginate
from evidence.registry import collector


def _selection(ctx: CollectContext, plan_id: str, listed: dict[str, Any]) -> dict[str, Any]:
    selection = {"SelectionId": listed["SelectionId"], "SelectionName": listed.get("SelectionName"), "errors": {}}
    try:
        resp = ctx.client("backup").get_backup_selection(BackupPlanId=plan_id, SelectionId=listed["SelectionId"])
        selection["BackupSelection"] = resp["BackupSelection"]
    except ClientError as exc:
        selection["errors"]["selection"] = error_code(exc)
    return selection


def _plan(ctx: CollectContext, listed: dict[str, Any]) -> dict[str, Any]:
    client = ctx.client("backup")
    plan_id = listed["BackupPlanId"]
    plan: dict[str, Any] = {**listed, "errors": {}}
    try:
        plan["BackupPlan"] = client.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]
    except ClientError as exc:
        plan["errors"]["plan"] = error_code(exc)
    try:
        selections = paginate(client, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id)
    except ClientError as exc:
        plan["errors"]["selections"] = error_code(exc)
        return plan
    plan["Selections"] = [_selection(ctx, plan_id, s) for s in selections]
    return plan


@collector(
    "backup.plans",
    service="backup",
    actions=("backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListBackupSelections",
             "backup:GetBackupSelection"),
)
def plans(ctx: CollectContext) -> Any:
    """Every backup plan of the region with its rules and the resources it assigns."""
    listed = paginate(ctx.client("backup"), "list_backup_plans", "BackupPlansList")
    return ctx.map(lambda p: _plan(ctx, p), listed)


declare("backup.protected_resources", service="backup", operation="ListProtectedResources", result_key="Results")


def _vault(ctx: CollectContext, vault: dict[str, Any]) -> dict[str, Any]:
    vault = {**vault, "Policy": None, "errors": {}}
    try:
        vault["Policy"] = ctx.client("backup").get_backup_vault_access_policy(
            BackupVaultName=vault["BackupVaultName"])["Policy"]
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":  # the vault has no access policy
            vault["errors"]["policy"] = error_code(exc)
    return vault


@collector("backup.vaults", service="backup",
           actions=("backup:ListBackupVaults", "backup:GetBackupVaultAccessPolicy"))
def vaults(ctx: CollectContext) -> Any:
    """Every backup vault of the region with its Vault Lock state and access policy."""
    listed = paginate(ctx.client("backup"), "list_backup_vaults", "BackupVaultList")
    return ctx.map(lambda v: _vault(ctx, v), listed)
