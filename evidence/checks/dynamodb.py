"""DynamoDB checks: point-in-time recovery, and KMS encryption of tables and DAX clusters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def table_arn(ev: Evidence, table: dict[str, Any]) -> str:
    return str(table.get("TableArn") or f"arn:aws:dynamodb:{ev.region}:{ev.account_id}:table/{table['TableName']}")


def _tables(tables: tuple[Evidence, ...]) -> Iterator[tuple[Evidence, dict[str, Any]]]:
    for ev in tables:
        for table in ev.data or []:
            yield ev, table


@check("dynamodb.pitr_enabled", needs="dynamodb.tables", severity="medium")
def pitr_enabled(tables: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every table has point-in-time recovery on."""
    for ev, table in _tables(tables):
        missing = [f for f in ("table", "continuous_backups") if f in table.get("errors", {})]
        if missing:
            code = table["errors"][missing[0]]
            yield unknown(ev, table_arn(ev, table), f"Continuous backups could not be read ({code}).")
            continue
        pitr = (table.get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription", {})
        days = pitr.get("RecoveryPeriodInDays")
        yield judged(ev, table_arn(ev, table), pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
                     "Point-in-time recovery is on" + (f" ({days}-day window)." if days else "."),
                     "Point-in-time recovery is off.")


@check("dynamodb.kms_encrypted", needs=("dynamodb.tables", "dynamodb.dax_clusters"), severity="medium")
def kms_encrypted(tables: tuple[Evidence, ...], dax: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Tables are encrypted with a KMS key (AWS managed or customer managed); DAX clusters encrypt at rest."""
    for ev, table in _tables(tables):
        if "table" in table.get("errors", {}):
            yield unknown(ev, table_arn(ev, table), f"The table could not be described ({table['errors']['table']}).")
            continue
        sse = table.get("SSEDescription") or {}
        ok = sse.get("SSEType") == "KMS" and sse.get("Status") in ("ENABLED", "UPDATING")
        yield judged(ev, table_arn(ev, table), ok, f"The table is encrypted with KMS key {sse.get('KMSMasterKeyArn')}.",
                     "The table uses the default DynamoDB-owned key, not a KMS key in the account.")
    for ev in dax:
        for cluster in ev.data or []:
            status = (cluster.get("SSEDescription") or {}).get("Status", "DISABLED")
            yield judged(ev, cluster["ClusterArn"], status in ("ENABLED", "ENABLING"),
                         "The DAX cluster encrypts data at rest.", "The DAX cluster does not encrypt data at rest.")
