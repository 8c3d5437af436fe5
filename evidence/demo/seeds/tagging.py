"""Data classification tags: the customer-data bucket is classified; the public assets bucket is not."""

from __future__ import annotations

from evidence.demo.scenario import DATA_BUCKET, OTHER, PUBLIC_BUCKET, Clients, bucket_arn, expect, seeder


@seeder
def seed_classification_tags(aws: Clients) -> None:
    aws("s3", OTHER).put_bucket_tagging(Bucket=DATA_BUCKET, Tagging={"TagSet": [
        {"Key": "DataClassification", "Value": "Confidential"}, {"Key": "DataOwner", "Value": "customer-success"}]})
    expect("tagging.data_classification_tags", bucket_arn(DATA_BUCKET), "pass")
    expect("tagging.data_classification_tags", bucket_arn(PUBLIC_BUCKET), "fail")
