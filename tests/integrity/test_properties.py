"""Property: inverting any byte of any object of a clean chain is detected.

Excluded: bytes 4-9 of a gzip member (MTIME, XFL, OS). They are neither part of the hashed
content nor of the signed message, so no CloudTrail validator can see a change there.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import MemoryStore, Scenario

GZIP_HEADER_FREE_BYTES = range(4, 10)


@pytest.fixture(scope="module")
def clean(signing_key: Any) -> Scenario:
    from evidence.integrity.keys import StaticKeys
    from evidence.integrity.synthetic import ChainSpec, build_chain, public_key_of

    from .conftest import START, scope

    store = MemoryStore()
    spec = ChainSpec(scope=scope(), start=START, hours=3, logs_per_hour=2, records_per_log=2)
    chain = build_chain(spec, signing_key, store)
    return Scenario(store, chain, spec, StaticKeys([public_key_of(signing_key)]))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_inverted_byte_is_detected(clean: Scenario, data: st.DataObject) -> None:
    location = data.draw(st.sampled_from(sorted(clean.store.objects)))
    body, metadata = clean.store.objects[location]
    position = data.draw(st.integers(0, len(body) - 1).filter(lambda p: p not in GZIP_HEADER_FREE_BYTES))
    tampered = MemoryStore()
    tampered.objects = dict(clean.store.objects)
    tampered.objects[location] = (body[:position] + bytes([body[position] ^ 0xFF]) + body[position + 1 :], metadata)
    result = clean.validate(store=tampered)
    assert not result.ok
    assert any(item.key == location[1] for item in result.items)
