"""RDS checks: each has a database (or snapshot) that fails and one that passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts

REGION = "eu-west-1"


def db(name: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "DBInstanceIdentifier": name, "DBInstanceArn": f"db:{name}", "Engine": "postgres", "StorageEncrypted": True,
        "KmsKeyId": "key-1", "PubliclyAccessible": False, "BackupRetentionPeriod": 7, "MultiAZ": True,
        "AvailabilityZone": "eu-west-1a", "TlsParameters": {"pg-tls": {"rds.force_ssl": "1"}}, "errors": {},
    }
    return {**base, **fields}


def cluster(name: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "DBClusterIdentifier": name, "DBClusterArn": f"cluster:{name}", "Engine": "aurora-mysql",
        "StorageEncrypted": True, "BackupRetentionPeriod": 7, "MultiAZ": False, "DBClusterMembers": [],
        "TlsParameters": {"cpg": {"require_secure_transport": "ON"}}, "errors": {},
    }
    return {**base, **fields}


def instances(*items: dict[str, object]) -> object:
    return snapshot("rds.instances", list(items), region=REGION)


def clusters(*items: dict[str, object]) -> object:
    return snapshot("rds.clusters", list(items), region=REGION)


def snaps(*items: dict[str, object]) -> object:
    return snapshot("rds.snapshots", list(items), region=REGION)


def cluster_snaps(*items: dict[str, object]) -> object:
    return snapshot("rds.cluster_snapshots", list(items), region=REGION)


def dms(*items: dict[str, object]) -> object:
    return snapshot("dms.replication_instances", list(items), region=REGION)


def test_storage_encrypted() -> None:
    result = run("rds.storage_encrypted", [
        instances(db("good"), db("plain", StorageEncrypted=False), db("member", DBClusterIdentifier="c", StorageEncrypted=False)),
        clusters(cluster("c", StorageEncrypted=False)),
        snaps({"DBSnapshotArn": "snap:good", "Encrypted": True, "SnapshotType": "manual", "errors": {}},
              {"DBSnapshotArn": "snap:plain", "Encrypted": False, "SnapshotType": "automated", "errors": {}}),
        cluster_snaps({"DBClusterSnapshotArn": "csnap:good", "StorageEncrypted": True, "errors": {}}),
    ])
    assert verdicts(result) == {"db:good": "pass", "db:plain": "fail", "cluster:c": "fail",
                                "snap:good": "pass", "snap:plain": "fail", "csnap:good": "pass"}
    assert "key-1" in result.findings[0].reason


def test_encrypted_in_transit() -> None:
    result = run("rds.encrypted_in_transit", [
        instances(
            db("pg-forced"), db("pg-open", TlsParameters={"default.postgres16": {"rds.force_ssl": "0"}}),
            db("mysql-open", Engine="mysql", TlsParameters={"custom": {}}),
            db("mariadb-forced", Engine="mariadb", TlsParameters={"m": {"require_secure_transport": "1"}}),
            db("oracle", Engine="oracle-ee", TlsParameters={}),
            db("unreadable", errors={"parameters": "AccessDenied"}),
        ),
        clusters(cluster("aurora-forced"), cluster("docdb-open", Engine="docdb", TlsParameters={"d": {"tls": "disabled"}})),
    ])
    assert verdicts(result) == {
        "db:pg-forced": "pass", "db:pg-open": "fail", "db:mysql-open": "fail", "db:mariadb-forced": "pass",
        "db:unreadable": "not_evaluated", "cluster:aurora-forced": "pass", "cluster:docdb-open": "fail",
    }
    reasons = {f.resource: f.reason for f in result.findings}
    assert "rds.force_ssl = 0" in reasons["db:pg-open"]
    assert "not set" in reasons["db:mysql-open"]


def test_no_public_access() -> None:
    result = run("rds.no_public_access", [
        instances(db("private"), db("public", PubliclyAccessible=True)),
        dms({"ReplicationInstanceArn": "dms:open", "PubliclyAccessible": True},
            {"ReplicationInstanceArn": "dms:closed", "PubliclyAccessible": False}),
    ])
    assert verdicts(result) == {"db:private": "pass", "db:public": "fail", "dms:open": "fail", "dms:closed": "pass"}


def test_snapshots_not_public() -> None:
    result = run("rds.snapshots_not_public", [
        snaps({"DBSnapshotArn": "snap:public", "SnapshotType": "manual", "Attributes": {"restore": ["all"]}, "errors": {}},
              {"DBSnapshotArn": "snap:shared", "SnapshotType": "manual", "Attributes": {"restore": ["444455556666"]},
               "errors": {}},
              {"DBSnapshotArn": "snap:auto", "SnapshotType": "automated", "errors": {}},
              {"DBSnapshotArn": "snap:hidden", "SnapshotType": "manual", "errors": {"attributes": "AccessDenied"}}),
        cluster_snaps({"DBClusterSnapshotArn": "csnap:private", "SnapshotType": "manual",
                       "Attributes": {"restore": []}, "errors": {}}),
    ])
    assert verdicts(result) == {"snap:public": "fail", "snap:shared": "pass", "snap:hidden": "not_evaluated",
                                "csnap:private": "pass"}
    assert "444455556666" in {f.resource: f.reason for f in result.findings}["snap:shared"]


def test_backup_enabled() -> None:
    snaps_in = [
        instances(db("kept"), db("short", BackupRetentionPeriod=1), db("off", BackupRetentionPeriod=0),
                  db("replica", BackupRetentionPeriod=0, ReadReplicaSourceDBInstanceIdentifier="kept")),
        clusters(cluster("c", BackupRetentionPeriod=35)),
    ]
    assert verdicts(run("rds.backup_enabled", snaps_in)) == {
        "db:kept": "pass", "db:short": "fail", "db:off": "fail", "cluster:c": "pass"}
    assert run("rds.backup_enabled", snaps_in, min_retention_days=35).findings[0].status == "fail"


def test_multi_az() -> None:
    result = run("rds.multi_az", [
        instances(db("ha"), db("single", MultiAZ=False),
                  db("w", DBClusterIdentifier="spread", AvailabilityZone="eu-west-1a", MultiAZ=False),
                  db("r", DBClusterIdentifier="spread", AvailabilityZone="eu-west-1b", MultiAZ=False),
                  db("lone", DBClusterIdentifier="narrow", AvailabilityZone="eu-west-1a", MultiAZ=False)),
        clusters(cluster("spread", DBClusterMembers=[{"DBInstanceIdentifier": "w"}, {"DBInstanceIdentifier": "r"}]),
                 cluster("narrow", DBClusterMembers=[{"DBInstanceIdentifier": "lone"}]),
                 cluster("flagged", MultiAZ=True)),
    ])
    assert verdicts(result) == {"db:ha": "pass", "db:single": "fail", "cluster:spread": "pass",
                                "cluster:narrow": "fail", "cluster:flagged": "pass"}
