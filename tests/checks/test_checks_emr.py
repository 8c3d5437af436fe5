"""EMR checks: block public access off (or too permissive) fails, as does a public master node."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

ACCOUNT = "111122223333"


def bpa(region: str, config: dict[str, Any]) -> Any:
    return snapshot("emr.block_public_access", config, region=region, account=ACCOUNT)


def clusters(*items: dict[str, Any]) -> Any:
    return snapshot("emr.clusters", list(items), region="us-east-1", account=ACCOUNT)


def cluster(cluster_id: str, *ips: str | None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"Id": cluster_id, "ClusterArn": f"arn:emr/{cluster_id}", "errors": errors or {},
            "MasterInstances": [{"Ec2InstanceId": f"i-{n}", "PublicIpAddress": ip} for n, ip in enumerate(ips)]}


def account(region: str) -> str:
    return f"arn:aws:elasticmapreduce:{region}:{ACCOUNT}:account"


def test_no_public_access() -> None:
    ssh_only = [{"MinRange": 22, "MaxRange": 22}]
    result = run("emr.no_public_access", [
        bpa("us-east-1", {"BlockPublicSecurityGroupRules": True, "PermittedPublicSecurityGroupRuleRanges": ssh_only}),
        bpa("us-east-2", {"BlockPublicSecurityGroupRules": True,
                          "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 8000, "MaxRange": 9000}]}),
        bpa("eu-west-1", {}),
        clusters(cluster("j-private", None), cluster("j-public", "198.51.100.4"),
                 cluster("j-unread", errors={"MasterInstances": "AccessDeniedException"})),
    ])
    assert verdicts(result) == {
        account("us-east-1"): "pass", account("us-east-2"): "fail", account("eu-west-1"): "fail",
        "arn:emr/j-private": "pass", "arn:emr/j-public": "fail", "arn:emr/j-unread": "not_evaluated",
    }
