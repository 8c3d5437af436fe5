"""EKS checks: a cluster open to the internet fails; private or CIDR-limited ones pass."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts


def cluster(name: str, **vpc: Any) -> dict[str, Any]:
    return {"name": name, "arn": f"arn:eks/{name}", "resourcesVpcConfig": vpc, "errors": {}}


def test_endpoint_not_public() -> None:
    result = run("eks.endpoint_not_public", [snapshot("eks.clusters", [
        cluster("open", endpointPublicAccess=True, publicAccessCidrs=["0.0.0.0/0"]),
        cluster("default-cidrs", endpointPublicAccess=True),
        cluster("office", endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"]),
        cluster("private", endpointPublicAccess=False, endpointPrivateAccess=True),
        {"name": "unread", "errors": {"DescribeCluster": "AccessDeniedException"}},
    ], region="eu-west-1", account="111122223333")])
    assert verdicts(result) == {
        "arn:eks/open": "fail", "arn:eks/default-cidrs": "fail", "arn:eks/office": "pass", "arn:eks/private": "pass",
        "arn:aws:eks:eu-west-1:111122223333:cluster/unread": "not_evaluated",
    }
