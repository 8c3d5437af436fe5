"""Streaming gunzip + SHA-256 of log files, and the outcome against the digest's hash."""

from __future__ import annotations

import gzip
import hashlib
import io
import os

from evidence.integrity import logs
from evidence.integrity.logs import check_log, gunzip_sha256
from evidence.integrity.models import FindingCode, Verdict

from .conftest import BUCKET, MemoryStore

CONTENT = os.urandom(200_000) * 30  # 6 MB: several read chunks and inflate rounds
BODY = gzip.compress(CONTENT, compresslevel=1)
SHA = hashlib.sha256(CONTENT).hexdigest()


class Chunks:
    """A stream that returns the given pieces, one per read, whatever size is asked for."""

    def __init__(self, *pieces: bytes) -> None:
        self.pieces = list(pieces)

    def read(self, size: int = -1, /) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""

    def close(self) -> None:
        self.pieces = []


def test_hash_of_the_decompressed_content() -> None:
    result = gunzip_sha256(io.BytesIO(BODY))
    assert (result.sha256, result.trailing_data, result.complete) == (SHA, False, True)


def test_trailing_bytes_in_the_same_chunk_or_the_next() -> None:
    assert gunzip_sha256(io.BytesIO(BODY + b"x")).trailing_data
    assert gunzip_sha256(Chunks(BODY, b"x")).trailing_data
    assert not gunzip_sha256(Chunks(BODY, b"")).trailing_data
    second_member = gunzip_sha256(io.BytesIO(BODY + gzip.compress(b"more")))
    assert second_member.trailing_data and second_member.sha256 == SHA


def test_missing_gzip_trailer_is_incomplete() -> None:
    result = gunzip_sha256(io.BytesIO(BODY[:-8]))
    assert (result.sha256, result.complete) == (SHA, False)


def test_reads_in_bounded_chunks() -> None:
    sizes: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            sizes.append(-1 if size is None else size)
            return super().read(size)

    gunzip_sha256(Recording(BODY))
    assert set(sizes) == {logs.READ_CHUNK}


def store_with(body: bytes) -> MemoryStore:
    store = MemoryStore()
    store.put(BUCKET, "log.json.gz", body, {})
    return store


def test_check_log_outcomes() -> None:
    valid = check_log(store_with(BODY), BUCKET, "log.json.gz", SHA)
    assert (valid.verdict, valid.code, valid.cli_invalid) == (Verdict.valid, None, False)
    cases = {
        FindingCode.not_found: (MemoryStore(), SHA),
        FindingCode.invalid_format: (store_with(b"not gzip"), SHA),
        FindingCode.trailing_data: (store_with(BODY + b"\n"), SHA),
        FindingCode.hash_mismatch: (store_with(BODY), SHA.upper()),
        FindingCode.truncated: (store_with(BODY[:-4]), SHA),
    }
    for code, (store, expected) in cases.items():
        outcome = check_log(store, BUCKET, "log.json.gz", expected)
        assert outcome.code is code
        assert outcome.cli_invalid is (code is not FindingCode.truncated)
        assert outcome.verdict is (Verdict.missing if code is FindingCode.not_found else Verdict.invalid)


def test_cut_inside_the_stream_is_a_hash_mismatch_like_the_cli_says() -> None:
    outcome = check_log(store_with(BODY[: len(BODY) // 2]), BUCKET, "log.json.gz", SHA)
    assert outcome.code is FindingCode.hash_mismatch
