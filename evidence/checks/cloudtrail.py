"""CloudTrail configuration checks: a logging multi-region trail, validation, encryption, delivery."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import account_arn, age_days, failed, judged, passed, unknown
from evidence.checks.s3 import PAB_FIELDS, PUBLIC_GROUPS
from evidence.models import Evidence, Finding
from evidence.registry import check


def _trails(ev: Evidence) -> list[dict[str, Any]]:
    return list((ev.data or {}).get("trails", []))


def _logging(trail: dict[str, Any]) -> bool:
    return bool(trail.get("Status", {}).get("IsLogging"))


def _records_all_management_events(trail: dict[str, Any]) -> bool:
    for sel in trail.get("EventSelectors", []):
        if sel.get("IncludeManagementEvents") and sel.get("ReadWriteType") == "All":
            return True
    for sel in trail.get("AdvancedEventSelectors", []):
        fields = {f.get("Field"): f for f in sel.get("FieldSelectors", [])}
        category = fields.get("eventCategory", {}).get("Equals", [])
        if "Management" in category and "readOnly" not in fields:
            return True
    return False


@check("cloudtrail.multi_region_enabled", needs="cloudtrail.trails", severity="critical")
def multi_region_enabled(trails: tuple[Evidence, ...]) -> Iterator[Finding]:
    """A multi-region trail exists and is logging."""
    for ev in trails:
        good = [t["TrailARN"] for t in _trails(ev) if t.get("IsMultiRegionTrail") and _logging(t)]
        refused = sorted((ev.data or {}).get("region_errors", {}))
        if not good and refused:
            yield unknown(ev, account_arn(ev), "No logging multi-region trail seen, and trails could not be "
                          f"listed in {', '.join(refused)}.")
            continue
        yield judged(ev, account_arn(ev), bool(good), f"Multi-region trail {', '.join(good)} is logging.",
                     "No multi-region CloudTrail trail is logging.")


@check("cloudtrail.security_trail_management_events", needs="cloudtrail.trails", severity="high")
def security_trail_management_events(trails: tuple[Evidence, ...]) -> Iterator[Finding]:
    """A logging multi-region trail records all management events, global services included."""
    for ev in trails:
        good = [
            t["TrailARN"]
            for t in _trails(ev)
            if t.get("IsMultiRegionTrail") and _logging(t) and t.get("IncludeGlobalServiceEvents")
            and _records_all_management_events(t)
        ]
        yield judged(ev, account_arn(ev), bool(good),
                     f"Trail {', '.join(good)} records read and write management events in every region.",
                     "No logging multi-region trail records all management events with global service events.")


@check("cloudtrail.log_file_validation_enabled", needs="cloudtrail.trails", severity="high")
def log_file_validation_enabled(trails: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every trail has log file validation on, so tampering with its logs is detectable."""
    for ev in trails:
        for t in _trails(ev):
            yield judged(ev, t["TrailARN"], bool(t.get("LogFileValidationEnabled")),
                         "Log file validation is on.", "Log file validation is off.", region=t.get("HomeRegion"))


