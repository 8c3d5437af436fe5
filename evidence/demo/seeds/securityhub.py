"""Security Hub: on in the other region with one standard and an open critical failed control; off at home."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, PUBLIC_BUCKET, Clients, bucket_arn, expect, seeder

FSBP = f"arn:aws:securityhub:{OTHER}::standards/aws-foundational-security-best-practices/v/1.0.0"


def hub_arn(region: str) -> str:
    return f"arn:aws:securityhub:{region}:{ACCOUNT}:hub/default"


@seeder
def seed_securityhub(aws: Clients) -> None:
    hub = aws("securityhub", OTHER)
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP}])
    hub.batch_import_findings(Findings=[{
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:securityhub:{OTHER}:{ACCOUNT}:security-control/S3.2/finding/demo-public-read",
        "ProductArn": f"arn:aws:securityhub:{OTHER}::product/aws/securityhub",
        "GeneratorId": "security-control/S3.2",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-01-05T09:00:00Z",
        "UpdatedAt": "2026-01-05T09:00:00Z",
        "FirstObservedAt": "2026-01-05T09:00:00Z",
        "Severity": {"Label": "CRITICAL"},
        "Title": "S3 general purpose buckets should block public read access",
        "Description": "The bucket grants public read access through its ACL.",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.2"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{"Type": "AwsS3Bucket", "Id": bucket_arn(PUBLIC_BUCKET), "Region": OTHER}],
    }])
    expect("securityhub.enabled", hub_arn(OTHER), "pass")
    expect("securityhub.enabled", hub_arn(HOME), "fail")
