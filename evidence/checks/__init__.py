"""Checks: pure functions over snapshots, one decorated function per check, one module per service.

Helpers here build findings; the registry fills in the check id and severity.
"""

from datetime import UTC, datetime

from evidence.models import Evidence, Finding, Status


def _finding(ev: Evidence, resource: str, status: Status, reason: str, region: str | None) -> Finding:
    return Finding(
        check="", resource=resource, account=ev.account_id, region=region or ev.region, status=status, reason=reason
    )


def passed(ev: Evidence, resource: str, reason: str, *, region: str | None = None) -> Finding:
    return _finding(ev, resource, Status.PASS, reason, region)


def failed(ev: Evidence, resource: str, reason: str, *, region: str | None = None) -> Finding:
    return _finding(ev, resource, Status.FAIL, reason, region)


def judged(ev: Evidence, resource: str, ok: bool, good: str, bad: str, *, region: str | None = None) -> Finding:
    """Pass with `good` as the reason when ok, else fail with `bad`."""
    return passed(ev, resource, good, region=region) if ok else failed(ev, resource, bad, region=region)


def unknown(ev: Evidence, resource: str, reason: str, *, region: str | None = None) -> Finding:
    """The resource could not be judged (part of its evidence is missing): never a pass."""
    return _finding(ev, resource, Status.NOT_EVALUATED, reason, region)


def parse_time(value: object) -> datetime | None:
    """An AWS timestamp (ISO 8601 text as stored in a snapshot), or None for N/A-style values."""
    if not isinstance(value, str) or not value or value[0] not in "0123456789":
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age_days(ev: Evidence, value: object) -> float | None:
    """Days between a timestamp and the moment the snapshot was taken."""
    when = parse_time(value)
    if when is None:
        return None
    return (ev.collected_at - when).total_seconds() / 86400


def account_arn(ev: Evidence) -> str:
    """The resource name used for account-level findings."""
    return f"arn:aws:iam::{ev.account_id}:root"


def regional_account_arn(ev: Evidence, service: str) -> str:
    """The resource name used for an account's settings in one region (e.g. EBS encryption by default)."""
    return f"arn:aws:{service}:{ev.region}:{ev.account_id}:account"
