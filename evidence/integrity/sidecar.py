"""A metadata sidecar: the S3 user metadata of a bucket's digest files, for local validation.

``aws s3 sync`` copies object bytes but not user metadata, and CloudTrail keeps each digest's
signature in its metadata (``signature``, ``signature-algorithm``). To verify signatures over a
local copy, capture the metadata from S3 once with :func:`capture_digest_metadata` (HeadObject
on each digest of the period), :meth:`ObjectMetadataIndex.write` it next to the copy, and give
it to :class:`~evidence.integrity.store.LocalStore`.

The sidecar needs no protection of its own: a forged signature does not verify against AWS's
public key, and a removed entry only makes that digest ``unverified``. File format (JSON)::

    {"format": "evidence.s3-object-metadata/1", "bucket": "<bucket>",
     "captured_at": "<UTC ISO 8601>",
     "objects": {"<key>": {"signature": "<hex>", "signature-algorithm": "SHA256withRSA"}}}
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from evidence.integrity.errors import IntegrityError
from evidence.integrity.layout import list_digest_keys
from evidence.integrity.models import TimeRange, TrailScope

if TYPE_CHECKING:
    from evidence.integrity.store import ObjectStore

SIDECAR_FORMAT: Literal["evidence.s3-object-metadata/1"] = "evidence.s3-object-metadata/1"


class SidecarError(IntegrityError):
    """A metadata sidecar that cannot be read."""


class ObjectMetadataIndex(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["evidence.s3-object-metadata/1"] = SIDECAR_FORMAT
    bucket: str
    captured_at: AwareDatetime
    objects: dict[str, dict[str, str]]

    @classmethod
    def load(cls, path: Path | str) -> ObjectMetadataIndex:
        try:
            return cls.model_validate_json(Path(path).read_bytes())
        except (OSError, ValidationError) as exc:
            raise SidecarError(f"Cannot read the metadata sidecar {path}: {exc}") from exc

    def write(self, path: Path | str) -> None:
        Path(path).write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")


def capture_digest_metadata(
    store: ObjectStore, scope: TrailScope, period: TimeRange, *, captured_at: datetime | None = None
) -> ObjectMetadataIndex:
    """Read the S3 user metadata of every digest (standard and backfill) of ``scope`` in ``period``."""
    standard, backfill = list_digest_keys(store, scope, scope.bucket, period)
    objects: dict[str, dict[str, str]] = {}
    for digest in standard + backfill:
        metadata = store.metadata(scope.bucket, digest.key)
        if metadata is not None:
            objects[digest.key] = dict(metadata)
    return ObjectMetadataIndex(bucket=scope.bucket, captured_at=captured_at or datetime.now(UTC), objects=objects)
