"""EMR: block public access on in us-east-1 (never set in eu-west-1); a nightly ETL cluster in a private
subnet and an ad-hoc analysis cluster whose master node got a public address."""

from __future__ import annotations

from typing import Any

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder


def _cluster(emr: Any, name: str, subnet: str) -> str:
    return str(emr.run_job_flow(
        Name=name, ReleaseLabel="emr-7.0.0", JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
        Instances={
            "InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1,
                                "Market": "ON_DEMAND"}],
            "KeepJobFlowAliveWhenNoSteps": True,
            "Ec2SubnetId": subnet,
        },
    )["ClusterArn"])


@seeder
def seed_emr(aws: Clients) -> None:
    emr = aws("emr", HOME)
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
    })
    expect("emr.no_public_access", f"arn:aws:elasticmapreduce:{HOME}:{ACCOUNT}:account", "pass")
    expect("emr.no_public_access", f"arn:aws:elasticmapreduce:{OTHER}:{ACCOUNT}:account", "fail")

    ec2 = aws("ec2", HOME)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{HOME}a")["Subnet"]["SubnetId"]
    public = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]["SubnetId"]
    expect("emr.no_public_access", _cluster(emr, "nightly-etl", private), "pass")
    expect("emr.no_public_access", _cluster(emr, "adhoc-analysis", public), "fail")
