"""RDS checks (Aurora, DocumentDB and Neptune included): encryption, TLS, exposure, backups, Multi-AZ.

Instances that belong to a cluster are judged through their cluster wherever the setting is the
cluster's (storage, TLS, backups, availability).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from evidence.checks import failed, judged, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def _items(evidence: tuple[Evidence, ...]) -> Iterator[tuple[Evidence, dict[str, Any]]]:
    for ev in evidence:
        for item in ev.data or []:
            yield ev, item


def _standalone(instances: tuple[Evidence, ...]) -> Iterator[tuple[Evidence, dict[str, Any]]]:
    """Instances that are not members of a cluster."""
    for ev, db in _items(instances):
        if not db.get("DBClusterIdentifier"):
            yield ev, db


def _primaries(instances: tuple[Evidence, ...]) -> Iterator[tuple[Evidence, dict[str, Any]]]:
    """Standalone instances that are not read replicas (a replica's backups and standby are its source's)."""
    for ev, db in _standalone(instances):
        if not db.get("ReadReplicaSourceDBInstanceIdentifier") and not db.get("ReadReplicaSourceDBClusterIdentifier"):
            yield ev, db


@check("rds.storage_encrypted", needs=("rds.instances", "rds.clusters", "rds.snapshots", "rds.cluster_snapshots"),
       severity="high")
def storage_encrypted(
    instances: tuple[Evidence, ...],
    clusters: tuple[Evidence, ...],
    snapshots: tuple[Evidence, ...],
    cluster_snapshots: tuple[Evidence, ...],
) -> Iterator[Finding]:
    """Database storage is encrypted at rest: instances, clusters and their snapshots."""
    sources: tuple[tuple[Iterator[tuple[Evidence, dict[str, Any]]], str, str, str], ...] = (
        (_standalone(instances), "DBInstanceArn", "StorageEncrypted", "instance"),
        (_items(clusters), "DBClusterArn", "StorageEncrypted", "cluster"),
        (_items(snapshots), "DBSnapshotArn", "Encrypted", "snapshot"),
        (_items(cluster_snapshots), "DBClusterSnapshotArn", "StorageEncrypted", "cluster snapshot"),
    )
    for items, arn_field, flag, kind in sources:
        for ev, item in items:
            key = item.get("KmsKeyId")
            yield judged(ev, item[arn_field], bool(item.get(flag)),
                         f"The {kind} is encrypted at rest" + (f" with KMS key {key}." if key else "."),
                         f"The {kind} is not encrypted at rest.")


def _is_one(value: str) -> bool:
    return value == "1"


def _is_on(value: str) -> bool:
    return value.upper() in ("1", "ON")


def _not_disabled(value: str) -> bool:
    return value.lower() != "disabled"


def tls_rule(engine: str) -> tuple[str, Callable[[str], bool]] | None:
    """The parameter that forces TLS for an engine, and the test its value must meet (None: not in scope)."""
    if engine in ("postgres", "aurora-postgresql") or engine.startswith("sqlserver"):
        return "rds.force_ssl", _is_one
    if engine in ("mysql", "mariadb", "aurora-mysql"):
        return "require_secure_transport", _is_on
    if engine == "docdb":
        return "tls", _not_disabled
    if engine == "neptune":
        return "neptune_enforce_ssl", _is_one
    return None


def _tls_finding(ev: Evidence, arn: str, item: dict[str, Any]) -> Finding | None:
    rule = tls_rule(str(item.get("Engine", "")))
    if rule is None:
        return None
    if "parameters" in item.get("errors", {}):
        return unknown(ev, arn, f"Its parameter group could not be read ({item['errors']['parameters']}).")
    name, accepts = rule
    values = {group: params.get(name) for group, params in item.get("TlsParameters", {}).items()}
    forcing = [g for g, v in values.items() if v is not None and accepts(str(v))]
    if forcing:
        return passed(ev, arn, f"Parameter group {forcing[0]} sets {name} = {values[forcing[0]]}, forcing TLS.")
    shown = ", ".join(f"{g}: {name} = {v if v is not None else 'not set'}" for g, v in values.items())
    return failed(ev, arn, f"No parameter group forces TLS ({shown or 'no parameter group'}).")


@check("rds.encrypted_in_transit", needs=("rds.instances", "rds.clusters"), severity="high")
def encrypted_in_transit(instances: tuple[Evidence, ...], clusters: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Database parameter groups force TLS on client connections.

    Judged for PostgreSQL, MySQL, MariaDB and SQL Server instances, and Aurora, DocumentDB and Neptune
    clusters; Oracle and Db2 enforce TLS through option groups and are not judged here.
    """
    for ev, db in _standalone(instances):
        found = _tls_finding(ev, db["DBInstanceArn"], db)
        if found:
            yield found
    for ev, cluster in _items(clusters):
        found = _tls_finding(ev, cluster["DBClusterArn"], cluster)
        if found:
            yield found


