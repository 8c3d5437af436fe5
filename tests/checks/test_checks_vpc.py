"""VPC checks: each has a resource that fails and one that passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts

REGION = "us-east-1"
ACCOUNT = "111122223333"


def arn(kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{resource_id}"


def test_subnet_no_auto_public_ip() -> None:
    result = run("vpc.subnet_no_auto_public_ip", [snapshot("ec2.subnets", [
        {"SubnetId": "subnet-public", "VpcId": "vpc-1", "MapPublicIpOnLaunch": True, "OwnerId": ACCOUNT},
        {"SubnetId": "subnet-private", "VpcId": "vpc-1", "MapPublicIpOnLaunch": False, "OwnerId": ACCOUNT},
    ], region=REGION)])
    assert verdicts(result) == {arn("subnet", "subnet-public"): "fail", arn("subnet", "subnet-private"): "pass"}


def test_flow_logs_enabled() -> None:
    vpcs = snapshot("ec2.vpcs", [{"VpcId": v, "OwnerId": ACCOUNT} for v in ("vpc-logged", "vpc-accepts", "vpc-none")],
                    region=REGION)
    logs = snapshot("ec2.flow_logs", [
        {"FlowLogId": "fl-1", "ResourceId": "vpc-logged", "FlowLogStatus": "ACTIVE", "TrafficType": "ALL",
         "LogDestinationType": "s3"},
        {"FlowLogId": "fl-2", "ResourceId": "vpc-accepts", "FlowLogStatus": "ACTIVE", "TrafficType": "ACCEPT"},
    ], region=REGION)
    result = run("vpc.flow_logs_enabled", [vpcs, logs])
    assert verdicts(result) == {arn("vpc", "vpc-logged"): "pass", arn("vpc", "vpc-accepts"): "fail",
                                arn("vpc", "vpc-none"): "fail"}
    # Flow logs from another region do not count; without that region's snapshot the VPC is unjudged.
    elsewhere = snapshot("ec2.flow_logs", [], region="eu-west-1")
    assert verdicts(run("vpc.flow_logs_enabled", [vpcs, elsewhere]))[arn("vpc", "vpc-logged")] == "not_evaluated"


def test_no_unrestricted_route_to_igw() -> None:
    local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}
    tables = snapshot("ec2.route_tables", [
        {"RouteTableId": "rtb-public", "VpcId": "vpc-1", "OwnerId": ACCOUNT, "Routes": [
            local, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}]},
        {"RouteTableId": "rtb-v6", "VpcId": "vpc-1", "OwnerId": ACCOUNT, "Routes": [
            {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "State": "active"}]},
        {"RouteTableId": "rtb-nat", "VpcId": "vpc-1", "OwnerId": ACCOUNT, "Routes": [
            local, {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}]},
        {"RouteTableId": "rtb-private", "VpcId": "vpc-1", "OwnerId": ACCOUNT, "Routes": [local]},
    ], region=REGION)
    result = run("vpc.no_unrestricted_route_to_igw", [tables])
    assert verdicts(result) == {arn("route-table", "rtb-public"): "fail", arn("route-table", "rtb-v6"): "fail",
                                arn("route-table", "rtb-nat"): "pass", arn("route-table", "rtb-private"): "pass"}
    approved = run("vpc.no_unrestricted_route_to_igw", [tables], authorized_route_tables=["rtb-public"])
    assert verdicts(approved)[arn("route-table", "rtb-public")] == "pass"
