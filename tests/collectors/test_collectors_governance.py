"""Collectors for alarms, SNS, the account contact, tags, Macie and Organizations, on the emulator.

Each test works in an account of its own (reached through AssumeRole, as the tool reaches member
accounts), so the demo account's state is neither used nor disturbed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from evidence import registry
from evidence.aws import ClientFactory
from evidence.collect import AccountTarget, Unit, run_unit
from evidence.demo.emulator import Emulator, emulator_credentials
from evidence.demo.run import demo_factory
from evidence.models import GLOBAL_REGION, Evidence
from evidence.pipeline import make_period

REGION = "ap-southeast-1"
_ACCOUNTS = itertools.count(210987654301)


@pytest.fixture(scope="module")
def tool(emulator: Emulator) -> ClientFactory:
    return demo_factory(emulator)


@pytest.fixture
def account(tool: ClientFactory) -> Iterator[tuple[str, ClientFactory]]:
    """A fresh account: its id and the tool's (read-only) client factory for it."""
    account_id = str(next(_ACCOUNTS))
    yield account_id, tool.assume(account_id, "OrganizationAccountAccessRole")


def writer(emulator: Emulator, account_id: str, service: str, region: str = REGION) -> Any:
    """A plain boto3 client acting in the account, for seeding."""
    sts = boto3.Session(**emulator_credentials()).client("sts", region_name=REGION, endpoint_url=emulator.endpoint_url)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/seed", RoleSessionName="seed")["Credentials"]
    return boto3.client(service, region_name=region, endpoint_url=emulator.endpoint_url,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def collect(key: str, account: tuple[str, ClientFactory], region: str = REGION) -> Evidence:
    spec = registry.collectors()[key]
    label = GLOBAL_REGION if spec.scope.value == "global" else region
    return run_unit(Unit(AccountTarget(account[0], account[1]), spec, region, label), make_period(None, None))


def test_alarms_filters_and_topics(emulator: Emulator, account: tuple[str, ClientFactory]) -> None:
    logs, cw, sns = (writer(emulator, account[0], s) for s in ("logs", "cloudwatch", "sns"))
    logs.create_log_group(logGroupName="trail")
    logs.put_retention_policy(logGroupName="trail", retentionInDays=365)
    logs.put_metric_filter(logGroupName="trail", filterName="stop", filterPattern="{ $.eventName = StopLogging }",
                           metricTransformations=[{"metricName": "stop", "metricNamespace": "CIS", "metricValue": "1"}])
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@example.com")
    cw.put_metric_alarm(AlarmName="stop", MetricName="stop", Namespace="CIS", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                        AlarmActions=[topic])

    groups = collect("logs.log_groups", account)
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups.data] == [("trail", 365)]
    filters = collect("logs.metric_filters", account)
    assert [f["filterPattern"] for f in filters.data] == ["{ $.eventName = StopLogging }"]
    alarms = collect("cloudwatch.alarms", account)
    assert [a["AlarmActions"] for a in alarms.data["MetricAlarms"]] == [[topic]]
    assert alarms.data["CompositeAlarms"] == []
    topics = collect("sns.topics", account)
    assert [t["TopicArn"] for t in topics.data] == [topic]
    (subscription,) = topics.data[0]["Subscriptions"]
    assert subscription["Protocol"] == "email" and subscription["SubscriptionArn"].startswith(topic)
    assert "Endpoint" not in subscription and "someone@example.com" not in json.dumps(topics.data)
    assert set(topics.api_calls) == {"sns:ListTopics", "sns:ListSubscriptionsByTopic"}


def test_topic_whose_subscriptions_cannot_be_read(emulator: Emulator, account: tuple[str, ClientFactory]) -> None:
    topic = writer(emulator, account[0], "sns").create_topic(Name="locked")["TopicArn"]
    client = account[1].client("sns", REGION)
    with Stubber(client) as stub:
        stub.add_response("list_topics", {"Topics": [{"TopicArn": topic}]})
        stub.add_client_error("list_subscriptions_by_topic", "AuthorizationError", http_status_code=403)
        topics = collect("sns.topics", account)
    assert topics.data == [{"TopicArn": topic, "errors": {"ListSubscriptionsByTopic": "AuthorizationError"}}]


