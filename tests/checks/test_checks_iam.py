"""IAM checks: each has a resource that fails and one that passes."""

from __future__ import annotations

import json

import pytest
from helpers import run, snapshot, verdicts

ROOT = "arn:aws:iam::111122223333:root"


def summary(**values: int) -> object:
    return snapshot("iam.account_summary", {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, **values})


def report(*rows: dict[str, str]) -> object:
    base = {"password_enabled": "false", "mfa_active": "false", "access_key_1_active": "false",
            "access_key_2_active": "false", "user_creation_time": "2026-06-01T00:00:00+00:00"}
    return snapshot("iam.credential_report", {"rows": [{**base, **r} for r in rows]})


def test_root_mfa() -> None:
    assert run("iam.root_mfa_enabled", [summary(AccountMFAEnabled=1)]).status == "pass"
    assert run("iam.root_mfa_enabled", [summary()]).status == "fail"


def test_root_hardware_mfa() -> None:
    virtual = snapshot("iam.virtual_mfa_devices", [{"SerialNumber": "x", "User": {"Arn": ROOT}}])
    none = snapshot("iam.virtual_mfa_devices", [])
    assert run("iam.root_hardware_mfa_enabled", [summary(AccountMFAEnabled=1), none]).status == "pass"
    assert run("iam.root_hardware_mfa_enabled", [summary(AccountMFAEnabled=1), virtual]).status == "fail"
    assert run("iam.root_hardware_mfa_enabled", [summary(), none]).status == "fail"


def test_root_access_keys() -> None:
    assert run("iam.root_no_access_keys", [summary()]).status == "pass"
    result = run("iam.root_no_access_keys", [summary(AccountAccessKeysPresent=1)])
    assert result.status == "fail" and "1 access key" in result.findings[0].reason


def test_user_mfa() -> None:
    result = run("iam.user_mfa_enabled", [report(
        {"user": "a", "arn": "u/a", "password_enabled": "true", "mfa_active": "true"},
        {"user": "b", "arn": "u/b", "password_enabled": "true", "mfa_active": "false"},
        {"user": "c", "arn": "u/c", "password_enabled": "false"},
        {"user": "<root_account>", "arn": ROOT, "password_enabled": "true"},
    )])
    assert verdicts(result) == {"u/a": "pass", "u/b": "fail"}


def test_access_keys_rotated_with_parameter() -> None:
    rows = report(
        {"user": "old", "arn": "u/old", "access_key_1_active": "true", "access_key_1_last_rotated": "2026-01-01T00:00:00+00:00"},
        {"user": "new", "arn": "u/new", "access_key_2_active": "true", "access_key_2_last_rotated": "2026-06-20T00:00:00+00:00"},
    )
    assert verdicts(run("iam.access_keys_rotated", [rows])) == {"u/old": "fail", "u/new": "pass"}
    assert verdicts(run("iam.access_keys_rotated", [rows], max_age_days=365)) == {"u/old": "pass", "u/new": "pass"}


def test_unused_credentials() -> None:
    rows = report(
        {"user": "idle", "arn": "u/idle", "password_enabled": "true", "password_last_used": "2025-01-01T00:00:00+00:00"},
        {"user": "busy", "arn": "u/busy", "password_enabled": "true", "password_last_used": "2026-06-29T00:00:00+00:00"},
        {"user": "key", "arn": "u/key", "access_key_1_active": "true", "access_key_1_last_used_date": "N/A",
         "access_key_1_last_rotated": "2025-10-01T00:00:00+00:00"},
    )
    assert verdicts(run("iam.unused_credentials_disabled", [rows])) == {
        "u/idle": "fail", "u/busy": "pass", "u/key": "fail"}


@pytest.mark.parametrize(
    ("check", "good", "bad", "params"),
    [
        ("iam.password_policy_min_length", {"MinimumPasswordLength": 14}, {"MinimumPasswordLength": 8}, {}),
        ("iam.password_policy_min_length", {"MinimumPasswordLength": 12}, {"MinimumPasswordLength": 11},
         {"min_length": 12}),
        ("iam.password_policy_complexity",
         {"RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True, "RequireNumbers": True,
          "RequireSymbols": True},
         {"RequireUppercaseCharacters": True}, {}),
        ("iam.password_policy_reuse_prevention", {"PasswordReusePrevention": 24}, {"PasswordReusePrevention": 4}, {}),
        ("iam.password_policy_max_age", {"MaxPasswordAge": 90}, {"MaxPasswordAge": 365}, {}),
    ],
)
def test_password_policy(check: str, good: dict[str, object], bad: dict[str, object], params: dict[str, int]) -> None:
    assert run(check, [snapshot("iam.password_policy", good)], **params).status == "pass"
    assert run(check, [snapshot("iam.password_policy", bad)], **params).status == "fail"
    missing = run(check, [snapshot("iam.password_policy", None)], **params)
    assert missing.status == "fail" and "no IAM password policy" in missing.findings[0].reason


ADMIN = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED = {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}


def test_admin_star_policies() -> None:
    details = snapshot("iam.authorization_details", {
        "policies": [
            {"Arn": "p/admin", "AttachmentCount": 1, "PolicyVersionList": [{"Document": json.dumps(ADMIN)}]},
            {"Arn": "p/unused-admin", "AttachmentCount": 0, "PolicyVersionList": [{"Document": ADMIN}]},
            {"Arn": "p/scoped", "AttachmentCount": 3, "PolicyVersionList": [{"Document": SCOPED}]},
        ],
        "users": [{"Arn": "u/inline", "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": ADMIN}]}],
        "groups": [],
        "roles": [
            {"Arn": "r/managed-admin", "AttachedManagedPolicies": [
                {"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
            {"Arn": "r/break-glass", "AttachedManagedPolicies": [
                {"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
        ],
    })
    result = run("iam.no_admin_star_policies", [details], allowed_principals=["r/break-glass"])
    assert verdicts(result) == {
        "p/admin": "fail", "p/unused-admin": "pass", "p/scoped": "pass", "u/inline": "fail",
        "r/managed-admin": "fail", "r/break-glass": "pass",
    }


def test_missing_evidence_is_not_evaluated_never_pass() -> None:
    result = run("iam.root_mfa_enabled", [])
    assert result.status == "not_evaluated"
    assert result.gaps[0].code == "NotCollected"
