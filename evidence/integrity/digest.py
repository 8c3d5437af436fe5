"""One digest file: read it and judge it on its own (its chain links are judged in :mod:`.chain`).

:func:`evaluate_digest` reproduces the checks of ``aws cloudtrail validate-logs`` in the CLI's
order, with its reasons (``cli_failure``), then adds the stricter checks the CLI skips
(``strict``): bytes after the gzip stream, a signature hash other than SHA-256, a declared
algorithm other than SHA256withRSA. A digest whose signature cannot be checked (no metadata,
no public keys) is still checked for everything else and marked ``unavailable``.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from evidence.integrity.keys import PublicKey
from evidence.integrity.models import FindingCode
from evidence.integrity.signature import (
    EXPECTED_ALGORITHM,
    EXPECTED_HASH,
    WEAK_HASHES,
    string_to_sign,
    verify,
)

_GZIP = zlib.MAX_WBITS | 16
_REQUIRED = (
    "digestPublicKeyFingerprint",
    "digestS3Bucket",
    "digestS3Object",
    "previousDigestSignature",
    "digestEndTime",
    "digestStartTime",
)
_INVALID_FORMAT = "invalid format"
NO_METADATA = "the copy it was read from carries no S3 metadata (no signature) for it"
NO_KEYS = "no public keys were supplied"


class SignatureState(StrEnum):
    verified = "verified"
    failed = "failed"  # every CLI failure: the content of the digest is not trusted
    unavailable = "unavailable"


@dataclass(frozen=True)
class Failure:
    code: FindingCode
    reason: str


@dataclass(frozen=True)
class LogRef:
    bucket: str
    key: str
    hash_value: str | None  # as written in the digest (None if not a string); compared as-is


class KeyLookup(Protocol):
    def find(self, fingerprint: str, backfill_generated: datetime | None) -> PublicKey | None:
        """The key with ``fingerprint`` (for a backfill digest: around its generation time)."""
        ...


@dataclass(frozen=True)
class DigestRecord:
    bucket: str
    key: str
    backfill: bool
    key_end: datetime | None  # the time in the key name (None for a key that is not in the layout)
    found: bool
    cli_failure: Failure | None = None  # what validate-logs reports; None: it says valid
    strict: tuple[Failure, ...] = ()
    signature: SignatureState = SignatureState.failed
    unverified_reason: str | None = None
    fingerprint: str | None = None
    signature_hex: str | None = None  # the S3 metadata signature
    inflated_sha256: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    previous: tuple[str, str] | None = None  # (bucket, key) the digest points back to
    previous_signature: object = None
    previous_hash: object = None
    logs: tuple[LogRef, ...] = ()

    @property
    def trusted(self) -> bool:
        """validate-logs accepts it (or would, if the unavailable signature verifies)."""
        return self.found and self.cli_failure is None

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None


def parse_time(value: object) -> datetime:
    """A digest timestamp as UTC; ValueError with the CLI's message when it is not one."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"Unable to parse date value: {value}") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _optional_time(value: object) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:
        return None


