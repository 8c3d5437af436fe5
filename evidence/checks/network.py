"""Reading network rules as they sit in snapshots: internet-wide sources, protocols and port ranges."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from evidence.models import Evidence

WORLD_V4 = "0.0.0.0/0"
WORLD_V6 = "::/0"
# Protocol names and numbers as EC2 reports them ("-1" is every protocol).
ALL_PROTOCOLS = "-1"
PORT_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}


@dataclass(frozen=True)
class OpenRule:
    """An ingress rule reachable from the whole internet: a protocol and an inclusive port range."""

    protocol: str  # tcp | udp | all | another protocol name or number
    low: int
    high: int
    source: str

    def covers(self, port: int) -> bool:
        return self.protocol in ("tcp", "udp", "all") and self.low <= port <= self.high

    def describe(self) -> str:
        if self.protocol == "all":
            return f"all traffic from {self.source}"
        ports = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{self.protocol} {ports} from {self.source}"


def _protocol(raw: Any) -> str:
    text = str(raw).lower()
    if text == ALL_PROTOCOLS:
        return "all"
    return PORT_PROTOCOLS.get(text, text)


def _range(protocol: str, low: Any, high: Any) -> tuple[int, int]:
    if protocol == "all" or low is None or high is None or int(low) < 0:
        return 0, 65535
    return int(low), int(high)


def sg_open_rules(group: dict[str, Any]) -> list[OpenRule]:
    """The ingress permissions of a security group that any internet address may use."""
    rules: list[OpenRule] = []
    for perm in group.get("IpPermissions", []):
        sources = [r.get("CidrIp") for r in perm.get("IpRanges", [])] + [
            r.get("CidrIpv6") for r in perm.get("Ipv6Ranges", [])
        ]
        protocol = _protocol(perm.get("IpProtocol"))
        low, high = _range(protocol, perm.get("FromPort"), perm.get("ToPort"))
        rules.extend(OpenRule(protocol, low, high, s) for s in sources if s in (WORLD_V4, WORLD_V6))
    return rules


def nacl_open_ports(acl: dict[str, Any], ports: Iterable[int]) -> Iterator[tuple[int, str]]:
    """(port, source) for each port whose first matching internet-wide inbound entry allows it.

    Entries are evaluated in rule-number order as AWS does; an entry for a narrower range of
    addresses does not decide what the whole internet may reach.
    """
    inbound = sorted((e for e in acl.get("Entries", []) if not e.get("Egress")), key=lambda e: e["RuleNumber"])
    for source, field in ((WORLD_V4, "CidrBlock"), (WORLD_V6, "Ipv6CidrBlock")):
        world = [e for e in inbound if e.get(field) == source]
        for port in ports:
            for entry in world:
                protocol = _protocol(entry.get("Protocol"))
                span = entry.get("PortRange") or {}
                low, high = _range(protocol, span.get("From"), span.get("To"))
                if protocol in ("tcp", "all") and low <= port <= high:
                    if entry.get("RuleAction") == "allow":
                        yield port, source
                    break


def by_place(snapshots: Iterable[Evidence]) -> dict[tuple[str, str], Evidence]:
    """Snapshots keyed by (account, region), to join two collectors' evidence."""
    return {(ev.account_id, ev.region): ev for ev in snapshots}
