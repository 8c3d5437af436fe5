"""LocalStore over a synced copy, the metadata sidecar, and error mapping of the stores."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from evidence.integrity.errors import ObjectNotFound, StoreAccessError
from evidence.integrity.models import Counts, FindingCode, Verdict
from evidence.integrity.sidecar import ObjectMetadataIndex, SidecarError, capture_digest_metadata
from evidence.integrity.store import LocalStore

from .conftest import AS_OF, BUCKET, MemoryStore


@pytest.fixture
def copy(tmp_path: Path) -> LocalStore:
    for key in ("a/b/one.json.gz", "a/b/two.json.gz", "a/c/three.json.gz", "a/bz.txt", "top.txt"):
        path = tmp_path / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.encode())
    return LocalStore(tmp_path, BUCKET)


def test_local_listing_is_sorted_and_filtered(copy: LocalStore) -> None:
    assert list(copy.list_keys(BUCKET, "a/b")) == ["a/b/one.json.gz", "a/b/two.json.gz", "a/bz.txt"]
    assert list(copy.list_keys(BUCKET, "a/b/", "a/b/one.json.gz")) == ["a/b/two.json.gz"]
    assert list(copy.list_keys(BUCKET, "")) == [
        "a/b/one.json.gz",
        "a/b/two.json.gz",
        "a/bz.txt",
        "a/c/three.json.gz",
        "top.txt",
    ]
    assert list(copy.list_keys(BUCKET, "absent/")) == []


def test_local_open_and_missing_objects(copy: LocalStore) -> None:
    stream = copy.open(BUCKET, "a/b/one.json.gz")
    assert stream.read() == b"a/b/one.json.gz"
    stream.close()
    for key in ("a/b/absent.json.gz", "../outside.txt", "a/../../outside.txt", ""):
        with pytest.raises(ObjectNotFound):
            copy.open(BUCKET, key)
    with pytest.raises(ObjectNotFound):
        copy.metadata(BUCKET, "a/b/absent.json.gz")
    with pytest.raises(StoreAccessError, match="Cannot read"):
        copy.open(BUCKET, "a")  # a folder, not an object


def test_local_store_holds_one_bucket(copy: LocalStore) -> None:
    for call in (lambda: copy.open("other", "top.txt"), lambda: list(copy.list_keys("other", ""))):
        with pytest.raises(StoreAccessError, match="Bucket other is not in the local copy"):
            call()


def test_local_metadata_comes_from_the_sidecar(tmp_path: Path, copy: LocalStore) -> None:
    assert copy.metadata(BUCKET, "top.txt") is None
    index = ObjectMetadataIndex(bucket=BUCKET, captured_at=AS_OF, objects={"top.txt": {"signature": "ab"}})
    path = tmp_path / "sidecar.json"
    index.write(path)
    loaded = ObjectMetadataIndex.load(path)
    assert loaded == index
    with_sidecar = LocalStore(tmp_path, BUCKET, loaded)
    assert with_sidecar.metadata(BUCKET, "top.txt") == {"signature": "ab"}
    assert with_sidecar.metadata(BUCKET, "a/bz.txt") is None
    with pytest.raises(StoreAccessError, match="describes bucket"):
        LocalStore(tmp_path, "other", loaded)


def test_unreadable_sidecar(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    for path in (tmp_path / "bad.json", tmp_path / "absent.json"):
        with pytest.raises(SidecarError):
            ObjectMetadataIndex.load(path)


def test_local_copy_validates_like_the_bucket(make_chain: Any, tmp_path: Path) -> None:
    sc = make_chain()
    log = sc.chain.digests[2].log_keys[1]
    sc.store.delete(log)
    sidecar = capture_digest_metadata(sc.store, sc.spec.scope, sc.period, captured_at=AS_OF)
    assert set(sidecar.objects) == {d.key for d in sc.chain.digests}
    sc.store.dump(tmp_path)

    bare = sc.validate(store=LocalStore(tmp_path, BUCKET))
    assert bare.digests == Counts(unverified=6) and not bare.signatures_verified
    assert [(i.key, i.code) for i in bare.items if i.kind.value == "log"] == [(log, FindingCode.not_found)]

    verified = sc.validate(store=LocalStore(tmp_path, BUCKET, sidecar))
    in_bucket = sc.validate()
    assert verified.model_dump(exclude={"notes"}) == in_bucket.model_dump(exclude={"notes"})
    assert verified.signatures_verified and verified.digests == Counts(valid=6)
    assert [i.verdict for i in verified.items] == [Verdict.missing]


def test_sidecar_skips_objects_without_metadata(make_chain: Any) -> None:
    sc = make_chain()
    bare = MemoryStore(with_metadata=False)
    bare.objects = sc.store.objects
    period = sc.period.model_copy(update={"end": sc.period.end + timedelta(hours=1)})
    assert capture_digest_metadata(bare, sc.spec.scope, period).objects == {}
