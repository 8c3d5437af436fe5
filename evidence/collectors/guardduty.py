"""GuardDuty: the region's detectors with their status and their open high-severity findings."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

HIGH_SEVERITY = 7.0  # GuardDuty: high is 7.0-8.9, critical 9.0-10.0
OPEN_HIGH = {"Criterion": {"service.archived": {"Eq": ["false"]}, "severity": {"Gte": int(HIGH_SEVERITY)}}}
GET_FINDINGS_BATCH = 50  # GetFindings takes at most 50 ids


def _detector(ctx: CollectContext, detector_id: str) -> dict[str, Any]:
    client = ctx.client("guardduty")
    detector: dict[str, Any] = {"DetectorId": detector_id, "errors": {}}
    try:
        described = client.get_detector(DetectorId=detector_id)
        described.pop("ResponseMetadata", None)
        detector.update(described)
    except ClientError as exc:
        detector["errors"]["GetDetector"] = error_code(exc)
    try:
        ids = paginate(client, "list_findings", "FindingIds", DetectorId=detector_id, FindingCriteria=OPEN_HIGH)
        findings: list[Any] = []
        for start in range(0, len(ids), GET_FINDINGS_BATCH):
            batch = ids[start:start + GET_FINDINGS_BATCH]
            findings.extend(client.get_findings(DetectorId=detector_id, FindingIds=batch)["Findings"])
        detector["Findings"] = findings
    except ClientError as exc:
        detector["errors"]["Findings"] = error_code(exc)
    return detector


@collector(
    "guardduty.detectors",
    service="guardduty",
    actions=("guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:ListFindings", "guardduty:GetFindings"),
)
def detectors(ctx: CollectContext) -> Any:
    """Every detector of the region with its status and its non-archived findings of high or critical
    severity."""
    ids = paginate(ctx.client("guardduty"), "list_detectors", "DetectorIds")
    return ctx.map(lambda d: _detector(ctx, d), sorted(ids))
