"""AWS Backup: plan selections, vault access policies, backup jobs and protected resources.

moto keeps plans and vaults but has no resource assignments, no vault access policy and no
recovery points. This patch adds CreateBackupSelection, GetBackupSelection and
ListBackupSelections; Put/GetBackupVaultAccessPolicy; StartBackupJob, which completes at once
and leaves a recovery point in the vault; and ListProtectedResources, built from those
recovery points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.backup import urls
from moto.backup.exceptions import ResourceNotFoundException
from moto.backup.models import BackupBackend
from moto.backup.responses import BackupResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed
from evidence.demo.patches._state import attached

_ROUTES = {
    "{0}/backup-vaults/(?P<name>[^/]+)/access-policy/?$": BackupResponse.dispatch,
    "{0}/backup-jobs/?$": BackupResponse.dispatch,
    "{0}/resources/?$": BackupResponse.dispatch,
}
# ARN fragment -> the resource type AWS Backup reports.
_RESOURCE_TYPES = (
    (":dynamodb:", "DynamoDB"),
    (":rds:", "RDS"),
    (":ec2:", "EC2"),
    (":elasticfilesystem:", "EFS"),
    (":fsx:", "FSx"),
    (":s3:", "S3"),
)


class InvalidParameterValueException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameterValueException", message)


@dataclass(frozen=True)
class Selection:
    selection_id: str
    plan_id: str
    document: dict[str, Any]
    creator_request_id: str | None
    created: datetime

    def summary(self) -> dict[str, Any]:
        return {
            "SelectionId": self.selection_id,
            "SelectionName": self.document.get("SelectionName"),
            "BackupPlanId": self.plan_id,
            "CreationDate": self.created,
            "CreatorRequestId": self.creator_request_id,
            "IamRoleArn": self.document.get("IamRoleArn"),
        }


@dataclass(frozen=True)
class RecoveryPoint:
    arn: str
    resource_arn: str
    vault_arn: str
    created: datetime


@dataclass
class BackupState:
    selections: dict[str, dict[str, Selection]] = field(default_factory=dict)  # plan id -> selection id -> ...
    vault_policies: dict[str, str] = field(default_factory=dict)
    recovery_points: list[RecoveryPoint] = field(default_factory=list)


def apply() -> None:
    for pattern, handler in _ROUTES.items():
        urls.url_paths.setdefault(pattern, handler)
    install(BackupResponse, "create_backup_selection", _create_backup_selection)
    install(BackupResponse, "get_backup_selection", _get_backup_selection)
    install(BackupResponse, "list_backup_selections", _list_backup_selections)
    install(BackupResponse, "put_backup_vault_access_policy", _put_backup_vault_access_policy)
    install(BackupResponse, "get_backup_vault_access_policy", _get_backup_vault_access_policy)
    install(BackupResponse, "start_backup_job", _start_backup_job)
    install(BackupResponse, "list_protected_resources", _list_protected_resources)


def _state(backend: BackupBackend) -> BackupState:
    return attached(backend, BackupState)


def _plan_selections(backend: BackupBackend, plan_id: str) -> dict[str, Selection]:
    backend.get_backup_plan(plan_id, None)  # ResourceNotFoundException for an unknown plan
    return _state(backend).selections.setdefault(plan_id, {})


def _create_backup_selection(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    document = params["BackupSelection"]
    if not document.get("Resources") and not document.get("ListOfTags"):
        raise InvalidParameterValueException("A selection needs Resources or ListOfTags.")
    selections = _plan_selections(self.backup_backend, params["BackupPlanId"])
    selection = Selection(
        selection_id=str(mock_random.uuid4()),
        plan_id=params["BackupPlanId"],
        document=document,
        creator_request_id=params.get("CreatorRequestId"),
        created=datetime.now(UTC),
    )
    selections[selection.selection_id] = selection
    return ActionResult(
        {"SelectionId": selection.selection_id, "BackupPlanId": selection.plan_id, "CreationDate": selection.created}
    )


def _get_backup_selection(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    selection = _plan_selections(self.backup_backend, params["BackupPlanId"]).get(params["SelectionId"])
    if selection is None:
        raise ResourceNotFoundException(f"Backup selection {params['SelectionId']} not found")
    return ActionResult({
        "BackupSelection": selection.document,
        "SelectionId": selection.selection_id,
        "BackupPlanId": selection.plan_id,
        "CreationDate": selection.created,
        "CreatorRequestId": selection.creator_request_id,
    })


def _list_backup_selections(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    selections = sorted(_plan_selections(self.backup_backend, params["BackupPlanId"]).values(),
                        key=lambda s: (s.created, s.selection_id))
    shown, token = page(selections, params.get("MaxResults"), params.get("NextToken"), default_limit=1000,
                        invalid_token=lambda: InvalidParameterValueException("The NextToken is not valid."))
    return ActionResult({"BackupSelectionsList": [s.summary() for s in shown], "NextToken": token})


def _put_backup_vault_access_policy(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    vault = self.backup_backend.describe_backup_vault(params["BackupVaultName"])
    _state(self.backup_backend).vault_policies[vault.backup_vault_name] = params["Policy"]
    return ActionResult({})


def _get_backup_vault_access_policy(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    vault = self.backup_backend.describe_backup_vault(params["BackupVaultName"])
    policy = _state(self.backup_backend).vault_policies.get(vault.backup_vault_name)
    if policy is None:
        raise ResourceNotFoundException(f"Backup vault {vault.backup_vault_name} has no access policy")
    return ActionResult(
        {"BackupVaultName": vault.backup_vault_name, "BackupVaultArn": vault.backup_vault_arn, "Policy": policy}
    )


def _start_backup_job(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    backend = self.backup_backend
    vault = backend.describe_backup_vault(params["BackupVaultName"])
    point = RecoveryPoint(
        arn=f"arn:{self.partition}:backup:{self.region}:{self.current_account}:recovery-point:{mock_random.uuid4()}",
        resource_arn=params["ResourceArn"],
        vault_arn=vault.backup_vault_arn,
        created=datetime.now(UTC),
    )
    _state(backend).recovery_points.append(point)
    vault.num_of_recovery_points += 1
    return ActionResult(
        {"BackupJobId": str(mock_random.uuid4()), "RecoveryPointArn": point.arn, "CreationDate": point.created,
         "IsParent": False}
    )


def _resource_type(arn: str) -> str:
    if ":rds:" in arn and ":cluster:" in arn:
        return "Aurora"
    return next((kind for fragment, kind in _RESOURCE_TYPES if fragment in arn), arn.split(":")[2])


def _list_protected_resources(self: BackupResponse) -> ActionResult:
    params = parsed(self)
    latest: dict[str, RecoveryPoint] = {}
    for point in _state(self.backup_backend).recovery_points:
        if point.resource_arn not in latest or point.created >= latest[point.resource_arn].created:
            latest[point.resource_arn] = point
    results = [
        {
            "ResourceArn": arn,
            "ResourceType": _resource_type(arn),
            "LastBackupTime": point.created,
            "ResourceName": arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1],
            "LastBackupVaultArn": point.vault_arn,
            "LastRecoveryPointArn": point.arn,
        }
        for arn, point in sorted(latest.items())
    ]
    shown, token = page(results, params.get("MaxResults"), params.get("NextToken"), default_limit=1000,
                        invalid_token=lambda: InvalidParameterValueException("The NextToken is not valid."))
    return ActionResult({"Results": shown, "NextToken": token})
