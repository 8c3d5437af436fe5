"""EC2, VPC and EBS: an application VPC kept mostly right, with a legacy corner that is not.

us-east-1 holds the application VPC: a private and a public subnet, security groups for the web
tier, a bastion and a database, two instances, launch settings, AMIs and an encrypted volume.
eu-west-1 holds an unencrypted volume whose snapshot was made public. Both regions keep the
emulator's default VPC, whose default security group allows all outbound traffic.
"""

from __future__ import annotations

import json
from typing import Any

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder

APP_CIDR = "10.20.0.0/16"
WORLD = [{"CidrIp": "0.0.0.0/0"}]
FLOW_LOG_GROUP = "vpc-flow-logs/app"
IMAGE = "ami-12345678"  # the emulator accepts any image id


def arn(region: str, kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:{kind}/{resource_id}"


def regional_account(region: str) -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:account"


def _role(aws: Clients, name: str, service: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    return str(aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def _group(ec2: Any, vpc: str, name: str, port: int | None) -> str:
    group_id = str(ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"])
    if port is not None:
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": WORLD}]
        )
    return group_id


def _default_group(ec2: Any, vpc: str) -> dict[str, Any]:
    found = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return dict(found[0])


def _network(aws: Clients) -> dict[str, str]:
    ec2 = aws("ec2", HOME)
    vpc = ec2.create_vpc(CidrBlock=APP_CIDR)["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone=f"{HOME}a")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24", AvailabilityZone=f"{HOME}b")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    expect("vpc.subnet_no_auto_public_ip", arn(HOME, "subnet", private), "pass")
    expect("vpc.subnet_no_auto_public_ip", arn(HOME, "subnet", public), "fail")

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    main_rt = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    expect("vpc.no_unrestricted_route_to_igw", arn(HOME, "route-table", public_rt), "fail")
    expect("vpc.no_unrestricted_route_to_igw", arn(HOME, "route-table", main_rt), "pass")

    aws("logs", HOME).create_log_group(logGroupName=FLOW_LOG_GROUP)
    ec2.create_flow_logs(
        ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName=FLOW_LOG_GROUP,
        DeliverLogsPermissionArn=_role(aws, "vpc-flow-logs", "vpc-flow-logs.amazonaws.com"),
    )
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    expect("vpc.flow_logs_enabled", arn(HOME, "vpc", vpc), "pass")
    expect("vpc.flow_logs_enabled", arn(HOME, "vpc", default_vpc), "fail")

    # The application VPC's default group is emptied; the emulator's default VPCs keep allow-all egress.
    app_default = _default_group(ec2, vpc)
    ec2.revoke_security_group_egress(GroupId=app_default["GroupId"], IpPermissions=app_default["IpPermissionsEgress"])
    expect("ec2.default_sg_restricts_all", arn(HOME, "security-group", app_default["GroupId"]), "pass")
    for region in (HOME, OTHER):
        regional = aws("ec2", region)
        vpc_id = regional.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        group = _default_group(regional, vpc_id)["GroupId"]
        expect("ec2.default_sg_restricts_all", arn(region, "security-group", group), "fail")

    web = _group(ec2, vpc, "web-public", 443)
    bastion = _group(ec2, vpc, "bastion-ssh", 22)
    database = _group(ec2, vpc, "reporting-db", 5432)
    for check, good, bad in (
        ("ec2.sg_no_admin_ports_open_to_world", web, bastion),
        ("ec2.sg_no_high_risk_ports_open_to_world", web, database),
        ("ec2.sg_no_unrestricted_ingress", web, bastion),
    ):
        expect(check, arn(HOME, "security-group", good), "pass")
        expect(check, arn(HOME, "security-group", bad), "fail")

    # A custom ACL for the web tier admits HTTPS only; the VPC's default ACL still admits everything.
    web_acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=web_acl, RuleNumber=100, Protocol="6", RuleAction="allow",
                                 Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"][0]["NetworkAclId"]
    expect("ec2.nacl_no_admin_ports_open_to_world", arn(HOME, "network-acl", web_acl), "pass")
    expect("ec2.nacl_no_admin_ports_open_to_world", arn(HOME, "network-acl", default_acl), "fail")
    return {"private": private, "public": public, "web_sg": web, "bastion_sg": bastion}


def _compute(aws: Clients, net: dict[str, str]) -> None:
    ec2 = aws("ec2", HOME)
    app = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.small", SubnetId=net["private"],
        SecurityGroupIds=[net["web_sg"]], MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
    )["Instances"][0]["InstanceId"]
    legacy = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.small", SubnetId=net["public"],
        SecurityGroupIds=[net["bastion_sg"]], MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    )["Instances"][0]["InstanceId"]
    expect("ec2.instance_no_public_ip", arn(HOME, "instance", app), "pass")
    expect("ec2.instance_no_public_ip", arn(HOME, "instance", legacy), "fail")
    expect("ec2.imdsv2_required", arn(HOME, "instance", app), "pass")
    expect("ec2.imdsv2_required", arn(HOME, "instance", legacy), "fail")

    golden = ec2.create_image(InstanceId=app, Name="app-golden-image")["ImageId"]
    shared = ec2.create_image(InstanceId=legacy, Name="legacy-community-image")["ImageId"]
    ec2.modify_image_attribute(ImageId=shared, LaunchPermission={"Add": [{"Group": "all"}]})
    expect("ec2.ami_not_public", f"arn:aws:ec2:{HOME}::image/{golden}", "pass")
    expect("ec2.ami_not_public", f"arn:aws:ec2:{HOME}::image/{shared}", "fail")

    settings = (("app", "required", "pass"), ("legacy", "optional", "fail"))
    for name, tokens, verdict in settings:
        template = ec2.create_launch_template(
            LaunchTemplateName=f"{name}-template",
            LaunchTemplateData={"ImageId": IMAGE, "InstanceType": "t3.small",
                                "MetadataOptions": {"HttpTokens": tokens}},
        )["LaunchTemplate"]["LaunchTemplateId"]
        expect("ec2.imdsv2_required", arn(HOME, "launch-template", template), verdict)
    autoscaling = aws("autoscaling", HOME)
    for name, tokens, verdict in settings:
        config_name = f"{name}-launch-config"
        autoscaling.create_launch_configuration(
            LaunchConfigurationName=config_name, ImageId=IMAGE, InstanceType="t3.small",
            MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": "enabled"},
        )
        config = autoscaling.describe_launch_configurations(LaunchConfigurationNames=[config_name])
        config = config["LaunchConfigurations"][0]
        expect("ec2.imdsv2_required", config["LaunchConfigurationARN"], verdict)


def _storage(aws: Clients) -> None:
    home, other = aws("ec2", HOME), aws("ec2", OTHER)
    home.enable_ebs_encryption_by_default()
    expect("ebs.default_encryption_enabled", regional_account(HOME), "pass")
    expect("ebs.default_encryption_enabled", regional_account(OTHER), "fail")

    home.enable_snapshot_block_public_access(State="block-all-sharing")
    expect("ec2.ebs_snapshot_not_public", regional_account(HOME), "pass")
    expect("ec2.ebs_snapshot_not_public", regional_account(OTHER), "fail")

    ledger = home.create_volume(AvailabilityZone=f"{HOME}a", Size=20, Encrypted=True)["VolumeId"]
    ledger_backup = home.create_snapshot(VolumeId=ledger, Description="ledger nightly")["SnapshotId"]
    scratch = other.create_volume(AvailabilityZone=f"{OTHER}a", Size=20, Encrypted=False)["VolumeId"]
    scratch_export = other.create_snapshot(VolumeId=scratch, Description="analytics export")["SnapshotId"]
    other.modify_snapshot_attribute(SnapshotId=scratch_export, Attribute="createVolumePermission",
                                    OperationType="add", GroupNames=["all"])
    expect("ebs.volume_encrypted", arn(HOME, "volume", ledger), "pass")
    expect("ebs.volume_encrypted", arn(OTHER, "volume", scratch), "fail")
    expect("ebs.volume_encrypted", arn(HOME, "snapshot", ledger_backup), "pass")
    expect("ebs.volume_encrypted", arn(OTHER, "snapshot", scratch_export), "fail")
    expect("ec2.ebs_snapshot_not_public", arn(HOME, "snapshot", ledger_backup), "pass")
    expect("ec2.ebs_snapshot_not_public", arn(OTHER, "snapshot", scratch_export), "fail")


@seeder
def seed_ec2(aws: Clients) -> None:
    _compute(aws, _network(aws))
    _storage(aws)
