"""Where digests and log files are read from: S3, or a local copy of a bucket.

:class:`ObjectStore` is the protocol the validator uses (read-only):

* ``list_keys(bucket, prefix, start_after="")`` — keys under ``prefix`` in ascending order,
  strictly after ``start_after`` (S3 ListObjectsV2 semantics), lazily;
* ``open(bucket, key)`` — a binary stream of the stored bytes (read in chunks, then closed);
* ``metadata(bucket, key)`` — the S3 user metadata (``signature``, ``signature-algorithm``, ...),
  or ``None`` when the store cannot know it.

Both ``open`` and ``metadata`` raise :class:`~evidence.integrity.errors.ObjectNotFound` for an
absent object and :class:`~evidence.integrity.errors.StoreAccessError` for any other failure.

:class:`S3Store` reads S3 (ListObjectsV2, GetObject streamed, HeadObject for metadata).

:class:`LocalStore` reads a local copy made with ``aws s3 sync s3://<bucket> <dir>``: the object
``<key>`` is the file ``<dir>/<key>``. ``s3 sync`` does not keep user metadata, so a local copy
alone carries no digest signatures. Signatures are supplied by a metadata sidecar
(:mod:`evidence.integrity.sidecar`) captured from S3 by our own tooling; the sidecar does not
need to be trusted, because a signature only verifies against AWS's public key. Without a
sidecar (or for a digest the sidecar does not list) ``metadata`` returns ``None`` and the
validator still checks everything else — gzip and JSON format, chain hash links, every log
file's SHA-256 — and reports the digest as ``unverified`` ("signature not verified").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from evidence.integrity.errors import ObjectNotFound, StoreAccessError
from evidence.integrity.sidecar import ObjectMetadataIndex

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class ReadableStream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class ObjectStore(Protocol):
    def list_keys(self, bucket: str, prefix: str, start_after: str = "") -> Iterator[str]: ...

    def open(self, bucket: str, key: str) -> ReadableStream: ...

    def metadata(self, bucket: str, key: str) -> Mapping[str, str] | None: ...


class S3Store:
    """An :class:`ObjectStore` over S3. ``client_for_bucket`` returns a boto3 S3 client that can
    read the given bucket (the caller picks its region and credentials). Give the client a
    connection pool as large as the validator's ``workers`` (botocore ``Config(max_pool_connections=...)``)."""

    def __init__(self, client_for_bucket: Callable[[str], Any]) -> None:
        self._client_for_bucket = client_for_bucket

    def list_keys(self, bucket: str, prefix: str, start_after: str = "") -> Iterator[str]:
        params = {"Bucket": bucket, "Prefix": prefix}
        if start_after:
            params["StartAfter"] = start_after
        paginator = self._client_for_bucket(bucket).get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(**params):
                for entry in page.get("Contents", ()):
                    yield entry["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise StoreAccessError(f"Cannot list s3://{bucket}/{prefix}: {exc}") from exc

    def open(self, bucket: str, key: str) -> ReadableStream:
        try:
            response = self._client_for_bucket(bucket).get_object(Bucket=bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise _store_error(bucket, key, exc) from exc
        return _S3Body(response["Body"], bucket, key)

    def metadata(self, bucket: str, key: str) -> Mapping[str, str] | None:
        try:
            response = self._client_for_bucket(bucket).head_object(Bucket=bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise _store_error(bucket, key, exc) from exc
        return dict(response.get("Metadata", {}))


class _S3Body:
    """A GetObject body whose transport failures are store errors, not object damage."""

    def __init__(self, body: Any, bucket: str, key: str) -> None:
        self._body = body
        self._where = f"s3://{bucket}/{key}"

    def read(self, size: int = -1, /) -> bytes:
        try:
            data: bytes = self._body.read(size if size >= 0 else None)
        except BotoCoreError as exc:
            raise StoreAccessError(f"Reading {self._where} failed: {exc}") from exc
        return data

    def close(self) -> None:
        self._body.close()


def _store_error(bucket: str, key: str, exc: ClientError | BotoCoreError) -> Exception:
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _NOT_FOUND_CODES:
        return ObjectNotFound(bucket, key)
    return StoreAccessError(f"Cannot read s3://{bucket}/{key}: {exc}")


class LocalStore:
    """An :class:`ObjectStore` over a local copy of one bucket (``root/<key>``).

    ``metadata`` (a sidecar from :mod:`evidence.integrity.sidecar`) supplies the digests' S3
    user metadata; without it signatures cannot be verified (see the module docstring).
    """

    def __init__(self, root: Path | str, bucket: str, metadata: ObjectMetadataIndex | None = None) -> None:
        self.root = Path(root).resolve()
        self.bucket = bucket
        self._metadata = metadata
        if metadata is not None and metadata.bucket != bucket:
            raise StoreAccessError(f"The metadata sidecar describes bucket {metadata.bucket}, not {bucket}")

    def list_keys(self, bucket: str, prefix: str, start_after: str = "") -> Iterator[str]:
        self._check_bucket(bucket)
        folder = self.root / prefix.rpartition("/")[0]
        keys: list[str] = []
        for directory, _, files in os.walk(folder):
            relative = Path(directory).relative_to(self.root).as_posix()
            base = "" if relative == "." else f"{relative}/"
            keys.extend(key for name in files if (key := base + name).startswith(prefix) and key > start_after)
        yield from sorted(keys)

    def open(self, bucket: str, key: str) -> ReadableStream:
        path = self._path(bucket, key)
        try:
            return path.open("rb")
        except FileNotFoundError as exc:
            raise ObjectNotFound(bucket, key) from exc
        except OSError as exc:
            raise StoreAccessError(f"Cannot read {path}: {exc}") from exc

    def metadata(self, bucket: str, key: str) -> Mapping[str, str] | None:
        path = self._path(bucket, key)
        if not path.is_file():
            raise ObjectNotFound(bucket, key)
        return None if self._metadata is None else self._metadata.objects.get(key)

    def _check_bucket(self, bucket: str) -> None:
        if bucket != self.bucket:
            raise StoreAccessError(f"Bucket {bucket} is not in the local copy (it holds {self.bucket})")

    def _path(self, bucket: str, key: str) -> Path:
        self._check_bucket(bucket)
        path = (self.root / key).resolve()
        # A key naming a place outside the copy (../) cannot be an object of this bucket.
        if not key or not path.is_relative_to(self.root) or path == self.root:
            raise ObjectNotFound(bucket, key)
        return path
