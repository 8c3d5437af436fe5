"""KMS checks: each has a key that fails and one that passes; AWS-managed keys are never judged."""

from __future__ import annotations

import json

from helpers import run, snapshot, verdicts

OWNER_ONLY = {"Statement": [{"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                             "Action": "kms:*", "Resource": "*"}]}
EVERYONE = {"Statement": [{"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"},
                           "Action": "kms:Decrypt", "Resource": "*"}]}
ORG_ONLY = {"Statement": [{"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
                           "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}
WILDCARD_ORG = {"Statement": [{"Sid": "AnyOrg", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
                               "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}}}]}


def key(name: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "KeyId": name, "KeyArn": f"arn:aws:kms:eu-west-1:111122223333:key/{name}", "Aliases": [], "errors": {},
        "KeyManager": "CUSTOMER", "KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS",
        "Policy": json.dumps(OWNER_ONLY),
    }
    return {**base, **fields}


def keys(*items: dict[str, object]) -> object:
    return snapshot("kms.keys", list(items), region="eu-west-1")


def arn(name: str) -> str:
    return f"arn:aws:kms:eu-west-1:111122223333:key/{name}"


AWS_MANAGED = key("aws-managed", KeyManager="AWS", KeyRotationEnabled=False, Policy=json.dumps(EVERYONE))
AWS_ALIASED = key("aws-aliased", Aliases=["alias/aws/s3"], KeyRotationEnabled=False)


def test_rotation() -> None:
    result = run("kms.cmk_rotation_enabled", [keys(
        key("rotating", KeyRotationEnabled=True, RotationPeriodInDays=365), key("static", KeyRotationEnabled=False),
        key("asymmetric", KeySpec="RSA_2048"), key("imported", Origin="EXTERNAL"),
        key("disabled", KeyState="Disabled"), key("denied", errors={"rotation": "AccessDeniedException"}),
        AWS_MANAGED, AWS_ALIASED,
    )])
    assert verdicts(result) == {arn("rotating"): "pass", arn("static"): "fail", arn("denied"): "not_evaluated"}
    assert result.findings[0].region == "eu-west-1"
    assert "365 days" in result.findings[0].reason


def test_pending_deletion() -> None:
    result = run("kms.cmk_not_pending_deletion", [keys(
        key("doomed", KeyState="PendingDeletion", DeletionDate="2026-07-07T00:00:00Z"), key("kept"),
        key("unreadable", errors={"metadata": "AccessDeniedException"}),
        key("aws-doomed", Aliases=["alias/aws/ebs"], KeyState="PendingDeletion"),
    )])
    assert verdicts(result) == {arn("doomed"): "fail", arn("kept"): "pass", arn("unreadable"): "not_evaluated"}
    assert "2026-07-07" in result.findings[0].reason


def test_key_policy_not_public() -> None:
    result = run("kms.key_policy_not_public", [keys(
        key("open", Policy=json.dumps(EVERYONE)), key("owner"), key("org", Policy=json.dumps(ORG_ONLY)),
        key("any-org", Policy=json.dumps(WILDCARD_ORG)), key("hidden", errors={"policy": "AccessDeniedException"}),
        AWS_MANAGED,
    )])
    assert verdicts(result) == {arn("open"): "fail", arn("owner"): "pass", arn("org"): "pass",
                                arn("any-org"): "fail", arn("hidden"): "not_evaluated"}
    assert "Everyone" in result.findings[0].reason
