"""KMS checks on customer-managed keys: automatic rotation, scheduled deletion, public key policies.

Keys that AWS manages for a service (KeyManager AWS, or an alias under alias/aws/) are not judged:
their rotation and policy are AWS's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, judged, passed, unknown
from evidence.checks.public_policy import describe, open_statements
from evidence.models import Evidence, Finding
from evidence.registry import check

AWS_ALIAS_PREFIX = "alias/aws/"
PENDING_STATES = ("PendingDeletion", "PendingReplicaDeletion")


def customer_managed(key: dict[str, Any]) -> bool:
    """A key the customer manages: KeyManager CUSTOMER and no AWS-reserved (alias/aws/...) alias."""
    aliased_by_aws = any(a.startswith(AWS_ALIAS_PREFIX) for a in key.get("Aliases", []))
    return key.get("KeyManager") == "CUSTOMER" and not aliased_by_aws


def rotatable(key: dict[str, Any]) -> bool:
    """An enabled symmetric key whose material KMS generated, so automatic rotation applies."""
    return key.get("KeyState") == "Enabled" and key.get("KeySpec") == "SYMMETRIC_DEFAULT" and (
        key.get("Origin") == "AWS_KMS"
    )


def _keys(ev: Evidence) -> Iterator[dict[str, Any]]:
    """Customer-managed keys, and keys whose metadata could not be read (they may be customer keys)."""
    for key in ev.data or []:
        aws_alias = any(a.startswith(AWS_ALIAS_PREFIX) for a in key.get("Aliases", []))
        if "metadata" in key.get("errors", {}):
            if not aws_alias:
                yield key
        elif customer_managed(key):
            yield key


def _unreadable(ev: Evidence, key: dict[str, Any], *fields: str) -> Finding | None:
    for field in ("metadata", *fields):
        code = key.get("errors", {}).get(field)
        if code:
            return unknown(ev, key["KeyArn"], f"The key's {field} could not be read ({code}).")
    return None


@check("kms.cmk_rotation_enabled", needs="kms.keys", severity="medium")
def cmk_rotation_enabled(keys: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every enabled customer-managed symmetric key rotates its key material automatically.

    Keys with imported material or in a custom key store cannot rotate automatically and are not judged.
    """
    for ev in keys:
        for key in _keys(ev):
            gap = _unreadable(ev, key, "rotation")
            if gap:
                yield gap
            elif rotatable(key):
                period = key.get("RotationPeriodInDays")
                yield judged(ev, key["KeyArn"], bool(key.get("KeyRotationEnabled")),
                             "Automatic key rotation is on" + (f" (every {period} days)." if period else "."),
                             "Automatic key rotation is off.")


@check("kms.cmk_not_pending_deletion", needs="kms.keys", severity="medium")
def cmk_not_pending_deletion(keys: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No customer-managed key is scheduled for deletion."""
    for ev in keys:
        for key in _keys(ev):
            gap = _unreadable(ev, key)
            if gap:
                yield gap
            elif key.get("KeyState") in PENDING_STATES:
                yield failed(ev, key["KeyArn"], "The key is scheduled for deletion on "
                             f"{key.get('DeletionDate', 'an unknown date')}; data encrypted under it will be lost.")
            else:
                yield passed(ev, key["KeyArn"], f"The key is not scheduled for deletion (state {key.get('KeyState')}).")


@check("kms.key_policy_not_public", needs="kms.keys", severity="high")
def key_policy_not_public(keys: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No customer-managed key policy lets any principal use the key without a restricting condition."""
    for ev in keys:
        for key in _keys(ev):
            gap = _unreadable(ev, key, "policy")
            if gap:
                yield gap
                continue
            opened = open_statements(key.get("Policy"))
            yield judged(ev, key["KeyArn"], not opened, "The key policy grants nothing to Principal \"*\" "
                         "without a condition restricting the caller.",
                         f"The key policy allows any principal without a restricting condition: {describe(opened)}.")
