"""EC2 checks: security groups and network ACLs open to the internet, public instances, IMDSv2, AMIs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from evidence.checks import judged, unknown
from evidence.checks.network import nacl_open_ports, sg_open_rules
from evidence.models import Evidence, Finding
from evidence.registry import check

ADMIN_PORTS = (22, 3389)
# Databases, caches, search, directories, file sharing, container daemons and clear-text protocols.
HIGH_RISK_PORTS = (
    20, 21, 23, 25, 110, 135, 137, 138, 139, 143, 389, 445, 636, 1433, 1434, 1521, 2049, 2375, 2376,
    3306, 5432, 5601, 5984, 6379, 7000, 7001, 9042, 9092, 9200, 9300, 11211, 27017, 27018,
)
AUTHORIZED_PORTS = (80, 443)
LIVE_STATES = ("pending", "running", "stopping", "stopped")


def _arn(ev: Evidence, kind: str, resource_id: str, owner: str | None = None) -> str:
    return f"arn:aws:ec2:{ev.region}:{owner or ev.account_id}:{kind}/{resource_id}"


def group_arn(ev: Evidence, group: dict[str, Any]) -> str:
    return str(group.get("SecurityGroupArn") or _arn(ev, "security-group", group["GroupId"], group.get("OwnerId")))


def instance_arn(ev: Evidence, instance: dict[str, Any]) -> str:
    return _arn(ev, "instance", instance["InstanceId"], instance.get("OwnerId"))


def instances(ev: Evidence) -> Iterator[dict[str, Any]]:
    """The instances of a DescribeInstances snapshot that still exist, each with its owner account."""
    for reservation in ev.data or []:
        for inst in reservation.get("Instances", []):
            if inst.get("State", {}).get("Name") in LIVE_STATES:
                yield {**inst, "OwnerId": reservation.get("OwnerId") or ev.account_id}


def _groups(ev: Evidence) -> Iterator[dict[str, Any]]:
    yield from ev.data or []


def _exposing(group: dict[str, Any], ports: Iterable[int]) -> list[str]:
    wanted = tuple(ports)
    return sorted({r.describe() for r in sg_open_rules(group) if any(r.covers(p) for p in wanted)})


def _name(group: dict[str, Any]) -> str:
    return f"{group.get('GroupName', '')} ({group['GroupId']})"


@check("ec2.sg_no_admin_ports_open_to_world", needs="ec2.security_groups", severity="high")
def sg_no_admin_ports_open_to_world(
    groups: tuple[Evidence, ...], *, ports: tuple[int, ...] = ADMIN_PORTS
) -> Iterator[Finding]:
    """No security group lets the internet reach SSH or RDP."""
    listed = ", ".join(str(p) for p in ports)
    for ev in groups:
        for g in _groups(ev):
            open_rules = _exposing(g, ports)
            yield judged(ev, group_arn(ev, g), not open_rules,
                         f"Security group {_name(g)} does not open ports {listed} to the internet.",
                         f"Security group {_name(g)} allows {'; '.join(open_rules)}.")


@check("ec2.sg_no_high_risk_ports_open_to_world", needs="ec2.security_groups", severity="high")
def sg_no_high_risk_ports_open_to_world(
    groups: tuple[Evidence, ...], *, ports: tuple[int, ...] = HIGH_RISK_PORTS
) -> Iterator[Finding]:
    """No security group lets the internet reach database, cache, file-sharing or clear-text service ports."""
    for ev in groups:
        for g in _groups(ev):
            open_rules = _exposing(g, ports)
            hit = sorted({p for p in ports for r in sg_open_rules(g) if r.covers(p)})
            yield judged(ev, group_arn(ev, g), not open_rules,
                         f"Security group {_name(g)} opens none of the high-risk ports to the internet.",
                         f"Security group {_name(g)} allows {'; '.join(open_rules)}, exposing high-risk "
                         f"port(s) {', '.join(str(p) for p in hit[:10])}{' and more' if len(hit) > 10 else ''}.")


@check("ec2.sg_no_unrestricted_ingress", needs="ec2.security_groups", severity="critical")
def sg_no_unrestricted_ingress(
    groups: tuple[Evidence, ...], *, authorized_ports: tuple[int, ...] = AUTHORIZED_PORTS
) -> Iterator[Finding]:
    """Security groups open to the internet only on authorised TCP ports, never to all traffic."""
    allowed = ", ".join(str(p) for p in authorized_ports) or "none"
    for ev in groups:
        for g in _groups(ev):
            bad = sorted({
                r.describe() for r in sg_open_rules(g)
                if r.protocol == "all"
                or (r.protocol in ("tcp", "udp")
                    and not (r.protocol == "tcp" and r.low == r.high and r.low in authorized_ports))
            })
            yield judged(ev, group_arn(ev, g), not bad,
                         f"Security group {_name(g)} is open to the internet only on authorised ports ({allowed}).",
                         f"Security group {_name(g)} allows {'; '.join(bad)}; authorised ports are {allowed}.")


@check("ec2.default_sg_restricts_all", needs="ec2.security_groups", severity="medium")
def default_sg_restricts_all(groups: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every VPC's default security group has no inbound and no outbound rules."""
    for ev in groups:
        for g in _groups(ev):
            if g.get("GroupName") != "default":
                continue
            inbound, outbound = len(g.get("IpPermissions", [])), len(g.get("IpPermissionsEgress", []))
            yield judged(ev, group_arn(ev, g), inbound == 0 and outbound == 0,
                         f"The default security group of {g.get('VpcId')} has no rules.",
                         f"The default security group of {g.get('VpcId')} has {inbound} inbound and "
                         f"{outbound} outbound rule(s); it should have none.")


