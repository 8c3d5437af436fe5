"""KMS Sign with MessageType DIGEST: sign the given digest, as AWS does.

moto hashes the message again whatever MessageType says, so a DIGEST signature would not verify
against the digest. For DIGEST, the patched Sign signs the digest itself (ECDSA, or RSASSA-PSS with
a salt as long as the digest, as AWS KMS does); RAW messages are left to moto.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from moto.kms.responses import KmsResponse

from evidence.demo.patches._hook import install

_HASHES: dict[str, hashes.HashAlgorithm] = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}
_original_sign = KmsResponse.sign


def apply() -> None:
    install(KmsResponse, "sign", _sign)


def _sign(self: KmsResponse) -> str:
    if self._get_param("MessageType") != "DIGEST":
        return _original_sign(self)
    key = self.kms_backend.describe_key(self._get_param("KeyId"))
    algorithm = self._get_param("SigningAlgorithm")
    digest = self._get_param("Message")  # moto's KMS responses decode blobs already
    hash_alg = _HASHES[algorithm[-3:]]
    private: Any = getattr(key.private_key, "private_key", None)
    if isinstance(private, ec.EllipticCurvePrivateKey):
        signature = private.sign(digest, ec.ECDSA(utils.Prehashed(hash_alg)))
    elif isinstance(private, rsa.RSAPrivateKey) and algorithm.startswith("RSASSA_PSS"):
        pss = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)
        signature = private.sign(digest, pss, utils.Prehashed(hash_alg))
    else:
        signature = private.sign(digest, padding.PKCS1v15(), utils.Prehashed(hash_alg))
    return json.dumps({"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(),
                       "SigningAlgorithm": algorithm})
