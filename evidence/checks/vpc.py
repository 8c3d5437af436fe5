"""VPC checks: subnets that hand out public addresses, flow logs, default routes to the internet."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import failed, judged, passed, unknown
from evidence.checks.network import WORLD_V4, WORLD_V6, by_place
from evidence.models import Evidence, Finding
from evidence.registry import check

LOGGED_TRAFFIC = ("ALL", "REJECT")


def _arn(ev: Evidence, kind: str, resource_id: str, owner: str | None) -> str:
    return f"arn:aws:ec2:{ev.region}:{owner or ev.account_id}:{kind}/{resource_id}"


@check("vpc.subnet_no_auto_public_ip", needs="ec2.subnets", severity="medium")
def subnet_no_auto_public_ip(subnets: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No subnet gives new instances a public IPv4 address automatically."""
    for ev in subnets:
        for s in ev.data or []:
            arn = s.get("SubnetArn") or _arn(ev, "subnet", s["SubnetId"], s.get("OwnerId"))
            yield judged(ev, arn, not s.get("MapPublicIpOnLaunch"),
                         "The subnet does not assign public IPv4 addresses on launch.",
                         f"Subnet {s['SubnetId']} in {s.get('VpcId')} assigns a public IPv4 address to every "
                         "instance launched in it.")


@check("vpc.flow_logs_enabled", needs=("ec2.vpcs", "ec2.flow_logs"), severity="medium")
def flow_logs_enabled(vpcs: tuple[Evidence, ...], flow_logs: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every VPC has an active flow log recording all or rejected traffic."""
    logs = by_place(flow_logs)
    for ev in vpcs:
        found = logs.get((ev.account_id, ev.region))
        for vpc in ev.data or []:
            arn = _arn(ev, "vpc", vpc["VpcId"], vpc.get("OwnerId"))
            if found is None:
                yield unknown(ev, arn, "The region's flow logs could not be read.")
                continue
            mine = [f for f in found.data or [] if f.get("ResourceId") == vpc["VpcId"]]
            good = [f for f in mine if f.get("FlowLogStatus") == "ACTIVE" and f.get("TrafficType") in LOGGED_TRAFFIC]
            if good:
                log = good[0]
                yield passed(ev, arn, f"Flow log {log.get('FlowLogId')} records {log.get('TrafficType')} traffic "
                                      f"to {log.get('LogDestinationType', 'cloud-watch-logs')}.")
                continue
            yield failed(ev, arn, f"VPC {vpc['VpcId']} has no active flow log recording all or rejected traffic"
                                  + (f" ({len(mine)} flow log(s) exist but do not qualify)." if mine else "."))


@check("vpc.no_unrestricted_route_to_igw", needs="ec2.route_tables", severity="medium")
def no_unrestricted_route_to_igw(
    tables: tuple[Evidence, ...], *, authorized_route_tables: tuple[str, ...] = ()
) -> Iterator[Finding]:
    """Only approved route tables send the default route (0.0.0.0/0 or ::/0) to an internet gateway."""
    for ev in tables:
        for table in ev.data or []:
            table_id = table["RouteTableId"]
            arn = _arn(ev, "route-table", table_id, table.get("OwnerId"))
            routes = [
                f"{r.get('DestinationCidrBlock') or r.get('DestinationIpv6CidrBlock')} -> {r['GatewayId']}"
                for r in table.get("Routes", [])
                if str(r.get("GatewayId", "")).startswith("igw-") and r.get("State") != "blackhole"
                and (r.get("DestinationCidrBlock") == WORLD_V4 or r.get("DestinationIpv6CidrBlock") == WORLD_V6)
            ]
            if routes and table_id in authorized_route_tables:
                yield passed(ev, arn, f"Route table {table_id} is approved to route {', '.join(routes)}.")
                continue
            yield judged(ev, arn, not routes, "The route table sends no default route to an internet gateway.",
                         f"Route table {table_id} in {table.get('VpcId')} routes {', '.join(routes)} and is not "
                         "on the approved list of public route tables.")
