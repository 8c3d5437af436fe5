"""The shipped frameworks: they load, lint clean, keep every control of the reference, ship their schema."""

from __future__ import annotations

import json

import pytest

from evidence import registry
from evidence.frameworks import SCHEMA_FILE, frameworks_dir, load_file, problems, schema_text, shipped
from evidence.models import EvidenceType, Framework, Role

# Controls in the research reference (controls_<framework>.yaml): none may be dropped.
REFERENCE_COUNTS = {"soc2": 61, "pci-dss": 280, "hipaa": 68, "gdpr": 29}


@pytest.fixture(scope="module")
def frameworks() -> dict[str, Framework]:
    return {fid: load_file(path) for fid, path in shipped().items()}


def test_the_four_frameworks_are_shipped_and_the_schema_is_not_one() -> None:
    assert sorted(shipped()) == sorted(REFERENCE_COUNTS)
    assert (frameworks_dir() / SCHEMA_FILE).is_file()


@pytest.mark.parametrize("fid", sorted(REFERENCE_COUNTS))
def test_loads_lints_clean_and_keeps_every_reference_control(frameworks: dict[str, Framework], fid: str) -> None:
    fw = frameworks[fid]
    assert fw.id == fid
    assert problems(fw, str(shipped()[fid])) == []
    assert len(fw.controls) == REFERENCE_COUNTS[fid]
    assert len({c.id for c in fw.controls}) == REFERENCE_COUNTS[fid]
    assert {c.section for c in fw.controls} == {s.id for s in fw.sections}


@pytest.mark.parametrize("fid", sorted(REFERENCE_COUNTS))
def test_automated_controls_have_a_primary_check_and_the_rest_a_request(
    frameworks: dict[str, Framework], fid: str
) -> None:
    for c in frameworks[fid].controls:
        if c.evidence is EvidenceType.AUTOMATED:
            assert any(r.role is Role.PRIMARY for r in c.checks), c.id
        else:
            assert (c.manual_evidence or "").strip(), c.id


def test_hipaa_marks_every_control_required_or_addressable(frameworks: dict[str, Framework]) -> None:
    by_id = {c.id: c for c in frameworks["hipaa"].controls}
    assert {c.implementation for c in by_id.values()} == {"required", "addressable"}
    assert by_id["164.312(a)(2)(iv)"].implementation == "addressable"  # encryption at rest
    assert by_id["164.312(a)(2)(i)"].implementation == "required"  # unique user identification
    assert by_id["164.312(b)"].implementation == "required"  # a standard without specifications
    assert sum(c.implementation == "addressable" for c in by_id.values()) == 22
    assert all(c.implementation is None for fid in ("soc2", "pci-dss", "gdpr") for c in frameworks[fid].controls)


@pytest.mark.parametrize(("fid", "control"), [("soc2", "CC6.4"), ("pci-dss", "9.4.7"), ("hipaa", "164.310(a)(1)")])
def test_inherited_controls_request_aws_audit_reports(frameworks: dict[str, Framework], fid: str, control: str) -> None:
    c = next(c for c in frameworks[fid].controls if c.id == control)
    assert c.inherited and c.evidence is EvidenceType.MANUAL
    assert "AWS Artifact" in (c.manual_evidence or "")
    report = "PCI DSS Attestation of Compliance" if fid == "pci-dss" else "SOC 2 Type II"
    assert report in (c.manual_evidence or "")


def test_password_length_is_12_for_pci_and_14_elsewhere(frameworks: dict[str, Framework]) -> None:
    check = "iam.password_policy_min_length"
    if "min_length" not in registry.checks()[check].params:
        pytest.fail(f"{check} no longer takes min_length: update PARAMS in tools/sync_frameworks.py")
    lengths = {
        fid: {r.params.get("min_length") for c in fw.controls for r in c.checks if r.id == check}
        for fid, fw in frameworks.items()
    }
    assert lengths["pci-dss"] == {12}
    assert all(lengths[fid] <= {14} for fid in ("soc2", "hipaa", "gdpr"))
    assert lengths["soc2"] == {14}


def test_shipped_schema_equals_the_model_schema() -> None:
    shipped_text = (frameworks_dir() / SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped_text == schema_text(), "the model changed: run tools/sync_frameworks.py --schema-only"
    assert json.loads(shipped_text)["title"] == "Framework"
