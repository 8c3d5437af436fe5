"""The activities a CloudTrail metric-filter alarm must catch, as sample CloudTrail events.

Each watch (one CIS-style monitoring item, such as "IAM policy changes") lists the events a
metric filter must match to count for it, and the events it must not match (so that a filter that
fires on every event, or on every console sign-in, does not count). Every filter must also reject
the routine events in ``ROUTINE``. The samples carry the fields CloudTrail writes for such events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Event = Mapping[str, Any]


def event(source: str, name: str, **fields: Any) -> dict[str, Any]:
    """A CloudTrail record of an IAM user's successful write API call, with `fields` replacing its fields."""
    base: dict[str, Any] = {
        "eventVersion": "1.09",
        "eventSource": source,
        "eventName": name,
        "eventType": "AwsApiCall",
        "eventCategory": "Management",
        "readOnly": False,
        "managementEvent": True,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0",
        "recipientAccountId": "111122223333",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLEUSER0001",
            "arn": "arn:aws:iam::111122223333:user/operator",
            "accountId": "111122223333",
            "userName": "operator",
        },
        "requestParameters": {},
        "responseElements": None,
    }
    return {**base, **fields}


ROOT_IDENTITY = {
    "type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333",
}


def _calls(source: str, *names: str) -> tuple[dict[str, Any], ...]:
    return tuple(event(source, n) for n in names)


def _console_login(*, root: bool = False, mfa: bool, success: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "eventType": "AwsConsoleSignIn",
        "additionalEventData": {"MFAUsed": "Yes" if mfa else "No", "MobileVersion": "No"},
        "responseElements": {"ConsoleLogin": "Success" if success else "Failure"},
    }
    if not success:
        fields["errorMessage"] = "Failed authentication"
    if root:
        fields["userIdentity"] = ROOT_IDENTITY
    return event("signin.amazonaws.com", "ConsoleLogin", **fields)


# Events any useful alarm filter must ignore: a read, an everyday write, an MFA console sign-in.
ROUTINE: tuple[dict[str, Any], ...] = (
    event("ec2.amazonaws.com", "DescribeInstances", readOnly=True),
    event("ec2.amazonaws.com", "CreateTags"),
    event("s3.amazonaws.com", "ListBuckets", readOnly=True),
    _console_login(mfa=True, success=True),
)


@dataclass(frozen=True)
class Watch:
    """One activity to alarm on: what a filter must match, and what it must not."""

    name: str
    must_match: tuple[dict[str, Any], ...]
    must_not_match: tuple[dict[str, Any], ...] = field(default=())

    def label(self, sample: Event) -> str:
        """How a sample event is named in a finding's reason."""
        return str(sample.get("eventName"))


@dataclass(frozen=True)
class SignInWatch(Watch):
    """A watch over console sign-ins, whose samples differ by outcome rather than by event name."""

    def label(self, sample: Event) -> str:
        who = sample.get("userIdentity", {}).get("type", "")
        outcome = (sample.get("responseElements") or {}).get("ConsoleLogin", "")
        mfa = sample.get("additionalEventData", {}).get("MFAUsed", "")
        return f"{who} ConsoleLogin {outcome} (MFA {mfa})"


ROOT_USAGE = Watch(
    "root user activity",
    must_match=(
        event("ec2.amazonaws.com", "RunInstances", userIdentity=ROOT_IDENTITY),
        event("iam.amazonaws.com", "CreateAccessKey", userIdentity=ROOT_IDENTITY),
    ),
)
CONSOLE_WITHOUT_MFA = SignInWatch(
    "console sign-in without MFA",
    must_match=(_console_login(mfa=False, success=True),),
)
CONSOLE_FAILURES = SignInWatch(
    "failed console sign-ins",
    must_match=(_console_login(mfa=False, success=False), _console_login(mfa=True, success=False)),
    must_not_match=(_console_login(mfa=False, success=True),),
)
UNAUTHORIZED_CALLS = Watch(
    "unauthorised API calls",
    must_match=(
        event("ec2.amazonaws.com", "RunInstances", errorCode="Client.UnauthorizedOperation",
              errorMessage="You are not authorized to perform this operation."),
        event("iam.amazonaws.com", "CreateUser", errorCode="AccessDenied",
              errorMessage="User is not authorized to perform: iam:CreateUser"),
        event("kms.amazonaws.com", "Decrypt", errorCode="AccessDeniedException",
              errorMessage="User is not authorized to perform: kms:Decrypt"),
    ),
)
IAM_POLICY_CHANGES = Watch(
    "IAM policy changes",
    must_match=_calls(
        "iam.amazonaws.com",
        "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
        "PutUserPolicy", "PutGroupPolicy", "PutRolePolicy",
        "DeleteUserPolicy", "DeleteGroupPolicy", "DeleteRolePolicy",
        "AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy",
        "DetachUserPolicy", "DetachGroupPolicy", "DetachRolePolicy",
    ),
)
ORGANIZATIONS_CHANGES = Watch(
    "AWS Organizations changes",
    must_match=_calls(
        "organizations.amazonaws.com",
        "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
        "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
        "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization",
        "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
    ),
)
CLOUDTRAIL_CHANGES = Watch(
    "CloudTrail configuration changes",
    must_match=_calls(
        "cloudtrail.amazonaws.com", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging",
    ),
)
CONFIG_CHANGES = Watch(
    "AWS Config configuration changes",
    must_match=_calls(
        "config.amazonaws.com",
        "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder",
    ),
)
KMS_KEY_TAMPERING = Watch(
    "KMS key disabling or scheduled deletion",
    must_match=_calls("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
)
S3_POLICY_CHANGES = Watch(
    "S3 bucket policy and ACL changes",
    must_match=_calls(
        "s3.amazonaws.com",
        "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
        "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
    ),
)
SECURITY_GROUP_CHANGES = Watch(
    "security group changes",
    must_match=_calls(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
    ),
)
NACL_CHANGES = Watch(
    "network ACL changes",
    must_match=_calls(
        "ec2.amazonaws.com",
        "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
    ),
)
GATEWAY_CHANGES = Watch(
    "network gateway changes",
    must_match=_calls(
        "ec2.amazonaws.com",
        "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
        "DeleteInternetGateway", "DetachInternetGateway",
    ),
)
ROUTE_TABLE_CHANGES = Watch(
    "route table changes",
    must_match=_calls(
        "ec2.amazonaws.com",
        "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
        "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
    ),
)
# EC2-Classic (and its ClassicLink calls) is retired, so they are not required.
VPC_CHANGES = Watch(
    "VPC changes",
    must_match=_calls(
        "ec2.amazonaws.com",
        "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
    ),
)

CONCEPTS: dict[str, tuple[Watch, ...]] = {
    "cloudwatch.alarm_signin_anomalies": (ROOT_USAGE, CONSOLE_WITHOUT_MFA, CONSOLE_FAILURES),
    "cloudwatch.alarm_unauthorized_api_calls": (UNAUTHORIZED_CALLS,),
    "cloudwatch.alarm_iam_and_org_policy_changes": (IAM_POLICY_CHANGES, ORGANIZATIONS_CHANGES),
    "cloudwatch.alarm_logging_and_key_tampering": (CLOUDTRAIL_CHANGES, CONFIG_CHANGES, KMS_KEY_TAMPERING),
    "cloudwatch.alarm_network_changes": (
        SECURITY_GROUP_CHANGES, NACL_CHANGES, GATEWAY_CHANGES, ROUTE_TABLE_CHANGES, VPC_CHANGES,
    ),
    "cloudwatch.alarm_s3_bucket_policy_changes": (S3_POLICY_CHANGES,),
}
