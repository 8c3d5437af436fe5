"""ACM expiry: certificates in use that expire soon (or have expired) fail; unused ones are not judged."""

from __future__ import annotations

from helpers import run, snapshot, verdicts


def certificates(*items: dict[str, object]) -> object:
    return snapshot("acm.certificates", [{"errors": {}, "DomainName": "example.com", **i} for i in items],
                    region="eu-west-1")


def test_certificate_not_expiring() -> None:
    listener = ["arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/1/2"]
    result = run("acm.certificate_not_expiring", [certificates(
        {"CertificateArn": "c:valid", "NotAfter": "2026-12-31T00:00:00Z", "InUseBy": listener},
        {"CertificateArn": "c:soon", "NotAfter": "2026-07-10T00:00:00Z", "InUseBy": listener},
        {"CertificateArn": "c:expired", "NotAfter": "2026-06-01T00:00:00Z", "InUseBy": listener},
        {"CertificateArn": "c:unused", "NotAfter": "2026-07-01T00:00:00Z", "InUseBy": []},
        {"CertificateArn": "c:hidden", "InUse": True, "errors": {"certificate": "AccessDeniedException"}},
    )])
    assert verdicts(result) == {"c:valid": "pass", "c:soon": "fail", "c:expired": "fail", "c:hidden": "not_evaluated"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert "expires in 10 days" in reasons["c:soon"]
    assert "expired 29 days ago" in reasons["c:expired"]
    relaxed = run("acm.certificate_not_expiring", [certificates(
        {"CertificateArn": "c:soon", "NotAfter": "2026-07-10T00:00:00Z", "InUseBy": listener})], min_days_remaining=7)
    assert relaxed.status == "pass"
