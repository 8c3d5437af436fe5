"""CloudTrail configuration checks: each has a trail that fails and one that passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts

GOOD = {
    "TrailARN": "t/good", "HomeRegion": "us-east-1", "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True,
    "LogFileValidationEnabled": True, "KmsKeyId": "k", "S3BucketName": "logs",
    "CloudWatchLogsLogGroupArn": "lg", "errors": {},
    "Status": {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": "2026-06-29T23:00:00Z"},
    "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
}
BAD = {"TrailARN": "t/bad", "HomeRegion": "eu-west-1", "IsMultiRegionTrail": False, "S3BucketName": "public",
       "errors": {}, "Status": {"IsLogging": False}, "EventSelectors": []}


def trails(*items: dict[str, object]) -> object:
    return snapshot("cloudtrail.trails", {"trails": list(items), "regions": {}})


def test_multi_region_and_management_events() -> None:
    for check in ("cloudtrail.multi_region_enabled", "cloudtrail.security_trail_management_events"):
        assert run(check, [trails(GOOD, BAD)]).status == "pass"
        assert run(check, [trails(BAD)]).status == "fail"
    write_only = {**GOOD, "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}
    assert run("cloudtrail.security_trail_management_events", [trails(write_only)]).status == "fail"
    stopped = {**GOOD, "Status": {"IsLogging": False}}
    assert run("cloudtrail.multi_region_enabled", [trails(stopped)]).status == "fail"


def test_per_trail_checks() -> None:
    for check in ("cloudtrail.log_file_validation_enabled", "cloudtrail.kms_encryption_enabled",
                  "cloudtrail.cloudwatch_logs_integration"):
        assert verdicts(run(check, [trails(GOOD, BAD)])) == {"t/good": "pass", "t/bad": "fail"}, check


def test_cloudwatch_delivery_age_and_errors() -> None:
    stale = {**GOOD, "Status": {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": "2026-06-20T00:00:00Z"}}
    erring = {**GOOD, "Status": {"IsLogging": True, "LatestCloudWatchLogsDeliveryError": "AccessDenied"}}
    result = run("cloudtrail.cloudwatch_logs_integration", [trails(stale)])
    assert result.status == "fail" and "h before collection" in result.findings[0].reason
    assert run("cloudtrail.cloudwatch_logs_integration", [trails(stale)], max_delivery_age_hours=24 * 30).status == "pass"
    assert run("cloudtrail.cloudwatch_logs_integration", [trails(erring)]).status == "fail"


def test_log_bucket_not_public() -> None:
    public_acl = {"Grants": [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}
    s3 = snapshot("s3.buckets", [
        {"Name": "logs", "errors": {}, "public_access_block": {
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True}},
        {"Name": "public", "errors": {}, "acl": public_acl},
    ])
    pab = snapshot("s3.account_public_access_block", None)
    result = run("cloudtrail.log_bucket_not_public", [trails(GOOD, BAD), s3, pab])
    assert verdicts(result) == {"arn:aws:s3:::logs": "pass", "arn:aws:s3:::public": "fail"}
    elsewhere = run("cloudtrail.log_bucket_not_public", [trails({**GOOD, "S3BucketName": "other-acct"}), s3, pab])
    assert elsewhere.status == "not_evaluated"


def integrity(*trails: dict[str, object]) -> object:
    return snapshot("cloudtrail.integrity", {"period": {}, "trails": list(trails)})


def region_result(**counts: object) -> dict[str, object]:
    base = {"digests": {"valid": 24, "invalid": 0, "missing": 0, "unverified": 0},
            "logs": {"valid": 48, "invalid": 0, "missing": 0, "unverified": 0},
            "signatures_verified": True, "items": []}
    return {**base, **counts}


def test_digest_chain_valid() -> None:
    clean = {"trail_arn": "t/clean", "validation_enabled": True, "home_region": "us-east-1", "regions": [
        {"source_region": "us-east-1", "error": None, "result": region_result()}]}
    tampered = {"trail_arn": "t/tampered", "validation_enabled": True, "home_region": "us-east-1", "regions": [
        {"source_region": "eu-west-1", "error": None, "result": region_result(
            logs={"valid": 47, "invalid": 1, "missing": 0, "unverified": 0},
            items=[{"verdict": "invalid", "code": "hash_mismatch"}])}]}
    unsigned = {"trail_arn": "t/unsigned", "validation_enabled": True, "home_region": "us-east-1", "regions": [
        {"source_region": "us-east-1", "error": None, "result": region_result(signatures_verified=False)}]}
    off = {"trail_arn": "t/off", "validation_enabled": False, "home_region": "us-east-1", "regions": []}
    denied = {"trail_arn": "t/denied", "validation_enabled": True, "home_region": "us-east-1", "regions": [
        {"source_region": "us-east-1", "error": {"code": "AccessDenied", "message": "no"}}]}
    result = run("cloudtrail.digest_chain_valid", [integrity(clean, tampered, unsigned, off, denied)])
    assert verdicts(result) == {
        "t/clean (us-east-1)": "pass", "t/tampered (eu-west-1)": "fail", "t/unsigned (us-east-1)": "fail",
        "t/off": "fail", "t/denied (us-east-1)": "not_evaluated",
    }
    tampered_reason = next(f.reason for f in result.findings if f.resource.startswith("t/tampered"))
    assert "1 invalid" in tampered_reason and "hash_mismatch" in tampered_reason