def test_security_contact(emulator: Emulator, account: tuple[str, ClientFactory]) -> None:
    assert collect("account.security_contact", account).data is None
    writer(emulator, account[0], "account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="SecOps", Title="IR", EmailAddress="sec@example.com", PhoneNumber="+1")
    contact = collect("account.security_contact", account)
    assert contact.error is None and contact.data["EmailAddress"] == "sec@example.com"
    assert contact.api_calls == ("account:GetAlternateContact",)


def test_data_store_tags(emulator: Emulator, account: tuple[str, ClientFactory]) -> None:
    s3 = writer(emulator, account[0], "s3")
    name = f"classified-{account[0]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "DataClassification", "Value": "Internal"}]})
    tagged = collect("tagging.data_stores", account)
    assert {"ResourceARN": f"arn:aws:s3:::{name}", "Tags": [{"Key": "DataClassification", "Value": "Internal"}]} \
        in tagged.data


def test_macie_states(emulator: Emulator, account: tuple[str, ClientFactory]) -> None:
    macie = writer(emulator, account[0], "macie2")
    fresh = collect("macie.status", account).data
    assert fresh["session"]["status"] == "ENABLED" and fresh["automated_discovery"]["status"] == "DISABLED"
    macie.update_automated_discovery_configuration(status="ENABLED")
    on = collect("macie.status", account).data["automated_discovery"]
    assert on["status"] == "ENABLED" and on["firstEnabledAt"]
    macie.disable_macie()
    assert collect("macie.status", account).data == {"session": None, "automated_discovery": None, "errors": {}}


def test_macie_refusal_is_a_gap_not_a_disabled_macie(emulator: Emulator, account: tuple[str, ClientFactory]) -> None:
    client = account[1].client("macie2", REGION)
    with Stubber(client) as stub:
        stub.add_client_error("get_macie_session", "AccessDeniedException", http_status_code=403,
                              service_message="User is not authorized to perform: macie2:GetMacieSession")
        denied = collect("macie.status", account)
    assert denied.data is None and denied.error is not None and denied.error.code == "AccessDeniedException"
    with Stubber(client) as stub:
        stub.add_response("get_macie_session", {"status": "ENABLED"})
        stub.add_client_error("get_automated_discovery_configuration", "AccessDeniedException", http_status_code=403)
        partial = collect("macie.status", account)
    assert partial.data["errors"] == {"GetAutomatedDiscoveryConfiguration": "AccessDeniedException"}


def test_organization_from_management_member_and_outside(emulator: Emulator,
                                                         account: tuple[str, ClientFactory]) -> None:
    assert collect("organizations.organization", account).data == {
        "organization": None, "is_management_account": False}
    org = writer(emulator, account[0], "organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    unit = org.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]["Id"]
    member = org.create_account(AccountName="prod", Email="prod@example.com")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=unit)
    scp = org.create_policy(Name="EUOnly", Type="SERVICE_CONTROL_POLICY", Description="d", Content=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}))
    org.attach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=unit)

    data = collect("organizations.organization", account, "us-east-1").data
    assert data["is_management_account"] is True
    assert {(a["Id"], a["ParentId"]) for a in data["accounts"]} == {(account[0], root), (member, unit)}
    assert [(u["Id"], u["ParentId"]) for u in data["organizational_units"]] == [(unit, root)]
    eu = next(p for p in data["service_control_policies"] if p["Name"] == "EUOnly")
    assert [t["TargetId"] for t in eu["Targets"]] == [unit] and json.loads(eu["Content"])["Statement"]
    member_view = collect("organizations.organization", (member, account[1].assume(member, "x")), "us-east-1").data
    assert member_view["is_management_account"] is False and member_view["organization"]["Id"] == data[
        "organization"]["Id"]