@check("ec2.nacl_no_admin_ports_open_to_world", needs="ec2.network_acls", severity="medium")
def nacl_no_admin_ports_open_to_world(
    acls: tuple[Evidence, ...], *, ports: tuple[int, ...] = ADMIN_PORTS
) -> Iterator[Finding]:
    """No network ACL lets the internet reach SSH or RDP."""
    for ev in acls:
        for acl in ev.data or []:
            arn = _arn(ev, "network-acl", acl["NetworkAclId"], acl.get("OwnerId"))
            exposed = sorted(set(nacl_open_ports(acl, ports)))
            yield judged(ev, arn, not exposed,
                         f"Network ACL {acl['NetworkAclId']} denies ports {', '.join(map(str, ports))} "
                         "from the internet.",
                         f"Network ACL {acl['NetworkAclId']} allows "
                         + "; ".join(f"port {p} from {s}" for p, s in exposed) + ".")


@check("ec2.instance_no_public_ip", needs="ec2.instances", severity="high")
def instance_no_public_ip(reservations: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No instance has a public IPv4 address."""
    for ev in reservations:
        for inst in instances(ev):
            ip = inst.get("PublicIpAddress")
            yield judged(ev, instance_arn(ev, inst), not ip, "The instance has no public IPv4 address.",
                         f"The instance has public IPv4 address {ip}.")


def _imds_verdict(options: dict[str, Any] | None) -> tuple[bool, str]:
    options = options or {}
    if options.get("HttpEndpoint") == "disabled":
        return True, "the metadata service is turned off"
    tokens = options.get("HttpTokens") or "not set (optional unless the image requires v2)"
    return tokens == "required", f"HttpTokens is {tokens}"


@check(
    "ec2.imdsv2_required",
    needs=("ec2.instances", "ec2.launch_templates", "autoscaling.launch_configurations"),
    severity="medium",
)
def imdsv2_required(
    reservations: tuple[Evidence, ...], templates: tuple[Evidence, ...], configs: tuple[Evidence, ...]
) -> Iterator[Finding]:
    """Instances, launch templates and launch configurations require IMDSv2 session tokens."""
    for ev in reservations:
        for inst in instances(ev):
            ok, why = _imds_verdict(inst.get("MetadataOptions"))
            yield judged(ev, instance_arn(ev, inst), ok, f"IMDSv2 is enforced: {why}.",
                         f"The instance accepts IMDSv1: {why}.")
    for ev in templates:
        for t in ev.data or []:
            arn = _arn(ev, "launch-template", t["LaunchTemplateId"])
            if "Versions" in t.get("errors", {}):
                yield unknown(ev, arn, f"The template's versions could not be read ({t['errors']['Versions']}).")
                continue
            weak = []
            for v in t.get("Versions", []):
                ok, why = _imds_verdict(v.get("LaunchTemplateData", {}).get("MetadataOptions"))
                if not ok:
                    weak.append(f"version {v.get('VersionNumber')} ({why})")
            yield judged(ev, arn, not weak, "The default and latest versions require IMDSv2.",
                         f"Launch template {t.get('LaunchTemplateName')} allows IMDSv1 in {', '.join(weak)}.")
    for ev in configs:
        for c in ev.data or []:
            ok, why = _imds_verdict(c.get("MetadataOptions"))
            yield judged(ev, c["LaunchConfigurationARN"], ok, f"IMDSv2 is enforced: {why}.",
                         f"Launch configuration {c.get('LaunchConfigurationName')} allows IMDSv1: {why}.")


@check("ec2.ami_not_public", needs="ec2.images", severity="high")
def ami_not_public(images: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No AMI the account owns is public."""
    for ev in images:
        for image in ev.data or []:
            arn = f"arn:aws:ec2:{ev.region}::image/{image['ImageId']}"
            yield judged(ev, arn, not image.get("Public"), "The AMI is private.",
                         f"AMI {image.get('Name', image['ImageId'])} can be launched by any AWS account.")
