"""Log files: stream, gunzip and hash one log file, and judge it against its digest entry.

The SHA-256 is taken over the decompressed bytes of the first gzip member, read in 1 MiB
chunks with a bounded inflate buffer, so memory stays flat whatever the file size. Outcomes,
in the order ``validate-logs`` decides them: not found; not gzip (``invalid format``); bytes
after the gzip stream; hash mismatch. Beyond the CLI: a stream that ends before the gzip end
marker but whose content still hashes right (its trailer was cut off) is ``truncated``.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

from evidence.integrity.errors import ObjectNotFound
from evidence.integrity.models import FindingCode, Verdict
from evidence.integrity.store import ObjectStore, ReadableStream

READ_CHUNK = 1 << 20
_INFLATE_CHUNK = 4 << 20
_GZIP = zlib.MAX_WBITS | 16


@dataclass(frozen=True)
class GunzipHash:
    sha256: str  # hex, of the decompressed bytes
    trailing_data: bool  # bytes follow the end of the first gzip member
    complete: bool  # the gzip end-of-stream marker (and CRC) was reached


def gunzip_sha256(stream: ReadableStream) -> GunzipHash:
    """Hash the decompressed content of a gzip stream; raises zlib.error when it is not gzip."""
    inflater = zlib.decompressobj(_GZIP)
    digest = hashlib.sha256()
    trailing = False
    while chunk := stream.read(READ_CHUNK):
        if inflater.eof:
            trailing = True
            break
        pending = chunk
        while pending and not inflater.eof:
            digest.update(inflater.decompress(pending, _INFLATE_CHUNK))
            pending = inflater.unconsumed_tail
        trailing = bool(inflater.unused_data)
        if trailing:
            break
    digest.update(inflater.flush())
    return GunzipHash(sha256=digest.hexdigest(), trailing_data=trailing, complete=inflater.eof)


@dataclass(frozen=True)
class LogOutcome:
    verdict: Verdict
    code: FindingCode | None  # None when valid
    reason: str
    cli_invalid: bool  # validate-logs reports this log INVALID


_VALID = LogOutcome(Verdict.valid, None, "valid", cli_invalid=False)


def check_log(store: ObjectStore, bucket: str, key: str, expected_sha256: str | None) -> LogOutcome:
    """Fetch ``s3://bucket/key`` and compare its content hash with the digest's ``hashValue``."""
    try:
        stream = store.open(bucket, key)
    except ObjectNotFound:
        return LogOutcome(Verdict.missing, FindingCode.not_found, "not found", cli_invalid=True)
    try:
        result = gunzip_sha256(stream)
    except zlib.error:
        return LogOutcome(Verdict.invalid, FindingCode.invalid_format, "invalid format", cli_invalid=True)
    finally:
        stream.close()
    if result.trailing_data:
        reason = "unexpected data after end of compressed stream"
        return LogOutcome(Verdict.invalid, FindingCode.trailing_data, reason, cli_invalid=True)
    if result.sha256 != expected_sha256:
        return LogOutcome(Verdict.invalid, FindingCode.hash_mismatch, "hash value doesn't match", cli_invalid=True)
    if not result.complete:
        reason = "gzip stream ends before its end-of-stream marker (content hash matches)"
        return LogOutcome(Verdict.invalid, FindingCode.truncated, reason, cli_invalid=False)
    return _VALID
