"""GuardDuty: pure checks over snapshots, and the collector against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from helpers import run, snapshot, verdicts

from evidence import registry
from evidence.aws import ClientFactory
from evidence.collect import AccountTarget, collect
from evidence.demo.emulator import emulator_credentials
from evidence.models import Evidence, Period

ACCOUNT = "111122223333"


def detectors(region: str, *items: dict[str, Any]) -> Evidence:
    return snapshot("guardduty.detectors", [{"errors": {}, "Findings": [], **i} for i in items], region=region)


def arn(region: str, detector: str | None = None) -> str:
    base = f"arn:aws:guardduty:{region}:{ACCOUNT}:detector"
    return f"{base}/{detector}" if detector else base


def test_enabled_all_regions() -> None:
    result = run("guardduty.enabled_all_regions", [
        detectors("eu-west-1", {"DetectorId": "d1", "Status": "ENABLED"}),
        detectors("us-east-1"),
        detectors("eu-central-1", {"DetectorId": "d3", "Status": "DISABLED"}),
        detectors("ap-south-1", {"DetectorId": "d4", "errors": {"GetDetector": "AccessDeniedException"}}),
    ])
    assert verdicts(result) == {arn("eu-west-1", "d1"): "pass", arn("us-east-1"): "fail",
                                arn("eu-central-1", "d3"): "fail", arn("ap-south-1", "d4"): "not_evaluated"}
    assert run("guardduty.enabled_all_regions",
               [detectors("eu-west-1", {"DetectorId": "d1", "Status": "ENABLED"})]).status == "pass"


def finding(fid: str, created: str, severity: float = 8.0) -> dict[str, Any]:
    return {"Id": fid, "Arn": f"arn:aws:guardduty:eu-west-1:{ACCOUNT}:detector/d1/finding/{fid}", "Severity": severity,
            "Type": "Backdoor:EC2/C&CActivity.B!DNS", "CreatedAt": created,
            "Resource": {"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-1"}}}


def test_no_unresolved_high_findings() -> None:
    old, fresh = finding("old", "2026-06-01T00:00:00.000Z"), finding("fresh", "2026-06-29T12:00:00.000Z")
    snap = detectors("eu-west-1", {"DetectorId": "d1", "Status": "ENABLED", "Findings": [old, fresh]})
    result = run("guardduty.no_unresolved_high_findings", [snap])
    assert verdicts(result) == {old["Arn"]: "fail", fresh["Arn"]: "fail"}
    assert "on i-1" in result.findings[0].reason
    within = run("guardduty.no_unresolved_high_findings", [snap], max_open_days=7)
    assert verdicts(within) == {old["Arn"]: "fail", fresh["Arn"]: "pass"}
    clean = run("guardduty.no_unresolved_high_findings", [detectors("eu-west-1", {"DetectorId": "d1"})])
    assert verdicts(clean) == {arn("eu-west-1", "d1"): "pass"}
    denied = detectors("eu-west-1", {"DetectorId": "d1", "errors": {"Findings": "AccessDeniedException"}})
    assert run("guardduty.no_unresolved_high_findings", [denied]).status == "not_evaluated"


# --------------------------------------------------------------------------- collector on the emulator

PERIOD = Period(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 6, 30, tzinfo=UTC))
EMULATOR_ACCOUNT = "123456789012"


@pytest.fixture
def factory(emulator: Any) -> Iterator[ClientFactory]:
    emulator.reset()
    yield ClientFactory.from_options(endpoint_url=emulator.endpoint_url, credentials=emulator_credentials())
    emulator.reset()


def test_emulator_detector_in_one_region_with_high_findings(emulator: Any, factory: ClientFactory) -> None:
    client = boto3.client("guardduty", region_name="eu-west-1", endpoint_url=emulator.endpoint_url,
                          **emulator_credentials())
    detector = client.create_detector(Enable=True)["DetectorId"]
    resource = {"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-0abc"}}
    ids = [emulator.put_guardduty_finding(EMULATOR_ACCOUNT, "eu-west-1", detector, severity=8.0,
                                          finding_type=f"Recon:EC2/Port{n}", resource=resource) for n in range(52)]
    emulator.put_guardduty_finding(EMULATOR_ACCOUNT, "eu-west-1", detector, severity=2.0,
                                   finding_type="Recon:EC2/Low", resource=resource)
    emulator.put_guardduty_finding(EMULATOR_ACCOUNT, "eu-west-1", detector, severity=8.0,
                                   finding_type="Recon:EC2/Archived", resource=resource, archived=True)
    spec = registry.collectors()["guardduty.detectors"]
    evidence = collect([AccountTarget(EMULATOR_ACCOUNT, factory)], regions=("us-east-1", "eu-west-1"),
                       period=PERIOD, specs=[spec])
    by_region = {ev.region: ev for ev in evidence}
    assert by_region["us-east-1"].data == []
    (found,) = by_region["eu-west-1"].data
    assert found["Status"] == "ENABLED"
    assert sorted(f["Id"] for f in found["Findings"]) == sorted(ids)  # 52 ids: two GetFindings batches
    assert verdicts(run("guardduty.enabled_all_regions", evidence)) == {
        f"arn:aws:guardduty:us-east-1:{EMULATOR_ACCOUNT}:detector": "fail",
        f"arn:aws:guardduty:eu-west-1:{EMULATOR_ACCOUNT}:detector/{detector}": "pass"}
    assert run("guardduty.no_unresolved_high_findings", evidence).status == "fail"