@check("cloudtrail.kms_encryption_enabled", needs="cloudtrail.trails", severity="medium")
def kms_encryption_enabled(trails: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every trail encrypts its log files with a KMS key."""
    for ev in trails:
        for t in _trails(ev):
            key = t.get("KmsKeyId")
            yield judged(ev, t["TrailARN"], bool(key), f"Logs are encrypted with {key}.",
                         "Logs are not encrypted with a KMS key (SSE-S3 only).", region=t.get("HomeRegion"))


@check("cloudtrail.cloudwatch_logs_integration", needs="cloudtrail.trails", severity="medium")
def cloudwatch_logs_integration(trails: tuple[Evidence, ...], *, max_delivery_age_hours: int = 24) -> Iterator[Finding]:
    """Every trail delivers its events to CloudWatch Logs, recently and without errors."""
    for ev in trails:
        for t in _trails(ev):
            arn, region = t["TrailARN"], t.get("HomeRegion")
            group = t.get("CloudWatchLogsLogGroupArn")
            if not group:
                yield failed(ev, arn, "The trail does not send events to CloudWatch Logs.", region=region)
                continue
            if "GetTrailStatus" in t.get("errors", {}):
                yield unknown(ev, arn, "Trail status could not be read.", region=region)
                continue
            status = t.get("Status", {})
            error = status.get("LatestCloudWatchLogsDeliveryError")
            age = age_days(ev, status.get("LatestCloudWatchLogsDeliveryTime"))
            if error:
                yield failed(ev, arn, f"Delivery to CloudWatch Logs fails: {error}.", region=region)
            elif age is None:
                yield failed(ev, arn, "The trail has never delivered to CloudWatch Logs.", region=region)
            else:
                hours = age * 24
                yield judged(ev, arn, hours <= max_delivery_age_hours,
                             f"Events reach log group {group}; last delivery {hours:.1f} h before collection.",
                             f"Last delivery to CloudWatch Logs was {hours:.0f} h before collection.", region=region)


@check("cloudtrail.log_bucket_not_public", needs=("cloudtrail.trails", "s3.buckets", "s3.account_public_access_block"),
       severity="critical")
def log_bucket_not_public(
    trails: tuple[Evidence, ...], buckets: tuple[Evidence, ...], account_pabs: tuple[Evidence, ...]
) -> Iterator[Finding]:
    """The bucket receiving CloudTrail logs is not public."""
    by_name = {(ev.account_id, b["Name"]): b for ev in buckets for b in ev.data or []}
    account = {ev.account_id: ev.data or {} for ev in account_pabs}
    for ev in trails:
        for name in sorted({t["S3BucketName"] for t in _trails(ev) if t.get("S3BucketName")}):
            arn = f"arn:aws:s3:::{name}"
            bucket = by_name.get((ev.account_id, name))
            if bucket is None:
                yield unknown(ev, arn, "The log bucket is not in this account's snapshot (another account?).")
                continue
            acct = account.get(ev.account_id, {})
            pab = {f: bool((bucket.get("public_access_block") or {}).get(f) or acct.get(f)) for f in PAB_FIELDS}
            if all(pab.values()):
                yield passed(ev, arn, "Block Public Access is fully on for the log bucket.")
                continue
            public_policy = (bucket.get("policy_status") or {}).get("IsPublic") and not pab["RestrictPublicBuckets"]
            public_acl = not pab["IgnorePublicAcls"] and any(
                g.get("Grantee", {}).get("URI") in PUBLIC_GROUPS for g in (bucket.get("acl") or {}).get("Grants", [])
            )
            yield judged(ev, arn, not (public_policy or public_acl),
                         "The log bucket's policy and ACL grant no public access.",
                         "The CloudTrail log bucket is public.")


S3_READ, S3_WRITE = "read", "write"
_READ_WRITE = {"All": {S3_READ, S3_WRITE}, "ReadOnly": {S3_READ}, "WriteOnly": {S3_WRITE}}
_ADVANCED_S3_FIELDS = {"eventCategory", "resources.type", "readOnly", "resources.ARN"}


def _basic_s3_coverage(trail: dict[str, Any], partition: str, bucket: str) -> set[str]:
    everything = (f"arn:{partition}:s3", f"arn:{partition}:s3:::")
    whole_bucket = (f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/")
    kinds: set[str] = set()
    for sel in trail.get("EventSelectors", []):
        for res in sel.get("DataResources", []):
            values = res.get("Values", [])
            if res.get("Type") == "AWS::S3::Object" and any(v in everything + whole_bucket for v in values):
                kinds |= _READ_WRITE.get(sel.get("ReadWriteType", "All"), set())
    return kinds


def _advanced_s3_coverage(trail: dict[str, Any], partition: str, bucket: str) -> set[str]:
    objects = f"arn:{partition}:s3:::{bucket}/"
    kinds: set[str] = set()
    for sel in trail.get("AdvancedEventSelectors", []):
        fields = {f.get("Field"): f for f in sel.get("FieldSelectors", [])}
        if set(fields) - _ADVANCED_S3_FIELDS:
            continue  # narrowed by event name, identity, ...: not every object event
        if "Data" not in fields.get("eventCategory", {}).get("Equals", []):
            continue
        if "AWS::S3::Object" not in fields.get("resources.type", {}).get("Equals", []):
            continue
        arn_field = fields.get("resources.ARN")
        if arn_field is not None and (
            set(arn_field) - {"Field", "StartsWith"}
            or not any(objects.startswith(v) for v in arn_field.get("StartsWith", []))
        ):
            continue
        read_only = fields.get("readOnly")
        if read_only is None:
            kinds |= {S3_READ, S3_WRITE}
        elif not set(read_only) - {"Field", "Equals"}:
            values = read_only.get("Equals", [])
            kinds |= {S3_READ for v in values if v == "true"} | {S3_WRITE for v in values if v == "false"}
    return kinds


@check("cloudtrail.s3_data_events_enabled", needs=("cloudtrail.trails", "s3.buckets"), severity="medium")
def s3_data_events_enabled(
    trails: tuple[Evidence, ...], buckets: tuple[Evidence, ...], *, in_scope_buckets: tuple[str, ...] = ()
) -> Iterator[Finding]:
    """Object-level reads and writes of every in-scope S3 bucket are recorded by a logging trail.

    A bucket is covered when logging trails of its account that reach its region (multi-region,
    or homed there) record both read and write AWS::S3::Object data events for all of its objects:
    basic selectors naming all buckets or the whole bucket, or advanced selectors on the Data
    category and the AWS::S3::Object type, narrowed at most by readOnly and a resources.ARN
    StartsWith that takes in the whole bucket. CloudTrail Lake event data stores are not read.
    With no in_scope_buckets every bucket is in scope.
    """
    wanted = set(in_scope_buckets)
    by_account: dict[str, list[dict[str, Any]]] = {}
    for ev in trails:
        by_account.setdefault(ev.account_id, []).extend(t for t in _trails(ev) if _logging(t))
    for ev in buckets:
        for bucket in ev.data or []:
            name, region = bucket["Name"], bucket.get("Region")
            if wanted and name not in wanted:
                continue
            arn = f"arn:aws:s3:::{name}"
            reaching = [
                t for t in by_account.get(ev.account_id, [])
                if t.get("IsMultiRegionTrail") or t.get("HomeRegion") == region
            ]
            if any("GetEventSelectors" in t.get("errors", {}) for t in reaching):
                yield unknown(ev, arn, "The event selectors of a trail could not be read.", region=region)
                continue
            kinds: set[str] = set()
            for t in reaching:
                partition = str(t.get("TrailARN", "arn:aws")).split(":")[1]
                kinds |= _basic_s3_coverage(t, partition, name) | _advanced_s3_coverage(t, partition, name)
            missing = sorted({S3_READ, S3_WRITE} - kinds)
            yield judged(ev, arn, not missing, "Object-level read and write events are recorded by CloudTrail.",
                         f"No logging trail records object-level {' or '.join(missing)} events of this bucket.",
                         region=region)


def _integrity_summary(result: dict[str, Any]) -> tuple[bool, str]:
    digests, logs = result["digests"], result["logs"]
    bad_digests = digests["invalid"] + digests["missing"]
    bad_logs = logs["invalid"] + logs["missing"]
    ok = not bad_digests and not bad_logs and result["signatures_verified"]
    if ok:
        return True, (f"{digests['valid']} digest files and {logs['valid']} log files verified: signatures, "
                      "chain links and hashes hold over the audit period.")
    parts = []
    if bad_digests:
        parts.append(f"{digests['invalid']} invalid and {digests['missing']} missing digest files")
    if bad_logs:
        parts.append(f"{logs['invalid']} invalid and {logs['missing']} missing log files")
    if not result["signatures_verified"]:
        parts.append("signatures could not be verified")
    codes = sorted({i["code"] for i in result["items"] if i["verdict"] in ("invalid", "missing")})
    return False, "Log integrity cannot be proven: " + "; ".join(parts) + (f" ({', '.join(codes)})." if codes else ".")


@check("cloudtrail.digest_chain_valid", needs="cloudtrail.integrity", severity="high")
def digest_chain_valid(integrity: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every trail's signed digest chain and log files are intact over the audit period."""
    for ev in integrity:
        for trail in (ev.data or {}).get("trails", []):
            arn = trail["trail_arn"]
            if not trail.get("validation_enabled"):
                yield failed(ev, arn, "Log file validation is off: there are no signed digests to prove integrity.",
                             region=trail.get("home_region"))
                continue
            if trail.get("error"):
                yield unknown(ev, arn, f"The log bucket could not be read ({trail['error']['code']}).",
                              region=trail.get("home_region"))
                continue
            for entry in trail.get("regions", []):
                region = entry["source_region"]
                if entry.get("error"):
                    yield unknown(ev, f"{arn} ({region})",
                                  f"Digests could not be validated ({entry['error']['code']}).", region=region)
                    continue
                ok, reason = _integrity_summary(entry["result"])
                yield judged(ev, f"{arn} ({region})", ok, reason, reason, region=region)
