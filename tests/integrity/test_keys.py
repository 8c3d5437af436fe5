"""Public keys: value encodings, the list-public-keys file, and ListPublicKeys through botocore."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.integrity.errors import PublicKeyError
from evidence.integrity.keys import (
    MAX_KEY_PAGES,
    CloudTrailKeys,
    PublicKey,
    StaticKeys,
    load_public_keys_file,
    normalize_key_value,
    public_keys_from_response,
)
from evidence.integrity.synthetic import public_key_of

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pkcs1(key: RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def test_value_as_raw_der_base64_or_double_base64(signing_key: RSAPrivateKey) -> None:
    der = pkcs1(signing_key)
    once = base64.b64encode(der)
    assert normalize_key_value(der) == der
    assert normalize_key_value(once) == der
    assert normalize_key_value(once.decode()) == der
    assert normalize_key_value(base64.b64encode(once)) == der
    triple = base64.b64encode(base64.b64encode(once))
    assert normalize_key_value(triple) == der
    assert normalize_key_value(base64.b64encode(triple)) == base64.b64encode(triple)  # too deep: as received


def test_values_that_are_not_pkcs1_stay_as_received(signing_key: RSAPrivateKey) -> None:
    spki = signing_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert normalize_key_value(spki) == spki
    assert PublicKey(fingerprint="f", der=spki).rsa is None
    ec = ec_key().public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert PublicKey(fingerprint="f", der=ec).rsa is None
    assert normalize_key_value("not base64 at all!") == b"not base64 at all!"
    assert normalize_key_value(base64.b64encode(b"junk")) == base64.b64encode(b"junk")


def test_public_key_loads_rsa(signing_key: RSAPrivateKey) -> None:
    key = public_key_of(signing_key)
    assert key.rsa is not None and key.rsa.public_numbers() == signing_key.public_key().public_numbers()


def cli_document(*keys: RSAPrivateKey) -> dict[str, object]:
    return {
        "PublicKeyList": [
            {
                "Value": base64.b64encode(pkcs1(key)).decode(),
                "ValidityStartTime": "2024-02-01T00:00:00+00:00",
                "ValidityEndTime": "2024-04-01T00:00:00Z",
                "Fingerprint": public_key_of(key).fingerprint,
            }
            for key in keys
        ]
    }


def test_load_the_file_list_public_keys_prints(
    tmp_path: Path, signing_key: RSAPrivateKey, other_key: RSAPrivateKey
) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(cli_document(signing_key, other_key)))
    keys = load_public_keys_file(path).keys_between(T0, T0)
    assert set(keys) == {public_key_of(signing_key).fingerprint, public_key_of(other_key).fingerprint}
    first = keys[public_key_of(signing_key).fingerprint]
    assert first.der == pkcs1(signing_key)
    assert first.validity is not None and first.validity.start == datetime(2024, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "Cannot read public keys"),
        ("[]", "is not a ListPublicKeys document"),
        ('{"PublicKeyList": []}', "No public keys were supplied"),
        ('{"PublicKeyList": [{"Value": "AAAA"}]}', "Unreadable ListPublicKeys entry"),
    ],
)
def test_bad_key_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content)
    with pytest.raises(PublicKeyError, match=message):
        load_public_keys_file(path)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(PublicKeyError, match="Cannot read public keys"):
        load_public_keys_file(tmp_path / "absent.json")


def test_response_without_validity(signing_key: RSAPrivateKey) -> None:
    (key,) = public_keys_from_response({"PublicKeyList": [{"Value": pkcs1(signing_key), "Fingerprint": "ab"}]})
    assert key.validity is None and key.rsa is not None


def cloudtrail() -> tuple[object, Stubber]:
    client = boto3.client("cloudtrail", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    return client, Stubber(client)


def test_cloudtrail_keys_paginates_and_caches(signing_key: RSAPrivateKey, other_key: RSAPrivateKey) -> None:
    client, stub = cloudtrail()
    end = T0 + timedelta(hours=2)
    first, second = (public_key_of(k) for k in (signing_key, other_key))
    stub.add_response(
        "list_public_keys",
        {"PublicKeyList": [{"Value": first.der, "Fingerprint": first.fingerprint}], "NextToken": "page2"},
        {"StartTime": T0, "EndTime": end},
    )
    stub.add_response(
        "list_public_keys",
        {"PublicKeyList": [{"Value": second.der, "Fingerprint": second.fingerprint}]},
        {"StartTime": T0, "EndTime": end, "NextToken": "page2"},
    )
    provider = CloudTrailKeys(client)
    with stub:
        keys = provider.keys_between(T0, end)
        again = provider.keys_between(T0, end)  # no third call: the stubber would fail
    stub.assert_no_pending_responses()
    assert keys is again and set(keys) == {first.fingerprint, second.fingerprint}
    assert keys[first.fingerprint].rsa is not None


def test_cloudtrail_keys_none_in_range() -> None:
    client, stub = cloudtrail()
    stub.add_response("list_public_keys", {"PublicKeyList": []})
    with stub, pytest.raises(PublicKeyError, match="No public keys found between 2024-03-01T00:00:00Z and"):
        CloudTrailKeys(client).keys_between(T0, T0 + timedelta(hours=2))


def test_cloudtrail_keys_access_denied() -> None:
    client, stub = cloudtrail()
    stub.add_client_error("list_public_keys", "AccessDeniedException", "no")
    with stub, pytest.raises(PublicKeyError, match="ListPublicKeys failed"):
        CloudTrailKeys(client).keys_between(T0, T0)


def test_cloudtrail_keys_token_loop(signing_key: RSAPrivateKey) -> None:
    client, stub = cloudtrail()
    key = public_key_of(signing_key)
    page = {"PublicKeyList": [{"Value": key.der, "Fingerprint": key.fingerprint}], "NextToken": "again"}
    stub.add_response("list_public_keys", page)
    stub.add_response("list_public_keys", page)
    with stub, pytest.raises(PublicKeyError, match="same NextToken twice"):
        CloudTrailKeys(client).keys_between(T0, T0 + timedelta(hours=2))


def test_cloudtrail_keys_page_cap(signing_key: RSAPrivateKey) -> None:
    client, stub = cloudtrail()
    key = public_key_of(signing_key)
    for n in range(MAX_KEY_PAGES):
        stub.add_response("list_public_keys",
                          {"PublicKeyList": [{"Value": key.der, "Fingerprint": key.fingerprint}], "NextToken": f"t{n}"})
    with stub, pytest.raises(PublicKeyError, match=f"sent {MAX_KEY_PAGES} pages"):
        CloudTrailKeys(client).keys_between(T0, T0 + timedelta(hours=2))
    stub.assert_no_pending_responses()


def test_static_keys_need_a_key() -> None:
    with pytest.raises(PublicKeyError):
        StaticKeys([])
