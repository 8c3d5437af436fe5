"""Build a realistic, signed CloudTrail digest chain — for the demo account and the tests.

:func:`build_chain` writes, for each hour of a :class:`ChainSpec`, gzip'd CloudTrail log files
(``{"Records": [...]}`` with plausible management events) and one digest file in CloudTrail's
format, signed with SHA256withRSA by the given private key, with the S3 user metadata
``signature`` (hex) and ``signature-algorithm``; backfill digests also get
``backfill-generation-timestamp``. Objects go to an :class:`ObjectSink`
(``put(bucket, key, body, metadata)``); :class:`S3Sink` puts them into S3 (the demo emulator).

Hours listed in ``quiet_hours`` have logging off: no log files and no digest, and the next
digest starts a new chain (null previous pointer). ``rotations`` switches the signing key and
``relocations`` the bucket (as when a trail is pointed at a new bucket) from a given hour on.
:func:`decode_digest`, :func:`encode_digest` and :func:`sign_digest` let a scenario tamper with
a digest and, if it wants, sign the result again.

The fingerprint of a synthetic key is the MD5 of its DER PKCS#1 form (AWS's fingerprints are
opaque identifiers; validation only matches them).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import string
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from evidence.integrity.keys import PublicKey
from evidence.integrity.layout import digest_key, log_key
from evidence.integrity.models import TrailScope
from evidence.integrity.signature import EXPECTED_ALGORITHM, string_to_sign

_TIME = "%Y-%m-%dT%H:%M:%SZ"
_HOUR = timedelta(hours=1)
_BACKFILL_DELAY = timedelta(hours=6)
_EVENTS = (
    ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
    ("s3.amazonaws.com", "GetBucketAcl", {"acl": ""}),
    ("iam.amazonaws.com", "ListUsers", None),
    ("sts.amazonaws.com", "GetCallerIdentity", None),
    ("kms.amazonaws.com", "DescribeKey", {"keyId": "alias/aws/s3"}),
    ("cloudtrail.amazonaws.com", "GetTrailStatus", {"name": "management-events"}),
    ("config.amazonaws.com", "DescribeConfigRules", None),
    ("rds.amazonaws.com", "DescribeDBInstances", None),
)


class ObjectSink(Protocol):
    def put(self, bucket: str, key: str, body: bytes, metadata: Mapping[str, str]) -> None: ...


class S3Sink:
    """Puts objects into S3 with ``client`` (a boto3 S3 client; used on the demo emulator)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def put(self, bucket: str, key: str, body: bytes, metadata: Mapping[str, str]) -> None:
        self._client.put_object(Bucket=bucket, Key=key, Body=body, Metadata=dict(metadata))


def fingerprint(key: RSAPublicKey) -> str:
    return hashlib.md5(_pkcs1(key), usedforsecurity=False).hexdigest()


