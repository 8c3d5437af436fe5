"""SageMaker: a data-science notebook inside the VPC and an experiment notebook with direct internet."""

from __future__ import annotations

import json

from evidence.demo.scenario import HOME, Clients, expect, seeder


@seeder
def seed_sagemaker(aws: Clients) -> None:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = aws("iam").create_role(RoleName="sagemaker-notebooks", AssumeRolePolicyDocument=json.dumps(trust))
    ec2 = aws("ec2", HOME)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24", AvailabilityZone=f"{HOME}a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="notebooks", Description="notebooks", VpcId=vpc)["GroupId"]
    sagemaker = aws("sagemaker", HOME)
    private = sagemaker.create_notebook_instance(
        NotebookInstanceName="risk-models", InstanceType="ml.t3.medium", RoleArn=role["Role"]["Arn"],
        SubnetId=subnet, SecurityGroupIds=[group], DirectInternetAccess="Disabled",
    )["NotebookInstanceArn"]
    direct = sagemaker.create_notebook_instance(
        NotebookInstanceName="quick-experiments", InstanceType="ml.t3.medium", RoleArn=role["Role"]["Arn"],
        DirectInternetAccess="Enabled",
    )["NotebookInstanceArn"]
    expect("sagemaker.notebook_no_direct_internet", private, "pass")
    expect("sagemaker.notebook_no_direct_internet", direct, "fail")
