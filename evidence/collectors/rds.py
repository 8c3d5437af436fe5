"""RDS (with Aurora, DocumentDB and Neptune, which share its API) and DMS replication instances.

Instances and clusters carry the TLS-enforcing settings of their parameter groups; each parameter
group is read once per run, however many databases use it. Manual snapshots carry their sharing
attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, declare, paginate
from evidence.registry import collector

# Parameters that force TLS on database connections, by engine family.
TLS_PARAMETERS = frozenset({"rds.force_ssl", "require_secure_transport", "tls", "neptune_enforce_ssl"})


def _group_settings(
    ctx: CollectContext, method: str, name_param: str, names: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Group name -> {"Parameters": {name: value}} or {"error": code}, for the TLS parameters only."""
    client = ctx.client("rds")

    def read(name: str) -> tuple[str, dict[str, Any]]:
        try:
            params = paginate(client, method, "Parameters", **{name_param: name})
        except ClientError as exc:
            return name, {"error": error_code(exc)}
        found = {p["ParameterName"]: p.get("ParameterValue") for p in params if p["ParameterName"] in TLS_PARAMETERS}
        return name, {"Parameters": found}

    return dict(ctx.map(read, sorted(set(names))))


def _with_settings(resource: dict[str, Any], groups: list[str], settings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    resource = {**resource, "TlsParameters": {}, "errors": {}}
    for name in groups:
        if "error" in settings[name]:
            resource["errors"]["parameters"] = settings[name]["error"]
        else:
            resource["TlsParameters"][name] = settings[name]["Parameters"]
    return resource


@collector("rds.instances", service="rds", actions=("rds:DescribeDBInstances", "rds:DescribeDBParameters"))
def instances(ctx: CollectContext) -> Any:
    """Every DB instance of the region, with the TLS settings of its DB parameter groups."""
    found = paginate(ctx.client("rds"), "describe_db_instances", "DBInstances")
    groups = {i["DBInstanceArn"]: [g["DBParameterGroupName"] for g in i.get("DBParameterGroups", [])] for i in found}
    settings = _group_settings(
        ctx, "describe_db_parameters", "DBParameterGroupName", (n for names in groups.values() for n in names)
    )
    return [_with_settings(i, groups[i["DBInstanceArn"]], settings) for i in found]


@collector("rds.clusters", service="rds", actions=("rds:DescribeDBClusters", "rds:DescribeDBClusterParameters"))
def clusters(ctx: CollectContext) -> Any:
    """Every DB cluster of the region, with the TLS settings of its cluster parameter group."""
    found = paginate(ctx.client("rds"), "describe_db_clusters", "DBClusters")
    groups = {c["DBClusterArn"]: [c["DBClusterParameterGroup"]] if c.get("DBClusterParameterGroup") else []
              for c in found}
    settings = _group_settings(
        ctx, "describe_db_cluster_parameters", "DBClusterParameterGroupName",
        (n for names in groups.values() for n in names),
    )
    return [_with_settings(c, groups[c["DBClusterArn"]], settings) for c in found]


def _shared_with(ctx: CollectContext, method: str, id_param: str, result_key: str, snapshot_id: str) -> Any:
    resp = getattr(ctx.client("rds"), method)(**{id_param: snapshot_id})[result_key]
    attributes = resp.get("DBSnapshotAttributes") or resp.get("DBClusterSnapshotAttributes") or []
    return {a["AttributeName"]: a.get("AttributeValues", []) for a in attributes}


def _snapshots(
    ctx: CollectContext, list_method: str, list_key: str, id_field: str, attr_method: str, attr_key: str
) -> list[dict[str, Any]]:
    found = paginate(ctx.client("rds"), list_method, list_key)

    def detail(snap: dict[str, Any]) -> dict[str, Any]:
        snap = {**snap, "errors": {}}
        if snap.get("SnapshotType") != "manual":
            return snap
        try:
            snap["Attributes"] = _shared_with(ctx, attr_method, id_field, attr_key, snap[id_field])
        except ClientError as exc:
            snap["errors"]["attributes"] = error_code(exc)
        return snap

    return ctx.map(detail, found)


@collector("rds.snapshots", service="rds", actions=("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"))
def snapshots(ctx: CollectContext) -> Any:
    """The account's DB snapshots in the region; manual ones with the accounts they are shared with."""
    return _snapshots(ctx, "describe_db_snapshots", "DBSnapshots", "DBSnapshotIdentifier",
                      "describe_db_snapshot_attributes", "DBSnapshotAttributesResult")


@collector(
    "rds.cluster_snapshots",
    service="rds",
    actions=("rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"),
)
def cluster_snapshots(ctx: CollectContext) -> Any:
    """The account's DB cluster snapshots in the region; manual ones with the accounts they are shared with."""
    return _snapshots(ctx, "describe_db_cluster_snapshots", "DBClusterSnapshots", "DBClusterSnapshotIdentifier",
                      "describe_db_cluster_snapshot_attributes", "DBClusterSnapshotAttributesResult")


declare(
    "dms.replication_instances",
    service="dms",
    operation="DescribeReplicationInstances",
    result_key="ReplicationInstances",
)
