"""AWS Config: pure checks over snapshots, and the collectors against the emulator (Stubber for errors
and paging)."""

from __future__ import annotations

import io
import json
import zipfile
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
ALL_TYPES = {"allSupported": True, "includeGlobalResourceTypes": False}
WITH_GLOBAL = {"allSupported": True, "includeGlobalResourceTypes": True}
HEALTHY = {"configHistoryDeliveryInfo": {"lastStatus": "SUCCESS"}, "configSnapshotDeliveryInfo": {"lastStatus": "SUCCESS"},
           "configStreamDeliveryInfo": {"lastStatus": "NOT_APPLICABLE"}}
CHANNEL = {"name": "default", "s3BucketName": "config-logs", "Status": HEALTHY}


def recorder(group: dict[str, Any] = WITH_GLOBAL, *, recording: bool = True, name: str = "default") -> dict[str, Any]:
    return {"name": name, "roleARN": "arn:aws:iam::111122223333:role/config", "recordingGroup": group,
            "Status": {"name": name, "recording": recording, "lastStatus": "SUCCESS"}}


def recorders(region: str, found: list[dict[str, Any]], channels: list[dict[str, Any]] | None = None) -> Evidence:
    data = {"recorders": found, "delivery_channels": [CHANNEL] if channels is None else channels}
    return snapshot("config.recorders", data, region=region)


def rec_arn(region: str, name: str | None = "default") -> str:
    base = f"arn:aws:config:{region}:{ACCOUNT}:configuration-recorder"
    return f"{base}/{name}" if name else base


ROOT = f"arn:aws:iam::{ACCOUNT}:root"


# --------------------------------------------------------------------------- config.recorder_all_regions


def test_no_recorder_anywhere_fails_every_region_and_global_types() -> None:
    result = run("config.recorder_all_regions", [recorders("us-east-1", [], []), recorders("eu-west-1", [], [])])
    assert verdicts(result) == {rec_arn("us-east-1", None): "fail", rec_arn("eu-west-1", None): "fail", ROOT: "fail"}
    assert "No configuration recorder in eu-west-1" in result.findings[1].reason


def test_recorder_in_one_region_only() -> None:
    result = run("config.recorder_all_regions", [recorders("us-east-1", [recorder()]), recorders("eu-west-1", [], [])])
    assert result.status == "fail"
    assert verdicts(result) == {rec_arn("us-east-1"): "pass", rec_arn("eu-west-1", None): "fail", ROOT: "pass"}
    assert "us-east-1" in next(f.reason for f in result.findings if f.resource == ROOT)


def test_every_region_recording_with_global_types_in_one_passes() -> None:
    result = run("config.recorder_all_regions",
                 [recorders("us-east-1", [recorder()]), recorders("eu-west-1", [recorder(ALL_TYPES)])])
    assert result.status == "pass"
    assert "s3://config-logs" in result.findings[0].reason


def test_recorder_not_recording_global_types() -> None:
    result = run("config.recorder_all_regions",
                 [recorders("us-east-1", [recorder(ALL_TYPES)]), recorders("eu-west-1", [recorder(ALL_TYPES)])])
    assert verdicts(result)[ROOT] == "fail"
    assert verdicts(result)[rec_arn("us-east-1")] == "pass"
    # Global types listed one by one also count.
    listed = {"allSupported": False, "resourceTypes": ["AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role",
                                                       "AWS::IAM::Policy", "AWS::S3::Bucket"]}
    result = run("config.recorder_all_regions", [recorders("us-east-1", [recorder(listed)])])
    assert verdicts(result)[ROOT] == "pass"


