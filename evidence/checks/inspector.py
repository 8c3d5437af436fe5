"""Amazon Inspector checks: vulnerability scanning is on for EC2, ECR and Lambda in every region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import judged, regional_account_arn, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check

RESOURCE_TYPES = ("ec2", "ecr", "lambda")


@check("inspector.vulnerability_scanning_enabled", needs="inspector2.account_status", severity="high")
def vulnerability_scanning_enabled(
    statuses: tuple[Evidence, ...], *, resource_types: tuple[str, ...] = RESOURCE_TYPES
) -> Iterator[Finding]:
    """Amazon Inspector scans EC2 instances, ECR images and Lambda functions in every region."""
    for ev in statuses:
        arn = regional_account_arn(ev, "inspector2")
        data = ev.data or {}
        failed = [f for f in data.get("failedAccounts", []) if f.get("accountId") == ev.account_id]
        if failed:
            yield unknown(ev, arn, f"Inspector's status could not be read ({failed[0].get('errorCode')}: "
                                   f"{failed[0].get('errorMessage', '')}).")
            continue
        mine: dict[str, Any] = next((a for a in data.get("accounts", []) if a.get("accountId") == ev.account_id), {})
        states = {t: (mine.get("resourceState", {}).get(t) or {}).get("status", "DISABLED") for t in resource_types}
        off = [f"{t} ({s})" for t, s in states.items() if s != "ENABLED"]
        yield judged(ev, arn, not off, f"Inspector scans {', '.join(resource_types)} in {ev.region}.",
                     f"Inspector is not scanning {', '.join(off)} in {ev.region}.")
