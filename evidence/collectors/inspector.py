"""Amazon Inspector: which resource types the account has Inspector scanning, per region."""

from __future__ import annotations

from typing import Any

from evidence.collect import CollectContext
from evidence.registry import collector


@collector("inspector2.account_status", service="inspector2", actions=("inspector2:BatchGetAccountStatus",))
def account_status(ctx: CollectContext) -> Any:
    """Inspector's state for the account in the region, and per resource type (EC2, ECR, Lambda)."""
    resp = ctx.client("inspector2").batch_get_account_status(accountIds=[ctx.account_id])
    return {"accounts": resp.get("accounts", []), "failedAccounts": resp.get("failedAccounts", [])}
