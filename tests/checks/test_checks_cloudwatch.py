"""CloudWatch checks: log retention, alarm actions, and the CIS-style metric-filter alarms."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import run, snapshot, verdicts

from evidence.models import Evidence

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
REGION = "us-east-1"
GROUP = "cloudtrail/audit"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:security-alerts"
SILENT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:nobody-listens"

# The event patterns as the CIS AWS Foundations Benchmark writes them (varied spacing and quoting).
CIS = {
    "unauthorized": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
                    '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    "no-mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
              '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "root": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.eventType != "AwsServiceEvent" }',
    "iam": "{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
           "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||"
           "($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
           "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||"
           "($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
           "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy))}",
    "cloudtrail": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
                  "($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "signin-failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "kms": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    "s3": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
          "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) "
          "|| ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || "
          "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "config": "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
              "($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||"
              "($.eventName=PutConfigurationRecorder)) }",
    "security-groups": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) "
                       "|| ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
                       "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "nacl": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
            "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
            "($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "gateways": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
                "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
                "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "routes": "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) "
              "|| ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
              "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
              "($.eventName = DisassociateRouteTable)) }",
    "vpc": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
           "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
           "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
           "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || "
           "($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    "organizations": '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
                     '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || '
                     '($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || '
                     '($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
                     '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || '
                     '($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || '
                     '($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || '
                     '($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || '
                     '($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || '
                     '($.eventName = "UpdateOrganizationalUnit")) }',
}
ALL_CONCEPTS = (
    "cloudwatch.alarm_signin_anomalies", "cloudwatch.alarm_unauthorized_api_calls",
    "cloudwatch.alarm_iam_and_org_policy_changes", "cloudwatch.alarm_logging_and_key_tampering",
    "cloudwatch.alarm_network_changes", "cloudwatch.alarm_s3_bucket_policy_changes",
)


def trail(*, multi_region: bool = True, logging: bool = True, group_account: str = ACCOUNT) -> dict[str, Any]:
    return {
        "TrailARN": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/audit", "HomeRegion": REGION,
        "IsMultiRegionTrail": multi_region, "IncludeGlobalServiceEvents": True,
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{REGION}:{group_account}:log-group:{GROUP}:*",
        "Status": {"IsLogging": logging}, "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
        "errors": {},
    }


def metric_filter(name: str, pattern: str) -> dict[str, Any]:
    return {"filterName": name, "filterPattern": pattern, "logGroupName": GROUP,
            "metricTransformations": [{"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}]}


def alarm(metric: str, actions: list[str] | None = None, *, enabled: bool = True) -> dict[str, Any]:
    return {"AlarmName": metric, "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{metric}",
            "ActionsEnabled": enabled, "AlarmActions": [TOPIC] if actions is None else actions,
            "MetricName": metric, "Namespace": "CISBenchmark"}


def estate(filters: dict[str, str], alarms: list[dict[str, Any]] | None = None,
           trails: list[dict[str, Any]] | None = None) -> list[Evidence]:
    """Snapshots of one account whose filters each feed an alarm to a subscribed topic, unless told otherwise."""
    return [
        snapshot("cloudtrail.trails", {"trails": [trail()] if trails is None else trails}),
        snapshot("logs.metric_filters", [metric_filter(n, p) for n, p in filters.items()], region=REGION),
        snapshot("cloudwatch.alarms", {"MetricAlarms": [alarm(n) for n in filters] if alarms is None else alarms,
                                       "CompositeAlarms": []}, region=REGION),
        snapshot("sns.topics", [
            {"TopicArn": TOPIC, "errors": {}, "Subscriptions": [
                {"SubscriptionArn": f"{TOPIC}:0b5c", "Protocol": "email", "TopicArn": TOPIC}]},
            {"TopicArn": SILENT_TOPIC, "errors": {}, "Subscriptions": [
                {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "TopicArn": SILENT_TOPIC}]},
        ], region=REGION),
    ]


def status(concept: str, snapshots: list[Evidence]) -> str:
    return verdicts(run(concept, snapshots))[ROOT]


def reason(concept: str, snapshots: list[Evidence]) -> str:
    return run(concept, snapshots).findings[0].reason


def test_cis_benchmark_patterns_pass_every_alarm_concept() -> None:
    snapshots = estate(CIS)
    for concept in ALL_CONCEPTS:
        assert status(concept, snapshots) == "pass", concept


def test_no_filters_fail_every_alarm_concept() -> None:
    for concept in ALL_CONCEPTS:
        assert status(concept, estate({})) == "fail", concept


def test_rewritten_and_combined_patterns_still_count() -> None:
    # One filter for CloudTrail and Config changes, terms reordered, unquoted, no spaces; KMS with the
    # source test last and the alternatives swapped.
    combined = ("{($.eventSource=config.amazonaws.com&&($.eventName=PutConfigurationRecorder||"
                "$.eventName=PutDeliveryChannel||$.eventName=DeleteDeliveryChannel||"
                "$.eventName=StopConfigurationRecorder))||$.eventName=StopLogging||$.eventName=StartLogging||"
                "$.eventName=DeleteTrail||$.eventName=UpdateTrail||$.eventName=CreateTrail}")
    kms = '{ ( $.eventName = "ScheduleKeyDeletion" || $.eventName = "DisableKey" ) && $.eventSource = "kms.amazonaws.com" }'
    assert status("cloudwatch.alarm_logging_and_key_tampering", estate({"tamper": combined, "kms": kms})) == "pass"
    # Wildcards covering several names also count.
    iam = "{ $.eventSource = iam.amazonaws.com && ($.eventName = *Policy || $.eventName = *PolicyVersion) }"
    org = "{ $.eventSource = organizations.amazonaws.com && $.readOnly IS FALSE }"
    assert status("cloudwatch.alarm_iam_and_org_policy_changes", estate({"iam": iam, "org": org})) == "pass"


def test_partial_filter_fails_and_names_what_is_missing() -> None:
    snapshots = estate({"iam": CIS["iam"].replace("||($.eventName=DetachGroupPolicy)", "")})
    text = reason("cloudwatch.alarm_iam_and_org_policy_changes", snapshots)
    assert status("cloudwatch.alarm_iam_and_org_policy_changes", snapshots) == "fail"
    assert "IAM policy changes: no metric filter matches DetachGroupPolicy" in text
    assert "AWS Organizations changes: no metric filter matches these events" in text


def test_match_everything_filter_does_not_count() -> None:
    snapshots = estate({"everything": "{ $.eventName = * }"})
    assert status("cloudwatch.alarm_s3_bucket_policy_changes", snapshots) == "fail"
    assert "also matches routine events" in reason("cloudwatch.alarm_s3_bucket_policy_changes", snapshots)
    # Alerting on every console sign-in is not alerting on sign-ins without MFA.
    every_login = {**CIS, "no-mfa": "{ $.eventName = ConsoleLogin }"}
    assert status("cloudwatch.alarm_signin_anomalies", estate(every_login)) == "fail"


def test_text_patterns_are_not_counted() -> None:
    assert status("cloudwatch.alarm_s3_bucket_policy_changes", estate({"s3": "PutBucketPolicy"})) == "fail"


@pytest.mark.parametrize(
    ("alarms", "expected", "words"),
    [
        ([], "fail", "no alarm with an enabled SNS action"),
        ([alarm("s3", [])], "fail", "no alarm with an enabled SNS action"),
        ([alarm("s3", enabled=False)], "fail", "no alarm with an enabled SNS action"),
        ([alarm("s3", [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:notify"])], "fail", "no alarm"),
        ([alarm("s3", [SILENT_TOPIC])], "fail", "no confirmed subscription"),
        ([alarm("s3", [f"arn:aws:sns:{REGION}:999988887777:central"])], "not_evaluated", "unverified"),
        ([alarm("s3", [SILENT_TOPIC]), alarm("s3")], "pass", "notify subscribed SNS topics"),
    ],
)
def test_alarm_must_notify_a_subscribed_topic(alarms: list[dict[str, Any]], expected: str, words: str) -> None:
    snapshots = estate({"s3": CIS["s3"]}, alarms=alarms)
    assert status("cloudwatch.alarm_s3_bucket_policy_changes", snapshots) == expected
    assert words in reason("cloudwatch.alarm_s3_bucket_policy_changes", snapshots)


def test_metric_math_alarm_counts() -> None:
    math_alarm = {**alarm("s3"), "MetricName": None, "Namespace": None, "Metrics": [
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "CISBenchmark", "MetricName": "s3"}, "Stat": "Sum"}}]}
    assert status("cloudwatch.alarm_s3_bucket_policy_changes", estate({"s3": CIS["s3"]}, alarms=[math_alarm])) == "pass"


@pytest.mark.parametrize(
    ("trails", "expected"),
    [
        ([], "fail"),
        ([trail(multi_region=False)], "fail"),
        ([trail(logging=False)], "fail"),
        ([{**trail(), "EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}], "fail"),
        ([{**trail(), "CloudWatchLogsLogGroupArn": None}], "fail"),
        ([trail(group_account="999988887777")], "not_evaluated"),
        ([{**trail(), "Status": {}, "errors": {"GetTrailStatus": "AccessDenied"}}], "not_evaluated"),
        ([{**trail(), "EventSelectors": [], "AdvancedEventSelectors": [
            {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}], "pass"),
    ],
)
def test_filters_count_only_on_a_logging_multi_region_trail_group(trails: list[dict[str, Any]], expected: str) -> None:
    assert status("cloudwatch.alarm_s3_bucket_policy_changes", estate({"s3": CIS["s3"]}, trails=trails)) == expected


def test_missing_region_snapshot_is_not_evaluated() -> None:
    snapshots = [s for s in estate({"s3": CIS["s3"]}) if s.key != "logs.metric_filters"]
    assert status("cloudwatch.alarm_s3_bucket_policy_changes", snapshots) == "not_evaluated"


def test_log_group_retention_min() -> None:
    groups = snapshot("logs.log_groups", [
        {"logGroupName": "short", "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:short:*", "retentionInDays": 30},
        {"logGroupName": "year", "logGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:year",
         "retentionInDays": 400},
        {"logGroupName": "forever", "logGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:forever"},
    ], region=REGION)
    prefix = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
    assert verdicts(run("cloudwatch.log_group_retention_min", [groups])) == {
        f"{prefix}short": "fail", f"{prefix}year": "pass", f"{prefix}forever": "pass"}
    assert verdicts(run("cloudwatch.log_group_retention_min", [groups], min_days=450))[f"{prefix}year"] == "fail"


def test_alarm_actions_configured() -> None:
    composite = {"AlarmName": "combo", "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:combo",
                 "ActionsEnabled": True, "AlarmActions": []}
    alarms = snapshot("cloudwatch.alarms", {"MetricAlarms": [alarm("good"), alarm("off", enabled=False)],
                                            "CompositeAlarms": [composite]}, region=REGION)
    prefix = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
    assert verdicts(run("cloudwatch.alarm_actions_configured", [alarms])) == {
        f"{prefix}good": "pass", f"{prefix}off": "fail", f"{prefix}combo": "fail"}
