"""The pack store: atomic writes, manifest, verify catching any change."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import store


def make_pack(dest: Path) -> Path:
    with store.staged_pack(dest) as folder:
        store.write_file(folder, "evidence/1/global/x.json", b'{"a": 1}\n')
        store.write_file(folder, "collection.json", b"{}\n")
        store.write_file(folder, "report.pdf", b"%PDF-1.7 fake")
    return dest


def test_fresh_pack_verifies(tmp_path: Path) -> None:
    result = store.verify(make_pack(tmp_path / "p"))
    assert result.ok and result.checked == 3


@pytest.mark.parametrize("rel", ["evidence/1/global/x.json", "collection.json", "report.pdf"])
def test_one_changed_byte_is_caught(tmp_path: Path, rel: str) -> None:
    pack = make_pack(tmp_path / "p")
    data = bytearray((pack / rel).read_bytes())
    data[0] ^= 0x01
    (pack / rel).write_bytes(bytes(data))
    result = store.verify(pack)
    assert not result.ok and result.changed == (rel,)


def test_missing_and_extra_files(tmp_path: Path) -> None:
    pack = make_pack(tmp_path / "p")
    (pack / "report.pdf").unlink()
    (pack / "evidence/1/global/planted.json").write_text("{}")
    result = store.verify(pack)
    assert result.missing == ("report.pdf",) and result.extra == ("evidence/1/global/planted.json",)


def test_edited_manifest_entry_breaks_the_pack_id(tmp_path: Path) -> None:
    pack = make_pack(tmp_path / "p")
    data = (pack / "evidence/1/global/x.json").read_bytes() + b" "
    (pack / "evidence/1/global/x.json").write_bytes(data)
    manifest = (pack / "manifest.json").read_text()
    old = store.read_manifest(pack).files["evidence/1/global/x.json"]
    manifest = manifest.replace(old.sha256, store.sha256_bytes(data)).replace(
        f'"size": {old.size}', f'"size": {len(data)}')
    (pack / "manifest.json").write_text(manifest)
    result = store.verify(pack)
    assert not result.changed and not result.digest_ok and not result.ok


def test_failure_leaves_no_pack(tmp_path: Path) -> None:
    dest = tmp_path / "p"
    with pytest.raises(RuntimeError), store.staged_pack(dest) as folder:
        store.write_file(folder, "collection.json", b"{}")
        raise RuntimeError("collector exploded")
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_pack_is_not_overwritten(tmp_path: Path) -> None:
    make_pack(tmp_path / "p")
    with pytest.raises(store.StoreError, match="already exists"):
        make_pack(tmp_path / "p")


def test_update_replaces_atomically(tmp_path: Path) -> None:
    pack = make_pack(tmp_path / "p")
    with store.staged_pack(pack, update=True) as folder:
        store.write_file(folder, "pack.json", b"{}")
    assert store.verify(pack).ok
    assert "pack.json" in store.read_manifest(pack).files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(store.StoreError, match=r"manifest\.json is missing"):
        store.verify(tmp_path)


def test_canonical_json_is_deterministic() -> None:
    assert store.canonical_json({"b": 1, "a": [2]}) == store.canonical_json({"a": [2], "b": 1})
