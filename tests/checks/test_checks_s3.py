"""S3 checks: each has a bucket that fails and one that passes."""

from __future__ import annotations

import json

from helpers import run, snapshot, verdicts

PAB_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def buckets(*items: dict[str, object]) -> object:
    return snapshot("s3.buckets", [{"errors": {}, "Region": "eu-west-1", **i} for i in items])


def account_pab(config: dict[str, bool] | None) -> object:
    return snapshot("s3.account_public_access_block", config)


def test_default_encryption() -> None:
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
    result = run("s3.bucket_default_encryption", [buckets(
        {"Name": "good", "encryption": kms}, {"Name": "bad", "encryption": None},
        {"Name": "denied", "errors": {"encryption": "AccessDenied"}},
    )])
    assert verdicts(result) == {"arn:aws:s3:::good": "pass", "arn:aws:s3:::bad": "fail",
                                "arn:aws:s3:::denied": "not_evaluated"}
    assert result.findings[0].region == "eu-west-1"


def test_account_public_access_block() -> None:
    assert run("s3.account_public_access_block", [account_pab(PAB_ON)]).status == "pass"
    assert run("s3.account_public_access_block", [account_pab({**PAB_ON, "IgnorePublicAcls": False})]).status == "fail"
    assert run("s3.account_public_access_block", [account_pab(None)]).status == "fail"


def test_bucket_not_public() -> None:
    public_acl = {"Grants": [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                              "Permission": "READ"}]}
    result = run("s3.bucket_not_public", [buckets(
        {"Name": "acl", "acl": public_acl, "policy_status": None},
        {"Name": "policy", "acl": {"Grants": []}, "policy_status": {"IsPublic": True}},
        {"Name": "private", "acl": {"Grants": []}, "policy_status": {"IsPublic": False}},
        {"Name": "blocked", "acl": public_acl, "public_access_block": PAB_ON},
    ), account_pab(None)])
    assert verdicts(result) == {"arn:aws:s3:::acl": "fail", "arn:aws:s3:::policy": "fail",
                                "arn:aws:s3:::private": "pass", "arn:aws:s3:::blocked": "pass"}
    # The account-level block makes a public ACL harmless.
    covered = run("s3.bucket_not_public", [buckets({"Name": "acl", "acl": public_acl}), account_pab(PAB_ON)])
    assert covered.status == "pass"


def test_secure_transport() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    allow_only = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    result = run("s3.bucket_secure_transport", [buckets(
        {"Name": "tls", "policy": json.dumps(deny)}, {"Name": "open", "policy": json.dumps(allow_only)},
        {"Name": "none", "policy": None},
    )])
    assert verdicts(result) == {"arn:aws:s3:::tls": "pass", "arn:aws:s3:::open": "fail", "arn:aws:s3:::none": "fail"}


def test_versioning_and_logging() -> None:
    snap = buckets({"Name": "good", "versioning": {"Status": "Enabled"}, "logging": {"TargetBucket": "logs"}},
                   {"Name": "bad", "versioning": {"Status": "Suspended"}, "logging": None})
    assert verdicts(run("s3.bucket_versioning_enabled", [snap])) == {"arn:aws:s3:::good": "pass",
                                                                     "arn:aws:s3:::bad": "fail"}
    assert verdicts(run("s3.bucket_access_logging", [snap])) == {"arn:aws:s3:::good": "pass",
                                                                 "arn:aws:s3:::bad": "fail"}
