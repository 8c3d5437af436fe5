"""EC2 checks: each has a resource that fails and one that passes."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

REGION = "eu-west-1"
ACCOUNT = "111122223333"


def sg(group_id: str, *ingress: dict[str, Any], egress: tuple[dict[str, Any], ...] = (),
       name: str | None = None) -> dict[str, Any]:
    return {"GroupId": group_id, "GroupName": name or group_id, "VpcId": "vpc-1", "OwnerId": ACCOUNT,
            "IpPermissions": list(ingress), "IpPermissionsEgress": list(egress)}


def tcp(low: int, high: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    key, field = ("Ipv6Ranges", "CidrIpv6") if ":" in cidr else ("IpRanges", "CidrIp")
    return {"IpProtocol": "tcp", "FromPort": low, "ToPort": high, key: [{field: cidr}]}


ALL_TRAFFIC = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def groups(*items: dict[str, Any]) -> Any:
    return snapshot("ec2.security_groups", list(items), region=REGION)


def arn(kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{resource_id}"


def test_admin_ports() -> None:
    result = run("ec2.sg_no_admin_ports_open_to_world", [groups(
        sg("sg-ssh", tcp(22, 22)), sg("sg-rdp6", tcp(3389, 3389, "::/0")), sg("sg-range", tcp(0, 1024)),
        sg("sg-web", tcp(443, 443)), sg("sg-office", tcp(22, 22, "203.0.113.0/24")),
    )])
    assert verdicts(result) == {
        arn("security-group", "sg-ssh"): "fail", arn("security-group", "sg-rdp6"): "fail",
        arn("security-group", "sg-range"): "fail", arn("security-group", "sg-web"): "pass",
        arn("security-group", "sg-office"): "pass",
    }
    assert "tcp 22 from 0.0.0.0/0" in result.findings[0].reason


def test_high_risk_ports() -> None:
    result = run("ec2.sg_no_high_risk_ports_open_to_world", [groups(
        sg("sg-db", tcp(5432, 5432)), sg("sg-all", ALL_TRAFFIC), sg("sg-web", tcp(443, 443)),
        sg("sg-private-db", tcp(3306, 3306, "10.0.0.0/8")),
    )])
    assert verdicts(result) == {
        arn("security-group", "sg-db"): "fail", arn("security-group", "sg-all"): "fail",
        arn("security-group", "sg-web"): "pass", arn("security-group", "sg-private-db"): "pass",
    }
    # A framework may narrow the list.
    narrowed = run("ec2.sg_no_high_risk_ports_open_to_world", [groups(sg("sg-db", tcp(5432, 5432)))], ports=[3306])
    assert narrowed.status == "pass"


def test_unrestricted_ingress() -> None:
    result = run("ec2.sg_no_unrestricted_ingress", [groups(
        sg("sg-all", ALL_TRAFFIC), sg("sg-8080", tcp(8080, 8080)), sg("sg-web", tcp(443, 443), tcp(80, 80)),
        sg("sg-icmp", {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}),
    )])
    assert verdicts(result) == {
        arn("security-group", "sg-all"): "fail", arn("security-group", "sg-8080"): "fail",
        arn("security-group", "sg-web"): "pass", arn("security-group", "sg-icmp"): "pass",
    }
    assert run("ec2.sg_no_unrestricted_ingress", [groups(sg("sg-8080", tcp(8080, 8080)))],
               authorized_ports=[443, 8080]).status == "pass"


def test_default_sg_restricts_all() -> None:
    egress = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    result = run("ec2.default_sg_restricts_all", [groups(
        sg("sg-open-default", egress=(egress,), name="default"), sg("sg-closed-default", name="default"),
        sg("sg-other", ALL_TRAFFIC),
    )])
    assert verdicts(result) == {arn("security-group", "sg-open-default"): "fail",
                                arn("security-group", "sg-closed-default"): "pass"}


def acl(acl_id: str, *entries: dict[str, Any]) -> dict[str, Any]:
    deny_all = {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0"}
    return {"NetworkAclId": acl_id, "OwnerId": ACCOUNT, "Entries": [*entries, deny_all]}


def entry(number: int, action: str, low: int | None = None, high: int | None = None,
          cidr: str = "0.0.0.0/0", protocol: str = "6") -> dict[str, Any]:
    e: dict[str, Any] = {"RuleNumber": number, "Protocol": protocol, "RuleAction": action, "Egress": False}
    e["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if low is not None:
        e["PortRange"] = {"From": low, "To": high}
    return e


def test_nacl_admin_ports() -> None:
    result = run("ec2.nacl_no_admin_ports_open_to_world", [snapshot("ec2.network_acls", [
        acl("acl-open", entry(100, "allow", protocol="-1")),
        acl("acl-ssh6", entry(100, "allow", 22, 22, cidr="::/0")),
        acl("acl-web", entry(100, "allow", 443, 443)),
        acl("acl-denied-first", entry(90, "deny", 22, 22), entry(100, "allow", 0, 65535)),
        acl("acl-office", entry(100, "allow", 22, 22, cidr="203.0.113.0/24")),
    ], region=REGION)])
    assert verdicts(result) == {
        arn("network-acl", "acl-open"): "fail", arn("network-acl", "acl-ssh6"): "fail",
        arn("network-acl", "acl-web"): "pass", arn("network-acl", "acl-denied-first"): "fail",
        arn("network-acl", "acl-office"): "pass",
    }
    # acl-denied-first denies 22 first but still lets RDP (3389) in through rule 100.
    denied_first = next(f for f in result.findings if f.resource.endswith("acl-denied-first"))
    assert "3389" in denied_first.reason and "port 22 " not in denied_first.reason


def reservations(*instances: dict[str, Any]) -> Any:
    return snapshot("ec2.instances", [{"OwnerId": ACCOUNT, "Instances": list(instances)}], region=REGION)


def instance(instance_id: str, state: str = "running", **extra: Any) -> dict[str, Any]:
    return {"InstanceId": instance_id, "State": {"Name": state}, **extra}


def test_instance_no_public_ip() -> None:
    result = run("ec2.instance_no_public_ip", [reservations(
        instance("i-public", PublicIpAddress="198.51.100.7"), instance("i-private"),
        instance("i-gone", state="terminated", PublicIpAddress="198.51.100.8"),
    )])
    assert verdicts(result) == {arn("instance", "i-public"): "fail", arn("instance", "i-private"): "pass"}


def test_imdsv2_required() -> None:
    templates = snapshot("ec2.launch_templates", [
        {"LaunchTemplateId": "lt-good", "errors": {}, "Versions": [
            {"VersionNumber": 1, "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}}]},
        {"LaunchTemplateId": "lt-bad", "errors": {}, "Versions": [
            {"VersionNumber": 1, "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}},
            {"VersionNumber": 2, "LaunchTemplateData": {}}]},
        {"LaunchTemplateId": "lt-denied", "errors": {"Versions": "UnauthorizedOperation"}},
    ], region=REGION)
    configs = snapshot("autoscaling.launch_configurations", [
        {"LaunchConfigurationARN": "arn:lc/good", "MetadataOptions": {"HttpTokens": "required"}},
        {"LaunchConfigurationARN": "arn:lc/bad", "MetadataOptions": {"HttpTokens": "optional"}},
    ], region=REGION)
    result = run("ec2.imdsv2_required", [reservations(
        instance("i-v2", MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"}),
        instance("i-v1", MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"}),
        instance("i-off", MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "disabled"}),
    ), templates, configs])
    assert verdicts(result) == {
        arn("instance", "i-v2"): "pass", arn("instance", "i-v1"): "fail", arn("instance", "i-off"): "pass",
        arn("launch-template", "lt-good"): "pass", arn("launch-template", "lt-bad"): "fail",
        arn("launch-template", "lt-denied"): "not_evaluated",
        "arn:lc/good": "pass", "arn:lc/bad": "fail",
    }


def test_ami_not_public() -> None:
    result = run("ec2.ami_not_public", [snapshot("ec2.images", [
        {"ImageId": "ami-public", "Public": True}, {"ImageId": "ami-private", "Public": False},
    ], region=REGION)])
    assert verdicts(result) == {f"arn:aws:ec2:{REGION}::image/ami-public": "fail",
                                f"arn:aws:ec2:{REGION}::image/ami-private": "pass"}
