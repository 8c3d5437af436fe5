"""EC2: the EBS default KMS key and snapshot block-public-access, per account and region.

moto stores the default key set by ModifyEbsDefaultKmsKeyId but cannot read it back, and has no
snapshot block-public-access setting at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from moto.core.responses import ActionResult
from moto.ec2.responses import EC2Response

from evidence.demo.patches._hook import install
from evidence.demo.patches._state import attached

AWS_MANAGED_EBS_KEY = "alias/aws/ebs"  # what AWS reports until a customer key is chosen


@dataclass
class SnapshotBlockPublicAccess:
    state: str = "unblocked"


def apply() -> None:
    install(EC2Response, "get_ebs_default_kms_key_id", _get_ebs_default_kms_key_id)
    install(EC2Response, "get_snapshot_block_public_access_state", _get_snapshot_bpa_state)
    install(EC2Response, "enable_snapshot_block_public_access", _enable_snapshot_bpa)
    install(EC2Response, "disable_snapshot_block_public_access", _disable_snapshot_bpa)


def _get_ebs_default_kms_key_id(self: EC2Response) -> ActionResult:
    self.error_on_dryrun()
    return ActionResult({"KmsKeyId": self.ec2_backend.default_kms_key_id or AWS_MANAGED_EBS_KEY})


def _get_snapshot_bpa_state(self: EC2Response) -> ActionResult:
    self.error_on_dryrun()
    setting = attached(self.ec2_backend, SnapshotBlockPublicAccess)
    return ActionResult({"State": setting.state, "ManagedBy": "account"})


def _enable_snapshot_bpa(self: EC2Response) -> ActionResult:
    self.error_on_dryrun()
    setting = attached(self.ec2_backend, SnapshotBlockPublicAccess)
    setting.state = self._get_param("State")
    return ActionResult({"State": setting.state})


def _disable_snapshot_bpa(self: EC2Response) -> ActionResult:
    self.error_on_dryrun()
    setting = attached(self.ec2_backend, SnapshotBlockPublicAccess)
    setting.state = "unblocked"
    return ActionResult({"State": setting.state})
