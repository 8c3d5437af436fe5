"""Lambda checks: public resource policies and unauthenticated function URLs fail."""

from __future__ import annotations

import json
from typing import Any

from helpers import run, snapshot, verdicts

from evidence.collectors.lambda_ import without_variable_values


def fn(name: str, policy: dict[str, Any] | None = None, urls: list[dict[str, Any]] | None = None,
       errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"FunctionName": name, "FunctionArn": f"arn:fn/{name}", "errors": errors or {},
            "Policy": json.dumps(policy) if policy else None, "FunctionUrlConfigs": urls or []}


def statement(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Sid": "invoke", "Effect": "Allow", "Principal": principal,
                            "Action": "lambda:InvokeFunction", "Resource": "*"}
    if condition:
        stmt["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [stmt]}


def test_not_public() -> None:
    from_bucket = {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}}
    result = run("lambda.not_public", [snapshot("lambda.functions", [
        fn("anyone", statement("*")),
        fn("open-url", urls=[{"FunctionUrl": "https://x.lambda-url.on.aws", "AuthType": "NONE"}]),
        fn("s3-trigger", statement({"Service": "s3.amazonaws.com"}, from_bucket)),
        fn("any-with-source", statement("*", from_bucket)),
        fn("iam-url", urls=[{"FunctionUrl": "https://y.lambda-url.on.aws", "AuthType": "AWS_IAM"}]),
        fn("unread", errors={"Policy": "AccessDeniedException"}),
    ], region="us-east-1")])
    assert verdicts(result) == {
        "arn:fn/anyone": "fail", "arn:fn/open-url": "fail", "arn:fn/s3-trigger": "pass",
        "arn:fn/any-with-source": "pass", "arn:fn/iam-url": "pass", "arn:fn/unread": "not_evaluated",
    }


def test_collector_keeps_only_variable_names() -> None:
    listed = {"FunctionName": "f", "Environment": {"Variables": {"DB_PASSWORD": "hunter2", "STAGE": "prod"}}}
    kept = without_variable_values(listed)
    assert kept["Environment"] == {"VariableNames": ["DB_PASSWORD", "STAGE"]}
    assert "hunter2" not in json.dumps(kept)
    assert without_variable_values({"FunctionName": "g"}) == {"FunctionName": "g"}
