"""AWS Backup checks: each has a resource (plan, vault) that fails and one that passes."""

from __future__ import annotations

import json

import pytest
from helpers import run, snapshot, verdicts

from evidence.checks.backup import selects
from evidence.checks.schedule import max_interval_hours

REGION = "eu-west-1"
TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/"
DB = "arn:aws:rds:eu-west-1:111122223333:db:"


def snap(key: str, data: object) -> object:
    return snapshot(key, data, region=REGION)


def plan(name: str, *selections: dict[str, object], rules: list[dict[str, object]] | None = None,
         errors: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "BackupPlanId": name, "BackupPlanName": name, "BackupPlanArn": f"plan:{name}", "errors": errors or {},
        "BackupPlan": {"BackupPlanName": name, "Rules": rules or []},
        "Selections": [{"SelectionId": f"{name}-{i}", "BackupSelection": s, "errors": {}}
                       for i, s in enumerate(selections)],
    }


def coverage_inputs(plans: list[dict[str, object]], protected: list[dict[str, object]]) -> list[object]:
    return [
        snap("rds.instances", [
            {"DBInstanceArn": DB + "orders", "TagList": [{"Key": "backup", "Value": "daily"}]},
            {"DBInstanceArn": DB + "member", "DBClusterIdentifier": "c"},
        ]),
        snap("rds.clusters", []),
        snap("dynamodb.tables", [{"TableName": "carts", "TableArn": TABLE + "carts", "Tags": [], "errors": {}},
                                 {"TableName": "audit", "TableArn": TABLE + "audit", "Tags": [], "errors": {}}]),
        snap("backup.plans", plans),
        snap("backup.protected_resources", protected),
    ]


def test_resources_protected_by_plan() -> None:
    by_tag = {"SelectionName": "tagged", "ListOfTags": [
        {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]}
    by_arn = {"SelectionName": "tables", "Resources": [TABLE + "*"], "NotResources": [TABLE + "audit"]}
    protected = [{"ResourceArn": DB + "orders", "LastBackupTime": "2026-06-29T05:00:00Z"},
                 {"ResourceArn": TABLE + "carts", "LastBackupTime": "2026-06-20T05:00:00Z"}]
    result = run("backup.resources_protected_by_plan", coverage_inputs([plan("daily", by_tag, by_arn)], protected))
    assert verdicts(result) == {DB + "orders": "pass", TABLE + "carts": "fail", TABLE + "audit": "fail"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert "9.8 days old" in reasons[TABLE + "carts"]
    assert reasons[TABLE + "audit"] == "No backup plan assigns this DynamoDB table; it has no recovery point."
    lenient = run("backup.resources_protected_by_plan", coverage_inputs([plan("daily", by_tag, by_arn)], protected),
                  max_backup_age_days=14)
    assert verdicts(lenient)[TABLE + "carts"] == "pass"


def test_unreadable_assignments_are_not_evaluated() -> None:
    broken = plan("hidden", errors={"selections": "AccessDeniedException"})
    result = run("backup.resources_protected_by_plan", coverage_inputs([broken], []))
    assert set(verdicts(result).values()) == {"not_evaluated"}


def test_selection_conditions() -> None:
    tags = {"env": "prod", "team": "payments"}
    assert selects({"Resources": ["*"], "Conditions": {"StringEquals": [
        {"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod"}]}}, TABLE + "x", tags)
    assert not selects({"Resources": ["*"], "Conditions": {"StringNotLike": [
        {"ConditionKey": "aws:ResourceTag/team", "ConditionValue": "pay*"}]}}, TABLE + "x", tags)
    assert not selects({"Resources": [DB + "*"]}, TABLE + "x", tags)


def test_plan_frequency_retention() -> None:
    daily = {"RuleName": "daily", "ScheduleExpression": "cron(0 5 ? * * *)", "Lifecycle": {"DeleteAfterDays": 35}}
    weekly = {"RuleName": "weekly", "ScheduleExpression": "cron(0 5 ? * SUN *)", "Lifecycle": {"DeleteAfterDays": 90}}
    short = {"RuleName": "short", "ScheduleExpression": "rate(12 hours)", "Lifecycle": {"DeleteAfterDays": 7}}
    continuous = {"RuleName": "pitr", "EnableContinuousBackup": True}
    result = run("backup.plan_frequency_retention", [snap("backup.plans", [
        plan("good", rules=[weekly, daily]), plan("bad", rules=[weekly, short]), plan("pitr", rules=[continuous]),
        plan("hidden", errors={"plan": "AccessDeniedException"}),
    ])])
    assert verdicts(result) == {"plan:good": "pass", "plan:bad": "fail", "plan:pitr": "pass",
                                "plan:hidden": "not_evaluated"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert "at most 168 h apart" in reasons["plan:bad"] and "kept 7 days" in reasons["plan:bad"]
    strict = run("backup.plan_frequency_retention", [snap("backup.plans", [plan("good", rules=[daily])])],
                 min_retention_days=90)
    assert strict.status == "fail"


@pytest.mark.parametrize(("expression", "hours"), [
    ("cron(0 5 ? * * *)", 24), ("cron(0 */6 * * ? *)", 6), ("cron(0 5 ? * MON-FRI *)", 72),
    ("cron(0 5 1 * ? *)", 744), ("rate(1 day)", 24), ("rate(30 minutes)", 0.5), ("cron(0 5 L * ? *)", None),
    ("cron(0 5 ? * 6#3 *)", None), ("at(2026-01-01T00:00:00)", None),
])
def test_schedule_intervals(expression: str, hours: float | None) -> None:
    assert max_interval_hours(expression) == hours


def test_recovery_points_deletion_protected() -> None:
    deny = json.dumps({"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"},
                                      "Action": ["backup:DeleteRecoveryPoint*", "backup:UpdateRecoveryPointLifecycle"],
                                      "Resource": "*"}]})
    allow = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                       "Action": "backup:*", "Resource": "*"}]})
    vaults = [
        {"BackupVaultArn": "vault:policy", "Locked": False, "Policy": deny, "errors": {}},
        {"BackupVaultArn": "vault:compliance", "Locked": True, "LockDate": "2026-01-01T00:00:00Z", "Policy": None,
         "errors": {}},
        {"BackupVaultArn": "vault:governance", "Locked": True, "Policy": allow, "errors": {}},
        {"BackupVaultArn": "vault:grace", "Locked": True, "LockDate": "2026-07-02T00:00:00Z", "Policy": None,
         "errors": {}},
        {"BackupVaultArn": "vault:open", "Locked": False, "Policy": None, "errors": {}},
        {"BackupVaultArn": "vault:hidden", "Locked": False, "errors": {"policy": "AccessDeniedException"}},
    ]
    result = run("backup.recovery_points_deletion_protected", [snap("backup.vaults", vaults)])
    assert verdicts(result) == {"vault:policy": "pass", "vault:compliance": "pass", "vault:governance": "fail",
                                "vault:grace": "fail", "vault:open": "fail", "vault:hidden": "not_evaluated"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert "governance mode" in reasons["vault:governance"]
    assert "2026-07-02" in reasons["vault:grace"]
