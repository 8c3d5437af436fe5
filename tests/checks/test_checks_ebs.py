"""EBS checks: each has a resource that fails and one that passes."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

ACCOUNT = "111122223333"


def regional(region: str) -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:account"


def snap_arn(region: str, snapshot_id: str) -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:snapshot/{snapshot_id}"


def test_default_encryption_enabled() -> None:
    result = run("ebs.default_encryption_enabled", [
        snapshot("ec2.ebs_encryption_by_default", {"EbsEncryptionByDefault": True, "KmsKeyId": "alias/aws/ebs"},
                 region="us-east-1"),
        snapshot("ec2.ebs_encryption_by_default", {"EbsEncryptionByDefault": False}, region="eu-west-1"),
    ])
    assert verdicts(result) == {regional("us-east-1"): "pass", regional("eu-west-1"): "fail"}


def snaps(region: str, *items: dict[str, Any]) -> Any:
    return snapshot("ec2.snapshots", [{"OwnerId": ACCOUNT, "errors": {}, **i} for i in items], region=region)


def test_volume_encrypted() -> None:
    volumes = snapshot("ec2.volumes", [
        {"VolumeId": "vol-enc", "Encrypted": True, "Attachments": [{"InstanceId": "i-1"}]},
        {"VolumeId": "vol-plain", "Encrypted": False, "Attachments": []},
    ], region="us-east-1")
    result = run("ebs.volume_encrypted", [volumes, snaps("us-east-1", {"SnapshotId": "snap-enc", "Encrypted": True},
                                                          {"SnapshotId": "snap-plain", "Encrypted": False})])
    assert verdicts(result) == {
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-enc": "pass",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-plain": "fail",
        snap_arn("us-east-1", "snap-enc"): "pass", snap_arn("us-east-1", "snap-plain"): "fail",
    }


def block(region: str, state: str) -> Any:
    return snapshot("ec2.snapshot_block_public_access", {"State": state, "ManagedBy": "account"}, region=region)


def test_snapshot_not_public() -> None:
    public = {"CreateVolumePermissions": [{"Group": "all"}]}
    result = run("ec2.ebs_snapshot_not_public", [
        snaps("us-east-1", {"SnapshotId": "snap-public", **public},
              {"SnapshotId": "snap-shared", "CreateVolumePermissions": [{"UserId": "444455556666"}]},
              {"SnapshotId": "snap-unread", "errors": {"CreateVolumePermissions": "UnauthorizedOperation"}}),
        snaps("eu-west-1", {"SnapshotId": "snap-blocked", **public}),
        block("us-east-1", "unblocked"), block("eu-west-1", "block-all-sharing"),
    ])
    assert verdicts(result) == {
        regional("us-east-1"): "fail", regional("eu-west-1"): "pass",
        snap_arn("us-east-1", "snap-public"): "fail", snap_arn("us-east-1", "snap-shared"): "pass",
        snap_arn("us-east-1", "snap-unread"): "not_evaluated", snap_arn("eu-west-1", "snap-blocked"): "pass",
    }
