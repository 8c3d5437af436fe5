"""S3: every bucket with its encryption, public access, policy, ACL, versioning, logging and lifecycle."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext
from evidence.registry import Scope, collector

# (boto3 method, result key, error codes meaning "not configured")
BUCKET_READS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    ("encryption", "get_bucket_encryption", "ServerSideEncryptionConfiguration",
     ("ServerSideEncryptionConfigurationNotFoundError",)),
    ("public_access_block", "get_public_access_block", "PublicAccessBlockConfiguration",
     ("NoSuchPublicAccessBlockConfiguration",)),
    ("policy", "get_bucket_policy", "Policy", ("NoSuchBucketPolicy",)),
    ("policy_status", "get_bucket_policy_status", "PolicyStatus", ("NoSuchBucketPolicy",)),
    ("acl", "get_bucket_acl", None, ()),
    ("versioning", "get_bucket_versioning", None, ()),
    ("logging", "get_bucket_logging", "LoggingEnabled", ()),
    ("lifecycle", "get_bucket_lifecycle_configuration", "Rules", ("NoSuchLifecycleConfiguration",)),
)

ACTIONS = (
    "s3:ListAllMyBuckets",
    "s3:GetBucketLocation",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketAcl",
    "s3:GetBucketVersioning",
    "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration",
)


def _bucket(ctx: CollectContext, name: str) -> dict[str, Any]:
    s3 = ctx.client("s3")
    bucket: dict[str, Any] = {"Name": name, "errors": {}}
    try:
        region = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
    except ClientError as exc:
        bucket["errors"]["GetBucketLocation"] = error_code(exc)
        region = ctx.region
    bucket["Region"] = "eu-west-1" if region == "EU" else region
    client = ctx.client("s3", bucket["Region"])
    for field, method, result_key, absent in BUCKET_READS:
        try:
            resp = getattr(client, method)(Bucket=name)
        except ClientError as exc:
            code = error_code(exc)
            if code in absent:
                bucket[field] = None
            else:
                bucket["errors"][field] = code
            continue
        resp.pop("ResponseMetadata", None)
        bucket[field] = resp.get(result_key) if result_key else resp
    return bucket


@collector("s3.buckets", service="s3", actions=ACTIONS, scope=Scope.GLOBAL)
def buckets(ctx: CollectContext) -> Any:
    """Every bucket of the account with its security configuration."""
    names = [b["Name"] for b in ctx.client("s3").list_buckets().get("Buckets", [])]
    return ctx.map(lambda n: _bucket(ctx, n), names)


@collector(
    "s3.account_public_access_block",
    service="s3control",
    actions=("s3:GetAccountPublicAccessBlock",),
    scope=Scope.GLOBAL,
)
def account_public_access_block(ctx: CollectContext) -> Any:
    """The account-level S3 Block Public Access settings (null when never configured)."""
    try:
        resp = ctx.client("s3control").get_public_access_block(AccountId=ctx.account_id)
    except ClientError as exc:
        if error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return None
        raise
    return resp["PublicAccessBlockConfiguration"]



