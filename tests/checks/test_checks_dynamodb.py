"""DynamoDB checks: each has a table (or DAX cluster) that fails and one that passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts

ARN = "arn:aws:dynamodb:eu-west-1:111122223333:table/"
PITR_ON = {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 35}}
PITR_OFF = {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
KMS = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:eu-west-1:111122223333:key/k"}


def tables(*items: dict[str, object]) -> object:
    return snapshot("dynamodb.tables", [{"errors": {}, **i} for i in items], region="eu-west-1")


def dax(*items: dict[str, object]) -> object:
    return snapshot("dynamodb.dax_clusters", list(items), region="eu-west-1")


def test_pitr() -> None:
    result = run("dynamodb.pitr_enabled", [tables(
        {"TableName": "orders", "TableArn": ARN + "orders", "ContinuousBackups": PITR_ON},
        {"TableName": "sessions", "TableArn": ARN + "sessions", "ContinuousBackups": PITR_OFF},
        {"TableName": "locked", "errors": {"table": "AccessDeniedException"}},
    )])
    assert verdicts(result) == {ARN + "orders": "pass", ARN + "sessions": "fail", ARN + "locked": "not_evaluated"}
    assert "35-day" in result.findings[0].reason


def test_kms_encrypted() -> None:
    result = run("dynamodb.kms_encrypted", [
        tables({"TableName": "orders", "TableArn": ARN + "orders", "SSEDescription": KMS},
               {"TableName": "sessions", "TableArn": ARN + "sessions"}),
        dax({"ClusterArn": "dax:good", "SSEDescription": {"Status": "ENABLED"}}, {"ClusterArn": "dax:bad"}),
    ])
    assert verdicts(result) == {ARN + "orders": "pass", ARN + "sessions": "fail", "dax:good": "pass", "dax:bad": "fail"}
