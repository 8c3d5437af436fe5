"""Properties, ~50 examples each: loaders raise only their own error type, with the file and the entry;
a changed byte anywhere in a pack is never accepted by `verify`.

The CloudTrail digest-chain validator has its own property (any inverted byte of any digest or log file
of a clean chain is detected): tests/integrity/test_properties.py.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evidence import registry, store
from evidence.exceptions import ExceptionsError, load_register
from evidence.frameworks import FrameworkError, load_file
from evidence.models import Framework

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
yamlish = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=16,
)
VALID_FRAMEWORK: dict[str, Any] = {
    "id": "p", "name": "P", "version": "1", "source": "tests",
    "controls": [{"id": "C-1", "title": "T", "section": "S", "evidence": "automated",
                  "checks": [{"id": "iam.password_policy_min_length", "params": {"min_length": 12}}]}],
}


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def _load_framework(path: Path) -> None:
    try:
        assert isinstance(load_file(path), Framework)
    except FrameworkError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)


@FAST
@given(doc=yamlish)
def test_framework_loader_on_any_yaml_structure(scratch: Path, doc: Any) -> None:
    path = scratch / "any.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    _load_framework(path)


@FAST
@given(text=st.text(max_size=200))
def test_framework_loader_on_any_text(scratch: Path, text: str) -> None:
    path = scratch / "text.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _load_framework(path)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


@FAST
@given(data=st.data())
def test_framework_loader_on_a_valid_file_with_one_part_replaced(scratch: Path, data: st.DataObject) -> None:
    doc = json.loads(json.dumps(VALID_FRAMEWORK))
    where = data.draw(st.sampled_from(list(_paths(doc))[1:]))
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = data.draw(yamlish)
    path = scratch / "near.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    _load_framework(path)


CHECK_IDS = sorted(registry.checks())
ids = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12).filter(str.strip)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    expires = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    entry: dict[str, Any] = {"reason": draw(st.text(min_size=1, max_size=30)), "owner": "platform",
                             "expires_on": expires}
    if draw(st.booleans()):
        entry["check"] = draw(st.sampled_from(CHECK_IDS))
    else:
        entry["control"] = draw(st.text(min_size=1, max_size=8))
    if draw(st.booleans()):
        entry["approved_by"] = "Dana Lee"
        entry["approved_on"] = expires - timedelta(days=draw(st.integers(0, 365)))
    if draw(st.booleans()):
        entry["resource"] = draw(st.text(max_size=30))
    return entry


@st.composite
def registers(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    return [{"id": name, **draw(entries())} for name in names]


BREAKAGES: dict[str, Any] = {
    "no reason": lambda e: e.pop("reason"),
    "impossible date": lambda e: e.update(expires_on="2026-02-30"),
    "text date": lambda e: e.update(expires_on="when it is fixed"),
    "unknown check": lambda e: e.update(check="nope.not_a_check"),
    "unknown field": lambda e: e.update(colour="red"),
    "neither check nor control": lambda e: [e.pop(k, None) for k in ("check", "control")],
    "approved after expiry": lambda e: e.update(approved_by="x", approved_on=e["expires_on"] + timedelta(days=1)),
    "reason not text": lambda e: e.update(reason=["a", "list"]),
}


@FAST
@given(register=registers())
def test_valid_registers_load(scratch: Path, register: list[dict[str, Any]]) -> None:
    path = scratch / "valid.yaml"
    path.write_text(yaml.safe_dump({"exceptions": register}, allow_unicode=True))
    assert [e.id for e in load_register(path)] == [e["id"] for e in register]


@FAST
@given(register=registers(), data=st.data())
def test_an_invalid_entry_is_named_with_its_file(scratch: Path, register: list[dict[str, Any]],
                                                  data: st.DataObject) -> None:
    broken = data.draw(st.sampled_from(register))
    kind = data.draw(st.sampled_from(sorted(BREAKAGES)))
    BREAKAGES[kind](broken)
    path = scratch / "invalid.yaml"
    path.write_text(yaml.safe_dump({"exceptions": register}, allow_unicode=True))
    with pytest.raises(ExceptionsError) as caught:
        load_register(path)
    assert str(caught.value).startswith(f"{path}: exception {broken['id']}: "), (kind, str(caught.value))


# ----------------------------------------------------------------------------- a changed byte in a pack


@pytest.fixture(scope="module")
def small_pack(scratch: Path) -> Path:
    dest = scratch / "pack"
    with store.staged_pack(dest) as folder:
        store.write_file(folder, "collection.json", store.canonical_json({"scope": {"regions": ["us-east-1"]}}))
        store.write_file(folder, "evidence/123456789012/global/iam.users.json", store.canonical_json(
            {"key": "iam.users", "data": [{"UserName": "alice"}], "error": None}))
        store.write_file(folder, "pack.json", store.canonical_json({"findings": [{"status": "fail"}]}))
        store.write_file(folder, "soc2.pdf", b"%PDF-1.7\n" + bytes(range(256)))
    return dest


def _unprotected(manifest: bytes) -> list[range]:
    """Byte ranges of the manifest's own metadata, which only a signature covers (see test_hardening_integrity)."""
    text = manifest.decode()
    spans = []
    for field in ('"tool_version": "', '"written_at": "'):
        start = text.index(field) + len(field)
        spans.append(range(start, text.index('"', start)))
    return spans


@FAST
@given(data=st.data())
def test_any_changed_byte_is_never_accepted(small_pack: Path, scratch: Path, data: st.DataObject) -> None:
    rel = data.draw(st.sampled_from(sorted(p.relative_to(small_pack).as_posix()
                                           for p in small_pack.rglob("*") if p.is_file())))
    body = (small_pack / rel).read_bytes()
    position = data.draw(st.integers(0, len(body) - 1))
    if rel == store.MANIFEST:
        assume(not any(position in span for span in _unprotected(body)))
    mask = data.draw(st.integers(1, 255))
    copy = scratch / "tampered"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(small_pack, copy)
    (copy / rel).write_bytes(body[:position] + bytes([body[position] ^ mask]) + body[position + 1:])
    try:
        result = store.verify(copy)
    except store.StoreError:
        return  # a manifest that no longer reads is refused outright
    assert not result.ok
    if rel != store.MANIFEST:
        assert result.changed == (rel,)
