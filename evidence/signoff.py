"""The security lead's sign-off: a decision bound to the pack's content.

The sign-off records a digest of everything the decision is about — the evidence, the collection
record, pack.json and any attachments — that is, every file of the manifest except the rendered
reports (which are re-rendered to show the sign-off) and the sign-off itself. Any later change to
that content makes the sign-off visibly invalid in `verify` and on the PDF's sign-off page.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import ValidationError

from evidence.models import Frozen, Manifest, SignOffView
from evidence.pipeline import REPORT_SUFFIXES
from evidence.store import read_manifest

SIGNOFF = "signoff.json"
RENDERED_SUFFIXES = tuple(REPORT_SUFFIXES.values())


class SignOffError(Exception):
    """A sign-off cannot be recorded or read."""


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class SignOff(Frozen):
    name: str
    role: str
    decision: Decision
    comment: str = ""
    signed_at: datetime
    content_digest: str
    pack_id: str
    manifest_signed_by: str | None = None


def is_rendered(rel: str) -> bool:
    return "/" not in rel and rel.endswith(RENDERED_SUFFIXES)


def content_digest(manifest: Manifest) -> str:
    h = hashlib.sha256()
    for rel in sorted(manifest.files):
        if rel == SIGNOFF or is_rendered(rel):
            continue
        h.update(f"{manifest.files[rel].sha256}  {rel}\n".encode())
    return h.hexdigest()


def make_signoff(
    pack_dir: Path, *, name: str, role: str, decision: Decision, comment: str, signed_by: str | None
) -> SignOff:
    if not name.strip() or not role.strip():
        raise SignOffError("a sign-off needs the signer's --name and --role")
    manifest = read_manifest(pack_dir)
    return SignOff(
        name=name.strip(), role=role.strip(), decision=decision, comment=comment, signed_at=datetime.now(UTC),
        content_digest=content_digest(manifest), pack_id=manifest.evidence_digest, manifest_signed_by=signed_by,
    )


def read_signoff(pack_dir: Path) -> SignOff | None:
    path = pack_dir / SIGNOFF
    if not path.is_file():
        return None
    try:
        return SignOff.model_validate(json.loads(path.read_bytes()))
    except (ValueError, ValidationError) as exc:
        raise SignOffError(f"{path}: not a valid sign-off record ({type(exc).__name__})") from None


def signoff_view(pack_dir: Path) -> SignOffView | None:
    """What the sign-off page shows: the decision, and whether it still matches the pack."""
    record = read_signoff(pack_dir)
    if record is None:
        return None
    return signoff_view_of(record, valid=content_digest(read_manifest(pack_dir)) == record.content_digest)


def signoff_view_of(record: SignOff, *, valid: bool) -> SignOffView:
    return SignOffView(
        name=record.name, role=record.role, decision=record.decision.value, comment=record.comment,
        signed_at=record.signed_at, content_digest=record.content_digest, valid=valid,
        note="The pack is unchanged since this sign-off." if valid
        else "INVALID: the evidence, pack.json or attachments changed after this sign-off.",
    )