def _pkcs1(key: RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def public_key_of(private_key: RSAPrivateKey) -> PublicKey:
    """The :class:`~evidence.integrity.keys.PublicKey` validation needs for ``private_key``."""
    public = private_key.public_key()
    return PublicKey(fingerprint=fingerprint(public), der=_pkcs1(public))


class ChainSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    scope: TrailScope
    start: AwareDatetime  # start time of the first digest
    hours: int = Field(ge=1)
    logs_per_hour: int = Field(default=2, ge=0)
    records_per_log: int = Field(default=5, ge=1)
    quiet_hours: frozenset[int] = frozenset()
    backfill_hours: frozenset[int] = frozenset()  # delivered as backfill digests (own chain)
    rotations: dict[int, RSAPrivateKey] = Field(default_factory=dict)  # hour -> key from then on
    relocations: dict[int, str] = Field(default_factory=dict)  # hour -> bucket from then on
    seed: int = 0


class BuiltDigest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    hour: int
    bucket: str
    key: str
    start: AwareDatetime
    end: AwareDatetime
    backfill: bool
    signature: str
    log_keys: tuple[str, ...]


class BuiltChain(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    digests: tuple[BuiltDigest, ...]  # oldest first

    @property
    def log_count(self) -> int:
        return sum(len(digest.log_keys) for digest in self.digests)


def decode_digest(body: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(gzip.decompress(body))
    return document


def encode_digest(document: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(gzip'd object body, uncompressed bytes) of a digest document."""
    inflated = json.dumps(document, separators=(",", ":")).encode()
    return gzip.compress(inflated, mtime=0), inflated


def sign_digest(
    document: Mapping[str, Any],
    inflated: bytes,
    private_key: RSAPrivateKey,
    algorithm: hashes.HashAlgorithm | None = None,
) -> str:
    """The hex signature CloudTrail would store for the digest (SHA-256 unless ``algorithm``)."""
    message = string_to_sign(document, inflated)
    return private_key.sign(message, padding.PKCS1v15(), algorithm or hashes.SHA256()).hex()


def digest_metadata(signature: str, *, backfill_generated: datetime | None = None) -> dict[str, str]:
    metadata = {"signature": signature, "signature-algorithm": EXPECTED_ALGORITHM}
    if backfill_generated is not None:
        metadata["backfill-generation-timestamp"] = backfill_generated.strftime(_TIME)
    return metadata


class _Builder:
    def __init__(self, spec: ChainSpec, key: RSAPrivateKey, sink: ObjectSink) -> None:
        self.spec = spec
        self.scope = spec.scope
        self.key = key
        self.sink = sink
        self.rng = random.Random(spec.seed)
        self.bucket = spec.scope.bucket
        # Per stream (backfill or not): (bucket, key, SHA-256 of content, signature) of the last digest.
        self.previous: dict[bool, tuple[str, str, str, str] | None] = {False: None, True: None}

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _record(self, when: datetime) -> dict[str, Any]:
        source, name, parameters = self.rng.choice(_EVENTS)
        account, region = self.scope.account_id, self.scope.source_region
        return {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": f"AROAEXAMPLEID{self.rng.randrange(10, 99)}:auditor",
                "arn": f"arn:aws:sts::{account}:assumed-role/SecurityAudit/auditor",
                "accountId": account,
                "accessKeyId": "ASIA" + "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=16)),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROAEXAMPLEID",
                        "arn": f"arn:aws:iam::{account}:role/SecurityAudit",
                        "accountId": account,
                        "userName": "SecurityAudit",
                    },
                    "attributes": {"creationDate": (when - _HOUR).strftime(_TIME), "mfaAuthenticated": "true"},
                },
            },
            "eventTime": when.strftime(_TIME),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": f"203.0.113.{self.rng.randrange(1, 255)}",
            "userAgent": "aws-cli/2.17.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8 md/arch#x86_64",
            "requestParameters": parameters,
            "responseElements": None,
            "requestID": self._uuid(),
            "eventID": self._uuid(),
            "readOnly": True,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
            },
        }

    def _log(self, delivered: datetime) -> dict[str, Any]:
        times = sorted(
            delivered - timedelta(seconds=self.rng.randrange(30, 300)) for _ in range(self.spec.records_per_log)
        )
        content = json.dumps({"Records": [self._record(when) for when in times]}).encode()
        unique = "".join(self.rng.choices(string.ascii_letters + string.digits, k=16))
        key = log_key(self.scope, delivered, unique)
        self.sink.put(self.bucket, key, gzip.compress(content, mtime=0), {})
        return {
            "s3Bucket": self.bucket,
            "s3Object": key,
            "hashValue": hashlib.sha256(content).hexdigest(),
            "hashAlgorithm": "SHA-256",
            "newestEventTime": times[-1].strftime(_TIME),
            "oldestEventTime": times[0].strftime(_TIME),
        }

    def hour(self, index: int) -> BuiltDigest:
        start = self.spec.start + index * _HOUR
        self.bucket = self.spec.relocations.get(index, self.bucket)
        end = start + _HOUR
        step = _HOUR / (self.spec.logs_per_hour + 1)
        logs = [self._log(start + (n + 1) * step) for n in range(self.spec.logs_per_hour)]
        self.key = self.spec.rotations.get(index, self.key)
        backfill = index in self.spec.backfill_hours
        key = digest_key(self.scope, end, backfill=backfill)
        previous = self.previous[backfill]
        document = {
            "awsAccountId": self.scope.account_id,
            "digestStartTime": start.strftime(_TIME),
            "digestEndTime": end.strftime(_TIME),
            "digestS3Bucket": self.bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": fingerprint(self.key.public_key()),
            "digestSignatureAlgorithm": EXPECTED_ALGORITHM,
            "newestEventTime": logs[-1]["newestEventTime"] if logs else None,
            "oldestEventTime": logs[0]["oldestEventTime"] if logs else None,
            "previousDigestS3Bucket": previous and previous[0],
            "previousDigestS3Object": previous and previous[1],
            "previousDigestHashValue": previous and previous[2],
            "previousDigestHashAlgorithm": previous and "SHA-256",
            "previousDigestSignature": previous and previous[3],
            "logFiles": logs,
        }
        body, inflated = encode_digest(document)
        signature = sign_digest(document, inflated, self.key)
        generated = end + _BACKFILL_DELAY if backfill else None
        self.sink.put(self.bucket, key, body, digest_metadata(signature, backfill_generated=generated))
        self.previous[backfill] = (self.bucket, key, hashlib.sha256(inflated).hexdigest(), signature)
        return BuiltDigest(
            hour=index,
            bucket=self.bucket,
            key=key,
            start=start,
            end=end,
            backfill=backfill,
            signature=signature,
            log_keys=tuple(log["s3Object"] for log in logs),
        )

    def quiet(self) -> None:
        self.previous = {False: None, True: None}


def build_chain(spec: ChainSpec, private_key: RSAPrivateKey, sink: ObjectSink) -> BuiltChain:
    """Write the logs and signed digests of ``spec`` into ``sink``."""
    builder = _Builder(spec, private_key, sink)
    digests = []
    for index in range(spec.hours):
        if index in spec.quiet_hours:
            builder.quiet()
        else:
            digests.append(builder.hour(index))
    return BuiltChain(digests=tuple(digests))
