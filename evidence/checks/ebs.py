"""EBS checks: encryption by default, encrypted volumes and snapshots, no public snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, judged, passed, regional_account_arn, unknown
from evidence.checks.network import by_place
from evidence.models import Evidence, Finding
from evidence.registry import check

BLOCKING_STATES = ("block-all-sharing", "block-new-sharing")


def volume_arn(ev: Evidence, volume_id: str) -> str:
    return f"arn:aws:ec2:{ev.region}:{ev.account_id}:volume/{volume_id}"


def snapshot_arn(ev: Evidence, snapshot: dict[str, Any]) -> str:
    return f"arn:aws:ec2:{ev.region}:{snapshot.get('OwnerId') or ev.account_id}:snapshot/{snapshot['SnapshotId']}"


@check("ebs.default_encryption_enabled", needs="ec2.ebs_encryption_by_default", severity="medium")
def default_encryption_enabled(settings: tuple[Evidence, ...]) -> Iterator[Finding]:
    """New EBS volumes are encrypted by default in every region."""
    for ev in settings:
        data = ev.data or {}
        key = data.get("KmsKeyId") or "the default key"
        yield judged(ev, regional_account_arn(ev, "ec2"), bool(data.get("EbsEncryptionByDefault")),
                     f"EBS encryption by default is on in {ev.region}, with {key}.",
                     f"EBS encryption by default is off in {ev.region}.")


@check("ebs.volume_encrypted", needs=("ec2.volumes", "ec2.snapshots"), severity="high")
def volume_encrypted(volumes: tuple[Evidence, ...], snapshots: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every EBS volume and every snapshot the account owns is encrypted.

    Unattached volumes are judged too: they still hold data at rest.
    """
    for ev in volumes:
        for v in ev.data or []:
            attached = ", ".join(a.get("InstanceId", "?") for a in v.get("Attachments", [])) or "no instance"
            yield judged(ev, volume_arn(ev, v["VolumeId"]), bool(v.get("Encrypted")),
                         f"The volume is encrypted (key {v.get('KmsKeyId', 'default')}).",
                         f"Volume {v['VolumeId']} (attached to {attached}) is not encrypted.")
    for ev in snapshots:
        for s in ev.data or []:
            yield judged(ev, snapshot_arn(ev, s), bool(s.get("Encrypted")), "The snapshot is encrypted.",
                         f"Snapshot {s['SnapshotId']} of {s.get('VolumeId', 'an unknown volume')} is not encrypted.")


@check(
    "ec2.ebs_snapshot_not_public",
    needs=("ec2.snapshots", "ec2.snapshot_block_public_access"),
    severity="critical",
)
def ebs_snapshot_not_public(snapshots: tuple[Evidence, ...], blocks: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No snapshot the account owns can be restored by everyone, and snapshot block public access is on."""
    states = {place: (ev.data or {}).get("State") for place, ev in by_place(blocks).items()}
    for ev in blocks:
        state = states[(ev.account_id, ev.region)] or "unknown"
        yield judged(ev, regional_account_arn(ev, "ec2"), state in BLOCKING_STATES,
                     f"Snapshot block public access is {state} in {ev.region}.",
                     f"Snapshot block public access is {state} in {ev.region}, so snapshots can be made public.")
    for ev in snapshots:
        state = states.get((ev.account_id, ev.region))
        for s in ev.data or []:
            arn = snapshot_arn(ev, s)
            public = any(p.get("Group") == "all" for p in s.get("CreateVolumePermissions", []))
            if public and state == "block-all-sharing":
                yield passed(ev, arn, "The snapshot is shared with everyone, but block public access "
                                      "(block-all-sharing) stops public use.")
            elif public:
                yield failed(ev, arn, f"Snapshot {s['SnapshotId']} can be restored by any AWS account.")
            elif "CreateVolumePermissions" in s.get("errors", {}):
                yield unknown(ev, arn, "Who may restore the snapshot could not be read "
                                       f"({s['errors']['CreateVolumePermissions']}).")
            else:
                yield passed(ev, arn, "The snapshot is not shared publicly.")
