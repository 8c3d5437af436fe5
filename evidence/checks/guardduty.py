"""GuardDuty checks: a detector is on in every region, and no high-severity finding stays open too long."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import age_days, failed, judged, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def detector_arn(ev: Evidence, detector_id: str | None = None) -> str:
    base = f"arn:aws:guardduty:{ev.region}:{ev.account_id}:detector"
    return f"{base}/{detector_id}" if detector_id else base


def _detectors(ev: Evidence) -> list[dict[str, Any]]:
    return list(ev.data or [])


@check("guardduty.enabled_all_regions", needs="guardduty.detectors", severity="high")
def enabled_all_regions(detectors: tuple[Evidence, ...]) -> Iterator[Finding]:
    """GuardDuty has an enabled detector in every region in scope."""
    for ev in detectors:
        found = _detectors(ev)
        if not found:
            yield failed(ev, detector_arn(ev), f"No GuardDuty detector in {ev.region}.")
            continue
        for d in found:
            arn = detector_arn(ev, d["DetectorId"])
            if "GetDetector" in d.get("errors", {}):
                yield unknown(ev, arn, f"The detector's status could not be read ({d['errors']['GetDetector']}).")
                continue
            yield judged(ev, arn, d.get("Status") == "ENABLED", "The detector is enabled.",
                         f"The detector is {str(d.get('Status', 'in an unknown state')).lower()}.")


@check("guardduty.no_unresolved_high_findings", needs="guardduty.detectors", severity="medium")
def no_unresolved_high_findings(detectors: tuple[Evidence, ...], *, max_open_days: int = 0) -> Iterator[Finding]:
    """No high-severity GuardDuty finding stays unarchived longer than the response time allowed."""
    for ev in detectors:
        for d in _detectors(ev):
            arn = detector_arn(ev, d["DetectorId"])
            if "Findings" in d.get("errors", {}):
                yield unknown(ev, arn, f"The detector's findings could not be read ({d['errors']['Findings']}).")
                continue
            overdue = 0
            for f in d.get("Findings", []):
                age = age_days(ev, f.get("CreatedAt"))
                what = f"{f.get('Type', 'finding')} (severity {f.get('Severity')}) on {_target(f)}"
                if age is None or age > max_open_days:
                    overdue += 1
                    opened = "at an unknown time" if age is None else f"{age:.1f} days before collection"
                    yield failed(ev, f.get("Arn", arn), f"Unarchived {what}, opened {opened}.")
                else:
                    yield passed(ev, f.get("Arn", arn),
                                 f"{what} opened {age:.1f} days ago, within the {max_open_days}-day response time.")
            if not d.get("Findings"):
                yield passed(ev, arn, "No unarchived high-severity finding.")


def _target(finding: dict[str, Any]) -> str:
    resource = finding.get("Resource") or {}
    instance = (resource.get("InstanceDetails") or {}).get("InstanceId")
    key = (resource.get("AccessKeyDetails") or {}).get("AccessKeyId")
    bucket = next((b.get("Name") for b in resource.get("S3BucketDetails") or [] if b.get("Name")), None)
    return instance or key or bucket or str(resource.get("ResourceType", "an unnamed resource"))
