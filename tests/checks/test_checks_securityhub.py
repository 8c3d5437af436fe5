"""Security Hub: pure checks over snapshots, and the collector against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from helpers import run, snapshot, verdicts

from evidence import registry
from evidence.aws import ClientFactory
from evidence.collect import AccountTarget, collect
from evidence.demo.emulator import emulator_credentials
from evidence.models import Evidence, Period

ACCOUNT = "111122223333"
HUB = {"HubArn": f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:hub/default", "SubscribedAt": "2026-01-01T00:00:00Z"}
FSBP = {"StandardsArn": "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "StandardsStatus": "READY"}


def hub(region: str, data: dict[str, Any] | None) -> Evidence:
    body = {"hub": None, "standards": [], "findings": [], "errors": {}} if data is None else {
        "hub": HUB, "standards": [FSBP], "findings": [], "errors": {}, **data}
    return snapshot("securityhub.hub", body, region=region)


def off_arn(region: str) -> str:
    return f"arn:aws:securityhub:{region}:{ACCOUNT}:hub/default"


def test_enabled() -> None:
    result = run("securityhub.enabled", [hub("eu-west-1", {}), hub("us-east-1", None)])
    assert verdicts(result) == {HUB["HubArn"]: "pass", off_arn("us-east-1"): "fail"}
    assert "aws-foundational-security-best-practices/v/1.0.0" in result.findings[0].reason
    assert run("securityhub.enabled", [hub("eu-west-1", {"standards": []})]).findings[0].reason.endswith(
        "no standard is enabled.")
    assert "could not be read" in run(
        "securityhub.enabled", [hub("eu-west-1", {"errors": {"GetEnabledStandards": "AccessDeniedException"}})]
    ).findings[0].reason


FAILED_CONTROL = {
    "Id": "f-1", "Title": "S3 general purpose buckets should block public read access",
    "Severity": {"Label": "CRITICAL"}, "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.2"},
    "Workflow": {"Status": "NEW"}, "FirstObservedAt": "2026-06-01T00:00:00Z",
    "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::public", "Region": "eu-west-1"}],
}
THREAT = {"Id": "f-2", "Title": "EC2 instance is communicating with a known C&C server",
          "Severity": {"Label": "HIGH"}, "Workflow": {"Status": "NOTIFIED"},
          "Resources": [{"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:eu-west-1:1:instance/i-1"}]}


def test_no_active_high_findings() -> None:
    result = run("securityhub.no_active_high_findings",
                 [hub("eu-west-1", {"findings": [FAILED_CONTROL, THREAT]}), hub("us-east-1", None)])
    assert verdicts(result) == {"arn:aws:s3:::public": "fail", "arn:aws:ec2:eu-west-1:1:instance/i-1": "fail"}
    assert "critical failed control S3.2" in result.findings[0].reason
    assert "high finding: EC2 instance" in result.findings[1].reason
    clean = run("securityhub.no_active_high_findings", [hub("eu-west-1", {})])
    assert verdicts(clean) == {HUB["HubArn"]: "pass"}
    # A region where Security Hub is off has no findings to judge (securityhub.enabled fails it).
    assert run("securityhub.no_active_high_findings", [hub("us-east-1", None)]).status == "not_applicable"
    denied = run("securityhub.no_active_high_findings",
                 [hub("eu-west-1", {"errors": {"GetFindings": "AccessDeniedException"}})])
    assert verdicts(denied) == {HUB["HubArn"]: "not_evaluated"}


# --------------------------------------------------------------------------- collector on the emulator

PERIOD = Period(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 6, 30, tzinfo=UTC))
EMULATOR_ACCOUNT = "123456789012"


@pytest.fixture
def factory(emulator: Any) -> Iterator[ClientFactory]:
    emulator.reset()
    yield ClientFactory.from_options(endpoint_url=emulator.endpoint_url, credentials=emulator_credentials())
    emulator.reset()


def gather(factory: ClientFactory, regions: tuple[str, ...]) -> dict[str, Evidence]:
    spec = registry.collectors()["securityhub.hub"]
    evidence = collect([AccountTarget(EMULATOR_ACCOUNT, factory)], regions=regions, period=PERIOD, specs=[spec])
    return {ev.region: ev for ev in evidence}


def test_emulator_hub_in_one_region_with_a_finding(emulator: Any, factory: ClientFactory) -> None:
    client = boto3.client("securityhub", region_name="eu-west-1", endpoint_url=emulator.endpoint_url,
                          **emulator_credentials())
    client.enable_security_hub(EnableDefaultStandards=False)
    client.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP["StandardsArn"]}])
    finding = {**FAILED_CONTROL, "SchemaVersion": "2018-10-08", "AwsAccountId": EMULATOR_ACCOUNT,
               "ProductArn": f"arn:aws:securityhub:eu-west-1:{EMULATOR_ACCOUNT}:product/{EMULATOR_ACCOUNT}/default",
               "GeneratorId": "security-control/S3.2", "CreatedAt": "2026-06-01T00:00:00Z",
               "UpdatedAt": "2026-06-01T00:00:00Z", "Description": "public read", "Types": ["Software and Configuration Checks"],
               "RecordState": "ACTIVE"}
    low = {**finding, "Id": "f-low", "Severity": {"Label": "LOW"}}
    client.batch_import_findings(Findings=[finding, low])
    evidence = gather(factory, ("us-east-1", "eu-west-1"))
    assert evidence["us-east-1"].data == {"hub": None, "standards": [], "findings": [], "errors": {}}
    data = evidence["eu-west-1"].data
    assert [s["StandardsArn"] for s in data["standards"]] == [FSBP["StandardsArn"]]
    assert [f["Id"] for f in data["findings"]] == ["f-1"]  # the low one is filtered out by the query
    assert run("securityhub.enabled", list(evidence.values())).status == "fail"
    assert verdicts(run("securityhub.no_active_high_findings", list(evidence.values()))) == {
        "arn:aws:s3:::public": "fail"}


def test_access_denied_is_a_gap(factory: ClientFactory) -> None:
    stubber = Stubber(factory.client("securityhub", "eu-west-1"))
    stubber.add_client_error("describe_hub", service_error_code="AccessDeniedException", http_status_code=403)
    with stubber:
        evidence = gather(factory, ("eu-west-1",))
    assert evidence["eu-west-1"].error is not None and evidence["eu-west-1"].error.code == "AccessDeniedException"
    assert run("securityhub.enabled", list(evidence.values())).status == "not_evaluated"
