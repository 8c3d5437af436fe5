"""OSCAL assessment results: valid against compliance-trestle's OSCAL models, complete, deterministic."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from trestle.common.err import TrestleError
from trestle.oscal.assessment_results import AssessmentResults
from typer.testing import CliRunner

from evidence import store
from evidence.cli import app
from evidence.models import Pack, Status
from evidence.pipeline import REPORT_SUFFIXES, ReportFormat
from evidence.render.oscal import OBJECTIVE_STATUS, OSCAL_VERSION, assessment_results, control_token
from evidence.signoff import RENDERED_SUFFIXES, is_rendered

runner = CliRunner()


@pytest.fixture(scope="module")
def oscal_pack(demo_pack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("oscal") / "pack"
    shutil.copytree(demo_pack, copy)
    result = runner.invoke(app, ["report", str(copy), "--format", "oscal"])
    assert result.exit_code == 0, result.output
    return copy


@pytest.fixture(scope="module")
def pack(oscal_pack: Path) -> Pack:
    return store.read_pack(oscal_pack)


def _document(folder: Path, framework: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / f"{framework}.oscal.json").read_text())
    return data["assessment-results"]


def test_one_valid_document_per_framework(oscal_pack: Path, pack: Pack) -> None:
    for fw in pack.frameworks:
        path = oscal_pack / f"{fw.id}.oscal.json"
        model = AssessmentResults.oscal_read(path)
        assert model is not None and len(model.results) == 1
        assert len(model.results[0].findings or ()) == len(fw.controls)
    manifest = store.read_manifest(oscal_pack)
    assert {f"{fw.id}.oscal.json" for fw in pack.frameworks} <= set(manifest.files)
    assert store.verify(oscal_pack).ok


def test_trestle_rejects_a_broken_document(oscal_pack: Path, tmp_path: Path) -> None:
    data = json.loads((oscal_pack / "soc2.oscal.json").read_text())
    data["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "1 bad id"
    broken = tmp_path / "broken.oscal.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(TrestleError, match="target-id"):
        AssessmentResults.oscal_read(broken)


def test_metadata_and_period(oscal_pack: Path, pack: Pack) -> None:
    doc = _document(oscal_pack, "soc2")
    meta = doc["metadata"]
    assert meta["oscal-version"] == OSCAL_VERSION and OSCAL_VERSION.startswith("1.1.")
    assert meta["last-modified"] == store.canonical_json(pack.collection.finished_at).decode().strip().strip('"')
    assert meta["parties"][0]["name"] == f"evidence {pack.tool_version}"
    result = doc["results"][0]
    period = json.loads(store.canonical_json(pack.collection.period))
    assert (result["start"], result["end"]) == (period["start"], period["end"])
    # import-ap points to the local placeholder in back-matter, as the model requires an assessment plan
    assert doc["import-ap"]["href"] == f"#{doc['back-matter']['resources'][0]['uuid']}"


def test_every_snapshot_is_an_observation_with_its_hash(oscal_pack: Path, pack: Pack) -> None:
    result = _document(oscal_pack, "soc2")["results"][0]
    manifest = store.read_manifest(oscal_pack)
    examined = [o for o in result["observations"] if o["methods"] == ["EXAMINE"]]
    assert len(examined) == len(pack.evidence)
    for o in examined:
        (evidence,) = o["relevant-evidence"]
        (sha,) = [p["value"] for p in evidence["props"] if p["name"] == "sha256"]
        assert manifest.files[evidence["href"]].sha256 == sha
    tested = [o for o in result["observations"] if o["methods"] == ["TEST"]]
    assert len(tested) == len(pack.frameworks[0].checks)


def test_findings_carry_the_control_and_its_status(oscal_pack: Path, pack: Pack) -> None:
    fw = next(f for f in pack.frameworks if f.id == "pci-dss")
    findings = {next(p["value"] for p in f["props"] if p["name"] == "control-id"): f
                for f in _document(oscal_pack, "pci-dss")["results"][0]["findings"]}
    assert set(findings) == {c.id for c in fw.controls}
    seen: set[Status] = set()
    for control in fw.controls:
        target = findings[control.id]["target"]
        assert target["type"] == "objective-id" and target["target-id"] == control_token(control.id)
        expected = OBJECTIVE_STATUS[control.status]
        assert (target.get("status", {}).get("state")) == (expected[0] if expected else None)
        seen.add(control.status)
    assert {Status.FAIL, Status.MANUAL} <= seen  # every demo check fails somewhere, so no control passes


def test_references_resolve(oscal_pack: Path) -> None:
    result = _document(oscal_pack, "soc2")["results"][0]
    items = {i["uuid"] for i in result["local-definitions"]["inventory-items"]}
    observations = {o["uuid"] for o in result["observations"]}
    subjects = [s["subject-uuid"] for o in result["observations"] for s in o.get("subjects", ())]
    assert subjects and set(subjects) <= items
    related = [r["observation-uuid"] for f in result["findings"] for r in f.get("related-observations", ())]
    assert related and set(related) <= observations
    # failing resources are subjects of the checks that failed them
    failing = [o for o in result["observations"] if o["methods"] == ["TEST"] and o.get("subjects")]
    assert failing and all(any(p["name"] == "status" and p["value"] == "fail" for p in o["props"]) for o in failing)


def test_same_pack_same_file_and_unique_uuids(oscal_pack: Path, pack: Pack) -> None:
    written = (oscal_pack / "soc2.oscal.json").read_bytes()
    assert store.canonical_json(assessment_results(pack, "soc2")) == written
    uuids = [m for m in _uuids(json.loads(written))]
    declared = [u for key, u in uuids if key == "uuid"]
    assert len(declared) == len(set(declared))
    other = store.read_pack(oscal_pack).model_copy(update={"pack_id": "0" * 64})
    assert assessment_results(other, "soc2")["assessment-results"]["uuid"] != json.loads(written)[
        "assessment-results"]["uuid"]


def _uuids(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out = [(k, v) for k, v in value.items() if k == "uuid" and isinstance(v, str)]
        for v in value.values():
            out += _uuids(v)
        return out
    if isinstance(value, list):
        return [u for v in value for u in _uuids(v)]
    return []


@pytest.mark.parametrize(("control_id", "token"), [
    ("CC1.1", "CC1.1"),
    ("1.2.1", "_1.2.1"),
    ("164.308(a)(1)(ii)(A)", "_164.308_a_1_ii_A"),
    ("Art. 32(1)", "Art._32_1"),
])
def test_control_ids_become_oscal_tokens(control_id: str, token: str) -> None:
    assert control_token(control_id) == token


def test_every_status_has_an_objective_mapping() -> None:
    assert set(OBJECTIVE_STATUS) == set(Status)


def test_every_report_format_has_a_rendered_suffix() -> None:
    assert set(REPORT_SUFFIXES) == set(ReportFormat)
    for suffix in REPORT_SUFFIXES.values():
        assert suffix in RENDERED_SUFFIXES and is_rendered(f"soc2{suffix}")


def test_unknown_format_is_refused(oscal_pack: Path) -> None:
    result = runner.invoke(app, ["report", str(oscal_pack), "--format", "pdf,docx"])
    assert result.exit_code == 2 and "--format takes a comma-separated list of: pdf, xlsx, oscal" in result.output
