"""validate_trail over signed chains: the clean case and every tamper scenario, with exact results."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.integrity.keys import PublicKey, StaticKeys
from evidence.integrity.models import (
    Counts,
    FindingCode,
    GapKind,
    IntegrityItem,
    ItemKind,
    RegionIntegrity,
    TimeRange,
    Verdict,
)
from evidence.integrity.synthetic import decode_digest, encode_digest, fingerprint, public_key_of, sign_digest

from .conftest import ACCOUNT, AS_OF, BUCKET, MemoryStore, Scenario, scope

CLEAN_LOGS = 12  # 6 hours x 2 log files


def rewrite(
    sc: Scenario,
    hour: int,
    change: Callable[[dict[str, Any]], None],
    *,
    sign_with: RSAPrivateKey | None = None,
    algorithm: hashes.HashAlgorithm | None = None,
) -> None:
    """Change digest ``hour``'s JSON; sign it again with ``sign_with`` or keep the old signature."""
    key = sc.digest(hour)
    document = decode_digest(sc.store.body(key))
    change(document)
    body, inflated = encode_digest(document)
    metadata = dict(sc.store.meta(key))
    if sign_with is not None:
        metadata["signature"] = sign_digest(document, inflated, sign_with, algorithm)
    sc.store.put(BUCKET, key, body, metadata)


def only(result: RegionIntegrity) -> IntegrityItem:
    assert len(result.items) == 1, result.items
    return result.items[0]


def codes(result: RegionIntegrity) -> list[tuple[str | None, FindingCode, bool]]:
    return [(item.key, item.code, item.cli_equivalent) for item in result.items]


def test_clean_chain_is_valid(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    result = sc.validate(keep_valid_log_keys=True)
    assert result.ok
    assert result.items == ()
    assert result.digests == Counts(valid=6)
    assert result.logs == Counts(valid=CLEAN_LOGS)
    assert result.valid_digest_keys == tuple(d.key for d in sc.chain.digests)
    assert result.valid_log_keys == tuple(sorted(k for d in sc.chain.digests for k in d.log_keys))
    assert result.covered == (sc.period,)
    assert result.gaps == ()
    assert result.signatures_verified
    assert result.key_fingerprints == (fingerprint(signing_key.public_key()),)
    assert result.key_rotations == ()
    assert result.cli.digests_valid == 6 and result.cli.logs_valid == CLEAN_LOGS and result.cli.exit_code == 0
    assert result.cli.found == sc.period


def test_valid_log_keys_are_not_kept_unless_asked(make_chain: Any) -> None:
    assert make_chain().validate().valid_log_keys is None


def test_modified_log_is_a_hash_mismatch(make_chain: Any) -> None:
    sc = make_chain()
    log = sc.chain.digests[2].log_keys[0]
    sc.store.put(BUCKET, log, gzip.compress(b'{"Records":[]}'), {})
    result = sc.validate()
    item = only(result)
    assert (item.kind, item.key, item.verdict, item.code) == (
        ItemKind.log,
        log,
        Verdict.invalid,
        FindingCode.hash_mismatch,
    )
    assert item.cli_equivalent and item.reason == "hash value doesn't match"
    assert item.digest_key == sc.digest(2)
    assert result.logs == Counts(valid=CLEAN_LOGS - 1, invalid=1)
    assert (result.cli.logs_valid, result.cli.logs_invalid, result.cli.exit_code) == (CLEAN_LOGS - 1, 1, 1)
    assert not result.ok


def test_deleted_log_is_missing(make_chain: Any) -> None:
    sc = make_chain()
    log = sc.chain.digests[4].log_keys[1]
    sc.store.delete(log)
    item = only(sc.validate())
    assert (item.key, item.verdict, item.code, item.reason, item.cli_equivalent) == (
        log,
        Verdict.missing,
        FindingCode.not_found,
        "not found",
        True,
    )


def test_bytes_after_a_log_gzip_stream(make_chain: Any) -> None:
    sc = make_chain()
    log = sc.chain.digests[1].log_keys[0]
    sc.store.put(BUCKET, log, sc.store.body(log) + b"appended", {})
    item = only(sc.validate())
    assert (item.code, item.reason, item.cli_equivalent) == (
        FindingCode.trailing_data,
        "unexpected data after end of compressed stream",
        True,
    )


def test_log_without_gzip_trailer_is_truncated_though_the_cli_accepts_it(make_chain: Any) -> None:
    sc = make_chain()
    log = sc.chain.digests[1].log_keys[0]
    sc.store.put(BUCKET, log, sc.store.body(log)[:-8], {})
    result = sc.validate()
    assert (only(result).code, only(result).cli_equivalent) == (FindingCode.truncated, False)
    assert result.cli.logs_invalid == 0


def test_log_that_is_not_gzip_has_an_invalid_format(make_chain: Any) -> None:
    sc = make_chain()
    log = sc.chain.digests[1].log_keys[0]
    sc.store.put(BUCKET, log, b"plain text, not gzip", {})
    item = only(sc.validate())
    assert (item.code, item.reason, item.cli_equivalent) == (FindingCode.invalid_format, "invalid format", True)


def test_modified_digest_fails_its_signature(make_chain: Any) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: d["logFiles"][0].update(hashValue="0" * 64))
    result = sc.validate()
    item = only(result)
    assert (item.key, item.code, item.reason, item.cli_equivalent) == (
        sc.digest(3),
        FindingCode.signature_invalid,
        "signature verification failed",
        True,
    )
    assert item.cli_message() == f"Digest file\ts3://{BUCKET}/{sc.digest(3)}\tINVALID: signature verification failed"
    assert result.digests == Counts(valid=5, invalid=1)
    assert result.logs == Counts(valid=CLEAN_LOGS - 2)
    assert result.logs_not_checked == 2
    assert (result.cli.digests_valid, result.cli.digests_invalid) == (5, 1)


