"""The demo account: a fixed, realistic mix of compliant and non-compliant resources.

Everything is created through ordinary AWS write calls against the emulator (only state no API can
set, such as the root user's MFA, is planted in-process). `EXPECTED` records, for every seeded
resource, the verdict each check must reach: the test suite holds the pack to it.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from evidence.demo.emulator import Emulator, emulator_credentials

ACCOUNT = "123456789012"
HOME = "us-east-1"
OTHER = "eu-west-1"
REGIONS = (HOME, OTHER)

MEMBER_ROLE = "OrganizationAccountAccessRole"
MEMBERS: dict[str, str] = {}  # member account name -> id, filled when the organization is seeded

LOG_BUCKET = "example-audit-logs"
PUBLIC_BUCKET = "example-public-assets"
DATA_BUCKET = "example-customer-data"
ACCESS_LOG_BUCKET = "example-access-logs"


@dataclass(frozen=True)
class Expect:
    check: str
    resource: str
    status: str  # pass | fail


EXPECTED: list[Expect] = []
Seeder = Callable[["Clients"], None]
_SEEDERS: list[Seeder] = []


def seeder(func: Seeder) -> Seeder:
    """Register a part of the scenario (each service module of the demo adds its own)."""
    _SEEDERS.append(func)
    return func


MemberSeeder = Callable[["Clients", dict[str, str]], None]
_MEMBER_SEEDERS: list[MemberSeeder] = []


def member_seeder(func: MemberSeeder) -> MemberSeeder:
    """Register a part of the scenario that seeds member accounts (called with their ids by name)."""
    _MEMBER_SEEDERS.append(func)
    return func


_ORGANIZATION_SEEDERS: list[Seeder] = []


def organization_seeder(func: Seeder) -> Seeder:
    """Register a part of the scenario that needs the organization and its members (run after them)."""
    _ORGANIZATION_SEEDERS.append(func)
    return func


def expect(check: str, resource: str, status: str) -> None:
    EXPECTED.append(Expect(check, resource, status))


class Clients:
    """Plain boto3 clients on the emulator, for seeding only (the tool itself never writes).

    Without `account_id` they act in the management account; with it, in that member account,
    through the same AssumeRole a real organization uses.
    """

    def __init__(self, emulator: Emulator, account_id: str | None = None) -> None:
        self.emulator = emulator
        self.account_id = account_id or ACCOUNT
        self._session = boto3.Session(**emulator_credentials())
        if account_id is not None:
            sts = self._session.client("sts", region_name=HOME, endpoint_url=emulator.endpoint_url)
            creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}",
                                    RoleSessionName="demo-seed")["Credentials"]
            self._session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                          aws_secret_access_key=creds["SecretAccessKey"],
                                          aws_session_token=creds["SessionToken"])

    def __call__(self, service: str, region: str = HOME) -> Any:
        return self._session.client(service, region_name=region, endpoint_url=self.emulator.endpoint_url)


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def account_arn(account_id: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account_id}:root"


ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{DATA_BUCKET}/*"}],
}


@seeder
def seed_iam(aws: Clients) -> None:
    iam = aws("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        RequireNumbers=True,
        RequireSymbols=False,
        PasswordReusePrevention=24,
    )
    expect("iam.password_policy_min_length", account_arn(), "pass")
    expect("iam.password_policy_reuse_prevention", account_arn(), "pass")
    expect("iam.password_policy_complexity", account_arn(), "fail")
    expect("iam.password_policy_max_age", account_arn(), "fail")

    aws.emulator.set_root_mfa(ACCOUNT, enabled=True)
    aws.emulator.set_root_access_key(ACCOUNT, active=True)
    expect("iam.root_mfa_enabled", account_arn(), "pass")
    expect("iam.root_hardware_mfa_enabled", account_arn(), "pass")
    expect("iam.root_no_access_keys", account_arn(), "fail")

    # alice: console user with MFA and a fresh key; bob: console user without MFA.
    for user in ("alice", "bob"):
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Demo-Password-123!")
    iam.create_access_key(UserName="alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    expect("iam.user_mfa_enabled", _arn("user", "alice"), "pass")
    expect("iam.user_mfa_enabled", _arn("user", "bob"), "fail")
    expect("iam.access_keys_rotated", _arn("user", "alice"), "pass")
    expect("iam.unused_credentials_disabled", _arn("user", "alice"), "pass")

    admin = iam.create_policy(PolicyName="EveryoneIsAdmin", PolicyDocument=json.dumps(ADMIN_POLICY))["Policy"]
    scoped = iam.create_policy(PolicyName="ReadCustomerData", PolicyDocument=json.dumps(READ_POLICY))["Policy"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName="ops-automation", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="ops-automation", PolicyArn=admin["Arn"])
    iam.attach_user_policy(UserName="alice", PolicyArn=scoped["Arn"])
    expect("iam.no_admin_star_policies", admin["Arn"], "fail")
    expect("iam.no_admin_star_policies", scoped["Arn"], "pass")


def _deny_insecure(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


PAB_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _bucket(aws: Clients, name: str, region: str) -> Any:
    s3 = aws("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    return s3


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


@seeder
def seed_s3(aws: Clients) -> None:
    # Server access logs land here (it logs to itself); private, encrypted, versioned, TLS-only.
    s3 = _bucket(aws, ACCESS_LOG_BUCKET, HOME)
    s3.put_bucket_acl(Bucket=ACCESS_LOG_BUCKET, ACL="log-delivery-write")
    s3.put_bucket_encryption(
        Bucket=ACCESS_LOG_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(Bucket=ACCESS_LOG_BUCKET, PublicAccessBlockConfiguration=PAB_ON)
    s3.put_bucket_versioning(Bucket=ACCESS_LOG_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(
        Bucket=ACCESS_LOG_BUCKET,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": ACCESS_LOG_BUCKET, "TargetPrefix": "self/"}},
    )
    # The CloudTrail log bucket: private, encrypted, versioned, logged; its policy does not force TLS.
    s3 = _bucket(aws, LOG_BUCKET, HOME)
    s3.put_bucket_encryption(
        Bucket=LOG_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(Bucket=LOG_BUCKET, PublicAccessBlockConfiguration=PAB_ON)
    s3.put_bucket_versioning(Bucket=LOG_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(
        Bucket=LOG_BUCKET,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": ACCESS_LOG_BUCKET, "TargetPrefix": "audit-logs/"}},
    )
    # A public bucket in the other region: everything wrong.
    s3 = _bucket(aws, PUBLIC_BUCKET, OTHER)
    s3.put_bucket_acl(Bucket=PUBLIC_BUCKET, ACL="public-read")
    # Customer data: encrypted with KMS, private, TLS-only, versioned, but no access logging.
    s3 = _bucket(aws, DATA_BUCKET, OTHER)
    key = aws("kms", OTHER).create_key(Description="customer data")["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(
        Bucket=DATA_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]
        },
    )
    s3.put_public_access_block(Bucket=DATA_BUCKET, PublicAccessBlockConfiguration=PAB_ON)
    s3.put_bucket_versioning(Bucket=DATA_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=DATA_BUCKET, Policy=json.dumps(_deny_insecure(DATA_BUCKET)))
    # Set last: the emulator cannot enable logging into a bucket whose policy names Principal "*".
    aws("s3", HOME).put_bucket_policy(Bucket=ACCESS_LOG_BUCKET, Policy=json.dumps(_deny_insecure(ACCESS_LOG_BUCKET)))

    for check, good, bad in (
        ("s3.bucket_default_encryption", (LOG_BUCKET, DATA_BUCKET, ACCESS_LOG_BUCKET), (PUBLIC_BUCKET,)),
        ("s3.bucket_not_public", (LOG_BUCKET, DATA_BUCKET, ACCESS_LOG_BUCKET), (PUBLIC_BUCKET,)),
        ("s3.bucket_secure_transport", (DATA_BUCKET, ACCESS_LOG_BUCKET), (PUBLIC_BUCKET, LOG_BUCKET)),
        ("s3.bucket_versioning_enabled", (LOG_BUCKET, DATA_BUCKET, ACCESS_LOG_BUCKET), (PUBLIC_BUCKET,)),
        ("s3.bucket_access_logging", (LOG_BUCKET, ACCESS_LOG_BUCKET), (PUBLIC_BUCKET, DATA_BUCKET)),
    ):
        for name in good:
            expect(check, bucket_arn(name), "pass")
        for name in bad:
            expect(check, bucket_arn(name), "fail")
    # Account-level Block Public Access is left off.
    expect("s3.account_public_access_block", account_arn(), "fail")


GOOD_TRAIL = "organization-audit"
BAD_TRAIL = "legacy-eu"


def trail_arn(name: str, region: str) -> str:
    return f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"


@seeder
def seed_cloudtrail(aws: Clients) -> None:
    logs = aws("logs", HOME)
    logs.create_log_group(logGroupName="cloudtrail/organization-audit")
    group_arn = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:cloudtrail/organization-audit:*"
    role = aws("iam").create_role(
        RoleName="cloudtrail-to-logs",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    key = aws("kms", HOME).create_key(Description="cloudtrail logs")["KeyMetadata"]["Arn"]
    ct = aws("cloudtrail", HOME)
    ct.create_trail(
        Name=GOOD_TRAIL,
        S3BucketName=LOG_BUCKET,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=key,
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=role,
    )
    ct.put_event_selectors(
        TrailName=GOOD_TRAIL, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    ct.start_logging(Name=GOOD_TRAIL)
    ct_eu = aws("cloudtrail", OTHER)
    ct_eu.create_trail(Name=BAD_TRAIL, S3BucketName=PUBLIC_BUCKET)
    good, bad = trail_arn(GOOD_TRAIL, HOME), trail_arn(BAD_TRAIL, OTHER)
    expect("cloudtrail.multi_region_enabled", account_arn(), "pass")
    expect("cloudtrail.security_trail_management_events", account_arn(), "pass")
    for check in (
        "cloudtrail.log_file_validation_enabled",
        "cloudtrail.kms_encryption_enabled",
        "cloudtrail.cloudwatch_logs_integration",
    ):
        expect(check, good, "pass")
        expect(check, bad, "fail")
    expect("cloudtrail.log_bucket_not_public", bucket_arn(LOG_BUCKET), "pass")
    expect("cloudtrail.log_bucket_not_public", bucket_arn(PUBLIC_BUCKET), "fail")


def _load_seed_modules() -> None:
    from evidence.demo import seeds

    for info in pkgutil.iter_modules(seeds.__path__):
        importlib.import_module(f"{seeds.__name__}.{info.name}")


def seed_organization(aws: Clients) -> None:
    """An organization with three member accounts; each member is then seeded through AssumeRole."""
    org = aws("organizations")
    org.create_organization(FeatureSet="ALL")
    MEMBERS.clear()
    for name in ("production", "staging", "sandbox"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        MEMBERS[name] = status["AccountId"]
    prod, staging = Clients(aws.emulator, MEMBERS["production"]), Clients(aws.emulator, MEMBERS["staging"])
    prod("iam").update_account_password_policy(
        MinimumPasswordLength=16, RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        RequireNumbers=True, RequireSymbols=True, PasswordReusePrevention=24, MaxPasswordAge=90)
    for check in ("iam.password_policy_min_length", "iam.password_policy_complexity",
                  "iam.password_policy_reuse_prevention", "iam.password_policy_max_age"):
        expect(check, account_arn(MEMBERS["production"]), "pass")
    staging("iam").update_account_password_policy(MinimumPasswordLength=8)
    expect("iam.password_policy_min_length", account_arn(MEMBERS["staging"]), "fail")
    for check in ("iam.password_policy_min_length", "cloudtrail.multi_region_enabled"):
        expect(check, account_arn(MEMBERS["sandbox"]), "fail")
    bucket = f"example-staging-{MEMBERS['staging']}"
    staging("s3").create_bucket(Bucket=bucket)
    staging("s3").put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    expect("s3.bucket_not_public", bucket_arn(bucket), "fail")
    for func in _MEMBER_SEEDERS:
        func(aws, MEMBERS)


def seed(emulator: Emulator) -> None:
    """Reset the emulator and build the whole scenario: the management account, then its members."""
    _load_seed_modules()
    emulator.reset()
    EXPECTED.clear()
    aws = Clients(emulator)
    for func in _SEEDERS:
        func(aws)
    seed_organization(aws)
    for func in _ORGANIZATION_SEEDERS:
        func(aws)
