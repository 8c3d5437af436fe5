"""IAM: recent root sign-in, and policies with service wildcards, KMS decryption and escalation paths.

A CI role holds "kms:*" on every key; a deployer user holds iam:PassRole with ec2:RunInstances,
attached to the user directly; auditors get decryption of one key through their group.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evidence.demo.scenario import (
    ACCOUNT,
    HOME,
    MEMBERS,
    Clients,
    account_arn,
    expect,
    organization_seeder,
    seeder,
)

APP_KEY = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/0b1e5f3c-8a4d-4c2b-9f6e-2d7a1c3b5e90"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


@seeder
def seed_iam_policies(aws: Clients) -> None:
    aws.emulator.set_root_password_last_used(ACCOUNT, datetime.now(UTC) - timedelta(days=3))
    expect("iam.root_not_used_recently", account_arn(), "fail")

    iam = aws("iam")
    kms_all = iam.create_policy(PolicyName="KmsEverything", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))["Policy"]["Arn"]
    decrypt_one = iam.create_policy(PolicyName="DecryptAppKey", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": APP_KEY}))["Policy"]["Arn"]
    deploy = iam.create_policy(PolicyName="LaunchWithAnyRole", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances", "ec2:Describe*"],
         "Resource": "*"}))["Policy"]["Arn"]
    trust = _doc({"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="ci-pipeline", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="ci-pipeline", PolicyArn=kms_all)
    iam.create_group(GroupName="auditors")
    iam.attach_group_policy(GroupName="auditors", PolicyArn=decrypt_one)
    iam.create_user(UserName="dave")
    iam.attach_user_policy(UserName="dave", PolicyArn=deploy)
    iam.create_user(UserName="erin")
    iam.add_user_to_group(GroupName="auditors", UserName="erin")

    expect("iam.no_service_wildcard_policies", kms_all, "fail")
    expect("iam.no_service_wildcard_policies", decrypt_one, "pass")
    expect("iam.kms_decrypt_restricted", kms_all, "fail")
    expect("iam.kms_decrypt_restricted", decrypt_one, "pass")
    expect("iam.no_privilege_escalation_paths", deploy, "fail")
    expect("iam.no_privilege_escalation_paths", decrypt_one, "pass")
    expect("iam.policies_via_groups_or_roles", _arn("user", "dave"), "fail")
    expect("iam.policies_via_groups_or_roles", _arn("user", "erin"), "pass")


@organization_seeder
def expect_member_root_unused(aws: Clients) -> None:
    # Nobody has signed in as the production account's root user.
    expect("iam.root_not_used_recently", account_arn(MEMBERS["production"]), "pass")
