"""Load balancer checks: each has a load balancer that fails and one that passes."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

REGION = "us-east-1"
ACCOUNT = "111122223333"
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
FORWARD = {"Type": "forward", "TargetGroupArn": "arn:tg"}
STRONG = {"Name": "ELBSecurityPolicy-TLS13-1-2-2021-06", "SslProtocols": ["TLSv1.3", "TLSv1.2"],
          "Ciphers": [{"Name": "TLS_AES_128_GCM_SHA256"}, {"Name": "ECDHE-RSA-AES128-GCM-SHA256"}]}
OLD = {"Name": "ELBSecurityPolicy-2016-08", "SslProtocols": ["TLSv1.2", "TLSv1.1", "TLSv1"],
       "Ciphers": [{"Name": "ECDHE-RSA-AES128-GCM-SHA256"}, {"Name": "AES128-SHA"}]}
WEAK_CIPHER = {"Name": "Custom-3DES", "SslProtocols": ["TLSv1.2"], "Ciphers": [{"Name": "DES-CBC3-SHA"}]}


def listener(protocol: str, port: int, *, policy: str | None = None, rules: list[dict[str, Any]] | None = None,
             errors: dict[str, str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"Protocol": protocol, "Port": port, "errors": errors or {},
                            "SslPolicy": policy or "ELBSecurityPolicy-2016-08"}  # as the emulator reports it
    if rules is not None:
        item["Rules"] = rules
    return item


def lb(name: str, *listeners: dict[str, Any], errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"LoadBalancerArn": f"arn:lb/{name}", "LoadBalancerName": name, "errors": errors or {},
            "Listeners": list(listeners)}


def v2(*lbs: dict[str, Any], policies: tuple[dict[str, Any], ...] = (STRONG, OLD, WEAK_CIPHER)) -> Any:
    return snapshot("elbv2.load_balancers", {"load_balancers": list(lbs), "errors": {},
                                             "ssl_policies": {p["Name"]: p for p in policies}}, region=REGION)


def classic(*lbs: dict[str, Any]) -> Any:
    return snapshot("elb.load_balancers", list(lbs), region=REGION)


def clb(name: str, *listeners: tuple[str, int, list[str]], policies: list[dict[str, Any]] | None = None,
        errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"LoadBalancerName": name, "errors": errors or {}, "PolicyDescriptions": policies or [],
            "ListenerDescriptions": [{"Listener": {"Protocol": p, "LoadBalancerPort": port}, "PolicyNames": names}
                                     for p, port, names in listeners]}


def classic_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{name}"


def negotiation(name: str, **attrs: str) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyTypeName": "SSLNegotiationPolicyType",
            "PolicyAttributeDescriptions": [{"AttributeName": k, "AttributeValue": v} for k, v in attrs.items()]}


def test_tls_listeners_only() -> None:
    result = run("elb.tls_listeners_only", [
        v2(lb("redirecting", listener("HTTP", 80, rules=[{"IsDefault": True, "Actions": [REDIRECT]}]),
              listener("HTTPS", 443, policy=STRONG["Name"])),
           lb("serving-http", listener("HTTP", 80, rules=[{"IsDefault": True, "Actions": [REDIRECT]},
                                                          {"Priority": "1", "Actions": [FORWARD]}])),
           lb("plain-tcp", listener("TCP", 5432)),
           lb("rules-unread", listener("HTTP", 80, errors={"Rules": "AccessDenied"})),
           lb("listeners-unread", errors={"Listeners": "AccessDenied"})),
        classic(clb("classic-tls", ("HTTPS", 443, [])), clb("classic-http", ("HTTP", 80, []), ("SSL", 443, []))),
    ])
    assert verdicts(result) == {
        "arn:lb/redirecting": "pass", "arn:lb/serving-http": "fail", "arn:lb/plain-tcp": "fail",
        "arn:lb/rules-unread": "not_evaluated", "arn:lb/listeners-unread": "not_evaluated",
        classic_arn("classic-tls"): "pass", classic_arn("classic-http"): "fail",
    }


def test_tls_policy_strong() -> None:
    result = run("elb.tls_policy_strong", [
        v2(lb("modern", listener("HTTPS", 443, policy=STRONG["Name"]), listener("HTTP", 80, rules=[])),
           lb("old", listener("HTTPS", 443, policy=OLD["Name"])),
           lb("weak-cipher", listener("TLS", 8443, policy=WEAK_CIPHER["Name"])),
           lb("unknown-policy", listener("HTTPS", 443, policy="ELBSecurityPolicy-Unlisted")),
           lb("http-only", listener("HTTP", 80, rules=[]))),
        classic(
            clb("classic-ref-strong", ("HTTPS", 443, ["tls12"]),
                policies=[negotiation("tls12", **{"Reference-Security-Policy": "ELBSecurityPolicy-TLS-1-2-2017-01"})]),
            clb("classic-attrs-weak", ("SSL", 443, ["custom"]),
                policies=[negotiation("custom", **{"Protocol-TLSv1": "true", "Protocol-TLSv1.2": "true"})]),
            clb("classic-attrs-strong", ("SSL", 443, ["custom"]),
                policies=[negotiation("custom", **{"Protocol-TLSv1": "false", "Protocol-TLSv1.2": "true",
                                                   "ECDHE-RSA-AES128-GCM-SHA256": "true", "RC4-SHA": "false"})]),
            clb("classic-default", ("HTTPS", 443, [])),
            clb("classic-unread", ("HTTPS", 443, ["x"]), errors={"PolicyDescriptions": "AccessDenied"}),
            clb("classic-http", ("HTTP", 80, [])),
        ),
    ])
    assert verdicts(result) == {
        "arn:lb/modern": "pass", "arn:lb/old": "fail", "arn:lb/weak-cipher": "fail",
        "arn:lb/unknown-policy": "not_evaluated",
        classic_arn("classic-ref-strong"): "pass", classic_arn("classic-attrs-weak"): "fail",
        classic_arn("classic-attrs-strong"): "pass", classic_arn("classic-default"): "fail",
        classic_arn("classic-unread"): "not_evaluated",
    }
    old = next(f for f in result.findings if f.resource == "arn:lb/old")
    assert "TLSv1.1" in old.reason and "TLSv1" in old.reason
