"""Secrets Manager rotation: secrets that rotate on time pass; no rotation or overdue rotation fails."""

from __future__ import annotations

from helpers import run, snapshot, verdicts

from evidence.checks.secretsmanager import rotation_period_days


def secrets(*items: dict[str, object]) -> object:
    return snapshot("secretsmanager.secrets", list(items), region="eu-west-1")


def test_rotation_enabled() -> None:
    result = run("secretsmanager.rotation_enabled", [secrets(
        {"ARN": "s:fresh", "RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 30},
         "LastRotatedDate": "2026-06-20T00:00:00Z", "CreatedDate": "2025-01-01T00:00:00Z"},
        {"ARN": "s:new", "RotationEnabled": True, "RotationRules": {"ScheduleExpression": "rate(7 days)"},
         "CreatedDate": "2026-06-28T00:00:00Z"},
        {"ARN": "s:static", "CreatedDate": "2025-01-01T00:00:00Z"},
        {"ARN": "s:stuck", "RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 30},
         "LastRotatedDate": "2026-04-01T00:00:00Z", "CreatedDate": "2025-01-01T00:00:00Z"},
        {"ARN": "s:odd", "RotationEnabled": True, "RotationRules": {"ScheduleExpression": "cron(0 0 L * ? *)"},
         "CreatedDate": "2025-01-01T00:00:00Z"},
    )])
    assert verdicts(result) == {"s:fresh": "pass", "s:new": "pass", "s:static": "fail", "s:stuck": "fail",
                                "s:odd": "fail"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert reasons["s:stuck"] == ("Rotation is overdue: last rotated 90 days ago, scheduled every 30 days "
                                  "(rotation may be failing).")
    assert "never rotated, created 2 days ago" in reasons["s:new"]


def test_rotation_period() -> None:
    assert rotation_period_days({"AutomaticallyAfterDays": 90}) == 90
    assert rotation_period_days({"ScheduleExpression": "cron(0 4 ? * SUN *)"}) == 7
    assert rotation_period_days({}) is None
