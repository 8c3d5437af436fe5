"""Amazon EKS checks: cluster API endpoints are not open to the internet."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import judged, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check

WORLD = ("0.0.0.0/0", "::/0")


@check("eks.endpoint_not_public", needs="eks.clusters", severity="high")
def endpoint_not_public(clusters: tuple[Evidence, ...]) -> Iterator[Finding]:
    """EKS cluster API endpoints are private, or public only to listed address ranges."""
    for ev in clusters:
        for cluster in ev.data or []:
            arn = cluster.get("arn") or f"arn:aws:eks:{ev.region}:{ev.account_id}:cluster/{cluster['name']}"
            if "DescribeCluster" in cluster.get("errors", {}):
                yield unknown(ev, arn, f"The cluster could not be described ({cluster['errors']['DescribeCluster']}).")
                continue
            vpc = cluster.get("resourcesVpcConfig") or {}
            cidrs = vpc.get("publicAccessCidrs") or list(WORLD[:1])  # AWS defaults to 0.0.0.0/0
            if not vpc.get("endpointPublicAccess"):
                yield passed(ev, arn, "The API endpoint is private.")
                continue
            open_to = [c for c in cidrs if c in WORLD]
            yield judged(ev, arn, not open_to, f"The public API endpoint accepts only {', '.join(cidrs)}.",
                         f"Cluster {cluster['name']} exposes its API endpoint to the whole internet "
                         f"({', '.join(open_to)}).")
