"""Tampering and interruption: one changed byte in any file of a pack is named by `verify`, a damaged
signature is a clear result, and a process killed with SIGKILL never leaves a folder that `verify` accepts.

The CloudTrail digest chain has its own tamper property (any inverted byte of any digest or log file is
detected): tests/integrity/test_properties.py. Random positions in a pack: test_hardening_properties.py.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hardening_support import assert_clear_error, cli

from evidence import store
from evidence.demo.emulator import emulator_credentials


def flip(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    path.write_bytes(bytes(data))


def accepted(folder: Path) -> bool:
    """Whether `verify` would accept the folder as a complete, untouched pack."""
    try:
        return store.verify(folder).ok
    except store.StoreError:
        return False


def test_one_changed_byte_in_any_file_is_named(pack_copy: Path) -> None:
    files = sorted(store.read_manifest(pack_copy).files)
    assert len(files) > 50 and any(f.endswith(".pdf") for f in files) and any(f.endswith(".xlsx") for f in files)
    rng = random.Random(20261128)
    for rel in files:
        flip(pack_copy / rel, rng.randrange((pack_copy / rel).stat().st_size))
    result = cli("verify", pack_copy)
    assert result.exit_code == 1 and "Traceback" not in result.output
    named = {line.removeprefix("changed: ") for line in result.output.splitlines() if line.startswith("changed: ")}
    assert named == set(files)
    assert "FAILED" in result.output


def test_a_changed_byte_in_the_manifest_is_caught(pack_copy: Path) -> None:
    text = (pack_copy / store.MANIFEST).read_text()
    digest = store.read_manifest(pack_copy).evidence_digest
    flip(pack_copy / store.MANIFEST, text.index(digest) + 5)  # the pack id
    result = cli("verify", pack_copy)
    assert result.exit_code == 1 and "the manifest's pack id does not match its evidence entries" in result.output
    flip(pack_copy / store.MANIFEST, text.index(digest) + 5)
    flip(pack_copy / store.MANIFEST, text.index('"files"') + 1)  # the structure
    assert_clear_error(cli("verify", pack_copy), "manifest.json:")


def test_a_manifest_rewritten_with_the_same_content_is_caught(pack_copy: Path) -> None:
    data = json.loads((pack_copy / store.MANIFEST).read_text())
    (pack_copy / store.MANIFEST).write_text(json.dumps(data, indent=4, sort_keys=True))
    result = cli("verify", pack_copy)
    assert result.exit_code == 1 and "manifest.json was edited" in result.output


@pytest.fixture
def signed(pack_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    key = tmp_path / "signer.pem"
    private = ed25519.Ed25519PrivateKey.generate()
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public = tmp_path / "signer.pub"
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    assert cli("sign", pack_copy, "--key", key).exit_code == 0
    return pack_copy, public


def test_signature_covers_what_the_manifest_does_not(signed: tuple[Path, Path]) -> None:
    pack, public = signed
    assert cli("verify", pack, "--public-key", public).exit_code == 0
    text = (pack / store.MANIFEST).read_text()
    flip(pack / store.MANIFEST, text.index('"written_at": "') + len('"written_at": "') + 3)  # the year
    result = cli("verify", pack, "--public-key", public)
    assert result.exit_code == 1 and "manifest.json changed after it was signed" in result.output


def test_damaged_signature_file_is_a_clear_result(signed: tuple[Path, Path]) -> None:
    pack, _ = signed
    sig = pack / store.SIGNATURE
    text = sig.read_text()
    flip(sig, text.index("MCowBQYDK2VwAyEA") + 3)  # inside the PEM's key prefix
    result = cli("verify", pack)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "manifest.sig.json is damaged" in result.output


def test_trusted_key_that_is_missing_or_not_a_key(signed: tuple[Path, Path], tmp_path: Path) -> None:
    pack, _ = signed
    result = cli("verify", pack, "--public-key", tmp_path / "absent.pub")
    assert result.exit_code == 2 and "Traceback" not in result.output and "absent.pub" in result.output
    (tmp_path / "junk.pub").write_text("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
    assert_clear_error(cli("verify", pack, "--public-key", tmp_path / "junk.pub"), "not a PEM public key")


# ----------------------------------------------------------------------------- kill -9


def _env(emulator: Any | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if emulator is not None:
        creds = emulator_credentials()
        env.update(AWS_ENDPOINT_URL=emulator.endpoint_url, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
                   AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"], AWS_DEFAULT_REGION="us-east-1",
                   AWS_EC2_METADATA_DISABLED="true")
    return env


def kill_when(args: list[str], env: dict[str, str], ready: Callable[[], bool]) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "evidence", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"`evidence {args[0]}` ended (exit {proc.returncode}) before it could be killed")
            if time.monotonic() > deadline:
                pytest.fail(f"`evidence {args[0]}` never reached the point to kill it at")
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_kill_during_run_leaves_nothing_verify_accepts(emulator: Any, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "pack"
    partial = store.partial_folder(dest)
    kill_when(["run", "--regions", "us-east-1", "--frameworks", "soc2", "--out", str(dest)], _env(emulator),
              lambda: len(list((partial / "evidence").rglob("*.json"))) >= 3)
    assert not dest.exists()
    leftovers = list((tmp_path / "out").iterdir())
    assert leftovers == [partial] and not [f for f in leftovers if accepted(f)]
    result = subprocess.run([sys.executable, "-m", "evidence", "verify", str(partial)], env=_env(None),
                            capture_output=True, text=True)
    assert result.returncode == 2 and "manifest.json is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_kill_during_report_keeps_the_old_pack_and_accepts_nothing_else(pack_copy: Path) -> None:
    before = (pack_copy / store.MANIFEST).read_bytes()

    def staging() -> list[Path]:
        return [p for p in pack_copy.parent.iterdir() if p.name.startswith(f".{pack_copy.name}.tmp-")]

    kill_when(["report", str(pack_copy)], _env(None),
              lambda: any((s / store.PACK_JSON).is_file() for s in staging()))
    assert (pack_copy / store.MANIFEST).read_bytes() == before and accepted(pack_copy)
    assert staging() and not [s for s in staging() if accepted(s)]
