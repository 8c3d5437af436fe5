"""CloudWatch Logs: log groups (retention, encryption) and metric filters, per region."""

from __future__ import annotations

from evidence.collect import declare

declare("logs.log_groups", service="logs", operation="DescribeLogGroups", result_key="logGroups")
declare("logs.metric_filters", service="logs", operation="DescribeMetricFilters", result_key="metricFilters")
