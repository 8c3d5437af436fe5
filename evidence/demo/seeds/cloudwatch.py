"""CloudWatch: log retention, and CIS-style metric filters with alarms on the audit trail's log group.

Changes to IAM and Organizations policies, to CloudTrail, Config and KMS keys, and to S3 bucket
policies raise alarms that e-mail the security team; root activity has a filter whose alarm
notifies no one; unauthorised calls and network changes are not watched at all.
"""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, Clients, account_arn, expect, seeder

AUDIT_GROUP = "cloudtrail/organization-audit"  # created by the CloudTrail part of the scenario
APP_GROUP = "/example/web-app"
NAMESPACE = "CISBenchmark"

FILTERS = {
    "iam-and-organizations-changes": (
        "{ ($.eventSource = iam.amazonaws.com && ($.eventName = *UserPolicy || $.eventName = *GroupPolicy || "
        "$.eventName = *RolePolicy || $.eventName = CreatePolicy || $.eventName = DeletePolicy || "
        "$.eventName = *PolicyVersion)) || ($.eventSource = organizations.amazonaws.com && $.readOnly IS FALSE) }"
    ),
    "trail-and-config-changes": (
        "{($.eventSource=config.amazonaws.com&&($.eventName=PutConfigurationRecorder||"
        "$.eventName=StopConfigurationRecorder||$.eventName=PutDeliveryChannel||$.eventName=DeleteDeliveryChannel))"
        "||$.eventName=CreateTrail||$.eventName=UpdateTrail||$.eventName=DeleteTrail||$.eventName=StartLogging"
        "||$.eventName=StopLogging}"
    ),
    "kms-key-disabled-or-deleted": (
        '{ ( $.eventName = "ScheduleKeyDeletion" || $.eventName = "DisableKey" ) && '
        '$.eventSource = "kms.amazonaws.com" }'
    ),
    "s3-bucket-policy-changes": (
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
        "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || "
        "($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || "
        "($.eventName = DeleteBucketCors) || "
        "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
    ),
    "root-activity": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    ),
}
SILENT = {"root-activity"}  # an alarm exists, with no action


def alarm_arn(name: str) -> str:
    return f"arn:aws:cloudwatch:{HOME}:{ACCOUNT}:alarm:{name}"


def log_group_arn(name: str) -> str:
    return f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{name}"


@seeder
def seed_cloudwatch(aws: Clients) -> None:
    logs, cloudwatch, sns = aws("logs", HOME), aws("cloudwatch", HOME), aws("sns", HOME)
    logs.put_retention_policy(logGroupName=AUDIT_GROUP, retentionInDays=400)
    logs.create_log_group(logGroupName=APP_GROUP)
    logs.put_retention_policy(logGroupName=APP_GROUP, retentionInDays=14)
    expect("cloudwatch.log_group_retention_min", log_group_arn(AUDIT_GROUP), "pass")
    expect("cloudwatch.log_group_retention_min", log_group_arn(APP_GROUP), "fail")

    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    for name, pattern in FILTERS.items():
        logs.put_metric_filter(
            logGroupName=AUDIT_GROUP, filterName=name, filterPattern=pattern,
            metricTransformations=[{"metricName": name, "metricNamespace": NAMESPACE, "metricValue": "1"}],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=name, MetricName=name, Namespace=NAMESPACE, Statistic="Sum", Period=300, EvaluationPeriods=1,
            Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
            AlarmActions=[] if name in SILENT else [topic],
        )
    expect("cloudwatch.alarm_actions_configured", alarm_arn("iam-and-organizations-changes"), "pass")
    expect("cloudwatch.alarm_actions_configured", alarm_arn("root-activity"), "fail")

    for concept, status in (
        ("cloudwatch.alarm_iam_and_org_policy_changes", "pass"),
        ("cloudwatch.alarm_logging_and_key_tampering", "pass"),
        ("cloudwatch.alarm_s3_bucket_policy_changes", "pass"),
        ("cloudwatch.alarm_signin_anomalies", "fail"),
        ("cloudwatch.alarm_unauthorized_api_calls", "fail"),
        ("cloudwatch.alarm_network_changes", "fail"),
    ):
        expect(concept, account_arn(), status)
