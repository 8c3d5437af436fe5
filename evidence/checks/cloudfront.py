"""CloudFront checks: viewers connect over HTTPS with modern TLS, and origins are reached over HTTPS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from evidence.checks import judged
from evidence.models import Evidence, Finding
from evidence.registry import check

SECURE_VIEWER = ("https-only", "redirect-to-https")
MIN_PROTOCOL_VERSION = "TLSv1.2_2018"
WEAK_ORIGIN_PROTOCOLS = ("SSLv3",)
_VERSION = re.compile(r"^(SSLv3|TLSv1(?:\.(\d))?)(?:_(\d{4}))?$")


def protocol_rank(version: str) -> tuple[int, int]:
    """(TLS minor version, policy year) of a CloudFront security policy name; SSLv3 ranks lowest."""
    match = _VERSION.match(version)
    if not match:
        return (-2, 0)
    if match.group(1) == "SSLv3":
        return (-1, 0)
    return (int(match.group(2) or 0), int(match.group(3) or 0))


def _behaviors(dist: dict[str, Any]) -> list[dict[str, Any]]:
    others = (dist.get("CacheBehaviors") or {}).get("Items") or []
    return [{**dist.get("DefaultCacheBehavior", {}), "PathPattern": "default"}, *others]


def _effective_min_version(dist: dict[str, Any]) -> str:
    cert = dist.get("ViewerCertificate") or {}
    own_cert = cert.get("ACMCertificateArn") or cert.get("IAMCertificateId")
    if cert.get("CloudFrontDefaultCertificate") and not own_cert:
        return "TLSv1"  # the *.cloudfront.net certificate accepts TLS 1.0 whatever is configured
    return str(cert.get("MinimumProtocolVersion") or "TLSv1")


@check("cloudfront.viewer_https_only", needs="cloudfront.distributions", severity="high")
def viewer_https_only(
    distributions: tuple[Evidence, ...], *, min_protocol_version: str = MIN_PROTOCOL_VERSION
) -> Iterator[Finding]:
    """Distributions serve viewers over HTTPS only, with TLS 1.2 or later."""
    for ev in distributions:
        for dist in ev.data or []:
            plain = [f"{b['PathPattern']} ({b.get('ViewerProtocolPolicy')})" for b in _behaviors(dist)
                     if b.get("ViewerProtocolPolicy") not in SECURE_VIEWER]
            version = _effective_min_version(dist)
            problems = ([f"behaviours allow HTTP: {', '.join(plain)}"] if plain else []) + (
                [f"minimum TLS version is {version}, below {min_protocol_version}"]
                if protocol_rank(version) < protocol_rank(min_protocol_version) else [])
            yield judged(ev, dist["ARN"], not problems,
                         f"Every behaviour requires HTTPS and the minimum TLS version is {version}.",
                         f"Distribution {dist.get('Id')}: {'; '.join(problems)}.")


def _origin_viewer_policies(dist: dict[str, Any]) -> dict[str, set[str]]:
    """Origin id -> viewer protocol policies of the behaviours that reach it (through origin groups too)."""
    groups = {g["Id"]: [m["OriginId"] for m in (g.get("Members") or {}).get("Items", [])]
              for g in (dist.get("OriginGroups") or {}).get("Items") or []}
    reached: dict[str, set[str]] = {}
    for b in _behaviors(dist):
        target = b.get("TargetOriginId", "")
        for origin in groups.get(target, [target]):
            reached.setdefault(origin, set()).add(str(b.get("ViewerProtocolPolicy")))
    return reached


def _origin_problem(origin: dict[str, Any], viewer_policies: set[str]) -> str | None:
    custom = origin.get("CustomOriginConfig")
    # S3 and VPC origins are reached with the viewer's protocol, like match-viewer.
    policy = custom.get("OriginProtocolPolicy") if custom else "match-viewer"
    if policy == "http-only":
        return f"origin {origin['Id']} is reached over HTTP only"
    if policy == "match-viewer" and "allow-all" in viewer_policies:
        return f"origin {origin['Id']} is reached over HTTP when viewers use HTTP"
    weak = [p for p in ((custom or {}).get("OriginSslProtocols") or {}).get("Items", []) if p in WEAK_ORIGIN_PROTOCOLS]
    if weak:
        return f"origin {origin['Id']} accepts {', '.join(weak)}"
    return None


@check("cloudfront.origin_traffic_encrypted", needs="cloudfront.distributions", severity="high")
def origin_traffic_encrypted(distributions: tuple[Evidence, ...]) -> Iterator[Finding]:
    """CloudFront reaches every origin over HTTPS, without SSLv3."""
    for ev in distributions:
        for dist in ev.data or []:
            reached = _origin_viewer_policies(dist)
            problems = [p for p in (_origin_problem(o, reached.get(o["Id"], set()))
                                    for o in (dist.get("Origins") or {}).get("Items", [])) if p]
            yield judged(ev, dist["ARN"], not problems, "Every origin is reached over HTTPS.",
                         f"Distribution {dist.get('Id')}: {'; '.join(problems)}.")
