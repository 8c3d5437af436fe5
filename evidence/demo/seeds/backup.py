"""AWS Backup: a daily plan that backs up the orders table into a deletion-proof vault; a weekly,
short-lived plan whose tagged table has never been backed up, into a vault anyone may empty."""

from __future__ import annotations

import json

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder
from evidence.demo.seeds.dynamodb import ORDERS_TABLE, SESSIONS_TABLE

BACKUP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole"
DENY_DELETION = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NoDeletingRecoveryPoints", "Effect": "Deny", "Principal": {"AWS": "*"},
                   "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
                   "Resource": "*"}],
}


@seeder
def seed_backup(aws: Clients) -> None:
    home = aws("backup", HOME)
    central = home.create_backup_vault(BackupVaultName="central-vault")["BackupVaultArn"]
    home.put_backup_vault_access_policy(BackupVaultName="central-vault", Policy=json.dumps(DENY_DELETION))
    daily = home.create_backup_plan(BackupPlan={"BackupPlanName": "daily-35-days", "Rules": [{
        "RuleName": "daily", "TargetBackupVaultName": "central-vault", "ScheduleExpression": "cron(0 5 ? * * *)",
        "Lifecycle": {"DeleteAfterDays": 35},
    }]})
    home.create_backup_selection(BackupPlanId=daily["BackupPlanId"], BackupSelection={
        "SelectionName": "orders", "IamRoleArn": BACKUP_ROLE, "Resources": [ORDERS_TABLE]})
    home.start_backup_job(BackupVaultName="central-vault", ResourceArn=ORDERS_TABLE, IamRoleArn=BACKUP_ROLE)

    eu = aws("backup", OTHER)
    scratch = eu.create_backup_vault(BackupVaultName="scratch-vault")["BackupVaultArn"]
    weekly = eu.create_backup_plan(BackupPlan={"BackupPlanName": "weekly-7-days", "Rules": [{
        "RuleName": "weekly", "TargetBackupVaultName": "scratch-vault", "ScheduleExpression": "cron(0 3 ? * SUN *)",
        "Lifecycle": {"DeleteAfterDays": 7},
    }]})
    eu.create_backup_selection(BackupPlanId=weekly["BackupPlanId"], BackupSelection={
        "SelectionName": "tagged-weekly", "IamRoleArn": BACKUP_ROLE,
        "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "weekly"}]})

    expect("backup.resources_protected_by_plan", ORDERS_TABLE, "pass")
    expect("backup.resources_protected_by_plan", SESSIONS_TABLE, "fail")
    expect("backup.plan_frequency_retention", daily["BackupPlanArn"], "pass")
    expect("backup.plan_frequency_retention", weekly["BackupPlanArn"], "fail")
    expect("backup.recovery_points_deletion_protected", central, "pass")
    expect("backup.recovery_points_deletion_protected", scratch, "fail")
