"""Amazon EMR checks: block public access is on, and no master node has a public address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, judged, regional_account_arn, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check

PERMITTED_PORTS = (22,)


def cluster_arn(ev: Evidence, cluster_id: str) -> str:
    return f"arn:aws:elasticmapreduce:{ev.region}:{ev.account_id}:cluster/{cluster_id}"


def _ranges(config: dict[str, Any]) -> list[tuple[int, int]]:
    return [(int(r["MinRange"]), int(r.get("MaxRange", r["MinRange"])))
            for r in config.get("PermittedPublicSecurityGroupRuleRanges") or []]


@check("emr.no_public_access", needs=("emr.block_public_access", "emr.clusters"), severity="high")
def no_public_access(
    settings: tuple[Evidence, ...],
    clusters: tuple[Evidence, ...],
    *,
    permitted_ports: tuple[int, ...] = PERMITTED_PORTS,
) -> Iterator[Finding]:
    """EMR block public access is on in every region, and no cluster's master node has a public IP."""
    for ev in settings:
        config = ev.data or {}
        extra = [f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in _ranges(config)
                 if not (lo == hi and lo in permitted_ports)]
        if not config.get("BlockPublicSecurityGroupRules"):
            yield failed(ev, regional_account_arn(ev, "elasticmapreduce"),
                         f"EMR block public access is off in {ev.region}.")
            continue
        yield judged(ev, regional_account_arn(ev, "elasticmapreduce"), not extra,
                     f"EMR block public access is on in {ev.region}.",
                     f"EMR block public access in {ev.region} lets security groups open ports {', '.join(extra)} "
                     "to the internet.")
    for ev in clusters:
        for cluster in ev.data or []:
            arn = cluster.get("ClusterArn") or cluster_arn(ev, cluster["Id"])
            if cluster.get("errors"):
                yield unknown(ev, arn, "The cluster's master node could not be read ("
                                       + ", ".join(f"{k}: {v}" for k, v in cluster["errors"].items()) + ").")
                continue
            public = [f"{i.get('Ec2InstanceId')} ({i['PublicIpAddress']})" for i in cluster.get("MasterInstances", [])
                      if i.get("PublicIpAddress")]
            yield judged(ev, arn, not public, "No master node has a public IP address.",
                         f"Cluster {cluster.get('Name', cluster['Id'])} has a master node with a public IP address: "
                         f"{', '.join(public)}.")
