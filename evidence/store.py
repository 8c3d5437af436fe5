"""The pack folder: canonical JSON, the SHA-256 manifest, atomic writes, and verification.

A pack is always written into a hidden temporary folder beside its destination and renamed into
place once complete, with manifest.json written last: a folder that `verify` accepts is a finished
pack. Updating a pack (evaluate, report) copies it, changes the copy, and swaps it in.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from evidence.models import (
    SCHEMA_VERSION,
    CollectionInfo,
    Evidence,
    EvidenceRef,
    Manifest,
    ManifestEntry,
    Pack,
)
from evidence.version import TOOL_VERSION

M = TypeVar("M", bound=BaseModel)

MANIFEST = "manifest.json"
COLLECTION = "collection.json"
PACK_JSON = "pack.json"
EVIDENCE_DIR = "evidence"
# Files that sit beside the manifest and are bound to it, so cannot be listed in it.
SIGNATURE = "manifest.sig.json"
UNLISTED = frozenset({MANIFEST, SIGNATURE})


class StoreError(Exception):
    """A pack folder cannot be read or written as asked."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, UTC timestamps, UTF-8, two-space indent, final newline."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, default=_default) + "\n").encode()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def evidence_relpath(ev: Evidence) -> str:
    return f"{EVIDENCE_DIR}/{ev.account_id}/{ev.region}/{ev.key}.json"


def write_file(root: Path, relpath: str, data: bytes) -> str:
    """Write a file of the pack; a reader (or a resumed run) never sees it half-written."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return sha256_bytes(data)


def write_evidence(root: Path, ev: Evidence) -> EvidenceRef:
    rel = evidence_relpath(ev)
    digest = write_file(root, rel, canonical_json(ev))
    return EvidenceRef(
        path=rel,
        key=ev.key,
        account_id=ev.account_id,
        region=ev.region,
        collected_at=ev.collected_at,
        api_calls=ev.api_calls,
        sha256=digest,
        error=ev.error,
    )


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _listed_files(root: Path) -> Iterator[str]:
    """Every entry of the folder but its subfolders: links and special files too, so `verify` sees them."""
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_dir():
            rel = path.relative_to(root).as_posix()
            if rel not in UNLISTED:
                yield rel


def evidence_digest(files: Mapping[str, ManifestEntry]) -> str:
    """The pack id: one SHA-256 over the collected evidence and the collection record."""
    h = hashlib.sha256()
    for rel in sorted(files):
        if rel == COLLECTION or rel.startswith(EVIDENCE_DIR + "/"):
            h.update(f"{files[rel].sha256}  {rel}\n".encode())
    return h.hexdigest()


def build_manifest(root: Path) -> Manifest:
    files = {rel: ManifestEntry(sha256=sha256_file(root / rel), size=(root / rel).stat().st_size)
             for rel in _listed_files(root) if _regular(root / rel)}
    return Manifest(
        tool_version=TOOL_VERSION,
        written_at=datetime.now(UTC),
        evidence_digest=evidence_digest(files),
        files=files,
    )


def pack_id_of(root: Path) -> str:
    """The pack id of a folder being written (same value the manifest will carry)."""
    files = {rel: ManifestEntry(sha256=sha256_file(root / rel), size=0)
             for rel in _listed_files(root)
             if (rel == COLLECTION or rel.startswith(EVIDENCE_DIR + "/")) and _regular(root / rel)}
    return evidence_digest(files)


def _check_destination(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise StoreError(f"{dest} is a file, not a folder: choose another --out")
    if dest.exists() and any(dest.iterdir()):
        raise StoreError(f"{dest} already exists and is not empty: choose another --out")
    parent = dest.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(f"cannot create {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise StoreError(f"cannot write to {parent}: permission denied")


def _check_only_files(root: Path) -> None:
    """A pack holds files and folders only: a link or a device would be followed by the copy (to /dev/zero...)."""
    for path in root.rglob("*"):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise StoreError(f"{path}: not a regular file; a pack holds only files (run `evidence verify {root}`)")


@contextmanager
def staged_pack(dest: Path, *, update: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success write its manifest and move it to `dest` atomically.

    With `update=True` the existing pack at `dest` is copied first and replaced at the end.
    On any error the temporary folder is removed and `dest` is untouched.
    """
    dest = dest.resolve()
    if update:
        if not (dest / MANIFEST).is_file():
            raise StoreError(f"{dest} is not an evidence pack (no {MANIFEST})")
        _check_only_files(dest)
    else:
        _check_destination(dest)
    tmp = dest.parent / f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        if update:
            # without its manifest: even a copy killed just after it completes is not a pack `verify` accepts
            shutil.copytree(dest, tmp, ignore=lambda folder, _: [MANIFEST] if Path(folder) == dest else [])
        else:
            tmp.mkdir()
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"cannot write to {dest.parent}: {exc.strerror or 'the pack could not be copied'}") from None
    try:
        try:
            yield tmp
        except StoreError as exc:  # name the pack, not the temporary copy being changed
            raise StoreError(str(exc).replace(str(tmp), str(dest))) from None
        (tmp / MANIFEST).write_bytes(canonical_json(build_manifest(tmp)))
        if update:
            old = dest.parent / f".{dest.name}.old-{uuid.uuid4().hex[:8]}"
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if dest.exists():
                dest.rmdir()
            tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


RESUME_STATE = "resume.json"


def partial_folder(dest: Path) -> Path:
    dest = dest.resolve()
    return dest.parent / f".{dest.name}.partial"


