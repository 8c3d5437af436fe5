"""Detached signatures over manifest.json: an Ed25519 key file, or an AWS KMS asymmetric key.

The signature file (manifest.sig.json) sits beside the manifest and is not listed in it. It carries
the signer's public key, so `evidence verify` can check it offline; `--public-key` pins the key an
auditor expects. kms:Sign is the one non-read AWS call the tool makes, allowed only here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from evidence.aws import ClientFactory, error_code
from evidence.models import Frozen
from evidence.store import MANIFEST, SIGNATURE, canonical_json

KMS_ALGORITHMS = {
    "ECC_NIST_P256": "ECDSA_SHA_256",
    "ECC_NIST_P384": "ECDSA_SHA_384",
    "ECC_NIST_P521": "ECDSA_SHA_512",
    "RSA_2048": "RSASSA_PSS_SHA_256",
    "RSA_3072": "RSASSA_PSS_SHA_256",
    "RSA_4096": "RSASSA_PSS_SHA_256",
}

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "ECDSA_SHA_256": hashes.SHA256(),
    "ECDSA_SHA_384": hashes.SHA384(),
    "ECDSA_SHA_512": hashes.SHA512(),
    "RSASSA_PSS_SHA_256": hashes.SHA256(),
}


class SigningError(Exception):
    """A key cannot be used, or a signature file cannot be read."""


class Signature(Frozen):
    algorithm: str  # ed25519 | kms:<SigningAlgorithm>
    manifest_sha256: str
    signature: str  # base64
    public_key_pem: str
    signer: str  # human-readable: key fingerprint, or the KMS key ARN
    signed_at: datetime


def fingerprint(public_key_pem: str) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, as hex pairs (what `verify` prints)."""
    key = serialization.load_pem_public_key(public_key_pem.encode())
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.sha256(der).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _manifest_bytes(pack_dir: Path) -> bytes:
    try:
        return (pack_dir / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{pack_dir} is not a pack (no {MANIFEST})") from None


def sign_with_key(pack_dir: Path, key_file: Path) -> Signature:
    manifest = _manifest_bytes(pack_dir)
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except FileNotFoundError:
        raise SigningError(f"{key_file}: no such key file") from None
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{key_file}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SigningError(f"{key_file}: an Ed25519 private key is required")
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    sig = Signature(
        algorithm="ed25519",
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        signature=base64.b64encode(key.sign(manifest)).decode(),
        public_key_pem=pem,
        signer=f"Ed25519 key {fingerprint(pem)}",
        signed_at=datetime.now(UTC),
    )
    _write(pack_dir, sig)
    return sig


def sign_with_kms(pack_dir: Path, factory: ClientFactory, key_id: str, region: str) -> Signature:
    """Sign the manifest's SHA-256 with an asymmetric KMS key (kms:Sign, MessageType DIGEST)."""
    if "kms:Sign" not in factory.allow:
        raise SigningError("the client factory was not built to allow kms:Sign")
    manifest = _manifest_bytes(pack_dir)
    kms = factory.client("kms", region)
    try:
        public = kms.get_public_key(KeyId=key_id)
        spec = public.get("KeySpec") or public.get("CustomerMasterKeySpec", "")
        algorithm = KMS_ALGORITHMS.get(spec)
        if algorithm is None or public.get("KeyUsage") != "SIGN_VERIFY":
            raise SigningError(f"KMS key {key_id} is not an asymmetric signing key ({spec or 'unknown spec'})")
        digest = _digest(manifest, _HASHES[algorithm])
        signed = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm)
    except ClientError as exc:
        raise SigningError(f"KMS refused to sign with {key_id}: {error_code(exc)}") from None
    except BotoCoreError as exc:
        raise SigningError(f"cannot reach KMS: {exc}") from None
    pem = serialization.load_der_public_key(public["PublicKey"]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    sig = Signature(
        algorithm=f"kms:{algorithm}",
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        signature=base64.b64encode(signed["Signature"]).decode(),
        public_key_pem=pem,
        signer=f"AWS KMS key {public['KeyId']}",
        signed_at=datetime.now(UTC),
    )
    _write(pack_dir, sig)
    return sig


def _write(pack_dir: Path, sig: Signature) -> None:
    (pack_dir / SIGNATURE).write_bytes(canonical_json(sig))


def read_signature(pack_dir: Path) -> Signature | None:
    path = pack_dir / SIGNATURE
    if not path.is_file():
        return None
    try:
        return Signature.model_validate(json.loads(path.read_bytes()))
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path}: not a valid signature file ({exc.__class__.__name__})") from None


def check_signature(pack_dir: Path, *, trusted_pem: str | None = None) -> tuple[bool, str]:
    """(valid, what it says): verifies the signature over the current manifest bytes."""
    sig = read_signature(pack_dir)
    if sig is None:
        return False, "the pack is not signed"
    manifest = _manifest_bytes(pack_dir)
    try:
        key: Any = serialization.load_pem_public_key(sig.public_key_pem.encode())
        raw = base64.b64decode(sig.signature, validate=True)
        signer_key = fingerprint(sig.public_key_pem)
    except ValueError:
        return False, f"{SIGNATURE} is damaged: its public key or signature cannot be read"
    try:
        expected = fingerprint(trusted_pem) if trusted_pem is not None else signer_key
    except ValueError:
        raise SigningError("the trusted public key is not a PEM public key") from None
    if expected != signer_key:
        return False, f"signed by {sig.signer}, not by the expected key {expected}"
    if hashlib.sha256(manifest).hexdigest() != sig.manifest_sha256:
        return False, f"manifest.json changed after it was signed by {sig.signer}"
    try:
        if sig.algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(raw, manifest)
        elif sig.algorithm.startswith("kms:ECDSA") and isinstance(key, ec.EllipticCurvePublicKey):
            algo = _HASHES[sig.algorithm[4:]]
            key.verify(raw, _digest(manifest, algo), ec.ECDSA(utils.Prehashed(algo)))
        elif sig.algorithm == "kms:RSASSA_PSS_SHA_256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(raw, hashlib.sha256(manifest).digest(),
                       padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                       utils.Prehashed(hashes.SHA256()))
        else:
            return False, f"unsupported signature algorithm {sig.algorithm}"
    except InvalidSignature:
        return False, f"the signature does not verify (claims {sig.signer})"
    except KeyError:
        return False, f"unsupported signature algorithm {sig.algorithm}"
    # The key is what the signature proves; the signer label in the file is a claim, shown beside it.
    who = f"Ed25519 key {signer_key}" if sig.algorithm == "ed25519" else f"{sig.signer} (public key {signer_key})"
    return True, f"signed by {who} on {sig.signed_at:%Y-%m-%d %H:%M} UTC"


def _digest(data: bytes, algo: hashes.HashAlgorithm) -> bytes:
    h = hashes.Hash(algo)
    h.update(data)
    return h.finalize()
