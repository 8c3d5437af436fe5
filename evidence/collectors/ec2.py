"""EC2 and VPC: network exposure, instances, EBS volumes, snapshots and images, launch settings.

Snapshots are listed with an owner-id filter as well as OwnerIds=self, so only the account's own
snapshots are read (never the public ones behind Amazon's images). Launch templates and launch
configurations are stored without their user data, which may hold secrets.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, declare, paginate
from evidence.registry import collector

declare("ec2.security_groups", service="ec2", operation="DescribeSecurityGroups", result_key="SecurityGroups")
declare("ec2.network_acls", service="ec2", operation="DescribeNetworkAcls", result_key="NetworkAcls")
declare("ec2.instances", service="ec2", operation="DescribeInstances", result_key="Reservations")
declare("ec2.vpcs", service="ec2", operation="DescribeVpcs", result_key="Vpcs")
declare("ec2.subnets", service="ec2", operation="DescribeSubnets", result_key="Subnets")
declare("ec2.route_tables", service="ec2", operation="DescribeRouteTables", result_key="RouteTables")
declare("ec2.flow_logs", service="ec2", operation="DescribeFlowLogs", result_key="FlowLogs")
declare("ec2.volumes", service="ec2", operation="DescribeVolumes", result_key="Volumes")
declare("ec2.images", service="ec2", operation="DescribeImages", result_key="Images", params={"Owners": ["self"]})

SECRET_LAUNCH_FIELDS = ("UserData",)


def _without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in SECRET_LAUNCH_FIELDS}


def _with_permissions(ctx: CollectContext, snapshot: dict[str, Any]) -> dict[str, Any]:
    snapshot = {**snapshot, "errors": {}}
    try:
        resp = ctx.client("ec2").describe_snapshot_attribute(
            SnapshotId=snapshot["SnapshotId"], Attribute="createVolumePermission"
        )
        snapshot["CreateVolumePermissions"] = resp.get("CreateVolumePermissions", [])
    except ClientError as exc:
        snapshot["errors"]["CreateVolumePermissions"] = error_code(exc)
    return snapshot


@collector("ec2.snapshots", service="ec2", actions=("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"))
def snapshots(ctx: CollectContext) -> Any:
    """EBS snapshots the account owns, each with the accounts and groups allowed to restore it."""
    owned = paginate(
        ctx.client("ec2"),
        "describe_snapshots",
        "Snapshots",
        OwnerIds=["self"],
        Filters=[{"Name": "owner-id", "Values": [ctx.account_id]}],
    )
    return ctx.map(lambda s: _with_permissions(ctx, s), owned)


@collector(
    "ec2.ebs_encryption_by_default",
    service="ec2",
    actions=("ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"),
)
def ebs_encryption_by_default(ctx: CollectContext) -> Any:
    """Whether new EBS volumes are encrypted by default in the region, and with which key."""
    ec2 = ctx.client("ec2")
    setting: dict[str, Any] = {"EbsEncryptionByDefault": ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]}
    try:
        setting["KmsKeyId"] = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")
    except ClientError as exc:
        setting["errors"] = {"KmsKeyId": error_code(exc)}
    return setting


@collector(
    "ec2.snapshot_block_public_access",
    service="ec2",
    actions=("ec2:GetSnapshotBlockPublicAccessState",),
)
def snapshot_block_public_access(ctx: CollectContext) -> Any:
    """The region's EBS snapshot block-public-access state."""
    resp = ctx.client("ec2").get_snapshot_block_public_access_state()
    return {"State": resp.get("State"), "ManagedBy": resp.get("ManagedBy")}


def _template_versions(ctx: CollectContext, template: dict[str, Any]) -> dict[str, Any]:
    template = {**template, "errors": {}}
    try:
        listed = ctx.client("ec2").describe_launch_template_versions(
            LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default", "$Latest"]
        )["LaunchTemplateVersions"]
    except ClientError as exc:
        template["errors"]["Versions"] = error_code(exc)
        return template
    unique = {v["VersionNumber"]: v for v in listed}
    template["Versions"] = [
        {**v, "LaunchTemplateData": _without_secrets(v.get("LaunchTemplateData", {}))}
        for _, v in sorted(unique.items())
    ]
    return template


@collector(
    "ec2.launch_templates",
    service="ec2",
    actions=("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"),
)
def launch_templates(ctx: CollectContext) -> Any:
    """Launch templates with their default and latest versions (user data left out)."""
    templates = paginate(ctx.client("ec2"), "describe_launch_templates", "LaunchTemplates")
    return ctx.map(lambda t: _template_versions(ctx, t), templates)


@collector(
    "autoscaling.launch_configurations",
    service="autoscaling",
    actions=("autoscaling:DescribeLaunchConfigurations",),
)
def launch_configurations(ctx: CollectContext) -> Any:
    """Auto Scaling launch configurations (user data left out)."""
    configs = paginate(ctx.client("autoscaling"), "describe_launch_configurations", "LaunchConfigurations")
    return [_without_secrets(c) for c in configs]
