"""KMS keys: one well kept, one static and shared with everyone, one scheduled for deletion."""

from __future__ import annotations

import json

from evidence.demo.scenario import ACCOUNT, HOME, Clients, expect, seeder


def _owner_policy() -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "AccountOwner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       "Action": "kms:*", "Resource": "*"}],
    })


def _open_policy() -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AccountOwner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "AnyoneMayDecrypt", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
        ],
    })


@seeder
def seed_kms(aws: Clients) -> None:
    kms = aws("kms", HOME)
    payments = kms.create_key(Description="payments data", Policy=_owner_policy())["KeyMetadata"]
    kms.enable_key_rotation(KeyId=payments["KeyId"])
    kms.create_alias(AliasName="alias/payments", TargetKeyId=payments["KeyId"])
    shared = kms.create_key(Description="partner exchange", Policy=_open_policy())["KeyMetadata"]
    retired = kms.create_key(Description="retired reporting", Policy=_owner_policy())["KeyMetadata"]
    kms.enable_key_rotation(KeyId=retired["KeyId"])
    kms.schedule_key_deletion(KeyId=retired["KeyId"], PendingWindowInDays=7)

    expect("kms.cmk_rotation_enabled", payments["Arn"], "pass")
    expect("kms.cmk_rotation_enabled", shared["Arn"], "fail")
    expect("kms.key_policy_not_public", payments["Arn"], "pass")
    expect("kms.key_policy_not_public", shared["Arn"], "fail")
    expect("kms.cmk_not_pending_deletion", payments["Arn"], "pass")
    expect("kms.cmk_not_pending_deletion", retired["Arn"], "fail")
