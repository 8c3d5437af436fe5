"""Amazon EFS checks: file systems are encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import judged
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("efs.encrypted", needs="efs.file_systems", severity="high")
def encrypted(file_systems: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every EFS file system is encrypted at rest."""
    for ev in file_systems:
        for fs in ev.data or []:
            yield judged(ev, fs["FileSystemArn"], bool(fs.get("Encrypted")),
                         f"The file system is encrypted (key {fs.get('KmsKeyId') or 'aws/elasticfilesystem'}).",
                         f"File system {fs.get('Name') or fs['FileSystemId']} is not encrypted at rest.")
