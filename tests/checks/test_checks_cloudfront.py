"""CloudFront checks: each has a distribution that fails and one that passes."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

from evidence.checks.cloudfront import protocol_rank

ACM = "arn:aws:acm:us-east-1:111122223333:certificate/abc"


def dist(name: str, *, viewer: str = "redirect-to-https", extra_viewer: str | None = None,
         cert: dict[str, Any] | None = None, origins: list[dict[str, Any]] | None = None,
         groups: list[dict[str, Any]] | None = None, target: str = "web") -> dict[str, Any]:
    behaviors = [{"PathPattern": "/static/*", "TargetOriginId": target, "ViewerProtocolPolicy": extra_viewer}] \
        if extra_viewer else []
    return {
        "Id": name, "ARN": f"arn:aws:cloudfront::111122223333:distribution/{name}",
        "DefaultCacheBehavior": {"TargetOriginId": target, "ViewerProtocolPolicy": viewer},
        "CacheBehaviors": {"Quantity": len(behaviors), "Items": behaviors},
        "ViewerCertificate": cert or {"ACMCertificateArn": ACM, "MinimumProtocolVersion": "TLSv1.2_2021"},
        "Origins": {"Items": origins or [custom("web", "https-only")]},
        "OriginGroups": {"Quantity": len(groups or []), "Items": groups or []},
    }


def custom(origin_id: str, policy: str, protocols: tuple[str, ...] = ("TLSv1.2",)) -> dict[str, Any]:
    return {"Id": origin_id, "DomainName": f"{origin_id}.example.com", "CustomOriginConfig": {
        "OriginProtocolPolicy": policy, "OriginSslProtocols": {"Items": list(protocols)}}}


def s3(origin_id: str) -> dict[str, Any]:
    return {"Id": origin_id, "DomainName": "bucket.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}


def arn(name: str) -> str:
    return f"arn:aws:cloudfront::111122223333:distribution/{name}"


def distributions(*items: dict[str, Any]) -> Any:
    return snapshot("cloudfront.distributions", list(items))


def test_protocol_rank_orders_policies() -> None:
    names = ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2021", "TLSv1.3_2025"]
    assert sorted(names, key=protocol_rank) == names


def test_viewer_https_only() -> None:
    result = run("cloudfront.viewer_https_only", [distributions(
        dist("good"),
        dist("http-path", extra_viewer="allow-all"),
        dist("old-tls", cert={"ACMCertificateArn": ACM, "MinimumProtocolVersion": "TLSv1.1_2016"}),
        dist("default-cert", cert={"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1.2_2021"}),
    )])
    assert verdicts(result) == {arn("good"): "pass", arn("http-path"): "fail", arn("old-tls"): "fail",
                                arn("default-cert"): "fail"}
    assert run("cloudfront.viewer_https_only", [distributions(dist("old-tls", cert={
        "ACMCertificateArn": ACM, "MinimumProtocolVersion": "TLSv1.1_2016"}))],
        min_protocol_version="TLSv1").status == "pass"


def test_origin_traffic_encrypted() -> None:
    result = run("cloudfront.origin_traffic_encrypted", [distributions(
        dist("https-origin"),
        dist("http-origin", origins=[custom("web", "http-only")]),
        dist("match-viewer-open", viewer="allow-all", origins=[custom("web", "match-viewer")]),
        dist("match-viewer-https", origins=[custom("web", "match-viewer")]),
        dist("sslv3", origins=[custom("web", "https-only", ("SSLv3", "TLSv1.2"))]),
        dist("s3-open", viewer="allow-all", origins=[s3("web")]),
        dist("group-open", viewer="allow-all", target="failover", origins=[custom("a", "https-only"), s3("b")],
             groups=[{"Id": "failover", "Members": {"Items": [{"OriginId": "a"}, {"OriginId": "b"}]}}]),
    )])
    assert verdicts(result) == {
        arn("https-origin"): "pass", arn("http-origin"): "fail", arn("match-viewer-open"): "fail",
        arn("match-viewer-https"): "pass", arn("sslv3"): "fail", arn("s3-open"): "fail", arn("group-open"): "fail",
    }
