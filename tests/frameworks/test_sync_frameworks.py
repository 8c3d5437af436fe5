"""tools/sync_frameworks.py: reference controls + registered checks -> framework YAML."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from fw_helpers import SAMPLE_SPEC

from evidence.frameworks import SCHEMA_FILE, parse, problems, schema_text
from evidence.models import EvidenceType
from evidence.registry import CheckSpec

TOOL = Path(__file__).resolve().parents[2] / "tools" / "sync_frameworks.py"


@pytest.fixture(scope="module")
def sync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_frameworks", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sync_frameworks"] = module
    spec.loader.exec_module(module)
    return module


def _check(cid: str, **params: Any) -> CheckSpec:
    return CheckSpec(
        id=cid,
        needs=("x",),
        severity=SAMPLE_SPEC.severity,
        title=cid,
        description="",
        func=SAMPLE_SPEC.func,
        params=params,
    )


# Registered in these tests: the min-length check (with its parameter) and root MFA.
CHECKS = {
    "iam.password_policy_min_length": _check("iam.password_policy_min_length", min_length=14),
    "iam.root_mfa_enabled": _check("iam.root_mfa_enabled"),
}
CATALOGUE = {
    "iam.password_policy_min_length": {"evaluates": "Account password policy minimum length"},
    "iam.root_mfa_enabled": {"evaluates": "MFA state of the account root user"},
    "guardduty.enabled_all_regions": {"evaluates": "GuardDuty detectors in every region"},
    "test.never_registered": {"evaluates": "A setting no check will ever read"},
}


def mapping(concept: str, confidence: str = "primary", rules: list[str] | None = None) -> dict[str, Any]:
    return {"concept": concept, "config_rules": rules, "confidence": confidence, "sources": ["analyst"]}


def ref_control(cid: str, evidence: str, *checks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": cid, "title": f"Title of {cid}", "evidence": evidence, "checks": list(checks), **fields}


def spec_of(sync: ModuleType, fid: str) -> Any:
    return next(s for s in sync.SPECS if s.id == fid)


def build(sync: ModuleType, fid: str, *controls: dict[str, Any], checks: Any = None) -> dict[str, Any]:
    return dict(sync.build(spec_of(sync, fid), {"controls": list(controls)}, CATALOGUE, checks or CHECKS))


def test_registered_primary_keeps_automated_with_framework_params(sync: ModuleType) -> None:
    ref = ref_control(
        "8.3.6",
        "automated",
        mapping("iam.password_policy_min_length", rules=["IAM_PASSWORD_POLICY"]),
        mapping("iam.root_mfa_enabled", "secondary", ["ROOT_ACCOUNT_MFA_ENABLED"]),
        mapping("guardduty.enabled_all_regions", "secondary", ["GUARDDUTY_ENABLED_CENTRALIZED"]),
    )
    (c,) = build(sync, "pci-dss", ref)["controls"]
    assert c["evidence"] == "automated" and c["section"] == "8"
    assert c["checks"] == [
        {"id": "iam.password_policy_min_length", "role": "primary", "params": {"min_length": 12}},
        {"id": "iam.root_mfa_enabled", "role": "secondary"},
    ]
    # rules of every mapped concept, registered or not, sorted
    assert c["config_rules"] == ["GUARDDUTY_ENABLED_CENTRALIZED", "IAM_PASSWORD_POLICY", "ROOT_ACCOUNT_MFA_ENABLED"]
    assert "manual_evidence" not in c
    ref["id"] = "CC6.1"
    assert build(sync, "soc2", ref)["controls"][0]["checks"][0]["params"] == {"min_length": 14}


def test_params_are_set_only_where_the_check_takes_them(sync: ModuleType) -> None:
    checks = {**CHECKS, "iam.password_policy_min_length": _check("iam.password_policy_min_length", length=14)}
    ref = ref_control("8.3.6", "automated", mapping("iam.password_policy_min_length"))
    (c,) = build(sync, "pci-dss", ref, checks=checks)["controls"]
    assert c["checks"] == [{"id": "iam.password_policy_min_length", "role": "primary"}]
    assert sync.unmatched_params(checks) == [
        "iam.password_policy_min_length: no parameter 'min_length' (accepts: length)"
    ]
    assert sync.unmatched_params(CHECKS) == []


def test_automated_without_registered_primary_becomes_manual_with_a_request(sync: ModuleType) -> None:
    ref = ref_control(
        "CC7.1",
        "automated",
        mapping("guardduty.enabled_all_regions", rules=["GUARDDUTY_ENABLED_CENTRALIZED"]),
        mapping("iam.root_mfa_enabled", "secondary"),
    )
    (c,) = build(sync, "soc2", ref)["controls"]
    assert c["evidence"] == "manual"
    assert c["checks"] == [{"id": "iam.root_mfa_enabled", "role": "secondary"}]
    assert "GuardDuty detectors in every region" in c["manual_evidence"]
    assert "AWS Config rules listed for this control" in c["manual_evidence"]
    assert c["note"].startswith("Automated in intent")


def test_checks_on_a_manual_control_never_decide_it(sync: ModuleType) -> None:
    ref = ref_control("CC2.3", "manual", mapping("iam.root_mfa_enabled"), manual_evidence="customer communications")
    (c,) = build(sync, "soc2", ref)["controls"]
    assert c["evidence"] == "manual"
    assert c["checks"] == [{"id": "iam.root_mfa_enabled", "role": "secondary"}]
    assert c["manual_evidence"] == "Customer communications"


def test_hybrid_and_manual_controls_without_a_request_are_refused(sync: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"soc2 CC3\.2: the reference has no manual evidence for a hybrid control"):
        build(sync, "soc2", ref_control("CC3.2", "hybrid", mapping("iam.root_mfa_enabled")))


def test_hipaa_implementation_comes_from_the_regulation_and_matches_the_marker(sync: ModuleType) -> None:
    controls = build(
        sync,
        "hipaa",
        ref_control("164.312(a)(2)(iv)", "manual", manual_evidence="x", title="Encryption and decryption of ePHI (A)"),
        ref_control("164.312(b)", "manual", manual_evidence="x", title="Audit controls (R)"),
        ref_control("164.308(a)(4)(ii)(A)", "manual", manual_evidence="x", title="Isolating (R, clearinghouses only)"),
        ref_control("164.308(a)(1)(i)", "manual", manual_evidence="x", title="Security management (standard)"),
    )["controls"]
    assert [(c["title"], c["implementation"], c["section"]) for c in controls] == [
        ("Encryption and decryption of ePHI", "addressable", "164.312"),
        ("Audit controls", "required", "164.312"),
        ("Isolating (clearinghouses only)", "required", "164.308"),
        ("Security management (standard)", "required", "164.308"),
    ]
    with pytest.raises(ValueError, match="marks it addressable"):
        build(sync, "hipaa", ref_control("164.312(b)", "manual", manual_evidence="x", title="Audit controls (A)"))


def test_inherited_controls_ask_for_aws_reports(sync: ModuleType) -> None:
    (c,) = build(sync, "pci-dss", ref_control("9.4.7", "manual", manual_evidence="inherited from AWS"))["controls"]
    assert c["inherited"] is True
    assert c["manual_evidence"].startswith("Inherited from AWS. For AWS data centres, download AWS's PCI DSS")
    assert "AWS Artifact" in c["manual_evidence"]


def test_sections_follow_the_framework_and_unknown_ones_are_refused(sync: ModuleType) -> None:
    data = build(
        sync,
        "gdpr",
        ref_control("Art.32(1)(a)", "manual", manual_evidence="x"),
        ref_control("Art.12-14", "manual", manual_evidence="x"),
    )
    assert [c["section"] for c in data["controls"]] == ["Chapter IV", "Chapter III"]
    assert [s["id"] for s in data["sections"]] == ["Chapter III", "Chapter IV"]
    with pytest.raises(ValueError, match="sections the generator does not know"):
        build(sync, "soc2", ref_control("ZZ1.1", "manual", manual_evidence="x"))


def test_schema_only_needs_no_reference(sync: ModuleType, tmp_path: Path) -> None:
    assert sync.main(["--schema-only", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [SCHEMA_FILE]
    assert (tmp_path / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()


def test_registered_checks_no_control_maps_are_named(sync: ModuleType) -> None:
    reference = {"controls": [ref_control("CC6.1", "automated", mapping("iam.root_mfa_enabled"))]}
    assert sync.unmapped(CHECKS, [reference, {"controls": []}], {}) == ["iam.password_policy_min_length"]
    ours = {"soc2": {"CC1.1": {"secondary": ["iam.password_policy_min_length"]}}}
    assert sync.unmapped(CHECKS, [reference], ours) == []


def test_analyst_primary_makes_a_manual_control_hybrid(sync: ModuleType) -> None:
    spec = next(s for s in sync.SPECS if s.id == "soc2")
    reference = {"controls": [ref_control("CC6.1", "manual", manual_evidence="org chart")]}
    ours = {"soc2": {"CC6.1": {"primary": ["iam.root_mfa_enabled"], "why": "Because."}}}
    data = sync.build(spec, reference, CATALOGUE, CHECKS, ours)
    control = data["controls"][0]
    assert control["evidence"] == "hybrid" and control["note"] == "Our mapping: Because."
    assert [dict(r) for r in control["checks"]] == [{"id": "iam.root_mfa_enabled", "role": "primary"}]
    assert control["manual_evidence"] == "Org chart"


def test_main_writes_deterministic_yaml_that_lints_clean(sync: ModuleType, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    catalogue = [{"id": cid, **entry} for cid, entry in CATALOGUE.items()]
    (reference / "catalogue.yaml").write_text(yaml.safe_dump({"checks": catalogue}), encoding="utf-8")
    first = {"soc2": "CC6.1", "pci-dss": "1.3.1", "hipaa": "164.312(d)", "gdpr": "Art.33"}
    for spec in sync.SPECS:
        controls = [
            ref_control(first[spec.id], "automated", mapping("test.never_registered")),
            ref_control(first[spec.id] + "x", "hybrid", manual_evidence="tickets"),
        ]
        (reference / spec.reference).write_text(yaml.safe_dump({"controls": controls}), encoding="utf-8")
    out = tmp_path / "out"
    assert sync.main(["--reference", str(reference), "--out", str(out)]) == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}
    assert sorted(written) == sorted([SCHEMA_FILE, "gdpr.yaml", "hipaa.yaml", "pci-dss.yaml", "soc2.yaml"])
    assert written[SCHEMA_FILE] == schema_text()
    assert sync.main(["--reference", str(reference), "--out", str(out)]) == 0
    assert {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())} == written
    for name in ("gdpr.yaml", "hipaa.yaml", "pci-dss.yaml", "soc2.yaml"):
        assert written[name].startswith(f"# yaml-language-server: $schema={SCHEMA_FILE}\n")
        fw = parse(out / name, yaml.safe_load(written[name]))
        assert problems(fw, name) == []
        assert fw.controls[0].evidence is EvidenceType.MANUAL  # its only check is not registered
