"""S3 checks: encryption, public access, TLS-only policies, versioning, access logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import account_arn, failed, judged, passed, unknown
from evidence.checks.policy import as_list, principal_is_public, statements
from evidence.models import Evidence, Finding
from evidence.registry import check

PAB_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
ENCRYPTION_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


def bucket_arn(bucket: dict[str, Any]) -> str:
    return f"arn:aws:s3:::{bucket['Name']}"


def _buckets(ev: Evidence) -> Iterator[dict[str, Any]]:
    yield from ev.data or []


def _missing(bucket: dict[str, Any], *fields: str) -> list[str]:
    return [f for f in fields if f in bucket.get("errors", {})]


@check("s3.bucket_default_encryption", needs="s3.buckets", severity="high")
def bucket_default_encryption(buckets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every bucket encrypts new objects by default (SSE-S3, SSE-KMS or DSSE-KMS)."""
    for ev in buckets:
        for b in _buckets(ev):
            if _missing(b, "encryption"):
                yield unknown(ev, bucket_arn(b), "Encryption settings could not be read "
                              f"({b['errors']['encryption']}).", region=b.get("Region"))
                continue
            rules = (b.get("encryption") or {}).get("Rules", [])
            algos = [r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules]
            ok = any(a in ENCRYPTION_ALGORITHMS for a in algos)
            yield judged(ev, bucket_arn(b), ok, f"Default encryption is {', '.join(str(a) for a in algos)}.",
                         "The bucket has no default encryption.", region=b.get("Region"))


@check("s3.account_public_access_block", needs="s3.account_public_access_block", severity="high")
def account_public_access_block(settings: tuple[Evidence, ...]) -> Iterator[Finding]:
    """All four S3 Block Public Access settings are on for the account."""
    for ev in settings:
        config = ev.data or {}
        off = [f for f in PAB_FIELDS if not config.get(f)]
        yield judged(ev, account_arn(ev), not off, "Account-level Block Public Access is fully on.",
                     "Account-level Block Public Access is off for: " + ", ".join(off) + "."
                     if config else "Account-level Block Public Access is not configured.")


def _account_blocks(account_pabs: tuple[Evidence, ...]) -> dict[str, dict[str, Any]]:
    return {ev.account_id: (ev.data or {}) for ev in account_pabs}


@check("s3.bucket_not_public", needs=("s3.buckets", "s3.account_public_access_block"), severity="critical")
def bucket_not_public(buckets: tuple[Evidence, ...], account_pabs: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No bucket is publicly readable or writable through its policy or ACL."""
    account = _account_blocks(account_pabs)
    for ev in buckets:
        acct = account.get(ev.account_id, {})
        for b in _buckets(ev):
            arn, region = bucket_arn(b), b.get("Region")
            pab = {f: bool((b.get("public_access_block") or {}).get(f) or acct.get(f)) for f in PAB_FIELDS}
            unread = _missing(b, "policy_status", "acl")
            if all(pab.values()):
                yield passed(ev, arn, "Block Public Access is fully on for this bucket.", region=region)
                continue
            if unread:
                yield unknown(ev, arn, "Public access could not be judged: " + ", ".join(unread) + " unreadable.",
                              region=region)
                continue
            public_policy = bool((b.get("policy_status") or {}).get("IsPublic")) and not pab["RestrictPublicBuckets"]
            grants = [
                g for g in (b.get("acl") or {}).get("Grants", [])
                if g.get("Grantee", {}).get("URI") in PUBLIC_GROUPS
            ]
            public_acl = bool(grants) and not pab["IgnorePublicAcls"]
            reasons = (["its bucket policy is public"] if public_policy else []) + (
                [f"its ACL grants {', '.join(sorted({g.get('Permission', '?') for g in grants}))} to everyone"]
                if public_acl else []
            )
            yield judged(ev, arn, not reasons, "Neither the policy nor the ACL makes the bucket public.",
                         "The bucket is public: " + " and ".join(reasons) + ".", region=region)


def _denies_insecure_transport(policy: Any) -> bool:
    for stmt in statements(policy):
        if stmt.get("Effect") != "Deny" or not principal_is_public(stmt.get("Principal")):
            continue
        actions = as_list(stmt.get("Action"))
        if not any(a in ("*", "s3:*") for a in actions):
            continue
        cond = stmt.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
        if str(cond[0] if isinstance(cond, list) and cond else cond).lower() == "false":
            return True
    return False


@check("s3.bucket_secure_transport", needs="s3.buckets", severity="high")
def bucket_secure_transport(buckets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every bucket policy denies requests that do not use TLS."""
    for ev in buckets:
        for b in _buckets(ev):
            if _missing(b, "policy"):
                yield unknown(ev, bucket_arn(b), "The bucket policy could not be read.", region=b.get("Region"))
                continue
            policy = b.get("policy")
            if policy is None:
                yield failed(ev, bucket_arn(b), "The bucket has no policy, so plain-HTTP requests are allowed.",
                             region=b.get("Region"))
                continue
            yield judged(ev, bucket_arn(b), _denies_insecure_transport(policy),
                         "The bucket policy denies requests without TLS (aws:SecureTransport = false).",
                         "The bucket policy does not deny requests without TLS.", region=b.get("Region"))


@check("s3.bucket_versioning_enabled", needs="s3.buckets", severity="medium")
def bucket_versioning_enabled(buckets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every bucket keeps object versions."""
    for ev in buckets:
        for b in _buckets(ev):
            if _missing(b, "versioning"):
                yield unknown(ev, bucket_arn(b), "Versioning could not be read.", region=b.get("Region"))
                continue
            state = (b.get("versioning") or {}).get("Status", "never enabled")
            yield judged(ev, bucket_arn(b), state == "Enabled", "Versioning is enabled.",
                         f"Versioning is {state}.", region=b.get("Region"))


@check("s3.bucket_access_logging", needs="s3.buckets", severity="medium")
def bucket_access_logging(buckets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every bucket writes server access logs."""
    for ev in buckets:
        for b in _buckets(ev):
            if _missing(b, "logging"):
                yield unknown(ev, bucket_arn(b), "Access logging could not be read.", region=b.get("Region"))
                continue
            target = (b.get("logging") or {}).get("TargetBucket")
            yield judged(ev, bucket_arn(b), bool(target), f"Access logs go to bucket {target}.",
                         "Server access logging is off.", region=b.get("Region"))


def _expires(rule: dict[str, Any]) -> bool:
    """A lifecycle rule that deletes objects: current versions after a time, or noncurrent versions."""
    expiration = rule.get("Expiration") or {}
    return bool(expiration.get("Days") or expiration.get("Date")
                or (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays"))


@check("s3.bucket_lifecycle_configured", needs="s3.buckets", severity="low")
def bucket_lifecycle_configured(buckets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every bucket has an enabled lifecycle rule that expires objects or noncurrent versions."""
    for ev in buckets:
        for b in _buckets(ev):
            if _missing(b, "lifecycle"):
                yield unknown(ev, bucket_arn(b), "The lifecycle configuration could not be read.",
                              region=b.get("Region"))
                continue
            rules = b.get("lifecycle") or []
            expiring = [str(r.get("ID") or "unnamed") for r in rules if r.get("Status") == "Enabled" and _expires(r)]
            yield judged(ev, bucket_arn(b), bool(expiring), f"Lifecycle rule {', '.join(expiring)} expires objects.",
                         "No enabled lifecycle rule expires objects or noncurrent versions."
                         if rules else "The bucket has no lifecycle configuration.", region=b.get("Region"))
