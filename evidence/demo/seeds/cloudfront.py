"""CloudFront: the storefront CDN, HTTPS end to end, and a downloads CDN that still speaks HTTP."""

from __future__ import annotations

from typing import Any

from evidence.demo.scenario import HOME, Clients, expect, seeder

_FORWARD_NOTHING = {"QueryString": False, "Cookies": {"Forward": "none"}}


def _config(reference: str, origin_policy: str, viewer_policy: str, certificate: dict[str, Any]) -> dict[str, Any]:
    return {
        "CallerReference": reference,
        "Comment": reference,
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "origin",
            "DomainName": f"{reference}.origin.example.com",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": origin_policy,
                                   "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}},
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": viewer_policy,
                                 "ForwardedValues": _FORWARD_NOTHING, "MinTTL": 0},
        "ViewerCertificate": certificate,
    }


@seeder
def seed_cloudfront(aws: Clients) -> None:
    cert = aws("acm", HOME).request_certificate(DomainName="cdn.example.com")["CertificateArn"]
    cloudfront = aws("cloudfront", HOME)
    storefront = cloudfront.create_distribution(DistributionConfig=_config(
        "storefront-cdn", "https-only", "redirect-to-https",
        {"ACMCertificateArn": cert, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
    ))["Distribution"]["ARN"]
    downloads = cloudfront.create_distribution(DistributionConfig=_config(
        "downloads-cdn", "http-only", "allow-all", {"CloudFrontDefaultCertificate": True},
    ))["Distribution"]["ARN"]
    for check in ("cloudfront.viewer_https_only", "cloudfront.origin_traffic_encrypted"):
        expect(check, storefront, "pass")
        expect(check, downloads, "fail")
