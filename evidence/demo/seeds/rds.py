"""RDS: a well-run PostgreSQL database, a neglected public MySQL one, an Aurora cluster, snapshots, DMS."""

from __future__ import annotations

from typing import Any

from evidence.demo.scenario import HOME, OTHER, Clients, expect, seeder

PASSWORD = "Demo-Password-123!"


def _parameter_group(rds: Any, name: str, family: str, parameter: str, value: str, *, cluster: bool) -> None:
    change = [{"ParameterName": parameter, "ParameterValue": value, "ApplyMethod": "immediate"}]
    if cluster:
        rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description=f"{name} settings")
        rds.modify_db_cluster_parameter_group(
            DBClusterParameterGroupName=name, Parameters=change)
    else:
        rds.create_db_parameter_group(
            DBParameterGroupName=name, DBParameterGroupFamily=family, Description=f"{name} settings")
        rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=change)


@seeder
def seed_rds(aws: Clients) -> None:
    rds = aws("rds", HOME)
    _parameter_group(rds, "orders-postgres16", "postgres16", "rds.force_ssl", "1", cluster=False)
    orders = rds.create_db_instance(
        DBInstanceIdentifier="orders-db", DBInstanceClass="db.m6g.large", Engine="postgres", EngineVersion="16.3",
        MasterUsername="orders", MasterUserPassword=PASSWORD, AllocatedStorage=50, StorageEncrypted=True,
        PubliclyAccessible=False, BackupRetentionPeriod=14, MultiAZ=True, DBParameterGroupName="orders-postgres16",
    )["DBInstance"]["DBInstanceArn"]
    private = rds.create_db_snapshot(DBSnapshotIdentifier="orders-before-migration",
                                     DBInstanceIdentifier="orders-db")["DBSnapshot"]["DBSnapshotArn"]

    _parameter_group(rds, "analytics-aurora-pg16", "aurora-postgresql16", "rds.force_ssl", "1", cluster=True)
    analytics = rds.create_db_cluster(
        DBClusterIdentifier="analytics", Engine="aurora-postgresql", MasterUsername="analytics",
        MasterUserPassword=PASSWORD, StorageEncrypted=True, BackupRetentionPeriod=1,
        DBClusterParameterGroupName="analytics-aurora-pg16",
    )["DBCluster"]["DBClusterArn"]

    eu = aws("rds", OTHER)
    _parameter_group(eu, "legacy-mysql8", "mysql8.0", "require_secure_transport", "0", cluster=False)
    legacy = eu.create_db_instance(
        DBInstanceIdentifier="legacy-crm", DBInstanceClass="db.t3.micro", Engine="mysql", EngineVersion="8.0.36",
        MasterUsername="crm", MasterUserPassword=PASSWORD, AllocatedStorage=20, StorageEncrypted=False,
        PubliclyAccessible=True, BackupRetentionPeriod=1, MultiAZ=False, DBParameterGroupName="legacy-mysql8",
    )["DBInstance"]["DBInstanceArn"]
    public = eu.create_db_snapshot(DBSnapshotIdentifier="legacy-crm-export",
                                   DBInstanceIdentifier="legacy-crm")["DBSnapshot"]["DBSnapshotArn"]
    eu.modify_db_snapshot_attribute(DBSnapshotIdentifier="legacy-crm-export", AttributeName="restore",
                                    ValuesToAdd=["all"])
    migration = aws("dms", OTHER).create_replication_instance(
        ReplicationInstanceIdentifier="crm-migration", ReplicationInstanceClass="dms.t3.micro",
        PubliclyAccessible=True,
    )["ReplicationInstance"]["ReplicationInstanceArn"]

    for check in ("rds.storage_encrypted", "rds.encrypted_in_transit", "rds.no_public_access", "rds.backup_enabled",
                  "rds.multi_az"):
        expect(check, orders, "pass")
        expect(check, legacy, "fail")
    expect("rds.storage_encrypted", analytics, "pass")
    expect("rds.encrypted_in_transit", analytics, "pass")
    expect("rds.backup_enabled", analytics, "fail")
    expect("rds.multi_az", analytics, "fail")
    expect("rds.storage_encrypted", private, "pass")
    expect("rds.storage_encrypted", public, "fail")
    expect("rds.snapshots_not_public", private, "pass")
    expect("rds.snapshots_not_public", public, "fail")
    expect("rds.no_public_access", migration, "fail")
