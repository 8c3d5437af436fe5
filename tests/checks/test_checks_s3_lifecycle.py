"""S3 lifecycle check: buckets whose rules expire data pass; no rules, disabled or non-expiring rules fail."""

from __future__ import annotations

from helpers import run, snapshot, verdicts


def buckets(*items: dict[str, object]) -> object:
    return snapshot("s3.buckets", [{"errors": {}, "Region": "eu-west-1", **i} for i in items])


def test_lifecycle_configured() -> None:
    expire = {"ID": "expire-after-a-year", "Status": "Enabled", "Expiration": {"Days": 365}}
    noncurrent = {"ID": "old-versions", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}
    disabled = {**expire, "Status": "Disabled"}
    markers_only = {"ID": "markers", "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": True},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}
    result = run("s3.bucket_lifecycle_configured", [buckets(
        {"Name": "expiring", "lifecycle": [expire]}, {"Name": "versions", "lifecycle": [noncurrent]},
        {"Name": "none", "lifecycle": None}, {"Name": "disabled", "lifecycle": [disabled]},
        {"Name": "markers", "lifecycle": [markers_only]}, {"Name": "denied", "errors": {"lifecycle": "AccessDenied"}},
    )])
    assert verdicts(result) == {
        "arn:aws:s3:::expiring": "pass", "arn:aws:s3:::versions": "pass", "arn:aws:s3:::none": "fail",
        "arn:aws:s3:::disabled": "fail", "arn:aws:s3:::markers": "fail", "arn:aws:s3:::denied": "not_evaluated",
    }
    reasons = {f.resource: f.reason for f in result.findings}
    assert reasons["arn:aws:s3:::none"] == "The bucket has no lifecycle configuration."
    assert "expire-after-a-year" in reasons["arn:aws:s3:::expiring"]
    assert result.findings[0].region == "eu-west-1"
