"""Signing, sign-off, exceptions and manual evidence on the demo pack."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from evidence import store
from evidence.cli import app
from evidence.demo import scenario

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def soc2_pack(demo_pack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pack evaluated for SOC 2 only, so that re-rendering stays quick."""
    copy = tmp_path_factory.mktemp("trust") / "pack"
    shutil.copytree(demo_pack, copy)
    assert cli("evaluate", str(copy), "--frameworks", "soc2")[0] == 0
    assert cli("report", str(copy))[0] == 0
    return copy


@pytest.fixture
def pack(soc2_pack: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(soc2_pack, copy)
    return copy


def write_key(path: Path) -> ed25519.Ed25519PrivateKey:
    key = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return key


def public_pem(key: ed25519.Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def test_sign_and_verify_say_who_signed(pack: Path, tmp_path: Path) -> None:
    key = write_key(tmp_path / "k.pem")
    assert cli("sign", str(pack), "--key", str(tmp_path / "k.pem"))[0] == 0
    code, out = cli("verify", str(pack), "--public-key", str(public_pem(key, tmp_path / "k.pub")))
    assert code == 0 and "signed by Ed25519 key" in out


def test_bad_signature_and_wrong_key_fail(pack: Path, tmp_path: Path) -> None:
    write_key(tmp_path / "k.pem")
    other = write_key(tmp_path / "other.pem")
    cli("sign", str(pack), "--key", str(tmp_path / "k.pem"))
    code, out = cli("verify", str(pack), "--public-key", str(public_pem(other, tmp_path / "o.pub")))
    assert code == 1 and "not by the expected key" in out
    sig = json.loads((pack / "manifest.sig.json").read_text())
    raw = bytearray(__import__("base64").b64decode(sig["signature"]))
    raw[0] ^= 1
    sig["signature"] = __import__("base64").b64encode(bytes(raw)).decode()
    (pack / "manifest.sig.json").write_text(json.dumps(sig))
    code, out = cli("verify", str(pack))
    assert code == 1 and "does not verify" in out


def test_kms_signature(pack: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from evidence.demo.emulator import emulator_credentials

    creds = emulator_credentials()
    kms = boto3.client("kms", region_name="us-east-1", endpoint_url=emulator.endpoint_url, **creds)
    key_id = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["aws_secret_access_key"])
    code, out = cli("sign", str(pack), "--kms-key-id", key_id)
    assert code == 0, out
    code, out = cli("verify", str(pack))
    assert code == 0 and f"AWS KMS key {key_id}" in out


def test_signoff_then_tampering_invalidates_it(pack: Path) -> None:
    code, out = cli("signoff", str(pack), "--name", "Dana Lee", "--role", "CISO", "--decision", "approved",
                    "--comment", "Q4 evidence reviewed")
    assert code == 0, out
    code, out = cli("verify", str(pack))
    assert code == 0 and "approved by Dana Lee" in out
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(pack / "soc2.pdf").pages[-2:])
    assert "Dana Lee" in text
    # Re-evaluating after the sign-off changes pack.json: the sign-off no longer holds.
    assert cli("evaluate", str(pack), "--frameworks", "soc2")[0] == 0
    code, out = cli("verify", str(pack))
    assert code == 1 and "INVALID" in out


def register(path: Path, **overrides: Any) -> Path:
    entry = {"id": "EX-1", "check": "s3.bucket_access_logging", "resource": f"arn:aws:s3:::{scenario.DATA_BUCKET}",
             "reason": "CloudTrail data events replace access logs here.", "owner": "platform",
             "approved_by": "Dana Lee", "approved_on": "2026-01-01",
             "expires_on": str(date.today() + timedelta(days=90))}
    entries = [{**entry, **overrides}, {**entry, "id": "EX-UNUSED", "resource": "arn:aws:s3:::nothing-*"}]
    path.write_text(json.dumps({"exceptions": entries}))
    return path


def test_exception_applies_and_unused_is_reported(pack: Path, tmp_path: Path) -> None:
    code, out = cli("evaluate", str(pack), "--frameworks", "soc2", "--exceptions", str(register(tmp_path / "ex.yaml")))
    assert code == 0, out
    data = json.loads((pack / "pack.json").read_text())
    states = {r["entry"]["id"]: r["state"] for r in data["exceptions"]}
    assert states == {"EX-1": "applied", "EX-UNUSED": "unused"}
    statuses = {f["resource"]: f["status"] for f in data["findings"] if f["check"] == "s3.bucket_access_logging"}
    assert statuses[f"arn:aws:s3:::{scenario.DATA_BUCKET}"] == "excepted"
    assert statuses[f"arn:aws:s3:::{scenario.PUBLIC_BUCKET}"] == "fail"
    assert (pack / "exceptions.yaml").is_file() and "exceptions.yaml" in store.read_manifest(pack).files


@pytest.mark.parametrize(("overrides", "state"), [
    ({"expires_on": "2026-01-31"}, "expired"),
    ({"approved_by": None}, "unapproved"),
])
def test_expired_or_unapproved_exception_does_not_apply(pack: Path, tmp_path: Path, overrides: dict[str, Any],
                                                        state: str) -> None:
    cli("evaluate", str(pack), "--frameworks", "soc2", "--exceptions", str(register(tmp_path / "ex.yaml", **overrides)))
    data = json.loads((pack / "pack.json").read_text())
    assert {r["entry"]["id"]: r["state"] for r in data["exceptions"]}["EX-1"] == state
    statuses = {f["resource"]: f["status"] for f in data["findings"] if f["check"] == "s3.bucket_access_logging"}
    assert statuses[f"arn:aws:s3:::{scenario.DATA_BUCKET}"] == "fail"


@pytest.mark.parametrize(("content", "message"), [
    ("exceptions: [{id: A, reason: r, owner: o, expires_on: 2027-01-01}]", "exception A: an exception names a check"),
    ("exceptions: [{id: A, check: x, reason: r, owner: o, expires_on: not-a-date}]", "exception A: expires_on"),
    ("exceptions: [{id: A, check: x, reason: r, owner: o, expires_on: 2027-01-01},"
     " {id: A, check: y, reason: r, owner: o, expires_on: 2027-01-01}]", "exception A: the id is used twice"),
    ("nothing: here", "a list under `exceptions`"),
])
def test_bad_register_is_a_clear_error(pack: Path, tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(content)
    code, out = cli("evaluate", str(pack), "--frameworks", "soc2", "--exceptions", str(tmp_path / "bad.yaml"))
    assert code == 2 and message in out and "Traceback" not in out


def test_attach_manual_evidence(pack: Path, tmp_path: Path) -> None:
    doc = tmp_path / "code-of-conduct.pdf"
    doc.write_bytes(b"%PDF-1.4 signed acknowledgements")
    code, out = cli("attach", str(pack), "--control", "CC1.1", "--framework", "soc2", "--file", str(doc),
                    "--note", "Signed code of conduct acknowledgements, 2026", "--by", "Dana Lee")
    assert code == 0, out
    assert store.verify(pack).ok
    data = json.loads((pack / "pack.json").read_text())
    cc11 = next(c for fw in data["frameworks"] if fw["id"] == "soc2" for c in fw["controls"] if c["id"] == "CC1.1")
    assert cc11["attachments"][0]["attached_by"] == "Dana Lee" and not cc11["attachments"][0]["stale"]
    assert any(p.startswith("attachments/CC1.1/") for p in store.read_manifest(pack).files)
    code, out = cli("attach", str(pack), "--control", "NOPE-9", "--file", str(doc), "--note", "x")
    assert code == 2 and "control NOPE-9 is not in this pack" in out


def test_stale_attachment(pack: Path, tmp_path: Path) -> None:
    doc = tmp_path / "policy.pdf"
    doc.write_bytes(b"%PDF-1.4 policy")
    cli("attach", str(pack), "--control", "CC1.1", "--framework", "soc2", "--file", str(doc), "--note", "old policy")
    reg = json.loads((pack / "attachments.json").read_text())
    reg[0]["attached_at"] = "2024-01-01T00:00:00Z"
    (pack / "attachments.json").write_text(json.dumps(reg))
    with store.staged_pack(pack, update=True):
        pass  # re-manifest the hand edit, as a later tool run would
    assert cli("evaluate", str(pack), "--frameworks", "soc2")[0] == 0
    data = json.loads((pack / "pack.json").read_text())
    cc11 = next(c for c in data["frameworks"][0]["controls"] if c["id"] == "CC1.1")
    assert cc11["attachments"][0]["stale"] is True
