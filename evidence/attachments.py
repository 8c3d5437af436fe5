"""Manual evidence attached to controls: copied into the pack, hashed, registered, dated.

The register is attachments.json in the pack; the files live under attachments/<control>/. An
attachment older than its control's renewal period (default one year) when the evidence was
collected is flagged stale.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from evidence.models import Attachment, ControlResult, FrameworkResult
from evidence.store import canonical_json, sha256_file

REGISTER = "attachments.json"
FOLDER = "attachments"
MAX_BYTES = 100 * 1024 * 1024
_LIST = TypeAdapter(list[Attachment])


class AttachmentError(Exception):
    """A file cannot be attached as asked."""


def read_register(pack_dir: Path) -> list[Attachment]:
    path = pack_dir / REGISTER
    if not path.is_file():
        return []
    try:
        return _LIST.validate_python(json.loads(path.read_bytes()))
    except (ValueError, ValidationError) as exc:
        raise AttachmentError(f"{path}: not a valid attachments register ({type(exc).__name__})") from None


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"


def attach(
    folder: Path, *, control: str, framework: str | None, source: Path, note: str, attached_by: str,
    known_controls: set[str],
) -> Attachment:
    """Copy `source` into the pack folder being updated and register it."""
    if control not in known_controls:
        raise AttachmentError(f"control {control} is not in this pack's frameworks")
    if not source.is_file():
        raise AttachmentError(f"{source}: no such file")
    if source.stat().st_size > MAX_BYTES:
        raise AttachmentError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    rel = f"{FOLDER}/{_safe_name(control)}/{_safe_name(source.name)}"
    target = folder / rel
    n = 1
    while target.exists():
        n += 1
        rel = f"{FOLDER}/{_safe_name(control)}/{n}-{_safe_name(source.name)}"
        target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    item = Attachment(
        control=control, framework=framework, path=rel, sha256=sha256_file(target), note=note,
        attached_by=attached_by, attached_at=datetime.now(UTC),
    )
    register = [*read_register(folder), item]
    (folder / REGISTER).write_bytes(canonical_json([a.model_dump(mode="json") for a in register]))
    return item


def apply_attachments(
    framework: FrameworkResult, attachments: Sequence[Attachment], collected_at: datetime
) -> FrameworkResult:
    """Each control with the attachments that concern it, stale ones flagged."""
    if not attachments:
        return framework
    updated: list[ControlResult] = []
    for result in framework.controls:
        mine = [a for a in attachments if a.control == result.id and a.framework in (None, framework.id)]
        if mine:
            mine = [a.model_copy(update={"stale": a.attached_at < collected_at - timedelta(days=result.renewal_days)})
                    for a in mine]
            result = result.model_copy(update={"attachments": tuple(mine)})
        updated.append(result)
    return framework.model_copy(update={"controls": tuple(updated)})
