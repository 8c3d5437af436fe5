"""IAM Access Analyzer: an account analyzer in the other region that finds the public bucket; none at home."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, PUBLIC_BUCKET, Clients, bucket_arn, expect, seeder

ANALYZER = "account-external-access"


@seeder
def seed_access_analyzer(aws: Clients) -> None:
    arn = aws("accessanalyzer", OTHER).create_analyzer(analyzerName=ANALYZER, type="ACCOUNT")["arn"]
    aws.emulator.put_access_analyzer_finding(
        ACCOUNT, OTHER, ANALYZER, resource_arn=bucket_arn(PUBLIC_BUCKET), resource_type="AWS::S3::Bucket",
        principal={"AWS": "*"}, is_public=True, actions=["s3:GetObject", "s3:ListBucket"],
    )
    expect("iam.access_analyzer_enabled", arn, "pass")
    expect("iam.access_analyzer_enabled", f"arn:aws:access-analyzer:{HOME}:{ACCOUNT}:analyzer", "fail")