@contextmanager
def collecting_pack(dest: Path, *, resume: bool = False) -> Iterator[Path]:
    """Like `staged_pack`, in a folder that survives an interruption so `--resume` can continue it.

    The folder is kept when the run stops with evidence already collected (Ctrl-C, a crash,
    expired credentials) and removed when nothing was collected yet. It has no manifest, so
    `verify` never accepts it.
    """
    dest = dest.resolve()
    _check_destination(dest)
    work = partial_folder(dest)
    if work.exists() and not resume:
        raise StoreError(
            f"an interrupted collection for {dest.name} is in {work}: continue it with --resume, or delete it"
        )
    try:
        work.mkdir(exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot write to {dest.parent}: {exc.strerror}") from None
    try:
        yield work
        (work / RESUME_STATE).unlink(missing_ok=True)
        for stray in work.rglob(".*.tmp"):
            stray.unlink()
        (work / MANIFEST).write_bytes(canonical_json(build_manifest(work)))
        if dest.exists():
            dest.rmdir()
        work.rename(dest)
    except BaseException:
        if not any((work / EVIDENCE_DIR).rglob("*.json")):
            shutil.rmtree(work, ignore_errors=True)
        raise


def collected_units(root: Path) -> set[tuple[str, str, str]]:
    """(account, region, key) of every complete, readable snapshot already in a folder."""
    return {(ev.account_id, ev.region, ev.key) for ev in _collected(root)}


def collected_counts(root: Path) -> dict[str, tuple[int, int]]:
    """Account -> (snapshots, gaps) of the complete, readable snapshots already in a folder."""
    counts: dict[str, tuple[int, int]] = {}
    for ev in _collected(root):
        taken, gaps = counts.get(ev.account_id, (0, 0))
        counts[ev.account_id] = (taken + 1, gaps + (ev.error is not None))
    return counts


def _collected(root: Path) -> Iterator[Evidence]:
    base = root / EVIDENCE_DIR
    for path in base.rglob("*.json") if base.is_dir() else ():
        try:
            yield Evidence.model_validate_json(path.read_bytes())
        except (ValidationError, ValueError):
            continue


# --------------------------------------------------------------------------- reading


def _read_model(path: Path, model: type[M]) -> M:
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise StoreError(f"{path}: not a regular file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"{path.parent} is not a complete pack: {path.name} is missing") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))  # a pack is UTF-8: json.loads would also take UTF-16 and UTF-32
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not valid JSON (not UTF-8 text)") from None
    except RecursionError:
        raise StoreError(f"{path}: not valid JSON (nested too deeply)") from None
    if isinstance(data, dict):
        _check_schema(path, data.get("schema_version", SCHEMA_VERSION), data.get("tool_version"))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StoreError(f"{path}: {where + ': ' if where else ''}{first['msg']}") from None


def _check_schema(path: Path, version: Any, tool_version: Any) -> None:
    if version == SCHEMA_VERSION:
        return
    if type(version) is not int:
        raise StoreError(f"{path}: schema_version {version!r} is not a pack schema version")
    by = f" ({tool_version})" if isinstance(tool_version, str) else ""
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: written by a newer evidence{by} with pack schema {version}; this one reads "
                         f"schema {SCHEMA_VERSION}: upgrade evidence to read it")
    raise StoreError(f"{path}: written by an older evidence{by} with pack schema {version}; this one reads "
                     f"schema {SCHEMA_VERSION}: read it with the version that wrote it")


def read_manifest(root: Path) -> Manifest:
    return _read_model(root / MANIFEST, Manifest)


def read_collection(root: Path) -> CollectionInfo:
    return _read_model(root / COLLECTION, CollectionInfo)


def read_pack(root: Path) -> Pack:
    return _read_model(root / PACK_JSON, Pack)


def read_evidence(root: Path) -> tuple[tuple[Evidence, ...], tuple[EvidenceRef, ...]]:
    base = root / EVIDENCE_DIR
    if not base.is_dir():
        raise StoreError(f"{root} is not a pack: no {EVIDENCE_DIR}/ folder")
    items: list[Evidence] = []
    refs: list[EvidenceRef] = []
    for path in sorted(base.rglob("*.json")):
        ev = _read_model(path, Evidence)
        raw = path.read_bytes()
        items.append(ev)
        refs.append(
            EvidenceRef(
                path=path.relative_to(root).as_posix(),
                key=ev.key,
                account_id=ev.account_id,
                region=ev.region,
                collected_at=ev.collected_at,
                api_calls=ev.api_calls,
                sha256=sha256_bytes(raw),
                error=ev.error,
            )
        )
    return tuple(items), tuple(refs)


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    digest_ok: bool
    canonical: bool = True  # manifest.json is byte for byte what evidence writes for its content

    @property
    def ok(self) -> bool:
        return self.digest_ok and self.canonical and not (self.changed or self.missing or self.extra)


def verify(root: Path) -> VerifyResult:
    """Re-hash every file of the pack against manifest.json."""
    if not root.is_dir():
        raise StoreError(f"{root} is not a folder")
    manifest = read_manifest(root)
    present = set(_listed_files(root))
    changed: list[str] = []
    missing: list[str] = []
    for rel, entry in sorted(manifest.files.items()):
        path = root / rel
        if rel not in present:
            missing.append(rel)
        elif not _regular(path) or path.stat().st_size != entry.size or sha256_file(path) != entry.sha256:
            changed.append(rel)
    extra = sorted(present - set(manifest.files))
    return VerifyResult(
        checked=len(manifest.files),
        changed=tuple(changed),
        missing=tuple(missing),
        extra=tuple(extra),
        digest_ok=evidence_digest(manifest.files) == manifest.evidence_digest,
        canonical=(root / MANIFEST).read_bytes() == canonical_json(manifest),
    )
