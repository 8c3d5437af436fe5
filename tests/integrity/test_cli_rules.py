"""Our CLI-equivalent findings against the rules of `aws cloudtrail validate-logs`.

Each expectation is derived from the reference description of the CLI (what it prints as
INVALID lines on stderr, its summary counts and exit code), not from our own code.
"""

from __future__ import annotations

import gzip
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.integrity.models import RegionIntegrity

from .conftest import BUCKET, Scenario
from .test_validate import rewrite


def cli_view(result: RegionIntegrity) -> tuple[list[str], tuple[int, int, int, int, int]]:
    lines = [item.cli_message() for item in result.items if item.cli_equivalent]
    c = result.cli
    return lines, (c.digests_valid, c.digests_invalid, c.logs_valid, c.logs_invalid, c.exit_code)


def line(kind: str, key: str, reason: str) -> str:
    return f"{kind} file\ts3://{BUCKET}/{key}\tINVALID: {reason}"


def test_missing_run_only_the_first_pointer_target_is_seen(make_chain: Any) -> None:
    sc: Scenario = make_chain()
    for hour in (2, 3):
        sc.store.delete(sc.digest(hour))
    # Walk: 5, 4 -> pointer to 3: not found; next older listed than 3 is 1 (2 is gone); 1 -> 0.
    assert cli_view(sc.validate()) == ([line("Digest", sc.digest(3), "not found")], (4, 1, 8, 0, 1))


def test_logs_of_an_invalid_digest_are_never_downloaded(make_chain: Any) -> None:
    sc: Scenario = make_chain()
    rewrite(sc, 3, lambda d: d.update(awsAccountId="999999999999"))
    sc.store.delete(sc.chain.digests[3].log_keys[0])  # not checked: its digest is invalid
    lines, summary = cli_view(sc.validate())
    assert lines == [line("Digest", sc.digest(3), "signature verification failed")]
    assert summary == (5, 1, 10, 0, 1)


def test_each_log_problem_is_one_invalid_log_line(make_chain: Any) -> None:
    sc: Scenario = make_chain()
    modified, deleted, trailing = (sc.chain.digests[hour].log_keys[0] for hour in (0, 1, 2))
    sc.store.put(BUCKET, modified, gzip.compress(b"{}"), {})
    sc.store.delete(deleted)
    sc.store.put(BUCKET, trailing, sc.store.body(trailing) + b"!", {})
    lines, summary = cli_view(sc.validate())
    assert sorted(lines) == sorted(
        [
            line("Log", modified, "hash value doesn't match"),
            line("Log", deleted, "not found"),
            line("Log", trailing, "unexpected data after end of compressed stream"),
        ]
    )
    assert summary == (6, 0, 9, 3, 1)


def test_what_the_cli_does_not_check_leaves_it_at_exit_code_zero(make_chain: Any, signing_key: RSAPrivateKey) -> None:
    sc: Scenario = make_chain()
    rewrite(sc, 1, lambda d: d.update(previousDigestHashValue="0" * 64), sign_with=signing_key)
    rewrite(sc, 3, lambda d: None, sign_with=signing_key, algorithm=hashes.SHA1())
    sc.store.delete(sc.digest(5))
    result = sc.validate()
    assert cli_view(result) == ([], (5, 0, 10, 0, 0))
    assert [(item.key, item.code.value) for item in result.items] == [
        (sc.digest(1), "chain_link_broken"),  # its previousDigestHashValue
        (sc.digest(2), "chain_link_broken"),  # digest 1 was re-signed ...
        (sc.digest(2), "chain_link_broken"),  # ... and changed
        (sc.digest(3), "weak_signature_algorithm"),
        (sc.digest(4), "chain_link_broken"),  # digest 3 was re-signed
        (None, "newest_missing"),
    ]


def test_found_range_is_clipped_to_the_period(make_chain: Any) -> None:
    sc: Scenario = make_chain()
    inner = sc.period.model_copy(update={"start": sc.chain.digests[1].start.replace(minute=40)})
    found = sc.validate(period=inner).cli.found
    assert found is not None and (found.start, found.end) == (inner.start, inner.end)
