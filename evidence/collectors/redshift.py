"""Redshift: every provisioned cluster, with the TLS setting (require_ssl) of its parameter groups."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

TLS_PARAMETER = "require_ssl"


@collector(
    "redshift.clusters",
    service="redshift",
    actions=("redshift:DescribeClusters", "redshift:DescribeClusterParameters"),
)
def clusters(ctx: CollectContext) -> Any:
    """Every cluster of the region; each parameter group it uses is read once for require_ssl."""
    client = ctx.client("redshift")
    found = paginate(client, "describe_clusters", "Clusters")
    names = sorted({g["ParameterGroupName"] for c in found for g in c.get("ClusterParameterGroups", [])})

    def read(name: str) -> tuple[str, dict[str, Any]]:
        try:
            params = paginate(client, "describe_cluster_parameters", "Parameters", ParameterGroupName=name)
        except ClientError as exc:
            return name, {"error": error_code(exc)}
        values = [p.get("ParameterValue") for p in params if p["ParameterName"] == TLS_PARAMETER]
        return name, {"value": values[0] if values else None}

    settings = dict(ctx.map(read, names))
    out = []
    for cluster in found:
        cluster = {**cluster, "RequireSsl": {}, "errors": {}}
        for group in cluster.get("ClusterParameterGroups", []):
            setting = settings[group["ParameterGroupName"]]
            if "error" in setting:
                cluster["errors"]["parameters"] = setting["error"]
            else:
                cluster["RequireSsl"][group["ParameterGroupName"]] = setting["value"]
        out.append(cluster)
    return out
