"""Amazon EKS: every cluster with its API endpoint access settings."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector


def _described(ctx: CollectContext, name: str) -> dict[str, Any]:
    try:
        return {**ctx.client("eks").describe_cluster(name=name)["cluster"], "errors": {}}
    except ClientError as exc:
        return {"name": name, "errors": {"DescribeCluster": error_code(exc)}}


@collector("eks.clusters", service="eks", actions=("eks:ListClusters", "eks:DescribeCluster"))
def clusters(ctx: CollectContext) -> Any:
    """EKS clusters, described (endpoint access, networking, logging, encryption)."""
    names = paginate(ctx.client("eks"), "list_clusters", "clusters")
    return ctx.map(lambda n: _described(ctx, n), names)
