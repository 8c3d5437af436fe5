"""Elastic Load Balancing: listeners of application, network and classic load balancers and their TLS policies."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

SECURE_V2 = ("HTTPS", "TLS")
SECURE_CLASSIC = ("HTTPS", "SSL")


def _rules(ctx: CollectContext, listener: dict[str, Any]) -> dict[str, Any]:
    listener = {**listener, "errors": {}}
    if listener.get("Protocol") == "HTTP":
        try:
            listener["Rules"] = paginate(ctx.client("elbv2"), "describe_rules", "Rules",
                                         ListenerArn=listener["ListenerArn"])
        except ClientError as exc:
            listener["errors"]["Rules"] = error_code(exc)
    return listener


def _listeners(ctx: CollectContext, lb: dict[str, Any]) -> dict[str, Any]:
    lb = {**lb, "errors": {}}
    try:
        listeners = paginate(ctx.client("elbv2"), "describe_listeners", "Listeners",
                             LoadBalancerArn=lb["LoadBalancerArn"])
    except ClientError as exc:
        lb["errors"]["Listeners"] = error_code(exc)
        return lb
    lb["Listeners"] = [_rules(ctx, listener) for listener in listeners]
    return lb


@collector(
    "elbv2.load_balancers",
    service="elbv2",
    actions=(
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeSSLPolicies",
    ),
)
def load_balancers(ctx: CollectContext) -> Any:
    """Load balancers (application, network, gateway) with their listeners and the TLS policies in use.

    HTTP listeners carry their rules, to tell a redirect to HTTPS from content served in clear text.
    """
    elbv2 = ctx.client("elbv2")
    detailed = ctx.map(lambda lb: _listeners(ctx, lb), paginate(elbv2, "describe_load_balancers", "LoadBalancers"))
    used = sorted({
        listener["SslPolicy"]
        for lb in detailed for listener in lb.get("Listeners", [])
        if listener.get("Protocol") in SECURE_V2 and listener.get("SslPolicy")
    })
    result: dict[str, Any] = {"load_balancers": detailed, "ssl_policies": {}, "errors": {}}
    if used:
        try:
            policies = elbv2.describe_ssl_policies(Names=used)["SslPolicies"]
            result["ssl_policies"] = {p["Name"]: p for p in policies}
        except ClientError as exc:
            result["errors"]["ssl_policies"] = error_code(exc)
    return result


def _classic_policies(ctx: CollectContext, lb: dict[str, Any]) -> dict[str, Any]:
    lb = {**lb, "errors": {}}
    secure = [d for d in lb.get("ListenerDescriptions", []) if d.get("Listener", {}).get("Protocol") in SECURE_CLASSIC]
    if secure:
        try:
            lb["PolicyDescriptions"] = ctx.client("elb").describe_load_balancer_policies(
                LoadBalancerName=lb["LoadBalancerName"]
            )["PolicyDescriptions"]
        except ClientError as exc:
            lb["errors"]["PolicyDescriptions"] = error_code(exc)
    return lb


@collector(
    "elb.load_balancers",
    service="elb",
    actions=("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerPolicies"),
)
def classic_load_balancers(ctx: CollectContext) -> Any:
    """Classic load balancers with their listeners and, where they terminate TLS, their policies."""
    listed = paginate(ctx.client("elb"), "describe_load_balancers", "LoadBalancerDescriptions")
    return ctx.map(lambda lb: _classic_policies(ctx, lb), listed)
