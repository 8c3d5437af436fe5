"""CloudTrail's public keys for digest signatures.

A key is identified by the fingerprint CloudTrail writes into each digest
(``digestPublicKeyFingerprint``); the fingerprint is never recomputed, only matched. The key
value is a DER-encoded PKCS#1 ``RSAPublicKey``. Sources differ in how they wrap it — botocore
base64-decodes the ``ListPublicKeys`` blob once, and ``validate-logs`` decodes it once more,
while ``aws cloudtrail list-public-keys`` prints base64 text — so :func:`normalize_key_value`
accepts raw DER as well as base64 text of DER (also base64 of that), and returns DER.

Providers (:class:`PublicKeyProvider`): :class:`CloudTrailKeys` calls ``ListPublicKeys`` (read
only) for a time range, like ``validate-logs`` (period start to end + 2 h, and around a backfill
digest's generation time); :class:`StaticKeys` serves a fixed set, e.g. from
:func:`load_public_keys_file` (the JSON ``aws cloudtrail list-public-keys`` prints).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from pydantic import BaseModel, ConfigDict

from evidence.integrity.errors import PublicKeyError
from evidence.integrity.models import TimeRange

_MAX_BASE64_LAYERS = 3
_DISPLAY = "%Y-%m-%dT%H:%M:%SZ"
# CloudTrail has a handful of signing keys per region and year: a listing this long is a service looping.
MAX_KEY_PAGES = 1_000


class PublicKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: str
    der: bytes  # DER PKCS#1 RSAPublicKey, or the value as received when it is not one
    validity: TimeRange | None = None

    @cached_property
    def rsa(self) -> RSAPublicKey | None:
        """The RSA key, or None when ``der`` is not a DER PKCS#1 RSA public key."""
        return _load_pkcs1(self.der)


def _load_pkcs1(der: bytes) -> RSAPublicKey | None:
    try:
        key = serialization.load_der_public_key(der)
    except ValueError:
        return None
    if not isinstance(key, RSAPublicKey):
        return None
    # load_der_public_key also reads SubjectPublicKeyInfo; CloudTrail keys are PKCS#1 only.
    pkcs1 = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return key if pkcs1 == der else None


def normalize_key_value(value: bytes | str) -> bytes:
    """DER from raw DER or (nested) base64 text of it; the input bytes when neither."""
    original = data = value.encode("ascii", "replace") if isinstance(value, str) else value
    for _ in range(_MAX_BASE64_LAYERS):
        if _load_pkcs1(data) is not None:
            return data
        try:
            data = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            break
    return data if _load_pkcs1(data) is not None else original


def _validity(entry: Mapping[str, Any]) -> TimeRange | None:
    start, end = entry.get("ValidityStartTime"), entry.get("ValidityEndTime")
    if start is None or end is None:
        return None
    return TimeRange(start=_as_datetime(start), end=_as_datetime(end))


def _as_datetime(value: datetime | str) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def public_keys_from_response(response: Mapping[str, Any]) -> list[PublicKey]:
    """The keys of one ``ListPublicKeys`` response (botocore dict or the CLI's JSON)."""
    try:
        return [
            PublicKey(
                fingerprint=entry["Fingerprint"],
                der=normalize_key_value(entry["Value"]),
                validity=_validity(entry),
            )
            for entry in response.get("PublicKeyList", ())
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise PublicKeyError(f"Unreadable ListPublicKeys entry: {exc}") from exc


class PublicKeyProvider(Protocol):
    def keys_between(self, start: datetime, end: datetime) -> Mapping[str, PublicKey]:
        """Fingerprint -> key for keys valid in the range; raises PublicKeyError when none."""
        ...


class StaticKeys:
    """A fixed set of keys, returned for any range."""

    def __init__(self, keys: Iterable[PublicKey]) -> None:
        self._keys = {key.fingerprint: key for key in keys}
        if not self._keys:
            raise PublicKeyError("No public keys were supplied")

    def keys_between(self, start: datetime, end: datetime) -> Mapping[str, PublicKey]:
        return self._keys


def load_public_keys_file(path: Path | str) -> StaticKeys:
    """Keys from the JSON that ``aws cloudtrail list-public-keys`` prints."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublicKeyError(f"Cannot read public keys from {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise PublicKeyError(f"{path} is not a ListPublicKeys document")
    return StaticKeys(public_keys_from_response(document))


class CloudTrailKeys:
    """Keys from CloudTrail ``ListPublicKeys`` (paginated), cached per requested range."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._cache: dict[tuple[datetime, datetime], dict[str, PublicKey]] = {}
        self._lock = threading.Lock()

    def keys_between(self, start: datetime, end: datetime) -> Mapping[str, PublicKey]:
        with self._lock:
            if (start, end) not in self._cache:
                self._cache[(start, end)] = self._fetch(start, end)
            return self._cache[(start, end)]

    def _fetch(self, start: datetime, end: datetime) -> dict[str, PublicKey]:
        keys: dict[str, PublicKey] = {}
        params: dict[str, Any] = {"StartTime": start, "EndTime": end}
        tokens: set[str] = set()
        while True:
            try:
                response = self._client.list_public_keys(**params)
            except (ClientError, BotoCoreError) as exc:
                raise PublicKeyError(f"ListPublicKeys failed: {exc}") from exc
            keys.update((key.fingerprint, key) for key in public_keys_from_response(response))
            token = response.get("NextToken")
            if not token:
                break
            if token in tokens:
                raise PublicKeyError("ListPublicKeys sent the same NextToken twice; the listing loops")
            if len(tokens) + 1 >= MAX_KEY_PAGES:
                raise PublicKeyError(f"ListPublicKeys sent {MAX_KEY_PAGES} pages; the listing does not end")
            tokens.add(token)
            params["NextToken"] = token
        if not keys:
            raise PublicKeyError(
                f"No public keys found between {start.strftime(_DISPLAY)} and {end.strftime(_DISPLAY)}"
            )
        return keys
