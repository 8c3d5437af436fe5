"""CloudTrail data events: the audit trail records object-level events of the customer-data bucket only."""

from __future__ import annotations

from evidence.demo.scenario import (
    DATA_BUCKET,
    GOOD_TRAIL,
    HOME,
    PUBLIC_BUCKET,
    Clients,
    bucket_arn,
    expect,
    seeder,
)


@seeder
def seed_s3_data_events(aws: Clients) -> None:
    # Keeps the trail's management-event selector, adding S3 object events for one bucket.
    aws("cloudtrail", HOME).put_event_selectors(
        TrailName=GOOD_TRAIL,
        EventSelectors=[{
            "ReadWriteType": "All",
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"{bucket_arn(DATA_BUCKET)}/"]}],
        }],
    )
    expect("cloudtrail.s3_data_events_enabled", bucket_arn(DATA_BUCKET), "pass")
    expect("cloudtrail.s3_data_events_enabled", bucket_arn(PUBLIC_BUCKET), "fail")
