"""ElastiCache: every replication group (Redis OSS and Valkey) with its encryption settings."""

from __future__ import annotations

from evidence.collect import declare

declare(
    "elasticache.replication_groups",
    service="elasticache",
    operation="DescribeReplicationGroups",
    result_key="ReplicationGroups",
)
