"""tagging.data_classification_tags: tagged, partly tagged and untagged data stores."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
DB = "arn:aws:rds:eu-west-1:111122223333:db:billing"


def tagged(*items: tuple[str, dict[str, str]], region: str = "eu-west-1") -> Any:
    return snapshot("tagging.data_stores", [
        {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} for arn, tags in items
    ], region=region)


def buckets(*names: str, region: str = "eu-west-1") -> Any:
    return snapshot("s3.buckets", [{"Name": n, "Region": region, "errors": {}} for n in names])


def test_data_classification_tags() -> None:
    result = run("tagging.data_classification_tags", [
        tagged(("arn:aws:s3:::classified", {"dataclassification": "Confidential"}),
               (TABLE, {"DataClassification": ""}), (DB, {"Owner": "billing", "DataClassification": "Internal"})),
        buckets("classified", "untagged"),
    ])
    assert verdicts(result) == {"arn:aws:s3:::classified": "pass", "arn:aws:s3:::untagged": "fail",
                                TABLE: "fail", DB: "pass"}
    assert "no tags at all" in next(f.reason for f in result.findings if f.resource == "arn:aws:s3:::untagged")


def test_required_keys_parameter() -> None:
    snapshots = [tagged((DB, {"DataClassification": "Internal"})), buckets()]
    result = run("tagging.data_classification_tags", snapshots, required_keys=("DataClassification", "DataOwner"))
    assert result.status == "fail" and "DataOwner" in result.findings[0].reason


def test_bucket_in_a_region_not_collected_is_not_evaluated() -> None:
    result = run("tagging.data_classification_tags", [tagged(), buckets("far-away", region="ap-south-1")])
    assert verdicts(result) == {"arn:aws:s3:::far-away": "not_evaluated"}