def _inflate(body: bytes) -> tuple[bytes, bool] | None:
    """(first gzip member's content, whether bytes follow it), or None when not complete gzip."""
    inflater = zlib.decompressobj(_GZIP)
    try:
        content = inflater.decompress(body) + inflater.flush()
    except zlib.error:
        return None
    return (content, bool(inflater.unused_data)) if inflater.eof else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _facts(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the chain analysis needs from a parsed digest, taken leniently."""
    previous_bucket, previous_key = data.get("previousDigestS3Bucket"), data.get("previousDigestS3Object")
    pointer = (previous_bucket, previous_key)
    entries = data.get("logFiles")
    logs = tuple(
        LogRef(entry["s3Bucket"], entry["s3Object"], _text(entry.get("hashValue")))
        for entry in (entries if isinstance(entries, list) else ())
        if isinstance(entry, dict) and isinstance(entry.get("s3Bucket"), str) and isinstance(entry.get("s3Object"), str)
    )
    return {
        "start": _optional_time(data.get("digestStartTime")),
        "end": _optional_time(data.get("digestEndTime")),
        "previous": pointer if all(isinstance(part, str) for part in pointer) else None,
        "previous_signature": data.get("previousDigestSignature"),
        "previous_hash": data.get("previousDigestHashValue"),
        "fingerprint": data.get("digestPublicKeyFingerprint"),
        "logs": logs,
    }


def evaluate_digest(
    record: DigestRecord,
    body: bytes,
    metadata: Mapping[str, str] | None,
    keys: KeyLookup | None,
    home_region: str,
) -> DigestRecord:
    """Judge a found digest; ``record`` carries its location, the result adds the verdict."""
    inflated = _inflate(body)
    data: Any = None
    if inflated is not None:
        try:
            data = json.loads(inflated[0].decode())
        except ValueError:
            data = None
    if inflated is None or not isinstance(data, dict):
        return _failed(record, Failure(FindingCode.invalid_format, _INVALID_FORMAT))
    content, trailing = inflated
    record = replace(
        record,
        **_facts(data),
        inflated_sha256=hashlib.sha256(content).hexdigest(),
        signature_hex=None if metadata is None else metadata.get("signature"),
    )
    failure = _format_checks(record, data, metadata)
    if failure is not None:
        return _failed(record, failure)
    failure, hash_name = (
        (None, None) if keys is None else _key_checks(record, data, content, metadata, keys, home_region)
    )
    why = NO_METADATA if metadata is None else NO_KEYS if keys is None else None
    failure = failure or _time_checks(data)
    if failure is not None:
        return _failed(record, failure)
    return replace(
        record,
        signature=SignatureState.verified if hash_name else SignatureState.unavailable,
        unverified_reason=why,
        strict=_strict_checks(data, metadata, trailing, hash_name),
    )


def _failed(record: DigestRecord, failure: Failure) -> DigestRecord:
    return replace(record, cli_failure=failure, signature=SignatureState.failed)


def _format_checks(record: DigestRecord, data: Mapping[str, Any], metadata: Mapping[str, str] | None) -> Failure | None:
    if metadata is not None:
        if "signature" not in metadata or "signature-algorithm" not in metadata:
            return Failure(FindingCode.signature_metadata_missing, "signature verification failed")
        if record.backfill and "backfill-generation-timestamp" not in metadata:
            return Failure(FindingCode.invalid_format, _INVALID_FORMAT)
    if any(name not in data for name in _REQUIRED):
        return Failure(FindingCode.invalid_format, _INVALID_FORMAT)
    if data["digestS3Bucket"] != record.bucket or data["digestS3Object"] != record.key:
        return Failure(FindingCode.moved, "has been moved from its original location")
    return None


def _time_checks(data: Mapping[str, Any]) -> Failure | None:
    for field in ("digestEndTime", "digestStartTime"):
        try:
            parse_time(data[field])
        except ValueError as exc:
            return Failure(FindingCode.invalid_format, str(exc))
    return None


def _key_checks(
    record: DigestRecord,
    data: Mapping[str, Any],
    content: bytes,
    metadata: Mapping[str, str] | None,
    keys: KeyLookup,
    home_region: str,
) -> tuple[Failure | None, str | None]:
    """(failure, the signature's hash name); without metadata only the key is checked."""
    fingerprint = data["digestPublicKeyFingerprint"]
    generated: datetime | None = None
    if record.backfill and metadata is not None:
        try:
            generated = parse_time(metadata["backfill-generation-timestamp"])
        except ValueError as exc:
            return Failure(FindingCode.invalid_format, str(exc)), None
    key = keys.find(str(fingerprint), generated)
    if key is None:
        reason = f"public key not found in region {home_region} for fingerprint {fingerprint}"
        return Failure(FindingCode.unknown_key, reason), None
    if key.rsa is None:
        reason = f"Unable to load PKCS #1 key with fingerprint {fingerprint}"
        return Failure(FindingCode.invalid_public_key, reason), None
    if metadata is None:
        return None, None
    try:
        signature = binascii.unhexlify(metadata["signature"])
    except (binascii.Error, ValueError) as exc:
        return Failure(FindingCode.signature_malformed, str(exc)), None
    hash_name = verify(key.rsa, string_to_sign(data, content), signature)
    if hash_name is None:
        return Failure(FindingCode.signature_invalid, "signature verification failed"), None
    return None, hash_name


def _strict_checks(
    data: Mapping[str, Any], metadata: Mapping[str, str] | None, trailing: bool, hash_name: str | None
) -> tuple[Failure, ...]:
    found: list[Failure] = []
    if trailing:
        found.append(Failure(FindingCode.trailing_data, "unexpected data after end of the digest file's gzip stream"))
    if hash_name in WEAK_HASHES:
        reason = f"signed with {hash_name}, a weak hash: CloudTrail signs with {EXPECTED_ALGORITHM}"
        found.append(Failure(FindingCode.weak_signature_algorithm, reason))
    elif hash_name is not None and hash_name != EXPECTED_HASH:
        reason = f"signed with {hash_name}, not {EXPECTED_ALGORITHM}"
        found.append(Failure(FindingCode.unexpected_signature_algorithm, reason))
    declared = {"digestSignatureAlgorithm": data.get("digestSignatureAlgorithm")}
    if metadata is not None:
        declared["S3 metadata signature-algorithm"] = metadata.get("signature-algorithm")
    for where, value in declared.items():
        if value != EXPECTED_ALGORITHM:
            reason = f"{where} is {value!r}, not {EXPECTED_ALGORITHM}"
            found.append(Failure(FindingCode.unexpected_signature_algorithm, reason))
    return tuple(found)
