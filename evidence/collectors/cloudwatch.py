"""CloudWatch: metric and composite alarms with their actions, per region."""

from __future__ import annotations

from typing import Any

from evidence.collect import CollectContext
from evidence.registry import collector

ALARM_KINDS = ("MetricAlarms", "CompositeAlarms")


@collector("cloudwatch.alarms", service="cloudwatch", actions=("cloudwatch:DescribeAlarms",))
def alarms(ctx: CollectContext) -> Any:
    """Every metric alarm and composite alarm of the region, with its actions and metric."""
    out: dict[str, list[Any]] = {kind: [] for kind in ALARM_KINDS}
    pages = ctx.client("cloudwatch").get_paginator("describe_alarms").paginate(
        AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    for page in pages:
        for kind in ALARM_KINDS:
            out[kind].extend(page.get(kind, []))
    return out
