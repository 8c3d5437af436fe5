"""EFS checks: an unencrypted file system fails, an encrypted one passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts


def test_encrypted() -> None:
    result = run("efs.encrypted", [snapshot("efs.file_systems", [
        {"FileSystemArn": "arn:fs-enc", "FileSystemId": "fs-enc", "Encrypted": True, "KmsKeyId": "arn:key"},
        {"FileSystemArn": "arn:fs-plain", "FileSystemId": "fs-plain", "Encrypted": False},
    ], region="us-east-1")])
    assert verdicts(result) == {"arn:fs-enc": "pass", "arn:fs-plain": "fail"}
