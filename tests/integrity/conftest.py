"""Shared pieces for the integrity tests: RSA keys, an in-memory object store, chain scenarios."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.integrity.errors import ObjectNotFound
from evidence.integrity.keys import StaticKeys
from evidence.integrity.models import RegionIntegrity, TimeRange, TrailScope
from evidence.integrity.sidecar import ObjectMetadataIndex
from evidence.integrity.synthetic import BuiltChain, ChainSpec, build_chain, public_key_of
from evidence.integrity.validate import validate_trail

ACCOUNT = "111122223333"
BUCKET = "org-cloudtrail-logs"
ARN = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/management-events"
START = datetime(2024, 3, 1, 0, 17, 5, tzinfo=UTC)
AS_OF = START + timedelta(days=30)


class MemoryStore:
    """An ObjectStore and ObjectSink in memory. ``with_metadata=False`` acts like a bare copy."""

    def __init__(self, *, with_metadata: bool = True) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, dict[str, str]]] = {}
        self.with_metadata = with_metadata

    def put(self, bucket: str, key: str, body: bytes, metadata: Mapping[str, str]) -> None:
        self.objects[(bucket, key)] = (body, dict(metadata))

    def body(self, key: str, bucket: str = BUCKET) -> bytes:
        return self.objects[(bucket, key)][0]

    def meta(self, key: str, bucket: str = BUCKET) -> dict[str, str]:
        return self.objects[(bucket, key)][1]

    def delete(self, key: str, bucket: str = BUCKET) -> None:
        del self.objects[(bucket, key)]

    def list_keys(self, bucket: str, prefix: str, start_after: str = "") -> Iterator[str]:
        yield from sorted(k for b, k in self.objects if b == bucket and k.startswith(prefix) and k > start_after)

    def open(self, bucket: str, key: str) -> io.BytesIO:
        if (bucket, key) not in self.objects:
            raise ObjectNotFound(bucket, key)
        return io.BytesIO(self.objects[(bucket, key)][0])

    def metadata(self, bucket: str, key: str) -> Mapping[str, str] | None:
        if (bucket, key) not in self.objects:
            raise ObjectNotFound(bucket, key)
        return dict(self.objects[(bucket, key)][1]) if self.with_metadata else None

    def dump(self, root: Path, bucket: str = BUCKET) -> ObjectMetadataIndex:
        """Write the bucket as `aws s3 sync` would, and return its metadata as a sidecar."""
        objects = {}
        for (b, key), (body, metadata) in self.objects.items():
            if b != bucket:
                continue
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            if metadata:
                objects[key] = metadata
        return ObjectMetadataIndex(bucket=bucket, captured_at=AS_OF, objects=objects)


@pytest.fixture(scope="session")
def signing_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def scope(bucket: str = BUCKET, **changes: Any) -> TrailScope:
    return TrailScope.for_trail(ARN, bucket, **changes)


@dataclass
class Scenario:
    store: MemoryStore
    chain: BuiltChain
    spec: ChainSpec
    keys: StaticKeys

    @property
    def period(self) -> TimeRange:
        return TimeRange(start=self.spec.start, end=self.spec.start + timedelta(hours=self.spec.hours))

    def digest(self, hour: int) -> str:
        return next(d.key for d in self.chain.digests if d.hour == hour)

    def validate(self, **options: Any) -> RegionIntegrity:
        options.setdefault("as_of", AS_OF)
        store = options.pop("store", self.store)
        keys = options.pop("keys", self.keys)
        period = options.pop("period", self.period)
        return validate_trail(self.spec.scope, store, keys, period, workers=4, **options)


@pytest.fixture
def make_chain(signing_key: RSAPrivateKey) -> Any:
    def make(*, trail: TrailScope | None = None, hours: int = 6, **spec: Any) -> Scenario:
        store = MemoryStore()
        chain_spec = ChainSpec(scope=trail or scope(), start=START, hours=hours, **spec)
        built = build_chain(chain_spec, signing_key, store)
        keys = [public_key_of(signing_key)] + [public_key_of(k) for k in chain_spec.rotations.values()]
        return Scenario(store=store, chain=built, spec=chain_spec, keys=StaticKeys(keys))

    return make
