"""Checks: pure functions over snapshots, one decorated function per check, one module per service.

Helpers here build findings; the registry fills in the check id and severity.
"""

from evidence.models import Evidence, Finding, Status


def _finding(ev: Evidence, resource: str, status: Status, reason: str) -> Finding:
    return Finding(check="", resource=resource, account=ev.account_id, region=ev.region, status=status, reason=reason)


def passed(ev: Evidence, resource: str, reason: str) -> Finding:
    return _finding(ev, resource, Status.PASS, reason)


def failed(ev: Evidence, resource: str, reason: str) -> Finding:
    return _finding(ev, resource, Status.FAIL, reason)


def judged(ev: Evidence, resource: str, ok: bool, good: str, bad: str) -> Finding:
    """Pass with `good` as the reason when ok, else fail with `bad`."""
    return passed(ev, resource, good) if ok else failed(ev, resource, bad)