def test_deleted_digest_is_not_found(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.delete(sc.digest(3))
    result = sc.validate()
    item = only(result)
    assert (item.key, item.verdict, item.code, item.cli_equivalent) == (
        sc.digest(3),
        Verdict.missing,
        FindingCode.not_found,
        True,
    )
    assert result.digests == Counts(valid=5, missing=1)
    assert [gap.kind for gap in result.gaps] == [GapKind.digests_missing]
    assert result.gaps[0].window == TimeRange(start=sc.chain.digests[2].end, end=sc.chain.digests[4].start)
    assert (result.cli.digests_valid, result.cli.digests_invalid) == (5, 1)


def test_every_digest_of_a_missing_run_is_counted(make_chain: Any) -> None:
    sc = make_chain()
    for hour in (2, 3, 4):
        sc.store.delete(sc.digest(hour))
    result = sc.validate()
    not_found, gap = result.items
    assert (not_found.key, not_found.code, not_found.cli_equivalent) == (sc.digest(4), FindingCode.not_found, True)
    assert (gap.key, gap.code, gap.verdict, gap.count, gap.cli_equivalent) == (
        None,
        FindingCode.gap,
        Verdict.missing,
        2,
        False,
    )
    assert gap.window == TimeRange(start=sc.chain.digests[1].end, end=sc.chain.digests[5].start)
    assert result.digests == Counts(valid=3, missing=3)
    assert result.cli.digests_invalid == 1  # the CLI sees only the first of the run


def test_two_consecutive_deleted_digests(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.delete(sc.digest(3))
    sc.store.delete(sc.digest(4))
    result = sc.validate()
    assert codes(result) == [(sc.digest(4), FindingCode.not_found, True), (None, FindingCode.gap, False)]
    assert result.items[1].count == 1
    assert result.digests == Counts(valid=4, missing=2)


def test_newest_digest_missing(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.delete(sc.digest(5))
    result = sc.validate()
    item = only(result)
    assert (item.code, item.verdict, item.cli_equivalent, item.count) == (
        FindingCode.newest_missing,
        Verdict.missing,
        False,
        1,
    )
    assert item.window == TimeRange(start=sc.chain.digests[4].end, end=sc.period.end)
    assert "logging periods not supplied" in item.reason
    assert result.cli.exit_code == 0  # the CLI does not notice


def test_newest_digest_missing_while_the_trail_was_logging(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.delete(sc.digest(5))
    logging = [TimeRange(start=sc.period.start - timedelta(days=1), end=AS_OF)]
    item = only(sc.validate(trail_logging_periods=logging))
    assert item.code is FindingCode.newest_missing and "not supplied" not in item.reason


def test_newest_digest_not_expected_after_the_trail_stopped(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.delete(sc.digest(5))
    stopped = [TimeRange(start=sc.period.start - timedelta(days=1), end=sc.chain.digests[4].end)]
    assert sc.validate(trail_logging_periods=stopped).items == ()


def test_newest_digest_not_expected_before_delivery(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.delete(sc.digest(5))
    assert sc.validate(as_of=sc.period.end + timedelta(minutes=30)).items == ()


def test_no_digest_at_all_is_newest_missing_for_the_whole_period(make_chain: Any) -> None:
    sc = make_chain()
    result = sc.validate(period=TimeRange(start=AS_OF - timedelta(days=2), end=AS_OF - timedelta(days=1)))
    item = only(result)
    assert (item.code, item.count) == (FindingCode.newest_missing, 24)
    assert result.digests == Counts(missing=24)
    assert result.cli.digests_valid == result.cli.digests_invalid == 0


def test_digest_signed_with_another_key(make_chain: Any, other_key: RSAPrivateKey) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: None, sign_with=other_key)
    assert codes(sc.validate()) == [(sc.digest(3), FindingCode.signature_invalid, True)]


def test_unknown_key_fingerprint(make_chain: Any, other_key: RSAPrivateKey) -> None:
    sc = make_chain()
    unknown = fingerprint(other_key.public_key())
    rewrite(sc, 3, lambda d: d.update(digestPublicKeyFingerprint=unknown), sign_with=other_key)
    item = only(sc.validate())
    assert (item.code, item.cli_equivalent) == (FindingCode.unknown_key, True)
    assert item.reason == f"public key not found in region eu-west-1 for fingerprint {unknown}"


def test_public_key_that_is_not_pkcs1(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    fp = fingerprint(signing_key.public_key())
    result = sc.validate(keys=StaticKeys([PublicKey(fingerprint=fp, der=b"not a key")]))
    assert [item.code for item in result.items] == [FindingCode.invalid_public_key] * 6
    assert result.items[0].reason == f"Unable to load PKCS #1 key with fingerprint {fp}"
    assert result.cli.digests_invalid == 6


def test_altered_previous_signature_left_unsigned(make_chain: Any) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: d.update(previousDigestSignature="ab" * 256))
    assert codes(sc.validate()) == [(sc.digest(3), FindingCode.signature_invalid, True)]


def test_altered_previous_signature_signed_again_breaks_the_chain(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: d.update(previousDigestSignature="ab" * 256), sign_with=signing_key)
    result = sc.validate()
    assert codes(result) == [
        (sc.digest(3), FindingCode.chain_link_broken, False),
        (sc.digest(4), FindingCode.chain_link_broken, False),
        (sc.digest(4), FindingCode.chain_link_broken, False),
    ]
    assert "previousDigestSignature" in result.items[0].reason and sc.digest(2) in result.items[0].reason
    assert {"previousDigestSignature", "previousDigestHashValue"} == {
        item.reason.split()[0] for item in result.items[1:]
    }
    assert result.digests == Counts(valid=4, invalid=2)
    assert (result.cli.digests_valid, result.cli.exit_code) == (6, 0)  # the CLI finds nothing wrong


def test_sha1_signature_is_weak(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: None, sign_with=signing_key, algorithm=hashes.SHA1())
    result = sc.validate()
    # Digest 4 recorded the original SHA-256 signature of digest 3, which is gone.
    assert codes(result) == [
        (sc.digest(3), FindingCode.weak_signature_algorithm, False),
        (sc.digest(4), FindingCode.chain_link_broken, False),
    ]
    assert "SHA-1" in result.items[0].reason
    assert result.cli.exit_code == 0


def test_sha512_signature_is_unexpected(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: None, sign_with=signing_key, algorithm=hashes.SHA512())
    result = sc.validate()
    assert result.items[0].code is FindingCode.unexpected_signature_algorithm
    assert "SHA-512" in result.items[0].reason


def test_declared_algorithms_must_be_sha256_with_rsa(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    sc.store.meta(sc.digest(1))["signature-algorithm"] = "SHA1withRSA"
    rewrite(sc, 4, lambda d: d.update(digestSignatureAlgorithm="MD5withRSA"), sign_with=signing_key)
    result = sc.validate()
    assert [(i.key, i.code) for i in result.items] == [
        (sc.digest(1), FindingCode.unexpected_signature_algorithm),
        (sc.digest(4), FindingCode.unexpected_signature_algorithm),
        (sc.digest(5), FindingCode.chain_link_broken),
        (sc.digest(5), FindingCode.chain_link_broken),
    ]
    assert "'SHA1withRSA'" in result.items[0].reason and "'MD5withRSA'" in result.items[1].reason


def test_signature_metadata_missing(make_chain: Any) -> None:
    sc = make_chain()
    del sc.store.meta(sc.digest(3))["signature"]
    item = only(sc.validate())
    assert (item.code, item.reason, item.cli_equivalent) == (
        FindingCode.signature_metadata_missing,
        "signature verification failed",
        True,
    )


def test_signature_metadata_that_is_not_hex(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.meta(sc.digest(3))["signature"] = "not-hex"
    item = only(sc.validate())
    assert (item.code, item.cli_equivalent) == (FindingCode.signature_malformed, True)
    assert item.reason == "Odd-length string"


def test_store_without_metadata_checks_all_but_signatures(make_chain: Any) -> None:
    sc = make_chain()
    bare = MemoryStore(with_metadata=False)
    bare.objects = sc.store.objects
    log = sc.chain.digests[0].log_keys[0]
    sc.store.put(BUCKET, log, gzip.compress(b"{}"), {})
    result = sc.validate(store=bare)
    unverified = [item for item in result.items if item.verdict is Verdict.unverified]
    assert [item.key for item in unverified] == [d.key for d in sc.chain.digests]
    assert {item.code for item in unverified} == {FindingCode.signature_not_verified}
    assert "no S3 metadata" in unverified[0].reason
    assert [(item.key, item.code) for item in result.items if item.kind is ItemKind.log] == [
        (log, FindingCode.hash_mismatch)
    ]
    assert result.digests == Counts(unverified=6)
    assert result.logs == Counts(valid=CLEAN_LOGS - 1, invalid=1)
    assert not result.signatures_verified and not result.ok
    assert result.notes[0].startswith("Signatures of 6 digest file(s) were not verified")
    assert result.covered == (sc.period,)


def test_without_metadata_a_modified_digest_breaks_its_successors_link(make_chain: Any) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: d["logFiles"].pop())
    bare = MemoryStore(with_metadata=False)
    bare.objects = sc.store.objects
    broken = [item for item in sc.validate(store=bare).items if item.verdict is Verdict.invalid]
    assert [(item.key, item.code) for item in broken] == [(sc.digest(4), FindingCode.chain_link_broken)]
    assert "previousDigestHashValue" in broken[0].reason


def test_pointer_loop_in_unsigned_content_ends_the_chain(make_chain: Any) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: d.update(previousDigestS3Object=sc.digest(3)))
    bare = MemoryStore(with_metadata=False)
    bare.objects = sc.store.objects
    result = sc.validate(store=bare)
    broken = [(item.key, item.code) for item in result.items if item.verdict is Verdict.invalid]
    assert broken == [(sc.digest(3), FindingCode.chain_link_broken), (sc.digest(4), FindingCode.chain_link_broken)]
    assert result.cli.digests_valid == 6


def test_without_public_keys_signatures_are_not_verified(make_chain: Any) -> None:
    result = make_chain().validate(keys=None)
    assert result.digests == Counts(unverified=6)
    assert result.items[0].reason == "signature not verified: no public keys were supplied"


def test_hour_with_logging_off_is_no_log_files_delivered(make_chain: Any) -> None:
    sc = make_chain(quiet_hours=frozenset({3}))
    window = TimeRange(start=sc.chain.digests[2].end, end=sc.chain.digests[3].start)
    result = sc.validate()
    assert result.items == ()
    assert [(gap.kind, gap.window) for gap in result.gaps] == [(GapKind.no_log_files_delivered, window)]
    assert result.digests == Counts(valid=5) and result.ok
    off = [
        TimeRange(start=sc.period.start - timedelta(days=1), end=window.start),
        TimeRange(start=window.end, end=AS_OF),
    ]
    assert sc.validate(trail_logging_periods=off).items == ()


def test_chain_restart_while_the_trail_was_logging_is_a_gap(make_chain: Any) -> None:
    sc = make_chain(quiet_hours=frozenset({3}))
    logging = [TimeRange(start=sc.period.start - timedelta(days=1), end=AS_OF)]
    result = sc.validate(trail_logging_periods=logging)
    item = only(result)
    assert (item.code, item.count, item.cli_equivalent) == (FindingCode.gap, 1, False)
    assert "the trail was logging" in item.reason
    assert [gap.kind for gap in result.gaps] == [GapKind.digests_missing]
    assert result.notes == ()


def test_key_rotation_inside_the_period(make_chain: Any, signing_key: RSAPrivateKey, other_key: RSAPrivateKey) -> None:
    sc = make_chain(rotations={3: other_key})
    result = sc.validate()
    assert result.ok
    first, second = fingerprint(signing_key.public_key()), fingerprint(other_key.public_key())
    assert result.key_fingerprints == (first, second)
    assert [(r.at, r.previous_fingerprint, r.fingerprint) for r in result.key_rotations] == [
        (sc.chain.digests[3].end, first, second)
    ]
    without_new_key = sc.validate(keys=StaticKeys([public_key_of(signing_key)]))
    assert [item.code for item in without_new_key.items] == [FindingCode.unknown_key] * 3


def test_s3_key_prefix(make_chain: Any) -> None:
    sc = make_chain(trail=scope(prefix="cloudtrail/prod"))
    assert all(d.key.startswith("cloudtrail/prod/AWSLogs/") for d in sc.chain.digests)
    assert sc.validate().ok
    unprefixed = Scenario(sc.store, sc.chain, sc.spec.model_copy(update={"scope": scope()}), sc.keys)
    assert unprefixed.validate().digests == Counts(missing=6)


def test_organization_trail_layout(make_chain: Any) -> None:
    member = "444455556666"
    sc = make_chain(trail=scope(account_id=member, organization_id="o-a1b2c3d4e5"))
    assert sc.digest(0).startswith(f"AWSLogs/o-a1b2c3d4e5/{member}/CloudTrail-Digest/eu-west-1/")
    assert f"/{member}_CloudTrail-Digest_" in sc.digest(0) and ACCOUNT not in sc.digest(0)
    result = sc.validate()
    assert result.ok and result.digests == Counts(valid=6)


def test_backfill_digests_are_validated_separately(make_chain: Any) -> None:
    sc = make_chain(backfill_hours=frozenset({2}))
    result = sc.validate()
    assert result.ok
    assert (result.digests, result.backfill_digests) == (Counts(valid=5), Counts(valid=1))
    assert (result.cli.digests_valid, result.cli.backfill_digests_valid, result.cli.logs_valid) == (5, 1, CLEAN_LOGS)


def test_backfill_digest_without_generation_time_has_an_invalid_format(make_chain: Any) -> None:
    sc = make_chain(backfill_hours=frozenset({2}))
    del sc.store.meta(sc.digest(2))["backfill-generation-timestamp"]
    result = sc.validate()
    item = only(result)
    assert (item.code, item.backfill, item.cli_equivalent) == (FindingCode.invalid_format, True, True)
    assert item.cli_message().startswith("(backfill) Digest file\t")
    assert result.backfill_digests == Counts(invalid=1)
    assert result.cli.backfill_digests_invalid == 1


def test_backfill_generation_time_that_is_not_a_date(make_chain: Any) -> None:
    sc = make_chain(backfill_hours=frozenset({2}))
    sc.store.meta(sc.digest(2))["backfill-generation-timestamp"] = "soon"
    assert only(sc.validate()).reason == "Unable to parse date value: soon"


def test_digest_copied_over_another_has_moved(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.put(BUCKET, sc.digest(4), sc.store.body(sc.digest(3)), sc.store.meta(sc.digest(3)))
    item = only(sc.validate())
    assert (item.key, item.code, item.reason, item.cli_equivalent) == (
        sc.digest(4),
        FindingCode.moved,
        "has been moved from its original location",
        True,
    )


@pytest.mark.parametrize(
    "body",
    [b"garbage", gzip.compress(b"not json", mtime=0), gzip.compress(b"[1, 2]", mtime=0),
     gzip.compress(b'{"awsAccountId": "1"}', mtime=0)],
    ids=["not-gzip", "not-json", "a-list", "fields-missing"],
)
def test_unreadable_digest_has_an_invalid_format(make_chain: Any, body: bytes) -> None:
    sc = make_chain()
    sc.store.put(BUCKET, sc.digest(3), body, sc.store.meta(sc.digest(3)))
    result = sc.validate()
    item = only(result)  # its time is accounted for: no extra gap finding
    assert (item.code, item.reason, item.cli_equivalent) == (FindingCode.invalid_format, "invalid format", True)
    assert [gap.kind for gap in result.gaps] == [GapKind.digests_missing]


def test_digest_time_that_is_not_a_date(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    rewrite(sc, 3, lambda d: d.update(digestStartTime="yesterday"), sign_with=signing_key)
    item = only(sc.validate())
    assert (item.code, item.reason) == (FindingCode.invalid_format, "Unable to parse date value: yesterday")


def test_bytes_after_a_digest_gzip_stream(make_chain: Any) -> None:
    sc = make_chain()
    sc.store.put(BUCKET, sc.digest(3), sc.store.body(sc.digest(3)) + b"\0", sc.store.meta(sc.digest(3)))
    result = sc.validate()
    assert codes(result) == [(sc.digest(3), FindingCode.trailing_data, False)]
    assert result.cli.exit_code == 0


def test_a_log_listed_twice_is_checked_once(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()
    repeated = decode_digest(sc.store.body(sc.digest(2)))["logFiles"][0]
    rewrite(sc, 2, lambda d: d["logFiles"].append(repeated), sign_with=signing_key)
    result = sc.validate()
    assert result.logs == Counts(valid=CLEAN_LOGS)
    assert result.cli.logs_valid == CLEAN_LOGS + 1  # the CLI downloads it for each entry


def test_log_entries_that_are_not_well_formed(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc = make_chain()

    def damage(document: dict[str, Any]) -> None:
        document["logFiles"][0]["hashValue"] = {"not": "a string"}
        document["logFiles"].extend(["junk", {"s3Bucket": BUCKET}])  # not log entries: skipped

    rewrite(sc, 2, damage, sign_with=signing_key)
    result = sc.validate()
    logs = [(item.key, item.code, item.cli_equivalent) for item in result.items if item.kind is ItemKind.log]
    assert logs == [(sc.chain.digests[2].log_keys[0], FindingCode.hash_mismatch, True)]
    assert result.logs == Counts(valid=CLEAN_LOGS - 1, invalid=1)


def test_chain_that_moved_to_another_bucket(make_chain: Any) -> None:
    sc = make_chain(relocations={3: "new-trail-bucket"})
    new = Scenario(sc.store, sc.chain, sc.spec.model_copy(update={"scope": scope(bucket="new-trail-bucket")}), sc.keys)
    result = new.validate()
    assert result.ok
    assert result.digests == Counts(valid=6) and result.logs == Counts(valid=CLEAN_LOGS)
    assert result.cli.digests_valid == 6