@check("rds.no_public_access", needs=("rds.instances", "dms.replication_instances"), severity="critical")
def no_public_access(instances: tuple[Evidence, ...], replication: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No DB instance or DMS replication instance is publicly accessible."""
    for ev, db in _items(instances):
        yield judged(ev, db["DBInstanceArn"], not db.get("PubliclyAccessible"),
                     "The DB instance is not publicly accessible.",
                     "The DB instance is publicly accessible: its endpoint resolves to a public IP address.")
    for ev, ri in _items(replication):
        yield judged(ev, ri["ReplicationInstanceArn"], not ri.get("PubliclyAccessible"),
                     "The DMS replication instance is not publicly accessible.",
                     "The DMS replication instance is publicly accessible.")


@check("rds.snapshots_not_public", needs=("rds.snapshots", "rds.cluster_snapshots"), severity="critical")
def snapshots_not_public(snapshots: tuple[Evidence, ...], cluster_snapshots: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No manual database snapshot can be restored by every AWS account."""
    for items, arn_field in ((_items(snapshots), "DBSnapshotArn"), (_items(cluster_snapshots), "DBClusterSnapshotArn")):
        for ev, snap in items:
            if snap.get("SnapshotType") != "manual":
                continue
            if "attributes" in snap.get("errors", {}):
                yield unknown(ev, snap[arn_field], f"Its sharing could not be read ({snap['errors']['attributes']}).")
                continue
            restore = snap.get("Attributes", {}).get("restore", [])
            shared = [a for a in restore if a != "all"]
            yield judged(ev, snap[arn_field], "all" not in restore,
                         "The snapshot is private" + (f" (shared with {', '.join(shared)})." if shared else "."),
                         "The snapshot is public: any AWS account can restore it.")


@check("rds.backup_enabled", needs=("rds.instances", "rds.clusters"), severity="medium")
def backup_enabled(
    instances: tuple[Evidence, ...], clusters: tuple[Evidence, ...], *, min_retention_days: int = 7
) -> Iterator[Finding]:
    """Automated backups are kept for at least the required number of days on every database.

    Read replicas are not judged: their source's backups protect the data.
    """
    sources = ((_primaries(instances), "DBInstanceArn"), (_items(clusters), "DBClusterArn"))
    for items, arn_field in sources:
        for ev, db in items:
            days = int(db.get("BackupRetentionPeriod") or 0)
            kept = f"{days} day" + ("" if days == 1 else "s")
            yield judged(ev, db[arn_field], days >= min_retention_days,
                         f"Automated backups are kept for {kept} (at least {min_retention_days} required).",
                         f"Automated backups are kept for {kept}; at least {min_retention_days} are required."
                         if days else "Automated backups are off.")


@check("rds.multi_az", needs=("rds.instances", "rds.clusters"), severity="low")
def multi_az(instances: tuple[Evidence, ...], clusters: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Databases run in more than one Availability Zone.

    Instances must be Multi-AZ; a cluster passes when it is Multi-AZ or its members span two or more
    zones. Read replicas are not judged.
    """
    for ev, db in _primaries(instances):
        yield judged(ev, db["DBInstanceArn"], bool(db.get("MultiAZ")),
                     "The instance is Multi-AZ, with a standby in another zone.",
                     f"The instance runs in a single Availability Zone ({db.get('AvailabilityZone', 'unknown')}).")
    zones = {(ev.account_id, ev.region, db.get("DBInstanceIdentifier")): db.get("AvailabilityZone")
             for ev, db in _items(instances)}
    for ev, cluster in _items(clusters):
        members = [m.get("DBInstanceIdentifier") for m in cluster.get("DBClusterMembers", [])]
        spread = sorted({z for m in members if (z := zones.get((ev.account_id, ev.region, m)))})
        ok = bool(cluster.get("MultiAZ")) or len(spread) >= 2
        yield judged(ev, cluster["DBClusterArn"], ok,
                     "The cluster spans several Availability Zones" + (f" ({', '.join(spread)})." if spread else "."),
                     f"The cluster's instances run in a single Availability Zone ({spread[0]})." if spread
                     else "The cluster is not Multi-AZ and has no instance in a second Availability Zone.")
