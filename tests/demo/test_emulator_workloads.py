"""Emulator patches for Lambda URLs, EMR and Systems Manager, read back through the real collectors.

Everything here lives in a region the demo scenario does not use, so the shared emulator's demo
state is left alone.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from evidence import registry
from evidence.collect import AccountTarget, collect
from evidence.demo.emulator import Emulator, emulator_credentials
from evidence.demo.run import demo_factory
from evidence.models import Evidence
from evidence.pipeline import make_period

REGION = "ap-southeast-2"
ACCOUNT = "123456789012"
SECRET = "value-that-must-never-be-collected"


def client(emulator: Emulator, service: str, region: str = REGION) -> Any:
    return boto3.Session(region_name=region, **emulator_credentials()).client(
        service, endpoint_url=emulator.endpoint_url
    )


def collected(emulator: Emulator, key: str, region: str = REGION) -> Evidence:
    (ev,) = collect([AccountTarget(ACCOUNT, demo_factory(emulator))], regions=[region],
                    period=make_period(None, None), specs=[registry.collectors()[key]])
    assert ev.error is None, ev.error
    return ev


def _role(emulator: Emulator, name: str, service: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    try:
        return str(client(emulator, "iam").create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    except ClientError:  # created by an earlier test on the shared emulator
        return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def test_lambda_collector_keeps_variable_names_and_lists_urls(emulator: Emulator) -> None:
    lam = client(emulator, "lambda")
    role = _role(emulator, "workloads-test-lambda", "lambda.amazonaws.com")
    lam.create_function(FunctionName="workloads-hook", Runtime="python3.12", Role=role, Handler="index.handler",
                        Code={"ZipFile": _zip()}, Environment={"Variables": {"API_TOKEN": SECRET}})
    lam.create_function_url_config(FunctionName="workloads-hook", AuthType="NONE")
    lam.create_function(FunctionName="workloads-quiet", Runtime="python3.12", Role=role, Handler="index.handler",
                        Code={"ZipFile": _zip()})
    ev = collected(emulator, "lambda.functions")
    assert SECRET not in json.dumps(ev.data)
    by_name = {f["FunctionName"]: f for f in ev.data}
    hook, quiet = by_name["workloads-hook"], by_name["workloads-quiet"]
    assert hook["Environment"] == {"VariableNames": ["API_TOKEN"]}
    assert [u["AuthType"] for u in hook["FunctionUrlConfigs"]] == ["NONE"]
    assert quiet["FunctionUrlConfigs"] == [] and quiet["Policy"] is None and quiet["errors"] == {}
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        lam.list_function_url_configs(FunctionName="no-such-function")


def test_emr_clusters_stay_in_their_region_and_subnet(emulator: Emulator) -> None:
    ec2, emr = client(emulator, "ec2"), client(emulator, "emr")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]
    public = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    ids = {}
    for name, subnet in (("workloads-private", private), ("workloads-public", public)):
        ids[name] = emr.run_job_flow(
            Name=name, ReleaseLabel="emr-7.0.0", JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
            Instances={"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1,
                                           "Market": "ON_DEMAND"}],
                       "KeepJobFlowAliveWhenNoSteps": True, "Ec2SubnetId": subnet["SubnetId"]},
        )["JobFlowId"]
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={"BlockPublicSecurityGroupRules": True})
    masters = {c["Name"]: c["MasterInstances"] for c in collected(emulator, "emr.clusters").data}
    assert [m.get("PublicIpAddress") for m in masters["workloads-private"]] == [None]
    assert masters["workloads-public"][0]["PublicIpAddress"]
    # Another region sees neither the clusters nor the block public access setting.
    elsewhere = client(emulator, "emr", "ca-central-1")
    assert ids["workloads-private"] not in [c["Id"] for c in elsewhere.list_clusters()["Clusters"]]
    assert elsewhere.get_block_public_access_configuration()["BlockPublicAccessConfiguration"] == {}


def test_ssm_lists_instances_with_a_profile_and_summarises_patch_compliance(emulator: Emulator) -> None:
    iam, ec2, ssm = client(emulator, "iam"), client(emulator, "ec2"), client(emulator, "ssm")
    _role(emulator, "workloads-test-ssm", "ec2.amazonaws.com")
    try:
        iam.create_instance_profile(InstanceProfileName="workloads-test-ssm")
        iam.add_role_to_instance_profile(InstanceProfileName="workloads-test-ssm", RoleName="workloads-test-ssm")
    except ClientError:
        pass
    run = {"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1}
    managed = ec2.run_instances(IamInstanceProfile={"Name": "workloads-test-ssm"}, **run)["Instances"][0]["InstanceId"]
    stopped = ec2.run_instances(IamInstanceProfile={"Name": "workloads-test-ssm"}, **run)["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[stopped])
    bare = ec2.run_instances(**run)["Instances"][0]["InstanceId"]
    pings = {i["InstanceId"]: i["PingStatus"] for i in collected(emulator, "ssm.managed_instances").data}
    assert pings[managed] == "Online" and pings[stopped] == "ConnectionLost" and bare not in pings

    def report(instance: str, *statuses: tuple[str, str]) -> None:
        ssm.put_compliance_items(
            ResourceId=instance, ResourceType="ManagedInstance", ComplianceType="Patch",
            ExecutionSummary={"ExecutionTime": datetime.now(UTC)},
            Items=[{"Id": f"KB{n}", "Severity": sev, "Status": st} for n, (st, sev) in enumerate(statuses)],
        )

    report(managed, ("COMPLIANT", "CRITICAL"), ("NON_COMPLIANT", "MEDIUM"), ("NON_COMPLIANT", "HIGH"))
    report(stopped, ("NON_COMPLIANT", "LOW"))
    report(stopped, ("COMPLIANT", "LOW"))  # a later upload replaces the earlier one
    ssm.put_compliance_items(ResourceId=managed, ResourceType="ManagedInstance", ComplianceType="Custom:Backup",
                             ExecutionSummary={"ExecutionTime": datetime.now(UTC)},
                             Items=[{"Id": "b", "Severity": "LOW", "Status": "NON_COMPLIANT"}])
    summaries = {s["ResourceId"]: s for s in collected(emulator, "ssm.patch_compliance").data}
    assert set(summaries) == {managed, stopped}  # the collector asks for the Patch type only
    assert summaries[managed]["Status"] == "NON_COMPLIANT" and summaries[managed]["OverallSeverity"] == "HIGH"
    assert summaries[managed]["NonCompliantSummary"]["NonCompliantCount"] == 2
    assert summaries[managed]["CompliantSummary"]["SeveritySummary"]["CriticalCount"] == 1
    assert summaries[stopped]["Status"] == "COMPLIANT"
    with pytest.raises(ClientError, match="InvalidFilter"):
        ssm.list_resource_compliance_summaries(Filters=[{"Key": "Nonsense", "Values": ["x"], "Type": "EQUAL"}])
