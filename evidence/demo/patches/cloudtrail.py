"""CloudTrail ListPublicKeys: the keys that sign digest files, registered in-process.

The keys belong to AWS, not to an account, so they are kept per region for the whole process.
As in AWS, ``Value`` is a blob holding the DER PKCS#1 RSAPublicKey: base64 on the wire, so boto3
returns the DER bytes, while the AWS CLI (which leaves blobs undecoded) gets the base64 text that
``aws cloudtrail validate-logs`` decodes itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.responses import ActionResult

from evidence.demo.patches._hook import install
from evidence.demo.patches._params import parsed, utc
from evidence.demo.patches._state import cleared_on_reset


@dataclass(frozen=True)
class PublicKey:
    fingerprint: str
    der_pkcs1: bytes
    valid_from: datetime
    valid_to: datetime


_KEYS: dict[str, list[PublicKey]] = cleared_on_reset({})


def register_public_key(
    region: str, fingerprint: str, der_pkcs1: bytes, valid_from: datetime, valid_to: datetime
) -> None:
    _KEYS.setdefault(region, []).append(PublicKey(fingerprint, der_pkcs1, utc(valid_from), utc(valid_to)))


def apply() -> None:
    install(CloudTrailResponse, "list_public_keys", _list_public_keys)


def _list_public_keys(self: CloudTrailResponse) -> ActionResult:
    params = parsed(self)
    now = datetime.now(UTC)
    start = utc(params.get("StartTime", now))
    end = utc(params.get("EndTime", now))
    keys = [
        {
            "Value": key.der_pkcs1,
            "ValidityStartTime": key.valid_from,
            "ValidityEndTime": key.valid_to,
            "Fingerprint": key.fingerprint,
        }
        for key in _KEYS.get(self.region, [])
        if key.valid_from <= end and key.valid_to >= start
    ]
    return ActionResult({"PublicKeyList": keys})