@pytest.mark.parametrize(
    ("found", "channels", "reason"),
    [
        ([recorder(recording=False)], None, "recorder default is stopped"),
        ([recorder({"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]})], None, "selected resource types"),
        ([recorder({"recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}, "allSupported": False})], None,
         "selected resource types"),
        ([recorder()], [], "no delivery channel"),
        ([recorder()], [{**CHANNEL, "Status": {"configHistoryDeliveryInfo": {"lastStatus": "FAILURE",
                                                                          "lastErrorCode": "NoSuchBucket"}}}],
         "fails to deliver history (NoSuchBucket)"),
    ],
)
def test_unhealthy_recorder_or_channel_fails(found: list[dict[str, Any]], channels: Any, reason: str) -> None:
    result = run("config.recorder_all_regions", [recorders("us-east-1", found, channels)])
    assert verdicts(result)[rec_arn("us-east-1")] == "fail"
    assert reason in result.findings[0].reason


def test_service_linked_recorder_does_not_count() -> None:
    linked = {**recorder(name="AWSConfigurationRecorderForSecurityHub"), "servicePrincipal": "securityhub.amazonaws.com"}
    result = run("config.recorder_all_regions", [recorders("us-east-1", [linked])])
    assert verdicts(result)[rec_arn("us-east-1", None)] == "fail"


# --------------------------------------------------------------------------- config.conformance_pack_deployed


def packs(region: str, *items: tuple[str, str | None]) -> Evidence:
    data = [{"ConformancePackName": name, "Status": {"ConformancePackState": state} if state else None, "errors": {}}
            for name, state in items]
    return snapshot("config.conformance_packs", data, region=region)


def test_conformance_pack_deployed() -> None:
    ok = run("config.conformance_pack_deployed", [packs("us-east-1"), packs("eu-west-1", ("pci", "CREATE_COMPLETE"))])
    assert verdicts(ok) == {ROOT: "pass"} and "pci (eu-west-1)" in ok.findings[0].reason
    none = run("config.conformance_pack_deployed", [packs("us-east-1"), packs("eu-west-1")])
    assert verdicts(none) == {ROOT: "fail"}
    broken = run("config.conformance_pack_deployed", [packs("us-east-1", ("pci", "CREATE_FAILED"))])
    assert verdicts(broken) == {ROOT: "fail"} and "pci (us-east-1): CREATE_FAILED" in broken.findings[0].reason


# --------------------------------------------------------------------------- config.rules_compliant


def result_of(rule: str, resource_type: str, resource_id: str, compliance: str, note: str | None = None) -> dict[str, Any]:
    qualifier = {"ConfigRuleName": rule, "ResourceType": resource_type, "ResourceId": resource_id}
    out: dict[str, Any] = {"EvaluationResultIdentifier": {"EvaluationResultQualifier": qualifier},
                           "ComplianceType": compliance}
    if note:
        out["Annotation"] = note
    return out


def rule(name: str, source: str, compliance: str, results: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    owner = {"Owner": source} if source.startswith("CUSTOM_") else {"Owner": "AWS", "SourceIdentifier": source}
    return {"ConfigRuleName": name, "ConfigRuleArn": f"arn:aws:config:eu-west-1:{ACCOUNT}:config-rule/{name}",
            "Source": owner, "Compliance": {"ComplianceType": compliance}, "EvaluationResults": results,
            "errors": {}, **extra}


def rules_snapshot(*items: dict[str, Any]) -> Evidence:
    return snapshot("config.rules", list(items), region="eu-west-1")


def test_non_compliant_resources_become_findings() -> None:
    versioning = rule("s3-versioning", "S3_BUCKET_VERSIONING_ENABLED", "NON_COMPLIANT", [
        result_of("s3-versioning", "AWS::S3::Bucket", "good", "COMPLIANT"),
        result_of("s3-versioning", "AWS::S3::Bucket", "bad", "NON_COMPLIANT", "Versioning is off"),
    ])
    custom = rule("tags-required", "CUSTOM_LAMBDA", "NON_COMPLIANT", [
        result_of("tags-required", "AWS::IAM::Role", "AROAEXAMPLE", "NON_COMPLIANT"),
    ])
    result = run("config.rules_compliant", [rules_snapshot(versioning, custom)])
    assert verdicts(result) == {"arn:aws:s3:::good": "pass", "arn:aws:s3:::bad": "fail",
                                "AWS::IAM::Role/AROAEXAMPLE": "fail"}
    bad = next(f for f in result.findings if f.resource == "arn:aws:s3:::bad")
    assert "s3-versioning (S3_BUCKET_VERSIONING_ENABLED)" in bad.reason and "Versioning is off" in bad.reason
    assert "custom Lambda rule" in result.findings[-1].reason


def test_compliant_rules_pass() -> None:
    versioning = rule("s3-versioning", "S3_BUCKET_VERSIONING_ENABLED", "COMPLIANT",
                      [result_of("s3-versioning", "AWS::S3::Bucket", "good", "COMPLIANT")])
    waiting = rule("new-rule", "S3_BUCKET_LOGGING_ENABLED", "INSUFFICIENT_DATA", [])
    assert run("config.rules_compliant", [rules_snapshot(versioning, waiting)]).status == "pass"


def test_unreadable_or_unlisted_rule_results() -> None:
    denied = rule("denied", "S3_BUCKET_LOGGING_ENABLED", "NON_COMPLIANT", [],
                  errors={"GetComplianceDetailsByConfigRule": "AccessDeniedException"})
    del denied["EvaluationResults"]
    unlisted = rule("unlisted", "S3_BUCKET_LOGGING_ENABLED", "NON_COMPLIANT", [])
    result = run("config.rules_compliant", [rules_snapshot(denied, unlisted)])
    by_rule = {f.resource.rsplit("/", 1)[1]: f.status.value for f in result.findings}
    assert by_rule == {"denied": "not_evaluated", "unlisted": "fail"}


# --------------------------------------------------------------------------- collectors on the emulator

HOME, OTHER = "us-east-1", "eu-west-1"
REGIONS = (HOME, OTHER)
PERIOD = Period(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 6, 30, tzinfo=UTC))
EMULATOR_ACCOUNT = "123456789012"


@pytest.fixture
def aws(emulator: Any) -> Iterator[Any]:
    emulator.reset()
    session = boto3.Session(**emulator_credentials())
    yield lambda service, region=HOME: session.client(service, region_name=region, endpoint_url=emulator.endpoint_url)
    emulator.reset()


@pytest.fixture
def factory(emulator: Any) -> ClientFactory:
    return ClientFactory.from_options(endpoint_url=emulator.endpoint_url, credentials=emulator_credentials())


def gather(factory: ClientFactory, *keys: str) -> dict[str, list[Evidence]]:
    specs = [registry.collectors()[k] for k in keys]
    out: dict[str, list[Evidence]] = {k: [] for k in keys}
    for ev in collect([AccountTarget(EMULATOR_ACCOUNT, factory)], regions=REGIONS, period=PERIOD, specs=specs):
        out[ev.key].append(ev)
    return out


def start_recorder(aws: Any, region: str, group: dict[str, Any] = WITH_GLOBAL) -> None:
    bucket = f"config-{region}"
    s3 = aws("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    config = aws("config", region)
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{EMULATOR_ACCOUNT}:role/config", "recordingGroup": group})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def recorder_verdicts(factory: ClientFactory) -> dict[str, str]:
    return verdicts(run("config.recorder_all_regions", gather(factory, "config.recorders")["config.recorders"]))


def test_emulator_no_recorder(aws: Any, factory: ClientFactory) -> None:
    evidence = gather(factory, "config.recorders")["config.recorders"]
    assert [ev.data for ev in evidence] == [{"recorders": [], "delivery_channels": []}] * 2
    assert set(recorder_verdicts(factory).values()) == {"fail"}


def test_emulator_recorder_in_one_region(aws: Any, factory: ClientFactory) -> None:
    start_recorder(aws, OTHER)
    evidence = {ev.region: ev for ev in gather(factory, "config.recorders")["config.recorders"]}
    channel = evidence[OTHER].data["delivery_channels"][0]
    assert channel["Status"]["configHistoryDeliveryInfo"]["lastStatus"] == "SUCCESS"
    assert evidence[OTHER].api_calls == ("config:DescribeConfigurationRecorders",
                                         "config:DescribeConfigurationRecorderStatus",
                                         "config:DescribeDeliveryChannels", "config:DescribeDeliveryChannelStatus")
    assert recorder_verdicts(factory) == {
        f"arn:aws:config:{HOME}:{EMULATOR_ACCOUNT}:configuration-recorder": "fail",
        f"arn:aws:config:{OTHER}:{EMULATOR_ACCOUNT}:configuration-recorder/default": "pass",
        f"arn:aws:iam::{EMULATOR_ACCOUNT}:root": "pass",
    }


def test_emulator_recorders_without_global_types(aws: Any, factory: ClientFactory) -> None:
    for region in REGIONS:
        start_recorder(aws, region, ALL_TYPES)
    assert recorder_verdicts(factory) == {
        f"arn:aws:config:{HOME}:{EMULATOR_ACCOUNT}:configuration-recorder/default": "pass",
        f"arn:aws:config:{OTHER}:{EMULATOR_ACCOUNT}:configuration-recorder/default": "pass",
        f"arn:aws:iam::{EMULATOR_ACCOUNT}:root": "fail",
    }


PACK_TEMPLATE = {
    "Resources": {
        "Versioning": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": "s3-versioning",
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}},
        "Logging": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": "s3-logging",
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_LOGGING_ENABLED"}}},
    }
}


def test_emulator_conformance_pack_with_non_compliant_rules(emulator: Any, aws: Any, factory: ClientFactory) -> None:
    start_recorder(aws, OTHER)
    config = aws("config", OTHER)
    config.put_conformance_pack(ConformancePackName="storage", TemplateBody=json.dumps(PACK_TEMPLATE))
    names = {r["Source"]["SourceIdentifier"]: r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]}
    emulator.put_config_evaluations(EMULATOR_ACCOUNT, OTHER, names["S3_BUCKET_VERSIONING_ENABLED"],
                                    [("AWS::S3::Bucket", "kept", "COMPLIANT"), ("AWS::S3::Bucket", "lost", "NON_COMPLIANT")])
    emulator.put_config_evaluations(EMULATOR_ACCOUNT, OTHER, names["S3_BUCKET_LOGGING_ENABLED"],
                                    [("AWS::S3::Bucket", "kept", "COMPLIANT")])
    got = gather(factory, "config.rules", "config.conformance_packs")
    pack = next(ev for ev in got["config.conformance_packs"] if ev.region == OTHER).data[0]
    assert pack["Status"]["ConformancePackState"] == "CREATE_COMPLETE"
    assert pack["ComplianceSummary"]["ConformancePackComplianceStatus"] == "NON_COMPLIANT"
    assert {r["ConfigRuleName"]: r["ComplianceType"] for r in pack["RuleCompliance"]} == {
        names["S3_BUCKET_VERSIONING_ENABLED"]: "NON_COMPLIANT", names["S3_BUCKET_LOGGING_ENABLED"]: "COMPLIANT"}
    assert len(pack["EvaluationResults"]) == 3
    rules = run("config.rules_compliant", got["config.rules"])
    assert sorted((f.resource, f.status.value) for f in rules.findings) == [
        ("arn:aws:s3:::kept", "pass"), ("arn:aws:s3:::kept", "pass"), ("arn:aws:s3:::lost", "fail")]
    assert run("config.conformance_pack_deployed", got["config.conformance_packs"]).status == "pass"


def test_emulator_custom_rule_is_collected(aws: Any, factory: ClientFactory) -> None:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    role = aws("iam").create_role(RoleName="rule", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    function = aws("lambda", OTHER).create_function(
        FunctionName="tags-required", Runtime="python3.12", Role=role, Handler="index.handler",
        Code={"ZipFile": code.getvalue()})["FunctionArn"]
    aws("config", OTHER).put_config_rule(ConfigRule={"ConfigRuleName": "tags-required", "Source": {
        "Owner": "CUSTOM_LAMBDA", "SourceIdentifier": function,
        "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]}})
    rules = next(ev for ev in gather(factory, "config.rules")["config.rules"] if ev.region == OTHER)
    assert [(r["ConfigRuleName"], r["Compliance"]["ComplianceType"], r["EvaluationResults"]) for r in rules.data] == [
        ("tags-required", "INSUFFICIENT_DATA", [])]


def test_access_denied_is_a_gap_not_a_pass(aws: Any, factory: ClientFactory) -> None:
    start_recorder(aws, OTHER)
    stubber = Stubber(factory.client("config", OTHER))
    stubber.add_client_error("describe_configuration_recorders", service_error_code="AccessDeniedException",
                             service_message="not authorized to perform config:DescribeConfigurationRecorders",
                             http_status_code=400)
    with stubber:
        evidence = gather(factory, "config.recorders")["config.recorders"]
    denied = next(ev for ev in evidence if ev.region == OTHER)
    assert denied.data is None and denied.error is not None and denied.error.code == "AccessDeniedException"
    result = run("config.recorder_all_regions", evidence)
    # The region that answered still fails (no recorder there); the denied region is a gap.
    assert [g.region for g in result.gaps] == [OTHER]
    home_only = [ev for ev in evidence if ev.region == OTHER] + [
        snapshot("config.recorders", {"recorders": [recorder()], "delivery_channels": [CHANNEL]}, region=HOME)]
    assert run("config.recorder_all_regions", home_only).status == "not_evaluated"


def page_of(rule_name: str, *ids: str) -> list[dict[str, Any]]:
    return [result_of(rule_name, "AWS::S3::Bucket", i, "NON_COMPLIANT") for i in ids]


def test_compliance_details_are_read_page_by_page(factory: ClientFactory) -> None:
    client = factory.client("config", OTHER)
    stubber = Stubber(client)
    versioning = {"ConfigRuleName": "v", "ConfigRuleArn": "arn:aws:config:eu-west-1:1:config-rule/v",
                  "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
    stubber.add_response("describe_config_rules", {"ConfigRules": [versioning]})
    stubber.add_response("describe_compliance_by_config_rule", {"ComplianceByConfigRules": [
        {"ConfigRuleName": "v", "Compliance": {"ComplianceType": "NON_COMPLIANT"}}]})
    wanted = {"ConfigRuleName": "v", "ComplianceTypes": ["COMPLIANT", "NON_COMPLIANT"]}
    stubber.add_response("get_compliance_details_by_config_rule",
                         {"EvaluationResults": page_of("v", "a", "b"), "NextToken": "page-2"}, wanted)
    stubber.add_response("get_compliance_details_by_config_rule",
                         {"EvaluationResults": page_of("v", "c"), "NextToken": "page-3"}, {**wanted, "NextToken": "page-2"})
    stubber.add_response("get_compliance_details_by_config_rule",
                         {"EvaluationResults": page_of("v", "d")}, {**wanted, "NextToken": "page-3"})
    spec = registry.collectors()["config.rules"]
    with stubber:
        (ev,) = collect([AccountTarget(EMULATOR_ACCOUNT, factory)], regions=(OTHER,), period=PERIOD, specs=[spec])
    stubber.assert_no_pending_responses()
    assert ev.error is None
    ids = [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
           for r in ev.data[0]["EvaluationResults"]]
    assert ids == ["a", "b", "c", "d"]


def test_conformance_pack_details_are_read_page_by_page(factory: ClientFactory) -> None:
    stubber = Stubber(factory.client("config", OTHER))
    stubber.add_response("describe_conformance_packs", {"ConformancePackDetails": [
        {"ConformancePackName": "p", "ConformancePackArn": "arn:aws:config:eu-west-1:1:conformance-pack/p/x",
         "ConformancePackId": "x"}]})
    stubber.add_response("describe_conformance_pack_status", {"ConformancePackStatusDetails": [
        {"ConformancePackName": "p", "ConformancePackId": "x", "ConformancePackArn": "a", "ConformancePackState":
         "CREATE_COMPLETE", "StackArn": "s", "LastUpdateRequestedTime": datetime(2026, 1, 1, tzinfo=UTC)}]})
    stubber.add_response("get_conformance_pack_compliance_summary", {"ConformancePackComplianceSummaryList": [
        {"ConformancePackName": "p", "ConformancePackComplianceStatus": "NON_COMPLIANT"}]})
    stubber.add_response("describe_conformance_pack_compliance", {"ConformancePackName": "p",
                         "ConformancePackRuleComplianceList": [{"ConfigRuleName": "v", "ComplianceType": "NON_COMPLIANT"}]})
    first = [{"ComplianceType": "NON_COMPLIANT", "EvaluationResultIdentifier": r["EvaluationResultIdentifier"],
              "ConfigRuleInvokedTime": datetime(2026, 1, 1, tzinfo=UTC), "ResultRecordedTime": datetime(2026, 1, 1, tzinfo=UTC)}
             for r in page_of("v", "a", "b")]
    stubber.add_response("get_conformance_pack_compliance_details",
                         {"ConformancePackName": "p", "ConformancePackRuleEvaluationResults": first[:1], "NextToken": "n"},
                         {"ConformancePackName": "p"})
    stubber.add_response("get_conformance_pack_compliance_details",
                         {"ConformancePackName": "p", "ConformancePackRuleEvaluationResults": first[1:]},
                         {"ConformancePackName": "p", "NextToken": "n"})
    spec = registry.collectors()["config.conformance_packs"]
    with stubber:
        (ev,) = collect([AccountTarget(EMULATOR_ACCOUNT, factory)], regions=(OTHER,), period=PERIOD, specs=[spec])
    stubber.assert_no_pending_responses()
    assert ev.error is None and len(ev.data[0]["EvaluationResults"]) == 2
    assert ev.data[0]["ComplianceSummary"]["ConformancePackComplianceStatus"] == "NON_COMPLIANT"


def test_aggregator_compliance_is_collected(emulator: Any, aws: Any, factory: ClientFactory) -> None:
    start_recorder(aws, OTHER)
    config = aws("config", OTHER)
    config.put_config_rule(ConfigRule={"ConfigRuleName": "v", "Source": {
        "Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    emulator.put_config_evaluations(EMULATOR_ACCOUNT, OTHER, "v", [("AWS::S3::Bucket", "b", "NON_COMPLIANT")])
    config.put_configuration_aggregator(ConfigurationAggregatorName="all", AccountAggregationSources=[
        {"AccountIds": [EMULATOR_ACCOUNT], "AllAwsRegions": True}])
    evidence = {ev.region: ev for ev in gather(factory, "config.aggregators")["config.aggregators"]}
    assert evidence[HOME].data == []
    (aggregator,) = evidence[OTHER].data
    assert [(r["ConfigRuleName"], r["AwsRegion"], r["Compliance"]["ComplianceType"])
            for r in aggregator["ComplianceByConfigRules"]] == [("v", OTHER, "NON_COMPLIANT")]
