"""The member accounts: production is run well, staging and sandbox are not.

Production has a monitored multi-region trail (every CIS-style alarm wired to a subscribed SNS
topic) and account-level S3 Block Public Access; staging has a weak password policy; sandbox has
no trail at all and no root MFA. In the management account, a forgotten user's access key is
200 days old and unused. Together they give every account-level check both verdicts.
"""

from __future__ import annotations

import json

from evidence.demo.scenario import ACCOUNT, HOME, Clients, account_arn, expect, member_seeder, seeder
from evidence.demo.seeds.cloudtrail_integrity import PROD_TRAIL
from evidence.endpoints import register_s3control_endpoint_fix

GROUP = "cloudtrail/production-audit"
NAMESPACE = "SecurityAlarms"
# One filter per watched activity, written the way the CIS AWS Foundations Benchmark writes them.
FILTERS = {
    "unauthorized-api-calls": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    "console-signin-without-mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "console-signin-failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "root-usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
                  '&& $.eventType != "AwsServiceEvent" }',
    "iam-policy-changes": (
        "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) "
        "|| ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) "
        "|| ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) "
        "|| ($.eventName = DeletePolicyVersion) || ($.eventName = SetDefaultPolicyVersion) "
        "|| ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) "
        "|| ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) "
        "|| ($.eventName = DetachGroupPolicy) || ($.eventSource = organizations.amazonaws.com && "
        "$.readOnly IS FALSE) }"
    ),
    "trail-config-kms-changes": (
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) "
        "|| ($.eventName = StartLogging) || ($.eventName = StopLogging) "
        "|| ($.eventSource = config.amazonaws.com && (($.eventName = StopConfigurationRecorder) "
        "|| ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) "
        "|| ($.eventName = PutConfigurationRecorder))) "
        "|| ($.eventSource = kms.amazonaws.com && (($.eventName = DisableKey) "
        "|| ($.eventName = ScheduleKeyDeletion))) }"
    ),
    "security-group-changes": (
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) "
        "|| ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) "
        "|| ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"
    ),
    "network-acl-changes": (
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) "
        "|| ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) "
        "|| ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"
    ),
    "gateway-and-route-changes": (
        "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) "
        "|| ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) "
        "|| ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) "
        "|| ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) "
        "|| ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) "
        "|| ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"
    ),
    "vpc-changes": (
        "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) "
        "|| ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) "
        "|| ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) "
        "|| ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) "
        "|| ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"
    ),
    "s3-bucket-policy-changes": (
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) "
        "|| ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) "
        "|| ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) "
        "|| ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) "
        "|| ($.eventName = DeleteBucketReplication)) }"
    ),
}
ALARM_CONCEPTS = (
    "cloudwatch.alarm_iam_and_org_policy_changes",
    "cloudwatch.alarm_logging_and_key_tampering",
    "cloudwatch.alarm_s3_bucket_policy_changes",
    "cloudwatch.alarm_signin_anomalies",
    "cloudwatch.alarm_unauthorized_api_calls",
    "cloudwatch.alarm_network_changes",
)
PAB_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


@seeder
def seed_stale_key(aws: Clients) -> None:
    iam = aws("iam")
    iam.create_user(UserName="carol")
    iam.create_access_key(UserName="carol")
    aws.emulator.backdate_access_keys(ACCOUNT, "carol", 200)
    arn = f"arn:aws:iam::{ACCOUNT}:user/carol"
    expect("iam.access_keys_rotated", arn, "fail")
    expect("iam.unused_credentials_disabled", arn, "fail")


def _monitor_production(prod: Clients, account: str) -> None:
    logs = prod("logs", HOME)
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=400)
    role = prod("iam").create_role(RoleName="cloudtrail-to-logs", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "cloudtrail.amazonaws.com"}}]}))["Role"]["Arn"]
    trail = prod("cloudtrail", HOME)
    trail.update_trail(Name=PROD_TRAIL, CloudWatchLogsLogGroupArn=f"arn:aws:logs:{HOME}:{account}:log-group:{GROUP}:*",
                       CloudWatchLogsRoleArn=role, IncludeGlobalServiceEvents=True)
    trail.put_event_selectors(TrailName=PROD_TRAIL, EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    sns, cloudwatch = prod("sns", HOME), prod("cloudwatch", HOME)
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    for name, pattern in FILTERS.items():
        logs.put_metric_filter(logGroupName=GROUP, filterName=name, filterPattern=pattern, metricTransformations=[
            {"metricName": name, "metricNamespace": NAMESPACE, "metricValue": "1"}])
        cloudwatch.put_metric_alarm(
            AlarmName=name, MetricName=name, Namespace=NAMESPACE, Statistic="Sum", Period=300, EvaluationPeriods=1,
            Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
        )


@member_seeder
def seed_members(aws: Clients, members: dict[str, str]) -> None:
    production, staging, sandbox = members["production"], members["staging"], members["sandbox"]
    prod = Clients(aws.emulator, production)
    _monitor_production(prod, production)
    for concept in (*ALARM_CONCEPTS, "cloudtrail.security_trail_management_events",
                    "cloudtrail.multi_region_enabled"):
        expect(concept, account_arn(production), "pass")
        expect(concept, account_arn(sandbox), "fail")
    s3control = prod("s3control", HOME)
    register_s3control_endpoint_fix(s3control)
    s3control.put_public_access_block(AccountId=production, PublicAccessBlockConfiguration=PAB_ON)
    expect("s3.account_public_access_block", account_arn(production), "pass")
    expect("iam.password_policy_reuse_prevention", account_arn(staging), "fail")
    for member in (production, staging, sandbox):
        expect("iam.root_no_access_keys", account_arn(member), "pass")
    expect("iam.root_mfa_enabled", account_arn(sandbox), "fail")
    expect("iam.root_hardware_mfa_enabled", account_arn(sandbox), "fail")
