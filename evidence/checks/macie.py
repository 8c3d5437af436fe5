"""Amazon Macie checks: sensitive-data discovery is running in every region."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import failed, judged, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def macie_arn(ev: Evidence) -> str:
    """The name findings use for the Macie account settings of one region."""
    return f"arn:aws:macie2:{ev.region}:{ev.account_id}:session"


@check("macie.enabled", needs="macie.status", severity="medium")
def enabled(statuses: tuple[Evidence, ...], *, require_automated_discovery: bool = True) -> Iterator[Finding]:
    """Amazon Macie is enabled, with automated sensitive-data discovery on, in every region."""
    for ev in statuses:
        data = ev.data or {}
        session = data.get("session")
        arn = macie_arn(ev)
        if session is None:
            yield failed(ev, arn, "Macie is not enabled in this region.")
        elif session.get("status") != "ENABLED":
            yield failed(ev, arn, f"Macie is {str(session.get('status')).lower()} in this region.")
        elif not require_automated_discovery:
            yield passed(ev, arn, "Macie is enabled.")
        elif "GetAutomatedDiscoveryConfiguration" in data.get("errors", {}):
            yield unknown(ev, arn, "Macie is enabled; its automated discovery setting could not be read.")
        else:
            discovery = (data.get("automated_discovery") or {}).get("status")
            yield judged(ev, arn, discovery == "ENABLED",
                         "Macie is enabled with automated sensitive-data discovery.",
                         "Macie is enabled but automated sensitive-data discovery is off.")
