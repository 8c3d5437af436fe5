"""The client factory: read-only guard, secret reads refused, credentials errors, IAM action names."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from evidence.aws import AwsError, ClientFactory, ReadOnlyViolation, iam_action, is_read
from evidence.demo.emulator import emulator_credentials


def factory_for(emulator: Any, **kwargs: Any) -> ClientFactory:
    return ClientFactory.from_options(endpoint_url=emulator.endpoint_url, credentials=emulator_credentials(), **kwargs)


def test_write_is_refused_before_it_is_sent(emulator: Any) -> None:
    s3 = factory_for(emulator).client("s3", "us-east-1")
    with pytest.raises(ReadOnlyViolation, match="s3:CreateBucket"):
        s3.create_bucket(Bucket="must-not-exist")
    import boto3

    raw = boto3.client("s3", region_name="us-east-1", endpoint_url=emulator.endpoint_url, **emulator_credentials())
    assert "must-not-exist" not in [b["Name"] for b in raw.list_buckets()["Buckets"]]


def test_reads_pass_and_are_recorded(emulator: Any) -> None:
    factory = factory_for(emulator)
    factory.client("ec2", "eu-west-1").describe_vpcs()
    assert factory.recorder.sent["ec2:DescribeVpcs"] == 1


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("secretsmanager", "GetSecretValue"),
        ("ssm", "GetParameter"),
        ("ssm", "GetParametersByPath"),
        ("lambda", "GetFunctionConfiguration"),
        ("ec2", "RunInstances"),
        ("iam", "CreateUser"),
        ("kms", "Sign"),
        ("sts", "GetSessionToken"),
    ],
)
def test_not_reads(service: str, operation: str) -> None:
    assert not is_read(service, operation)


def test_secret_value_read_refused(emulator: Any) -> None:
    client = factory_for(emulator).client("secretsmanager", "us-east-1")
    with pytest.raises(ReadOnlyViolation, match="GetSecretValue"):
        client.get_secret_value(SecretId="anything")


def test_kms_sign_only_when_allowed(emulator: Any) -> None:
    import boto3

    raw = boto3.client("kms", region_name="us-east-1", endpoint_url=emulator.endpoint_url, **emulator_credentials())
    key = raw.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["KeyId"]
    with pytest.raises(ReadOnlyViolation):
        factory_for(emulator).client("kms", "us-east-1").sign(
            KeyId=key, Message=b"x", SigningAlgorithm="ECDSA_SHA_256")
    allowed = factory_for(emulator, allow={"kms:Sign"}).client("kms", "us-east-1")
    assert allowed.sign(KeyId=key, Message=b"x", SigningAlgorithm="ECDSA_SHA_256")["Signature"]


def test_no_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    with pytest.raises(AwsError, match="no AWS credentials found"):
        ClientFactory.from_options().identity()


def test_unknown_profile_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(AwsError, match="nope"):
        ClientFactory.from_options(profile="nope").identity()


def test_rejected_credentials(emulator: Any) -> None:
    factory = factory_for(emulator)
    with Stubber(factory.client("sts", "us-east-1")) as stub:
        stub.add_client_error("get_caller_identity", "InvalidClientTokenId", "The security token is invalid.")
        with pytest.raises(AwsError, match="InvalidClientTokenId"):
            factory.identity()


def test_iam_action_names() -> None:
    assert iam_action("s3", "ListBuckets") == "s3:ListAllMyBuckets"
    assert iam_action("s3control", "GetPublicAccessBlock") == "s3:GetAccountPublicAccessBlock"
    assert iam_action("elbv2", "DescribeListeners") == "elasticloadbalancing:DescribeListeners"
    assert iam_action("iam", "GetAccountSummary") == "iam:GetAccountSummary"
