"""IAM Access Analyzer: pure checks over snapshots, and the collector against the emulator."""

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


def analyzer(name: str, kind: str = "ACCOUNT", status: str = "ACTIVE", **extra: Any) -> dict[str, Any]:
    return {"arn": f"arn:aws:access-analyzer:eu-west-1:{ACCOUNT}:analyzer/{name}", "name": name, "type": kind,
            "status": status, "errors": {}, "findings": [], **extra}


def analyzers(region: str, *items: dict[str, Any]) -> Evidence:
    return snapshot("accessanalyzer.analyzers", list(items), region=region)


def test_access_analyzer_enabled() -> None:
    result = run("iam.access_analyzer_enabled", [
        analyzers("eu-west-1", analyzer("main")),
        analyzers("us-east-1", analyzer("unused", kind="ACCOUNT_UNUSED_ACCESS")),
        analyzers("eu-central-1", analyzer("broken", status="FAILED", statusReason={"code": "SERVICE_LINKED_ROLE"})),
    ])
    assert verdicts(result) == {
        analyzer("main")["arn"]: "pass",
        f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer": "fail",
        analyzer("broken")["arn"]: "fail",
    }
    assert "SERVICE_LINKED_ROLE" in result.findings[2].reason


PUBLIC = {"id": "f1", "resource": "arn:aws:s3:::public", "resourceType": "AWS::S3::Bucket", "isPublic": True,
          "principal": {"AWS": "*"}, "action": ["s3:GetObject"], "status": "ACTIVE"}
SHARED = {"id": "f2", "resource": "arn:aws:iam::111122223333:role/vendor", "resourceType": "AWS::IAM::Role",
          "isPublic": False, "principal": {"AWS": "444455556666"}, "action": ["sts:AssumeRole"], "status": "ACTIVE"}


def test_no_active_external_access() -> None:
    result = run("accessanalyzer.no_active_external_access",
                 [analyzers("eu-west-1", analyzer("main", findings=[PUBLIC, SHARED])),
                  analyzers("us-east-1", analyzer("quiet"))])
    assert verdicts(result) == {"arn:aws:s3:::public": "fail", SHARED["resource"]: "fail",
                                analyzer("quiet")["arn"]: "pass"}
    assert "open to anyone (public) for s3:GetObject" in result.findings[0].reason
    assert "open to AWS 444455556666" in result.findings[1].reason
    denied = analyzer("main", errors={"ListFindings": "AccessDeniedException"})
    assert run("accessanalyzer.no_active_external_access", [analyzers("eu-west-1", denied)]).status == "not_evaluated"


# --------------------------------------------------------------------------- collector on the emulator

PERIOD = Period(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 6, 30, tzinfo=UTC))
EMULATOR_ACCOUNT = "123456789012"


@pytest.fixture
def factory(emulator: Any) -> Iterator[ClientFactory]:
    emulator.reset()
    yield ClientFactory.from_options(endpoint_url=emulator.endpoint_url, credentials=emulator_credentials())
    emulator.reset()


def gather(factory: ClientFactory, regions: tuple[str, ...]) -> list[Evidence]:
    spec = registry.collectors()["accessanalyzer.analyzers"]
    return collect([AccountTarget(EMULATOR_ACCOUNT, factory)], regions=regions, period=PERIOD, specs=[spec])


def test_emulator_analyzer_with_an_active_public_finding(emulator: Any, factory: ClientFactory) -> None:
    client = boto3.client("accessanalyzer", region_name="eu-west-1", endpoint_url=emulator.endpoint_url,
                          **emulator_credentials())
    arn = client.create_analyzer(analyzerName="main", type="ACCOUNT")["arn"]
    emulator.put_access_analyzer_finding(EMULATOR_ACCOUNT, "eu-west-1", "main", resource_arn="arn:aws:s3:::public",
                                         resource_type="AWS::S3::Bucket", principal={"AWS": "*"}, is_public=True,
                                         actions=["s3:GetObject"])
    emulator.put_access_analyzer_finding(EMULATOR_ACCOUNT, "eu-west-1", "main", resource_arn="arn:aws:s3:::old",
                                         resource_type="AWS::S3::Bucket", principal={"AWS": "*"}, is_public=True,
                                         status="ARCHIVED")
    evidence = gather(factory, ("us-east-1", "eu-west-1"))
    by_region = {ev.region: ev for ev in evidence}
    assert by_region["us-east-1"].data == []
    assert [f["resource"] for f in by_region["eu-west-1"].data[0]["findings"]] == ["arn:aws:s3:::public"]
    assert verdicts(run("iam.access_analyzer_enabled", evidence)) == {
        f"arn:aws:access-analyzer:us-east-1:{EMULATOR_ACCOUNT}:analyzer": "fail", arn: "pass"}
    assert verdicts(run("accessanalyzer.no_active_external_access", evidence)) == {"arn:aws:s3:::public": "fail"}


def test_access_denied_is_a_gap(factory: ClientFactory) -> None:
    stubber = Stubber(factory.client("accessanalyzer", "eu-west-1"))
    stubber.add_client_error("list_analyzers", service_error_code="AccessDeniedException", http_status_code=403)
    with stubber:
        evidence = gather(factory, ("eu-west-1",))
    assert evidence[0].error is not None and evidence[0].error.code == "AccessDeniedException"
    assert run("iam.access_analyzer_enabled", evidence).status == "not_evaluated"
