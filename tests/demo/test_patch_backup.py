"""The AWS Backup patch: selections, vault access policies, backup jobs and protected resources."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from evidence.demo.emulator import Emulator, emulator_credentials

REGION = "ap-northeast-1"
ROLE = "arn:aws:iam::123456789012:role/backup"
TABLE = f"arn:aws:dynamodb:{REGION}:123456789012:table/patch-test"


def backup(emulator: Emulator) -> Any:
    session = boto3.Session(region_name=REGION, **emulator_credentials())
    return session.client("backup", endpoint_url=emulator.endpoint_url)


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def test_selections_round_trip(emulator: Emulator) -> None:
    client = backup(emulator)
    plan_id = client.create_backup_plan(BackupPlan={"BackupPlanName": "patch-selections", "Rules": [
        {"RuleName": "r", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 5 ? * * *)"}]})[
        "BackupPlanId"]
    document = {"SelectionName": "tables", "IamRoleArn": ROLE, "Resources": [TABLE], "NotResources": []}
    created = client.create_backup_selection(BackupPlanId=plan_id, BackupSelection=document)
    listed = [s for page in client.get_paginator("list_backup_selections").paginate(BackupPlanId=plan_id)
              for s in page["BackupSelectionsList"]]
    assert [(s["SelectionId"], s["SelectionName"], s["IamRoleArn"]) for s in listed] == [
        (created["SelectionId"], "tables", ROLE)]
    got = client.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert got["BackupSelection"]["Resources"] == [TABLE]
    with pytest.raises(ClientError) as missing:
        client.get_backup_selection(BackupPlanId=plan_id, SelectionId="no-such-selection")
    assert error_code(missing) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as empty:
        client.create_backup_selection(BackupPlanId=plan_id, BackupSelection={"SelectionName": "e", "IamRoleArn": ROLE})
    assert error_code(empty) == "InvalidParameterValueException"


def test_vault_access_policy(emulator: Emulator) -> None:
    client = backup(emulator)
    arn = client.create_backup_vault(BackupVaultName="patch-policy")["BackupVaultArn"]
    with pytest.raises(ClientError) as none:
        client.get_backup_vault_access_policy(BackupVaultName="patch-policy")
    assert error_code(none) == "ResourceNotFoundException"
    policy = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "backup:DeleteRecoveryPoint",
                                        "Resource": "*"}]})
    client.put_backup_vault_access_policy(BackupVaultName="patch-policy", Policy=policy)
    got = client.get_backup_vault_access_policy(BackupVaultName="patch-policy")
    assert (got["BackupVaultArn"], got["Policy"]) == (arn, policy)


def test_backup_job_makes_a_protected_resource(emulator: Emulator) -> None:
    client = backup(emulator)
    vault = client.create_backup_vault(BackupVaultName="patch-jobs")["BackupVaultArn"]
    first = client.start_backup_job(BackupVaultName="patch-jobs", ResourceArn=TABLE, IamRoleArn=ROLE)
    second = client.start_backup_job(BackupVaultName="patch-jobs", ResourceArn=TABLE, IamRoleArn=ROLE)
    assert first["RecoveryPointArn"] != second["RecoveryPointArn"]
    [resource] = [r for page in client.get_paginator("list_protected_resources").paginate() for r in page["Results"]
                  if r["ResourceArn"] == TABLE]
    assert resource["ResourceType"] == "DynamoDB"
    assert resource["ResourceName"] == "patch-test"
    assert resource["LastBackupVaultArn"] == vault
    assert resource["LastRecoveryPointArn"] == second["RecoveryPointArn"]
    assert resource["LastBackupTime"] >= first["CreationDate"]
    counts = {v["BackupVaultName"]: v["NumberOfRecoveryPoints"] for v in client.list_backup_vaults()["BackupVaultList"]}
    assert counts["patch-jobs"] == 2
