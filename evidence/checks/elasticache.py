"""ElastiCache checks: replication groups encrypt data at rest and in transit."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import judged
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("elasticache.encryption", needs="elasticache.replication_groups", severity="medium")
def encryption(groups: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every ElastiCache replication group encrypts data at rest and requires TLS in transit."""
    for ev in groups:
        for group in ev.data or []:
            gaps = []
            if not group.get("AtRestEncryptionEnabled"):
                gaps.append("encryption at rest is off")
            if not group.get("TransitEncryptionEnabled"):
                gaps.append("encryption in transit is off")
            elif group.get("TransitEncryptionMode") == "preferred":
                gaps.append("in-transit encryption is only preferred, so clients may still connect without TLS")
            yield judged(ev, group["ARN"], not gaps, "Data is encrypted at rest and in transit.",
                         "The replication group is not fully encrypted: " + "; ".join(gaps) + ".")
