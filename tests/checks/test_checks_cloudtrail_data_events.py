"""cloudtrail.s3_data_events_enabled: buckets whose object reads and writes are, or are not, recorded."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import run, snapshot, verdicts

ACCOUNT = "111122223333"


def trail(*, basic: list[dict[str, Any]] | None = None, advanced: list[dict[str, Any]] | None = None,
          multi_region: bool = True, logging: bool = True, home: str = "us-east-1",
          errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"TrailARN": f"arn:aws:cloudtrail:{home}:{ACCOUNT}:trail/t", "HomeRegion": home,
            "IsMultiRegionTrail": multi_region, "Status": {"IsLogging": logging},
            "EventSelectors": basic or [], "AdvancedEventSelectors": advanced or [], "errors": errors or {}}


def objects(values: list[str], rw: str = "All") -> dict[str, Any]:
    return {"ReadWriteType": rw, "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": values}]}


def advanced(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"Name": "s3", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                             {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, *fields]}


def status(*trails: dict[str, Any], bucket_region: str = "eu-west-1", **params: Any) -> str:
    buckets = snapshot("s3.buckets", [{"Name": "data", "Region": bucket_region, "errors": {}}])
    result = run("cloudtrail.s3_data_events_enabled", [snapshot("cloudtrail.trails", {"trails": list(trails)}), buckets],
                 **params)
    return verdicts(result).get("arn:aws:s3:::data", "absent")


@pytest.mark.parametrize(
    ("trails", "expected"),
    [
        ((), "fail"),
        ((trail(basic=[objects(["arn:aws:s3"])]),), "pass"),
        ((trail(basic=[objects(["arn:aws:s3:::data/"])]),), "pass"),
        ((trail(basic=[objects(["arn:aws:s3:::other/"])]),), "fail"),
        ((trail(basic=[objects(["arn:aws:s3:::data/logs/"])]),), "fail"),
        ((trail(basic=[objects(["arn:aws:s3"], "ReadOnly")]),), "fail"),
        ((trail(basic=[objects(["arn:aws:s3"], "ReadOnly"), objects(["arn:aws:s3:::data"], "WriteOnly")]),), "pass"),
        ((trail(basic=[objects(["arn:aws:s3"], "ReadOnly")]), trail(basic=[objects(["arn:aws:s3"], "WriteOnly")])),
         "pass"),
        ((trail(basic=[objects(["arn:aws:s3"])], logging=False),), "fail"),
        ((trail(basic=[objects(["arn:aws:s3"])], multi_region=False),), "fail"),
        ((trail(basic=[objects(["arn:aws:s3"])], multi_region=False, home="eu-west-1"),), "pass"),
        ((trail(advanced=[advanced()]),), "pass"),
        ((trail(advanced=[advanced({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::data/"]})]),), "pass"),
        ((trail(advanced=[advanced({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::data/tmp/"]})]),), "fail"),
        ((trail(advanced=[advanced({"Field": "readOnly", "Equals": ["true"]})]),), "fail"),
        ((trail(advanced=[advanced({"Field": "readOnly", "Equals": ["true"]}),
                          advanced({"Field": "readOnly", "Equals": ["false"]})]),), "pass"),
        ((trail(advanced=[advanced({"Field": "eventName", "Equals": ["GetObject"]})]),), "fail"),
        ((trail(basic=[objects(["arn:aws:s3"])], errors={"GetEventSelectors": "AccessDenied"}),), "not_evaluated"),
    ],
)
def test_s3_data_events(trails: tuple[dict[str, Any], ...], expected: str) -> None:
    assert status(*trails) == expected


def test_in_scope_buckets() -> None:
    assert status(in_scope_buckets=("other",)) == "absent"
    assert status(in_scope_buckets=("data",)) == "fail"
