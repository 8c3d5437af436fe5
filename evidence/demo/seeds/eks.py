"""EKS: a production cluster with a private API endpoint and a sandbox cluster open to the internet."""

from __future__ import annotations

import json

from evidence.demo.scenario import HOME, Clients, expect, seeder


@seeder
def seed_eks(aws: Clients) -> None:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = aws("iam").create_role(RoleName="eks-cluster", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    ec2 = aws("ec2", HOME)
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][:2]]
    eks = aws("eks", HOME)
    production = eks.create_cluster(name="production", roleArn=role, resourcesVpcConfig={
        "subnetIds": subnets, "endpointPublicAccess": False, "endpointPrivateAccess": True})["cluster"]["arn"]
    sandbox = eks.create_cluster(name="sandbox", roleArn=role, resourcesVpcConfig={
        "subnetIds": subnets, "endpointPublicAccess": True, "endpointPrivateAccess": False,
        "publicAccessCidrs": ["0.0.0.0/0"]})["cluster"]["arn"]
    expect("eks.endpoint_not_public", production, "pass")
    expect("eks.endpoint_not_public", sandbox, "fail")
