"""Overlays: change a framework's check parameters, checks and evidence without copying it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fw_helpers import SAMPLE, control, framework

from evidence.frameworks import FrameworkError, apply_overlay, load_file, load_shipped, resolve
from evidence.models import EvidenceType, Framework, Role

Write = Callable[..., Path]


@pytest.fixture
def base(sample_check: Any, write: Write) -> Framework:
    manual = control("C2", evidence="manual", checks=[], manual_evidence="Board minutes")
    return load_file(write(framework(control("C1"), manual), "base.yaml"))


def overlay(*controls: dict[str, Any], target: str = "sample") -> dict[str, Any]:
    return {"overlay": target, "description": "local profile", "controls": list(controls)}


def test_param_change_is_merged_into_the_check(base: Framework, write: Write) -> None:
    path = write(overlay({"id": "C1", "params": {SAMPLE: {"enforce": False}}}), "overlay.yaml")
    changed = apply_overlay(base, path)
    assert changed.controls[0].checks[0].params == {"min_length": 12, "enforce": False}
    assert changed.controls[1] == base.controls[1]
    assert base.controls[0].checks[0].params == {"min_length": 12}  # the base is untouched


def test_add_check_and_change_evidence(base: Framework, write: Write) -> None:
    change = {
        "id": "C2",
        "add_checks": [{"id": SAMPLE, "params": {"min_length": 16}}],
        "evidence": "hybrid",
        "manual_evidence": "Board minutes and the IdP password policy",
    }
    c2 = apply_overlay(base, write(overlay(change), "overlay.yaml")).controls[1]
    assert [(r.id, r.role, r.params) for r in c2.checks] == [(SAMPLE, Role.PRIMARY, {"min_length": 16})]
    assert c2.evidence is EvidenceType.HYBRID
    assert c2.manual_evidence == "Board minutes and the IdP password policy"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (overlay({"id": "C9", "evidence": "manual"}), "control C9: no such control in sample"),
        (overlay({"id": "C2", "params": {SAMPLE: {"min_length": 9}}}), f"control C2: check {SAMPLE} is not mapped"),
        (overlay({"id": "C1", "add_checks": [{"id": SAMPLE}]}), f"control C1: check {SAMPLE} is already mapped"),
        (overlay({"id": "C1"}, {"id": "C1"}), "control C1: listed twice in the overlay"),
        (
            overlay({"id": "C1", "params": {SAMPLE: {"min_length": "long"}}}),
            f"control C1: check {SAMPLE}: parameter 'min_length' must be int",
        ),
        (overlay({"id": "C1", "add_checks": [{"id": "nope.check"}]}), "control C1: unknown check 'nope.check'"),
        (overlay({"id": "C1", "evidence": "sometimes"}), "control C1: evidence: Input should be"),
        (overlay({"id": "C1", "titel": "x"}), "control C1: titel: Extra inputs are not permitted"),
        (overlay({"id": "C1"}, target="soc2"), "overlay is for framework 'soc2', not 'sample'"),
        ({"id": "sample", "controls": []}, "not an overlay"),
    ],
    ids=[
        "unknown-control",
        "param-for-unmapped-check",
        "add-mapped-check",
        "control-twice",
        "param-wrong-type",
        "unknown-added-check",
        "bad-evidence",
        "unknown-field",
        "other-framework",
        "not-an-overlay",
    ],
)
def test_overlay_errors_name_the_file_and_control(base: Framework, write: Write, data: Any, message: str) -> None:
    path = write(data, "overlay.yaml")
    with pytest.raises(FrameworkError) as caught:
        apply_overlay(base, path)
    assert str(caught.value).startswith(f"{path}: {message}"), str(caught.value)


def _parameterised(fw: Framework) -> tuple[str, str, str]:
    """A control of a shipped framework with a check that has an integer parameter set."""
    for c in fw.controls:
        for ref in c.checks:
            for name, value in ref.params.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    return c.id, ref.id, name
    raise AssertionError(f"{fw.id} sets no integer check parameter")


def test_overlay_files_work_wherever_framework_files_do(write: Write) -> None:
    pci = load_shipped("pci-dss")
    cid, check, param = _parameterised(pci)
    path = write(overlay({"id": cid, "params": {check: {param: 99}}}, target="pci-dss"), "pci-local.yaml")

    def value(fw: Framework) -> Any:
        c = next(c for c in fw.controls if c.id == cid)
        return next(r for r in c.checks if r.id == check).params[param]

    assert value(load_file(path)) == 99
    replaced = resolve(["soc2", "pci-dss"], [path])
    assert [fw.id for fw in replaced] == ["soc2", "pci-dss"] and value(replaced[1]) == 99
    added = resolve(["soc2"], [path])
    assert [fw.id for fw in added] == ["soc2", "pci-dss"] and value(added[1]) == 99
    with pytest.raises(FrameworkError, match="framework pci-dss is selected twice"):
        resolve(["pci-dss"], [path, path])


def test_overlay_of_a_framework_that_is_not_shipped_is_refused(write: Write) -> None:
    path = write(overlay({"id": "C1"}, target="iso27001"), "iso.yaml")
    with pytest.raises(FrameworkError, match=rf"^{path}: overlay for 'iso27001', which is not a shipped framework"):
        resolve([], [path])
