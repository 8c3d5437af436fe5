"""Load balancer checks: listeners encrypt traffic, and TLS listeners use strong policies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check

WEAK_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")
WEAK_CIPHER_PARTS = ("RC4", "DES", "NULL", "EXPORT", "MD5", "anon")
# Classic load balancers report only a policy name when a predefined policy is referenced.
CLASSIC_STRONG_POLICIES = ("ELBSecurityPolicy-TLS-1-2-2017-01",)
CLASSIC_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"  # what a TLS listener gets when none is set


def classic_arn(ev: Evidence, name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{ev.region}:{ev.account_id}:loadbalancer/{name}"


def _v2(ev: Evidence) -> list[dict[str, Any]]:
    return list((ev.data or {}).get("load_balancers", []))


def _redirects_to_https(rule: dict[str, Any]) -> bool:
    actions = rule.get("Actions", [])
    return bool(actions) and all(
        a.get("Type") == "redirect" and a.get("RedirectConfig", {}).get("Protocol") == "HTTPS" for a in actions
    )


def _listener_problem(listener: dict[str, Any]) -> str | None:
    """Why a listener carries traffic in clear text (None when it does not), or '?' when unknown."""
    protocol, port = listener.get("Protocol"), listener.get("Port")
    if protocol in ("HTTPS", "TLS", "GENEVE"):
        return None
    if protocol == "HTTP":
        if "Rules" in listener.get("errors", {}):
            return "?"
        rules = listener.get("Rules") or [{"Actions": listener.get("DefaultActions", [])}]
        if all(_redirects_to_https(r) for r in rules):
            return None
        return f"HTTP:{port} serves requests without redirecting them to HTTPS"
    return f"{protocol}:{port} is not terminated with TLS"


@check("elb.tls_listeners_only", needs=("elbv2.load_balancers", "elb.load_balancers"), severity="high")
def tls_listeners_only(v2: tuple[Evidence, ...], classic: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Load balancers listen only with HTTPS/TLS, or redirect HTTP to HTTPS."""
    for ev in v2:
        for lb in _v2(ev):
            arn = lb["LoadBalancerArn"]
            if "Listeners" in lb.get("errors", {}):
                yield unknown(ev, arn, f"The listeners could not be read ({lb['errors']['Listeners']}).")
                continue
            problems = [p for p in (_listener_problem(li) for li in lb.get("Listeners", [])) if p]
            if "?" in problems:
                yield unknown(ev, arn, "The rules of an HTTP listener could not be read.")
                continue
            yield judged(ev, arn, not problems, "Every listener uses TLS or redirects to HTTPS.",
                         f"Load balancer {lb.get('LoadBalancerName')}: {'; '.join(problems)}.")
    for ev in classic:
        for lb in ev.data or []:
            plain = [
                f"{li.get('Protocol')}:{li.get('LoadBalancerPort')}"
                for li in (d.get("Listener", {}) for d in lb.get("ListenerDescriptions", []))
                if li.get("Protocol") not in ("HTTPS", "SSL")
            ]
            yield judged(ev, classic_arn(ev, lb["LoadBalancerName"]), not plain,
                         "Every listener uses HTTPS or SSL.",
                         f"Classic load balancer {lb['LoadBalancerName']} listens without TLS on {', '.join(plain)}.")


def _v2_policy_weakness(policy: dict[str, Any], weak_protocols: tuple[str, ...]) -> list[str]:
    protocols = [p for p in policy.get("SslProtocols", []) if p in weak_protocols]
    ciphers = [c["Name"] for c in policy.get("Ciphers", []) if any(w in c.get("Name", "") for w in WEAK_CIPHER_PARTS)]
    return protocols + ciphers


def _classic_policy_weakness(
    lb: dict[str, Any], names: list[str], weak_protocols: tuple[str, ...], strong: tuple[str, ...]
) -> list[str]:
    negotiation = [
        p for p in lb.get("PolicyDescriptions", [])
        if p.get("PolicyName") in names and p.get("PolicyTypeName") == "SSLNegotiationPolicyType"
    ]
    if not negotiation:
        return [f"no TLS policy set, so the default {CLASSIC_DEFAULT_POLICY} applies"]
    attrs = {a["AttributeName"]: a.get("AttributeValue") for a in negotiation[0].get("PolicyAttributeDescriptions", [])}
    if any(name.startswith("Protocol-") for name in attrs):
        enabled = [name for name, value in attrs.items() if str(value).lower() == "true"]
        return [n.removeprefix("Protocol-") for n in enabled if n.removeprefix("Protocol-") in weak_protocols] + [
            n for n in enabled if not n.startswith("Protocol-") and any(w in n for w in WEAK_CIPHER_PARTS)
        ]
    reference = attrs.get("Reference-Security-Policy")
    return [] if reference in strong else [f"policy {reference} is not on the list of strong policies"]


@check("elb.tls_policy_strong", needs=("elbv2.load_balancers", "elb.load_balancers"), severity="high")
def tls_policy_strong(
    v2: tuple[Evidence, ...],
    classic: tuple[Evidence, ...],
    *,
    weak_protocols: tuple[str, ...] = WEAK_PROTOCOLS,
    classic_strong_policies: tuple[str, ...] = CLASSIC_STRONG_POLICIES,
) -> Iterator[Finding]:
    """TLS listeners use a TLS 1.2+ security policy without weak ciphers."""
    for ev in v2:
        policies = (ev.data or {}).get("ssl_policies", {})
        for lb in _v2(ev):
            arn = lb["LoadBalancerArn"]
            secure = [li for li in lb.get("Listeners", []) if li.get("Protocol") in ("HTTPS", "TLS")]
            if "Listeners" in lb.get("errors", {}) or any(li.get("SslPolicy") not in policies for li in secure):
                yield unknown(ev, arn, "The TLS policies of the listeners could not be read.")
                continue
            if not secure:
                continue
            weak = {f"{li['Protocol']}:{li['Port']} ({li['SslPolicy']})": _v2_policy_weakness(
                policies[li["SslPolicy"]], tuple(weak_protocols)) for li in secure}
            bad = [f"{k} allows {', '.join(v[:5])}" for k, v in weak.items() if v]
            yield judged(ev, arn, not bad,
                         "TLS listeners use " + ", ".join(sorted({li["SslPolicy"] for li in secure})) + ".",
                         f"Load balancer {lb.get('LoadBalancerName')}: {'; '.join(bad)}.")
    for ev in classic:
        for lb in ev.data or []:
            arn = classic_arn(ev, lb["LoadBalancerName"])
            secure = [d for d in lb.get("ListenerDescriptions", [])
                      if d.get("Listener", {}).get("Protocol") in ("HTTPS", "SSL")]
            if not secure:
                continue
            if "PolicyDescriptions" in lb.get("errors", {}):
                yield unknown(ev, arn, f"The TLS policies could not be read ({lb['errors']['PolicyDescriptions']}).")
                continue
            bad = []
            for d in secure:
                found = _classic_policy_weakness(lb, d.get("PolicyNames", []), tuple(weak_protocols),
                                                 tuple(classic_strong_policies))
                if found:
                    bad.append(f"{d['Listener']['Protocol']}:{d['Listener']['LoadBalancerPort']}: {', '.join(found)}")
            yield judged(ev, arn, not bad, "TLS listeners use a strong security policy.",
                         f"Classic load balancer {lb['LoadBalancerName']}: {'; '.join(bad)}.")
