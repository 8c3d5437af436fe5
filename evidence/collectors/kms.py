"""KMS: every key of the region with its metadata and aliases; customer keys with policy and rotation."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.checks.kms import customer_managed, rotatable
from evidence.collect import CollectContext, paginate
from evidence.registry import collector


def _key(ctx: CollectContext, listed: dict[str, Any], aliases: list[str]) -> dict[str, Any]:
    kms = ctx.client("kms")
    key: dict[str, Any] = {"KeyId": listed["KeyId"], "KeyArn": listed["KeyArn"], "Aliases": aliases, "errors": {}}
    try:
        key.update(kms.describe_key(KeyId=listed["KeyId"])["KeyMetadata"])
    except ClientError as exc:
        key["errors"]["metadata"] = error_code(exc)
        return key
    if not customer_managed(key):
        return key
    try:
        key["Policy"] = kms.get_key_policy(KeyId=listed["KeyId"], PolicyName="default")["Policy"]
    except ClientError as exc:
        key["errors"]["policy"] = error_code(exc)
    if rotatable(key):
        try:
            status = kms.get_key_rotation_status(KeyId=listed["KeyId"])
            key["KeyRotationEnabled"] = bool(status.get("KeyRotationEnabled"))
            key["RotationPeriodInDays"] = status.get("RotationPeriodInDays")
        except ClientError as exc:
            key["errors"]["rotation"] = error_code(exc)
    return key


@collector(
    "kms.keys",
    service="kms",
    actions=("kms:ListKeys", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus"),
)
def keys(ctx: CollectContext) -> Any:
    """Every KMS key of the region; customer-managed keys also carry their key policy and rotation."""
    kms = ctx.client("kms")
    listed = paginate(kms, "list_keys", "Keys")
    by_key: dict[str, list[str]] = defaultdict(list)
    for alias in paginate(kms, "list_aliases", "Aliases"):
        if alias.get("TargetKeyId"):
            by_key[alias["TargetKeyId"]].append(alias["AliasName"])
    return ctx.map(lambda k: _key(ctx, k, sorted(by_key.get(k["KeyId"], []))), listed)
