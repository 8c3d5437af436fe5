"""Amazon EMR: the account's block public access setting and the master nodes of active clusters."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, declare, paginate
from evidence.registry import collector

ACTIVE_STATES = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]

declare("emr.block_public_access", service="emr", operation="GetBlockPublicAccessConfiguration",
        result_key="BlockPublicAccessConfiguration")


def _master_nodes(ctx: CollectContext, cluster_id: str) -> dict[str, Any]:
    emr = ctx.client("emr")
    try:
        cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    except ClientError as exc:
        return {"Id": cluster_id, "errors": {"DescribeCluster": error_code(exc)}}
    cluster["errors"] = {}
    role = {"InstanceFleetType": "MASTER"} if cluster.get("InstanceCollectionType") == "INSTANCE_FLEET" \
        else {"InstanceGroupTypes": ["MASTER"]}
    try:
        cluster["MasterInstances"] = paginate(emr, "list_instances", "Instances", ClusterId=cluster_id, **role)
    except ClientError as exc:
        cluster["errors"]["MasterInstances"] = error_code(exc)
    return cluster


@collector("emr.clusters", service="emr",
           actions=("elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster",
                    "elasticmapreduce:ListInstances"))
def clusters(ctx: CollectContext) -> Any:
    """Active clusters, described, each with its master node(s) and their addresses."""
    listed = paginate(ctx.client("emr"), "list_clusters", "Clusters", ClusterStates=ACTIVE_STATES)
    return ctx.map(lambda c: _master_nodes(ctx, c["Id"]), listed)
