"""The signed message and PKCS#1 v1.5 verification with the hash taken from the signature."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.integrity.signature import string_to_sign, verify

DIGEST = {
    "digestEndTime": "2024-03-01T05:17:05Z",
    "digestS3Bucket": "bucket",
    "digestS3Object": "AWSLogs/key.json.gz",
    "previousDigestSignature": "abcd",
}


def test_string_to_sign() -> None:
    inflated = b'{"x":1}'
    expected = f"2024-03-01T05:17:05Z\nbucket/AWSLogs/key.json.gz\n{hashlib.sha256(inflated).hexdigest()}\nabcd"
    assert string_to_sign(DIGEST, inflated) == expected.encode()


def test_string_to_sign_of_a_chain_start_ends_in_null() -> None:
    assert string_to_sign({**DIGEST, "previousDigestSignature": None}, b"").endswith(b"\nnull")


@pytest.mark.parametrize(
    ("algorithm", "name"),
    [(hashes.SHA256(), "SHA-256"), (hashes.SHA1(), "SHA-1"), (hashes.SHA512(), "SHA-512"), (hashes.MD5(), "MD5")],
)
def test_verify_names_the_hash(signing_key: RSAPrivateKey, algorithm: hashes.HashAlgorithm, name: str) -> None:
    signature = signing_key.sign(b"message", padding.PKCS1v15(), algorithm)
    assert verify(signing_key.public_key(), b"message", signature) == name


def test_verify_rejects_other_messages_and_keys(signing_key: RSAPrivateKey, other_key: RSAPrivateKey) -> None:
    signature = signing_key.sign(b"message", padding.PKCS1v15(), hashes.SHA256())
    assert verify(signing_key.public_key(), b"massage", signature) is None
    assert verify(other_key.public_key(), b"message", signature) is None
    assert verify(signing_key.public_key(), b"message", signature[:-1] + b"\0") is None


def test_verify_accepts_a_signature_without_leading_zero_bytes(signing_key: RSAPrivateKey) -> None:
    for attempt in range(2000):
        message = b"message %d" % attempt
        signature = signing_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        if signature[0] == 0:
            assert verify(signing_key.public_key(), message, signature.lstrip(b"\0")) == "SHA-256"
            return
    pytest.fail("no signature with a leading zero byte found")


def test_verify_rejects_a_padding_without_a_known_digest_info(signing_key: RSAPrivateKey) -> None:
    numbers = signing_key.private_numbers()
    size = (signing_key.key_size + 7) // 8
    payload = b"\x30\x00" + hashlib.sha256(b"message").digest()  # no DigestInfo of a known hash
    block = b"\x00\x01" + b"\xff" * (size - 3 - len(payload)) + b"\x00" + payload
    raw = pow(int.from_bytes(block, "big"), numbers.d, numbers.public_numbers.n).to_bytes(size, "big")
    assert verify(signing_key.public_key(), b"message", raw) is None
