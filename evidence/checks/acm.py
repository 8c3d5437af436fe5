"""ACM checks: no certificate in use is about to expire."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import age_days, judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("acm.certificate_not_expiring", needs="acm.certificates", severity="medium")
def certificate_not_expiring(certificates: tuple[Evidence, ...], *, min_days_remaining: int = 30) -> Iterator[Finding]:
    """No certificate in use expires within 30 days (the window is a parameter).

    Certificates attached to no resource are not judged.
    """
    for ev in certificates:
        for cert in ev.data or []:
            arn = cert["CertificateArn"]
            if "certificate" in cert.get("errors", {}):
                if cert.get("InUse"):
                    yield unknown(ev, arn, f"The certificate could not be described ({cert['errors']['certificate']}).")
                continue
            users = cert.get("InUseBy") or []
            if not users:
                continue
            elapsed = age_days(ev, cert.get("NotAfter"))
            left = None if elapsed is None else -elapsed
            if left is None:
                yield unknown(ev, arn, f"The certificate for {cert.get('DomainName')} has no expiry date yet.")
                continue
            used = f"used by {len(users)} resource(s)"
            yield judged(ev, arn, left >= min_days_remaining,
                         f"The certificate for {cert.get('DomainName')} ({used}) is valid for {left:.0f} more days.",
                         f"The certificate for {cert.get('DomainName')} ({used}) "
                         + (f"expired {-left:.0f} days ago." if left < 0 else f"expires in {left:.0f} days."))
