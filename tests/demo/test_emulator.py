"""The local AWS emulator: startup, reset, and the APIs patched into moto, all through boto3."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from evidence.demo.emulator import (
    Emulator,
    EmulatorUnavailable,
    emulator_credentials,
    start_emulator,
)
from evidence.endpoints import register_s3control_endpoint_fix

REGION = "eu-west-1"


# ``emulator`` is the session-wide emulator from tests/conftest.py.


@pytest.fixture
def fresh(emulator: Emulator) -> Emulator:
    emulator.reset()
    return emulator


def client(emulator: Emulator, service: str, region: str = REGION) -> Any:
    session = boto3.Session(region_name=region, **emulator_credentials())
    return session.client(service, endpoint_url=emulator.endpoint_url)


def test_emulator_answers_on_loopback(emulator: Emulator) -> None:
    assert emulator.endpoint_url == f"http://127.0.0.1:{emulator.port}"
    identity = client(emulator, "sts").get_caller_identity()
    assert identity["Account"] == "123456789012"


def test_reset_forgets_resources_and_repeats_ids(fresh: Emulator) -> None:
    ec2 = client(fresh, "ec2")
    first = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [first]
    fresh.reset()
    again = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    assert again == first
    assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [first]


def test_credentials_are_fixed_and_fake() -> None:
    creds = emulator_credentials()
    assert creds == emulator_credentials()
    assert set(creds) == {"aws_access_key_id", "aws_secret_access_key"}


def test_unavailable_message_says_how_to_install() -> None:
    error = EmulatorUnavailable.missing_moto(ImportError("No module named 'moto'"))
    assert "pip install 'evidence-pack[demo]'" in str(error)
    assert "make demo" in str(error)


def account_client(emulator: Emulator, service: str, account_id: str, region: str = REGION) -> Any:
    """A client whose calls land in ``account_id``, through AssumeRole as in production."""
    creds = client(emulator, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/audit", RoleSessionName="test"
    )["Credentials"]
    session = boto3.Session(
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return session.client(service, endpoint_url=emulator.endpoint_url)


def credential_report(iam: Any) -> list[dict[str, str]]:
    iam.generate_credential_report()
    lines = iam.get_credential_report()["Content"].decode().splitlines()
    header = lines[0].split(",")
    return [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]


# --- IAM root user ----------------------------------------------------------------------------


def test_root_user_starts_without_mfa_or_keys(fresh: Emulator) -> None:
    iam = client(fresh, "iam")
    iam.create_user(UserName="alice")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 0
    assert summary["AccountAccessKeysPresent"] == 0
    root, alice = credential_report(iam)
    assert root["user"] == "<root_account>"
    assert root["arn"] == "arn:aws:iam::123456789012:root"
    assert root["password_enabled"] == "not_supported"
    assert root["mfa_active"] == "false"
    assert root["access_key_1_active"] == "false"
    assert root["access_key_1_last_rotated"] == "N/A"
    assert alice["user"] == "alice"


def test_root_mfa_and_access_key_flags_show_in_summary_and_report(fresh: Emulator) -> None:
    iam = client(fresh, "iam")
    fresh.set_root_mfa("123456789012", enabled=True)
    fresh.set_root_access_key("123456789012", active=True)
    fresh.set_root_password_last_used("123456789012", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 1
    assert summary["AccountAccessKeysPresent"] == 1
    [root] = credential_report(iam)
    assert root["mfa_active"] == "true"
    assert root["access_key_1_active"] == "true"
    assert root["access_key_1_last_rotated"] != "N/A"
    assert root["password_last_used"] == "2026-01-02T03:04:05+00:00"

    fresh.set_root_mfa("123456789012", enabled=False)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    assert credential_report(iam)[0]["mfa_active"] == "false"


def test_root_flags_are_per_account_and_forgotten_by_reset(fresh: Emulator) -> None:
    fresh.set_root_mfa("111111111111", enabled=True)
    member = account_client(fresh, "iam", "111111111111")
    other = account_client(fresh, "iam", "222222222222")
    assert member.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    assert other.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    assert credential_report(member)[0]["arn"] == "arn:aws:iam::111111111111:root"
    fresh.reset()
    assert member.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0


def test_credential_report_time_is_when_it_was_generated(fresh: Emulator) -> None:
    iam = client(fresh, "iam")
    before = datetime.now(UTC).replace(microsecond=0)
    iam.generate_credential_report()
    generated = iam.get_credential_report()["GeneratedTime"]
    assert before <= generated <= datetime.now(UTC)


def test_a_second_emulator_does_not_apply_the_patches_twice(emulator: Emulator) -> None:
    second = start_emulator()
    try:
        assert second.port != emulator.port
        second.reset()
        rows = credential_report(client(second, "iam"))
        assert [row["user"] for row in rows] == ["<root_account>"]
    finally:
        second.stop()


# --- EC2 ----------------------------------------------------------------------------------------


def test_ebs_default_kms_key_reads_back_what_was_set(fresh: Emulator) -> None:
    ec2 = client(fresh, "ec2")
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"
    key_arn = client(fresh, "kms").create_key()["KeyMetadata"]["Arn"]
    assert ec2.modify_ebs_default_kms_key_id(KmsKeyId=key_arn)["KmsKeyId"] == key_arn
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == key_arn
    assert client(fresh, "ec2", "us-east-1").get_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"


def test_snapshot_block_public_access_state(fresh: Emulator) -> None:
    ec2 = client(fresh, "ec2")
    assert ec2.get_snapshot_block_public_access_state()["State"] == "unblocked"
    ec2.enable_snapshot_block_public_access(State="block-all-sharing")
    assert ec2.get_snapshot_block_public_access_state()["State"] == "block-all-sharing"
    assert client(fresh, "ec2", "us-east-1").get_snapshot_block_public_access_state()["State"] == "unblocked"
    ec2.disable_snapshot_block_public_access()
    assert ec2.get_snapshot_block_public_access_state()["State"] == "unblocked"


# --- CloudTrail ---------------------------------------------------------------------------------


def test_cloudtrail_public_keys_are_listed_by_validity_window(fresh: Emulator) -> None:
    der = (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    )
    jan, feb, mar = (datetime(2026, month, 1, tzinfo=UTC) for month in (1, 2, 3))
    fresh.register_cloudtrail_public_key(REGION, "a" * 32, der, jan, feb)
    fresh.register_cloudtrail_public_key(REGION, "b" * 32, der, feb, mar)
    cloudtrail = client(fresh, "cloudtrail")

    def fingerprints(start: datetime, end: datetime) -> list[str]:
        keys = cloudtrail.list_public_keys(StartTime=start, EndTime=end)["PublicKeyList"]
        return [key["Fingerprint"] for key in keys]

    assert fingerprints(jan, jan + timedelta(days=1)) == ["a" * 32]
    assert fingerprints(mar - timedelta(days=1), mar) == ["b" * 32]
    assert fingerprints(jan, mar) == ["a" * 32, "b" * 32]
    assert fingerprints(mar + timedelta(days=1), mar + timedelta(days=2)) == []
    [key] = cloudtrail.list_public_keys(StartTime=jan, EndTime=jan)["PublicKeyList"]
    assert key["Value"] == der
    assert key["ValidityStartTime"] == jan
    assert key["ValidityEndTime"] == feb
    assert client(fresh, "cloudtrail", "us-east-1").list_public_keys(StartTime=jan, EndTime=mar)["PublicKeyList"] == []
    fresh.reset()
    assert fingerprints(jan, mar) == []


def test_cloudtrail_lookup_events_filters_by_attribute_and_time(fresh: Emulator) -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    root_login = fresh.put_cloudtrail_event(
        "123456789012",
        REGION,
        event_name="ConsoleLogin",
        event_source="signin.amazonaws.com",
        event_time=day,
        username="root",
        identity_type="Root",
    )
    for hour in range(3):
        fresh.put_cloudtrail_event(
            "123456789012",
            REGION,
            event_name="CreateUser",
            event_source="iam.amazonaws.com",
            event_time=day + timedelta(hours=hour + 1),
            username="alice",
            resources=[("AWS::IAM::User", f"user-{hour}")],
        )
    cloudtrail = client(fresh, "cloudtrail")

    by_root = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "root"}])
    [event] = by_root["Events"]
    assert (event["EventId"], event["EventName"], event["EventTime"]) == (root_login, "ConsoleLogin", day)
    assert json.loads(event["CloudTrailEvent"])["userIdentity"]["type"] == "Root"

    everything = cloudtrail.lookup_events()["Events"]
    assert [e["EventTime"] for e in everything] == sorted((e["EventTime"] for e in everything), reverse=True)
    assert len(everything) == 4
    window = cloudtrail.lookup_events(StartTime=day + timedelta(minutes=30), EndTime=day + timedelta(hours=2))
    assert len(window["Events"]) == 2
    by_resource = cloudtrail.lookup_events(
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "user-2"}]
    )["Events"]
    assert [e["Resources"] for e in by_resource] == [[{"ResourceType": "AWS::IAM::User", "ResourceName": "user-2"}]]
    first = cloudtrail.lookup_events(MaxResults=3)
    assert len(first["Events"]) == 3
    assert len(cloudtrail.lookup_events(MaxResults=3, NextToken=first["NextToken"])["Events"]) == 1
    assert client(fresh, "cloudtrail", "us-east-1").lookup_events()["Events"] == []


# --- Config -------------------------------------------------------------------------------------

MANAGED_RULE = {
    "ConfigRuleName": "s3-versioning",
    "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"},
}
PACK_TEMPLATE = """
Resources:
  S3Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: s3-bucket-versioning-enabled
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
  RootMfa:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: !Sub root-account-mfa-enabled
      InputParameters: {}
      Source: {Owner: AWS, SourceIdentifier: ROOT_ACCOUNT_MFA_ENABLED}
