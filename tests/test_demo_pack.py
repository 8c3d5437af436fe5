"""The demo pack end to end: every seeded verdict, every mapped control, verify, gaps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from evidence import store
from evidence.cli import _run_pipeline, app
from evidence.demo import scenario
from evidence.demo.run import demo_factory
from evidence.frameworks import resolve
from evidence.models import Status
from evidence.pipeline import Target, make_period

FRAMEWORKS = ("soc2", "pci-dss", "hipaa", "gdpr")


def load(pack: Path) -> dict[str, Any]:
    return json.loads((pack / "pack.json").read_text())


def test_pack_layout(demo_pack: Path) -> None:
    names = {p.name for p in demo_pack.iterdir()}
    assert {"manifest.json", "collection.json", "pack.json", "evidence"} <= names
    for fw in FRAMEWORKS:
        assert f"{fw}.pdf" in names and f"{fw}.xlsx" in names
    assert list((demo_pack / "evidence").rglob("*.json"))


def test_every_seeded_resource_has_its_verdict(demo_pack: Path, demo_expected: list[Any]) -> None:
    findings = load(demo_pack)["findings"]
    got: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        got.setdefault((f["check"], f["resource"]), set()).add(f["status"])
    wrong = [(e.check, e.resource, e.status, got.get((e.check, e.resource)))
             for e in demo_expected if got.get((e.check, e.resource)) != {e.status}]
    assert not wrong, wrong
    for f in findings:
        assert {"check", "resource", "account", "region", "status", "reason"} <= f.keys()


def test_failures_appear_under_their_controls(demo_pack: Path, demo_expected: list[Any]) -> None:
    pack = load(demo_pack)
    failing = {e.check for e in demo_expected if e.status == "fail"}
    for fw in pack["frameworks"]:
        for control in fw["controls"]:
            for ref in control["checks"]:
                if ref["check"] in failing:
                    assert ref["status"] == "fail"
                    if ref["role"] == "primary":
                        assert control["status"] == "fail", (fw["id"], control["id"])
    mapped = {ref["check"] for fw in pack["frameworks"] for c in fw["controls"] for ref in c["checks"]}
    assert failing <= mapped, failing - mapped


def test_every_control_of_every_framework_is_present(demo_pack: Path) -> None:
    pack = load(demo_pack)
    counts = {fw["id"]: len(fw["controls"]) for fw in pack["frameworks"]}
    assert counts == {"soc2": 61, "pci-dss": 280, "hipaa": 68, "gdpr": 29}


def test_verify_passes_then_catches_a_changed_byte(demo_pack: Path, tmp_path: Path) -> None:
    import shutil

    runner = CliRunner()
    result = runner.invoke(app, ["verify", str(demo_pack)])
    assert result.exit_code == 0, result.output
    for rel in ("soc2.pdf", "pci-dss.xlsx", "pack.json", next(
            p.relative_to(demo_pack).as_posix() for p in (demo_pack / "evidence").rglob("*.json"))):
        copy = tmp_path / rel.replace("/", "_")
        shutil.copytree(demo_pack, copy)
        data = bytearray((copy / rel).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (copy / rel).write_bytes(bytes(data))
        result = runner.invoke(app, ["verify", str(copy)])
        assert result.exit_code == 1
        assert f"changed: {rel}" in result.output


def test_reports_open(demo_pack: Path) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    for fw in FRAMEWORKS:
        assert len(PdfReader(demo_pack / f"{fw}.pdf").pages) > 3
        assert "Controls" in load_workbook(demo_pack / f"{fw}.xlsx", read_only=True).sheetnames


@pytest.fixture(scope="module")
def denied_pack(emulator: Any, demo_pack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """S3 answers AccessDenied to ListBuckets: the bucket snapshot is a gap."""
    scenario.seed(emulator)
    factory = demo_factory(emulator)
    stub = Stubber(factory.client("s3", scenario.HOME))
    stub.add_client_error("list_buckets", "AccessDenied", "not authorised to list buckets", 403)
    dest = tmp_path_factory.mktemp("denied") / "pack"
    with stub:
        _run_pipeline(dest, Target(factory, scenario.REGIONS, make_period(None, None)), resolve(["soc2"]),
                      company=None, logo=None)
    return dest


def test_access_denied_is_a_gap_and_not_evaluated(denied_pack: Path) -> None:
    pack = store.read_pack(denied_pack)
    assert any(g.key == "s3.buckets" and g.code == "AccessDenied" for g in pack.gaps)
    soc2 = pack.frameworks[0]
    s3_checks = {c.key for c in soc2.checks if "s3.buckets" in registry_needs(c.check)}
    for control in soc2.controls:
        for ref in control.checks:
            if ref.key in s3_checks:
                assert ref.status in (Status.NOT_EVALUATED, Status.FAIL)
                assert ref.status is not Status.PASS
    assert any(c.status is Status.NOT_EVALUATED for c in soc2.controls)


def test_gap_is_in_the_pdf(denied_pack: Path) -> None:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(denied_pack / "soc2.pdf").pages)
    assert "AccessDenied" in text and "s3.buckets" in text


def registry_needs(check_id: str) -> tuple[str, ...]:
    from evidence import registry

    return registry.get_check(check_id).needs


def test_every_deciding_check_fails_and_passes_somewhere_in_the_demo(demo_expected: list[Any]) -> None:
    """Every check that decides a control somewhere has a failing and a passing demo resource.

    (The few checks that are only context in the shipped frameworks are judged on the demo's
    evidence in tests/test_crosscheck.py.)
    """
    from evidence.frameworks import load_file, shipped

    deciding = {ref.id for path in shipped().values() for c in load_file(path).controls for ref in c.checks
                if ref.role.value == "primary"}
    seen: dict[str, set[str]] = {}
    for e in demo_expected:
        seen.setdefault(e.check, set()).add(e.status)
    lacking = sorted(c for c in deciding if seen.get(c) != {"pass", "fail"})
    assert not lacking, f"checks without both a failing and a passing demo resource: {lacking}"
