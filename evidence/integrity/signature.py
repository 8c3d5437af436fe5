"""Digest signatures: the signed message and RSA PKCS#1 v1.5 verification.

CloudTrail signs, with SHA256withRSA, the UTF-8 string::

    <digestEndTime> "\\n" <digestS3Bucket> "/" <digestS3Object> "\\n"
    <hex SHA-256 of the uncompressed digest file> "\\n" <previousDigestSignature or "null">

and stores the hex signature in the digest object's S3 metadata ``signature``.
:func:`verify` accepts any hash the PKCS#1 v1.5 DigestInfo names (MD5, SHA-1, SHA-2 family),
as ``validate-logs`` does, and returns the hash's name, so the caller can require SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

EXPECTED_ALGORITHM = "SHA256withRSA"
EXPECTED_HASH = "SHA-256"
WEAK_HASHES = frozenset({"MD5", "SHA-1"})

# DER DigestInfo prefixes of RFC 8017 section 9.2, note 1: name -> (prefix, hashlib name).
_DIGEST_INFO: dict[str, tuple[bytes, str]] = {
    "MD5": (bytes.fromhex("3020300c06082a864886f70d020505000410"), "md5"),
    "SHA-1": (bytes.fromhex("3021300906052b0e03021a05000414"), "sha1"),
    "SHA-224": (bytes.fromhex("302d300d06096086480165030402040500041c"), "sha224"),
    "SHA-256": (bytes.fromhex("3031300d060960864801650304020105000420"), "sha256"),
    "SHA-384": (bytes.fromhex("3041300d060960864801650304020205000430"), "sha384"),
    "SHA-512": (bytes.fromhex("3051300d060960864801650304020305000440"), "sha512"),
}


def string_to_sign(digest: Mapping[str, Any], inflated: bytes) -> bytes:
    """The message CloudTrail signs for a digest (``inflated``: its uncompressed bytes)."""
    previous = digest["previousDigestSignature"]
    return (
        f"{digest['digestEndTime']}\n{digest['digestS3Bucket']}/{digest['digestS3Object']}\n"
        f"{hashlib.sha256(inflated).hexdigest()}\n{'null' if previous is None else previous}"
    ).encode()


def verify(key: RSAPublicKey, message: bytes, signature: bytes) -> str | None:
    """The hash algorithm name (e.g. ``"SHA-256"``) if ``signature`` signs ``message``, else None."""
    size = (key.key_size + 7) // 8
    if len(signature) < size:
        signature = signature.rjust(size, b"\0")
    try:
        recovered = key.recover_data_from_signature(signature, padding.PKCS1v15(), None)
    except InvalidSignature:
        return None
    for name, (prefix, hash_name) in _DIGEST_INFO.items():
        if recovered.startswith(prefix):
            expected = prefix + hashlib.new(hash_name, message).digest()
            return name if hmac.compare_digest(recovered, expected) else None
    return None