"""


def evaluation(resource_id: str, compliance: str) -> dict[str, Any]:
    return {
        "ComplianceResourceType": "AWS::S3::Bucket",
        "ComplianceResourceId": resource_id,
        "ComplianceType": compliance,
        "OrderingTimestamp": datetime(2026, 1, 1, tzinfo=UTC),
    }


def test_config_rule_compliance_follows_put_evaluations(fresh: Emulator) -> None:
    config = client(fresh, "config")
    config.put_config_rule(ConfigRule=MANAGED_RULE)
    config.put_config_rule(ConfigRule={**MANAGED_RULE, "ConfigRuleName": "unevaluated"})

    def by_rule(**kwargs: Any) -> dict[str, str]:
        rules = config.describe_compliance_by_config_rule(**kwargs)["ComplianceByConfigRules"]
        return {r["ConfigRuleName"]: r["Compliance"]["ComplianceType"] for r in rules}

    assert by_rule() == {"s3-versioning": "INSUFFICIENT_DATA", "unevaluated": "INSUFFICIENT_DATA"}
    config.put_evaluations(Evaluations=[evaluation("good", "COMPLIANT")], ResultToken="s3-versioning")
    assert by_rule(ConfigRuleNames=["s3-versioning"]) == {"s3-versioning": "COMPLIANT"}
    config.put_evaluations(
        Evaluations=[evaluation("bad", "NON_COMPLIANT"), evaluation("worse", "NON_COMPLIANT")],
        ResultToken="s3-versioning",
    )
    [rule] = config.describe_compliance_by_config_rule(ConfigRuleNames=["s3-versioning"])["ComplianceByConfigRules"]
    assert rule["Compliance"] == {
        "ComplianceType": "NON_COMPLIANT",
        "ComplianceContributorCount": {"CappedCount": 2, "CapExceeded": False},
    }
    assert by_rule(ComplianceTypes=["INSUFFICIENT_DATA"]) == {"unevaluated": "INSUFFICIENT_DATA"}
    # A later evaluation of the same resource replaces the earlier one.
    config.put_evaluations(Evaluations=[evaluation("bad", "COMPLIANT")], ResultToken="s3-versioning")
    config.put_evaluations(Evaluations=[evaluation("worse", "NOT_APPLICABLE")], ResultToken="s3-versioning")
    assert by_rule(ConfigRuleNames=["s3-versioning"]) == {"s3-versioning": "COMPLIANT"}


def test_config_put_evaluations_test_mode_and_bad_tokens_store_nothing(fresh: Emulator) -> None:
    config = client(fresh, "config")
    config.put_config_rule(ConfigRule=MANAGED_RULE)
    config.put_evaluations(Evaluations=[evaluation("bad", "NON_COMPLIANT")], ResultToken="s3-versioning", TestMode=True)
    details = config.get_compliance_details_by_config_rule(ConfigRuleName="s3-versioning")
    assert details["EvaluationResults"] == []
    with pytest.raises(ClientError, match="InvalidResultTokenException"):
        config.put_evaluations(Evaluations=[evaluation("bad", "NON_COMPLIANT")], ResultToken="no-such-rule")
    with pytest.raises(ClientError, match="NoSuchConfigRuleException"):
        config.get_compliance_details_by_config_rule(ConfigRuleName="no-such-rule")


def test_config_compliance_details_filter_and_paginate(fresh: Emulator) -> None:
    config = client(fresh, "config")
    config.put_config_rule(ConfigRule=MANAGED_RULE)
    fresh.put_config_evaluations(
        "123456789012",
        REGION,
        "s3-versioning",
        [("AWS::S3::Bucket", f"bucket-{i}", "NON_COMPLIANT" if i % 2 else "COMPLIANT") for i in range(5)],
    )
    non_compliant = config.get_compliance_details_by_config_rule(
        ConfigRuleName="s3-versioning", ComplianceTypes=["NON_COMPLIANT"]
    )["EvaluationResults"]
    assert [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in non_compliant] == [
        "bucket-1",
        "bucket-3",
    ]
    assert {r["ComplianceType"] for r in non_compliant} == {"NON_COMPLIANT"}

    first = config.get_compliance_details_by_config_rule(ConfigRuleName="s3-versioning", Limit=2)
    assert len(first["EvaluationResults"]) == 2
    second = config.get_compliance_details_by_config_rule(
        ConfigRuleName="s3-versioning", Limit=2, NextToken=first["NextToken"]
    )
    third = config.get_compliance_details_by_config_rule(
        ConfigRuleName="s3-versioning", Limit=2, NextToken=second["NextToken"]
    )
    assert "NextToken" not in third
    ids = [
        r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
        for page in (first, second, third)
        for r in page["EvaluationResults"]
    ]
    assert ids == [f"bucket-{i}" for i in range(5)]
    paginator = config.get_paginator("get_compliance_details_by_config_rule")
    assert sum(len(p["EvaluationResults"]) for p in paginator.paginate(ConfigRuleName="s3-versioning")) == 5
    # Another region keeps its own results.
    other = client(fresh, "config", "us-east-1")
    other.put_config_rule(ConfigRule=MANAGED_RULE)
    assert other.get_compliance_details_by_config_rule(ConfigRuleName="s3-versioning")["EvaluationResults"] == []


def test_conformance_pack_deploys_its_rules_and_reports_compliance(fresh: Emulator) -> None:
    config = client(fresh, "config")
    arn = config.put_conformance_pack(ConformancePackName="baseline", TemplateBody=PACK_TEMPLATE)["ConformancePackArn"]
    [detail] = config.describe_conformance_packs()["ConformancePackDetails"]
    assert detail["ConformancePackName"] == "baseline"
    assert detail["ConformancePackArn"] == arn
    [status] = config.describe_conformance_pack_status(ConformancePackNames=["baseline"])[
        "ConformancePackStatusDetails"
    ]
    assert status["ConformancePackState"] == "CREATE_COMPLETE"

    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
    assert len(rules) == 2
    versioning = next(name for name in rules if name.startswith("s3-bucket-versioning-enabled-conformance-pack-"))
    root_mfa = next(name for name in rules if name.startswith("root-account-mfa-enabled-conformance-pack-"))
    assert rules[versioning]["CreatedBy"] == "config-conforms.amazonaws.com"

    fresh.put_config_evaluations(
        "123456789012",
        REGION,
        versioning,
        [("AWS::S3::Bucket", "logs", "NON_COMPLIANT"), ("AWS::S3::Bucket", "data", "COMPLIANT")],
    )
    fresh.put_config_evaluations("123456789012", REGION, root_mfa, [("AWS::::Account", "123456789012", "COMPLIANT")])
    compliance = config.describe_conformance_pack_compliance(ConformancePackName="baseline")
    assert {r["ConfigRuleName"]: r["ComplianceType"] for r in compliance["ConformancePackRuleComplianceList"]} == {
        versioning: "NON_COMPLIANT",
        root_mfa: "COMPLIANT",
    }
    only_failing = config.describe_conformance_pack_compliance(
        ConformancePackName="baseline", Filters={"ComplianceType": "NON_COMPLIANT"}
    )["ConformancePackRuleComplianceList"]
    assert [r["ConfigRuleName"] for r in only_failing] == [versioning]

    details = config.get_conformance_pack_compliance_details(
        ConformancePackName="baseline", Filters={"ConfigRuleNames": [versioning], "ComplianceType": "NON_COMPLIANT"}
    )["ConformancePackRuleEvaluationResults"]
    assert [d["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for d in details] == ["logs"]
    paged = config.get_conformance_pack_compliance_details(ConformancePackName="baseline", Limit=1)
    assert len(paged["ConformancePackRuleEvaluationResults"]) == 1
    assert "NextToken" in paged
    [summary] = config.get_conformance_pack_compliance_summary(ConformancePackNames=["baseline"])[
        "ConformancePackComplianceSummaryList"
    ]
    assert summary["ConformancePackComplianceStatus"] == "NON_COMPLIANT"
    with pytest.raises(ClientError, match="NoSuchConformancePackException"):
        config.describe_conformance_pack_compliance(ConformancePackName="missing")


def test_conformance_pack_template_from_s3(fresh: Emulator) -> None:
    s3 = client(fresh, "s3")
    s3.create_bucket(Bucket="templates", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="templates", Key="pack.yaml", Body=PACK_TEMPLATE.encode())
    config = client(fresh, "config")
    config.put_conformance_pack(ConformancePackName="from-s3", TemplateS3Uri="s3://templates/pack.yaml")
    compliance = config.describe_conformance_pack_compliance(ConformancePackName="from-s3")
    assert {r["ComplianceType"] for r in compliance["ConformancePackRuleComplianceList"]} == {"INSUFFICIENT_DATA"}


def test_aggregate_compliance_covers_the_aggregated_accounts(fresh: Emulator) -> None:
    member = account_client(fresh, "config", "111111111111")
    member.put_config_rule(ConfigRule=MANAGED_RULE)
    fresh.put_config_evaluations(
        "111111111111", REGION, "s3-versioning", [("AWS::S3::Bucket", "open", "NON_COMPLIANT")]
    )
    outsider = account_client(fresh, "config", "222222222222")
    outsider.put_config_rule(ConfigRule=MANAGED_RULE)
    config = client(fresh, "config")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="estate",
        AccountAggregationSources=[{"AccountIds": ["111111111111"], "AllAwsRegions": True}],
    )
    rows = config.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName="estate")[
        "AggregateComplianceByConfigRules"
    ]
    assert [(r["AccountId"], r["AwsRegion"], r["ConfigRuleName"], r["Compliance"]["ComplianceType"]) for r in rows] == [
        ("111111111111", REGION, "s3-versioning", "NON_COMPLIANT")
    ]
    compliant_only = config.describe_aggregate_compliance_by_config_rules(
        ConfigurationAggregatorName="estate", Filters={"ComplianceType": "COMPLIANT"}
    )["AggregateComplianceByConfigRules"]
    assert compliant_only == []
    with pytest.raises(ClientError, match="NoSuchConfigurationAggregatorException"):
        config.describe_aggregate_compliance_by_config_rules(ConfigurationAggregatorName="missing")


# --- GuardDuty ----------------------------------------------------------------------------------


def test_guardduty_sample_findings_are_listed_and_fetched(fresh: Emulator) -> None:
    guardduty = client(fresh, "guardduty")
    detector = guardduty.create_detector(Enable=True)["DetectorId"]
    assert guardduty.list_findings(DetectorId=detector)["FindingIds"] == []
    guardduty.create_sample_findings(
        DetectorId=detector, FindingTypes=["Recon:EC2/PortProbeUnprotectedPort", "Backdoor:EC2/C&CActivity.B!DNS"]
    )
    ids = guardduty.list_findings(DetectorId=detector)["FindingIds"]
    findings = guardduty.get_findings(DetectorId=detector, FindingIds=ids)["Findings"]
    assert {(f["Type"], f["Severity"]) for f in findings} == {
        ("Recon:EC2/PortProbeUnprotectedPort", 2.0),
        ("Backdoor:EC2/C&CActivity.B!DNS", 8.0),
    }
    sample = findings[0]
    assert sample["AccountId"] == "123456789012"
    assert sample["Region"] == REGION
    assert sample["Service"]["DetectorId"] == detector
    assert sample["Service"]["Archived"] is False
    assert sample["Resource"]["InstanceDetails"]["InstanceId"] == "i-99999999"
    with pytest.raises(ClientError, match="BadRequestException"):
        guardduty.list_findings(DetectorId="0" * 32)


def test_guardduty_list_findings_filters_sorts_and_pages(fresh: Emulator) -> None:
    guardduty = client(fresh, "guardduty")
    detector = guardduty.create_detector(Enable=True)["DetectorId"]
    instance = {"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-0123"}}
    high = fresh.put_guardduty_finding(
        "123456789012", REGION, detector, severity=8.5, finding_type="Backdoor:EC2/Spambot", resource=instance
    )
    low = fresh.put_guardduty_finding(
        "123456789012", REGION, detector, severity=2.0, finding_type="Recon:EC2/Portscan", resource=instance
    )
    archived = fresh.put_guardduty_finding(
        "123456789012",
        REGION,
        detector,
        severity=7.0,
        finding_type="Trojan:EC2/DNSDataExfiltration",
        resource=instance,
        archived=True,
    )

    def listed(**kwargs: Any) -> list[str]:
        return list(guardduty.list_findings(DetectorId=detector, **kwargs)["FindingIds"])

    unresolved_high = {"Criterion": {"severity": {"Gte": 7}, "service.archived": {"Eq": ["false"]}}}
    assert listed(FindingCriteria=unresolved_high) == [high]
    assert sorted(listed(FindingCriteria={"Criterion": {"severity": {"GreaterThanOrEqual": 7}}})) == sorted(
        [high, archived]
    )
    assert listed(FindingCriteria={"Criterion": {"type": {"Eq": ["Recon:EC2/Portscan"]}}}) == [low]
    assert listed(FindingCriteria={"Criterion": {"resource.instanceDetails.instanceId": {"Neq": ["i-0123"]}}}) == []
    assert listed(SortCriteria={"AttributeName": "severity", "OrderBy": "DESC"}) == [high, archived, low]

    first = guardduty.list_findings(DetectorId=detector, MaxResults=2, SortCriteria={"AttributeName": "severity"})
    assert first["FindingIds"] == [low, archived]
    rest = guardduty.list_findings(
        DetectorId=detector, MaxResults=2, SortCriteria={"AttributeName": "severity"}, NextToken=first["NextToken"]
    )
    assert rest["FindingIds"] == [high]
    assert not rest.get("NextToken")


# --- Security Hub -------------------------------------------------------------------------------

FSBP = f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
PCI = f"arn:aws:securityhub:{REGION}::standards/pci-dss/v/3.2.1"


def test_securityhub_standards_enable_list_and_disable(fresh: Emulator) -> None:
    hub = client(fresh, "securityhub")
    with pytest.raises(ClientError, match="InvalidAccessException"):
        hub.get_enabled_standards()
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == []

    [pending] = hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": PCI}])[
        "StandardsSubscriptions"
    ]
    assert pending["StandardsStatus"] == "PENDING"
    assert pending["StandardsSubscriptionArn"] == (
        f"arn:aws:securityhub:{REGION}:123456789012:subscription/pci-dss/v/3.2.1"
    )
    [ready] = hub.get_enabled_standards()["StandardsSubscriptions"]
    assert (ready["StandardsArn"], ready["StandardsStatus"]) == (PCI, "READY")

    hub.batch_disable_standards(StandardsSubscriptionArns=[ready["StandardsSubscriptionArn"]])
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == []
    with pytest.raises(ClientError, match="InvalidInputException"):
        hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": "arn:aws:s3:::not-a-standard"}])


def test_securityhub_default_standards_come_with_the_hub(fresh: Emulator) -> None:
    hub = client(fresh, "securityhub")
    hub.enable_security_hub()
    enabled = {s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]}
    assert enabled == {FSBP, "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"}
    first = hub.get_enabled_standards(MaxResults=1)
    assert len(first["StandardsSubscriptions"]) == 1
    second = hub.get_enabled_standards(MaxResults=1, NextToken=first["NextToken"])
    assert len(second["StandardsSubscriptions"]) == 1
    assert not second.get("NextToken")
    hub.disable_security_hub()
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == []


# --- IAM Access Analyzer ------------------------------------------------------------------------


def test_access_analyzer_analyzers(fresh: Emulator) -> None:
    analyzer = client(fresh, "accessanalyzer")
    assert analyzer.list_analyzers()["analyzers"] == []
    arn = analyzer.create_analyzer(analyzerName="account", type="ACCOUNT")["arn"]
    assert arn == f"arn:aws:access-analyzer:{REGION}:123456789012:analyzer/account"
    analyzer.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")
    assert [a["name"] for a in analyzer.list_analyzers()["analyzers"]] == ["account", "unused"]
    assert [a["name"] for a in analyzer.list_analyzers(type="ACCOUNT")["analyzers"]] == ["account"]
    assert analyzer.get_analyzer(analyzerName="account")["analyzer"]["status"] == "ACTIVE"
    assert client(fresh, "accessanalyzer", "us-east-1").list_analyzers()["analyzers"] == []
    with pytest.raises(ClientError, match="ConflictException"):
        analyzer.create_analyzer(analyzerName="account", type="ACCOUNT")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        analyzer.get_analyzer(analyzerName="missing")
    fresh.reset()
    assert analyzer.list_analyzers()["analyzers"] == []


def test_access_analyzer_findings_filter_and_fetch(fresh: Emulator) -> None:
    analyzer = client(fresh, "accessanalyzer")
    arn = analyzer.create_analyzer(analyzerName="account", type="ACCOUNT")["arn"]
    assert analyzer.list_findings(analyzerArn=arn)["findings"] == []
    public = fresh.put_access_analyzer_finding(
        "123456789012",
        REGION,
        "account",
        resource_arn="arn:aws:s3:::public-site",
        resource_type="AWS::S3::Bucket",
        principal={"AWS": "*"},
        is_public=True,
        actions=["s3:GetObject"],
    )
    shared = fresh.put_access_analyzer_finding(
        "123456789012",
        REGION,
        "account",
        resource_arn="arn:aws:kms:eu-west-1:123456789012:key/abc",
        resource_type="AWS::KMS::Key",
        principal={"AWS": "999999999999"},
        is_public=False,
        actions=["kms:Decrypt"],
    )
    fresh.put_access_analyzer_finding(
        "123456789012",
        REGION,
        "account",
        resource_arn="arn:aws:s3:::old",
        resource_type="AWS::S3::Bucket",
        principal={"AWS": "*"},
        is_public=True,
        status="ARCHIVED",
    )

    def ids(**kwargs: Any) -> list[str]:
        return [f["id"] for f in analyzer.list_findings(analyzerArn=arn, **kwargs)["findings"]]

    active_public = {"status": {"eq": ["ACTIVE"]}, "isPublic": {"eq": ["true"]}}
    assert ids(filter=active_public) == [public]
    assert ids(filter={"status": {"eq": ["ACTIVE"]}, "principal.AWS": {"eq": ["999999999999"]}}) == [shared]
    assert ids(filter={"resourceType": {"neq": ["AWS::S3::Bucket"]}}) == [shared]
    assert ids(filter={"resource": {"contains": ["public"]}}) == [public]
    assert len(ids()) == 3
    first = analyzer.list_findings(analyzerArn=arn, maxResults=2)
    assert len(first["findings"]) == 2
    assert len(analyzer.list_findings(analyzerArn=arn, maxResults=2, nextToken=first["nextToken"])["findings"]) == 1

    finding = analyzer.get_finding(analyzerArn=arn, id=public)["finding"]
    assert (finding["resource"], finding["isPublic"], finding["principal"]) == (
        "arn:aws:s3:::public-site",
        True,
        {"AWS": "*"},
    )
    v2 = analyzer.list_findings_v2(analyzerArn=arn, filter={"isPublic": {"eq": ["false"]}})["findings"]
    assert [(f["id"], f["findingType"]) for f in v2] == [(shared, "ExternalAccess")]
    details = analyzer.get_finding_v2(analyzerArn=arn, id=shared)["findingDetails"]
    assert details[0]["externalAccessDetails"]["principal"] == {"AWS": "999999999999"}
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        analyzer.get_finding(analyzerArn=arn, id="missing")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        analyzer.list_findings(analyzerArn=arn.replace("account", "missing"))


# --- S3 Control on a custom endpoint ------------------------------------------------------------


def test_s3control_reaches_the_emulator_only_with_the_endpoint_fix(fresh: Emulator) -> None:
    session = boto3.Session(region_name=REGION, **emulator_credentials())
    quick = Config(retries={"max_attempts": 1}, connect_timeout=2)
    unfixed = session.client("s3control", endpoint_url=fresh.endpoint_url, config=quick)
    with pytest.raises(EndpointConnectionError, match=re.escape("123456789012.127.0.0.1")):
        unfixed.get_public_access_block(AccountId="123456789012")

    s3control = session.client("s3control", endpoint_url=fresh.endpoint_url)
    register_s3control_endpoint_fix(s3control)
    register_s3control_endpoint_fix(s3control)
    with pytest.raises(ClientError, match="NoSuchPublicAccessBlockConfiguration"):
        s3control.get_public_access_block(AccountId="123456789012")
    s3control.put_public_access_block(
        AccountId="123456789012",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False,
        },
    )
    config = s3control.get_public_access_block(AccountId="123456789012")["PublicAccessBlockConfiguration"]
    assert config["BlockPublicAcls"] is True
    assert config["RestrictPublicBuckets"] is False


def signed_url(client: Any, url: str) -> str:
    request = AWSRequest(method="GET", url=url)
    client.meta.events.emit("before-sign.s3-control.GetPublicAccessBlock", request=request)
    return str(request.url)


def test_s3control_endpoint_fix_leaves_aws_endpoints_alone() -> None:
    session = boto3.Session(region_name=REGION, **emulator_credentials())
    custom = session.client("s3control", endpoint_url="http://127.0.0.1:4566")
    register_s3control_endpoint_fix(custom)
    assert signed_url(custom, "http://123456789012.127.0.0.1:4566/v20180820/configuration/publicAccessBlock") == (
        "http://127.0.0.1:4566/v20180820/configuration/publicAccessBlock"
    )
    aws = session.client("s3control")
    register_s3control_endpoint_fix(aws)
    aws_url = f"https://123456789012.s3-control.{REGION}.amazonaws.com/v20180820/configuration/publicAccessBlock"
    assert signed_url(aws, aws_url) == aws_url
