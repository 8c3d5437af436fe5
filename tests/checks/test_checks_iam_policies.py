"""IAM checks on root usage and on what identity policies allow: each has a failing and a passing resource."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import run, snapshot, verdicts

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def root_row(**values: str) -> Any:
    row = {"user": "<root_account>", "arn": ROOT, "password_last_used": "no_information",
           "access_key_1_last_used_date": "N/A", "access_key_2_last_used_date": "N/A", **values}
    return snapshot("iam.credential_report", {"rows": [row]})


def test_root_not_used_recently() -> None:
    # Collected 2026-06-30.
    assert run("iam.root_not_used_recently", [root_row()]).status == "pass"
    assert run("iam.root_not_used_recently", [root_row(password_last_used="2026-01-02T10:00:00+00:00")]).status == "pass"
    used = run("iam.root_not_used_recently", [root_row(password_last_used="2026-06-27T10:00:00+00:00",
                                                       access_key_2_last_used_date="2026-06-01T00:00:00+00:00")])
    assert used.status == "fail"
    assert "password 3 days" in used.findings[0].reason and "access key 2 29 days" in used.findings[0].reason
    assert run("iam.root_not_used_recently", [root_row(password_last_used="2026-06-01T00:00:00+00:00")],
               lookback_days=14).status == "pass"
    assert run("iam.root_not_used_recently", [snapshot("iam.credential_report", {"rows": []})]).status == "fail"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def policy(name: str, document: dict[str, Any], attachments: int = 1) -> dict[str, Any]:
    return {"PolicyName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}", "AttachmentCount": attachments,
            "PolicyVersionList": [{"Document": document, "IsDefaultVersion": True}]}


def details(*policies: dict[str, Any], users: tuple[dict[str, Any], ...] = (),
            roles: tuple[dict[str, Any], ...] = ()) -> Any:
    return snapshot("iam.authorization_details",
                    {"policies": list(policies), "users": list(users), "groups": [], "roles": list(roles)})


def role(name: str, **inline: dict[str, Any]) -> dict[str, Any]:
    return {"RoleName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
            "AttachedManagedPolicies": []}


def arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def test_no_service_wildcard_policies() -> None:
    result = run("iam.no_service_wildcard_policies", [details(
        policy("KmsAll", doc(allow("kms:*", "arn:aws:kms:us-east-1:111122223333:key/abc"))),
        policy("Everything", doc(allow("*"))),
        policy("AllBut", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
        policy("ReadOnly", doc(allow(["s3:Get*", "s3:List*"]))),
        policy("Unused", doc(allow("cloudtrail:*")), attachments=0),
        roles=(role("deployer", inline=doc(allow("lambda:*"))), role("reader", inline=doc(allow("s3:GetObject")))),
    )])
    assert verdicts(result) == {
        arn("KmsAll"): "fail", arn("Everything"): "fail", arn("AllBut"): "fail", arn("ReadOnly"): "pass",
        arn("Unused"): "pass", f"arn:aws:iam::{ACCOUNT}:role/deployer": "fail",
        f"arn:aws:iam::{ACCOUNT}:role/reader": "pass",
    }
    assert "allows kms:*" in next(f.reason for f in result.findings if f.resource == arn("KmsAll"))


def test_kms_decrypt_restricted() -> None:
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    result = run("iam.kms_decrypt_restricted", [details(
        policy("DecryptAll", doc(allow("kms:Decrypt"))),
        policy("KmsStarAllKeys", doc(allow("kms:*", "arn:aws:kms:*:111122223333:key/*"))),
        policy("ReEncryptWild", doc(allow("kms:ReEncrypt*", ["arn:aws:kms:*"]))),
        policy("OneKey", doc(allow("kms:Decrypt", key))),
        policy("ViaS3", doc(allow("kms:Decrypt", Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))),
        policy("Denied", doc(allow("kms:*"), {"Effect": "Deny", "Action": ["kms:Decrypt", "kms:ReEncrypt*"],
                                              "Resource": "*"})),
        policy("EncryptOnly", doc(allow(["kms:Encrypt", "kms:GenerateDataKey"]))),
    )])
    assert verdicts(result) == {
        arn("DecryptAll"): "fail", arn("KmsStarAllKeys"): "fail", arn("ReEncryptWild"): "fail", arn("OneKey"): "pass",
        arn("ViaS3"): "pass", arn("Denied"): "pass", arn("EncryptOnly"): "pass",
    }
    only_decrypt = run("iam.kms_decrypt_restricted", [details(policy("ReEncryptWild", doc(allow("kms:ReEncrypt*"))))],
                       blocked_actions=("kms:Decrypt",))
    assert only_decrypt.status == "pass"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (doc(allow(["iam:PassRole", "ec2:RunInstances"])), "fail"),
        (doc(allow("iam:PassRole", "arn:aws:iam::111122223333:role/app"), allow("ec2:Run*")), "fail"),
        (doc(allow("iam:CreatePolicyVersion")), "fail"),
        (doc(allow("iam:Put*Policy")), "fail"),
        (doc(allow("*")), "fail"),
        (doc(allow("iam:PassRole")), "pass"),
        (doc(allow(["ec2:RunInstances", "ec2:Describe*"])), "pass"),
        (doc(allow(["iam:*"]), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}), "pass"),
        # Self-service credential management, as AWS documents it.
        (doc(allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile"], "arn:aws:iam::*:user/${aws:username}")), "pass"),
        (doc(allow(["iam:CreateAccessKey"], "arn:aws:iam::*:user/*")), "fail"),
    ],
)
def test_no_privilege_escalation_paths(document: dict[str, Any], expected: str) -> None:
    result = run("iam.no_privilege_escalation_paths", [details(policy("P", document))])
    assert verdicts(result) == {arn("P"): expected}


def test_privilege_escalation_reason_and_inline_policies() -> None:
    result = run("iam.no_privilege_escalation_paths", [details(
        roles=(role("ci", deploy=doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))),
               role("ro", read=doc(allow("s3:GetObject")))),
    )])
    assert verdicts(result) == {f"arn:aws:iam::{ACCOUNT}:role/ci": "fail", f"arn:aws:iam::{ACCOUNT}:role/ro": "pass"}
    assert "iam:PassRole with lambda:CreateFunction with lambda:InvokeFunction" in result.findings[0].reason


def test_policies_via_groups_or_roles() -> None:
    def user(name: str, **extra: Any) -> dict[str, Any]:
        return {"UserName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "GroupList": [],
                "UserPolicyList": [], "AttachedManagedPolicies": [], **extra}

    result = run("iam.policies_via_groups_or_roles", [details(users=(
        user("direct", AttachedManagedPolicies=[{"PolicyName": "ReadData", "PolicyArn": arn("ReadData")}]),
        user("inline", UserPolicyList=[{"PolicyName": "mine", "PolicyDocument": doc(allow("s3:GetObject"))}]),
        user("grouped", GroupList=["auditors"]),
    ))])
    assert verdicts(result) == {f"arn:aws:iam::{ACCOUNT}:user/direct": "fail",
                                f"arn:aws:iam::{ACCOUNT}:user/inline": "fail",
                                f"arn:aws:iam::{ACCOUNT}:user/grouped": "pass"}
