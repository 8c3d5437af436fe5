"""S3 lifecycle: the audit-log bucket expires logs after seven years; customer data is kept forever."""

from __future__ import annotations

from evidence.demo.scenario import DATA_BUCKET, HOME, LOG_BUCKET, Clients, bucket_arn, expect, seeder


@seeder
def seed_s3_lifecycle(aws: Clients) -> None:
    aws("s3", HOME).put_bucket_lifecycle_configuration(Bucket=LOG_BUCKET, LifecycleConfiguration={"Rules": [{
        "ID": "retain-seven-years", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Expiration": {"Days": 2557}, "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }]})
    expect("s3.bucket_lifecycle_configured", bucket_arn(LOG_BUCKET), "pass")
    expect("s3.bucket_lifecycle_configured", bucket_arn(DATA_BUCKET), "fail")
