"""EFS: an encrypted file system for shared application data and an unencrypted scratch one."""

from __future__ import annotations

from evidence.demo.scenario import HOME, OTHER, Clients, expect, seeder


@seeder
def seed_efs(aws: Clients) -> None:
    shared = aws("efs", HOME).create_file_system(
        CreationToken="app-shared", Encrypted=True, Tags=[{"Key": "Name", "Value": "app-shared"}]
    )
    scratch = aws("efs", OTHER).create_file_system(
        CreationToken="analytics-scratch", Encrypted=False, Tags=[{"Key": "Name", "Value": "analytics-scratch"}]
    )
    expect("efs.encrypted", shared["FileSystemArn"], "pass")
    expect("efs.encrypted", scratch["FileSystemArn"], "fail")
