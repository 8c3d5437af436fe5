"""Secrets Manager checks: secrets rotate automatically, and rotation keeps to its schedule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import age_days, failed, passed, schedule
from evidence.models import Evidence, Finding
from evidence.registry import check

GRACE_DAYS = 1  # a rotation window may open up to a day after the due date


def rotation_period_days(rules: dict[str, Any]) -> float | None:
    """Days between scheduled rotations, from AutomaticallyAfterDays or a schedule expression."""
    if rules.get("AutomaticallyAfterDays"):
        return float(rules["AutomaticallyAfterDays"])
    hours = schedule.max_interval_hours(str(rules.get("ScheduleExpression") or ""))
    return None if hours is None else hours / 24


@check("secretsmanager.rotation_enabled", needs="secretsmanager.secrets", severity="medium")
def rotation_enabled(secrets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every secret rotates automatically, and its last rotation is within the configured period.

    A secret never rotated yet counts from its creation date.
    """
    for ev in secrets:
        for secret in ev.data or []:
            arn = secret["ARN"]
            if not secret.get("RotationEnabled"):
                yield failed(ev, arn, "Automatic rotation is off.")
                continue
            period = rotation_period_days(secret.get("RotationRules") or {})
            rotated = secret.get("LastRotatedDate")
            age = age_days(ev, rotated or secret.get("CreatedDate"))
            since = "last rotated" if rotated else "never rotated, created"
            if period is None or age is None:
                yield failed(ev, arn, "Rotation is on, but its schedule or last rotation date cannot be established.")
            elif age > period + GRACE_DAYS:
                yield failed(ev, arn, f"Rotation is overdue: {since} {age:.0f} days ago, scheduled every "
                             f"{period:g} days (rotation may be failing).")
            else:
                yield passed(ev, arn, f"Rotation is on every {period:g} days; {since} {age:.0f} days ago.")
