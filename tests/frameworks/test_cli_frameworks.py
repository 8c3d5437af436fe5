"""`evidence frameworks lint|list|show|coverage` through typer's test runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fw_helpers import SAMPLE, control, framework
from typer.testing import CliRunner

from evidence.cli_frameworks import PROWLER_MAPPED, app

Write = Callable[..., Path]
runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_lint_of_the_shipped_frameworks_is_clean() -> None:
    result = invoke("lint")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "4 framework file(s) are clean" in result.stderr


def test_lint_prints_every_problem_with_file_and_control(sample_check: Any, write: Write) -> None:
    bad = write(
        framework(
            control("C1", checks=[{"id": "nope.check"}]),
            control("C2", checks=[{"id": SAMPLE, "params": {"min_length": "x"}}]),
        ),
        "bad.yaml",
    )
    good = write(framework(), "good.yaml")
    result = invoke("lint", str(good), str(bad))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}: control C1: unknown check 'nope.check'",
        f"{bad}: control C2: check {SAMPLE}: parameter 'min_length' must be int",
    ]
    assert "2 problem(s) in 2 file(s)" in result.stderr


def test_lint_reports_unreadable_files(write: Write, tmp_path: Path) -> None:
    broken = write("id: x\ncontrols: [\n", "broken.yaml")
    result = invoke("lint", str(broken), str(tmp_path / "absent.yaml"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{broken}: not valid YAML (line 3)")
    assert lines[1] == f"{tmp_path / 'absent.yaml'}: no such framework file"


def test_lint_checks_overlays_against_their_framework(write: Write) -> None:
    good = write({"overlay": "soc2", "controls": [{"id": "CC1.1", "manual_evidence": "Signed code of conduct"}]})
    assert invoke("lint", str(good)).exit_code == 0
    bad = write({"overlay": "soc2", "controls": [{"id": "CC99.1", "evidence": "manual"}]}, "bad.yaml")
    result = invoke("lint", str(bad))
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{bad}: control CC99.1: no such control in soc2"


def test_list_shows_every_framework_with_its_control_count() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    assert "pci-dss" in result.stdout and "v4.0.1" in result.stdout and "280" in result.stdout
    rows = json.loads(invoke("list", "--json").stdout)
    assert {r["id"]: r["controls"] for r in rows} == {"gdpr": 29, "hipaa": 68, "pci-dss": 280, "soc2": 61}


def test_show_lists_controls_one_per_line() -> None:
    result = invoke("show", "hipaa")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 68
    assert lines[0].split()[:3] == ["Control", "Section", "Evidence"]
    assert any(line.startswith("164.310(a)(1) ") and "manual (inherited)" in line for line in lines)
    assert "HIPAA Security Rule (45 CFR 164 Subpart C): 68 controls" in result.stderr


def test_show_one_control_in_full() -> None:
    result = invoke("show", "soc2", "CC6.4")
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["id"] == "CC6.4" and data["inherited"] is True and "AWS Artifact" in data["manual_evidence"]
    automated = json.loads(invoke("show", "pci-dss", "--json").stdout)
    with_checks = next(c for c in automated["controls"] if c.get("checks"))
    shown = yaml.safe_load(invoke("show", "pci-dss", with_checks["id"]).stdout)
    assert all("role" in ref for ref in shown["checks"])


def test_show_accepts_a_framework_file(sample_check: Any, write: Write) -> None:
    result = invoke("show", str(write(framework(), "mine.yaml")), "C1")
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["checks"] == [{"id": SAMPLE, "role": "primary", "params": {"min_length": 12}}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "iso27001"), "unknown framework 'iso27001'"),
        (("show", "soc2", "CC99.9"), "no control 'CC99.9' in soc2"),
        (("coverage", "nope"), "unknown framework 'nope'"),
    ],
)
def test_unknown_framework_or_control_exits_2(args: tuple[str, ...], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_coverage_counts_evidence_types_and_compares_with_prowler() -> None:
    rows = {r["id"]: r for r in json.loads(invoke("coverage", "--json").stdout)}
    assert {fid: r["controls"] for fid, r in rows.items()} == {"gdpr": 29, "hipaa": 68, "pci-dss": 280, "soc2": 61}
    for fid, row in rows.items():
        assert row["automated"] + row["hybrid"] + row["manual"] == row["controls"]
        assert row["automated"] <= row["with_primary_check"] <= row["controls"]
        assert row["prowler_mapped"] == PROWLER_MAPPED[fid]
    table = invoke("coverage", "soc2").stdout.splitlines()
    assert table[0].split() == [
        "Framework",
        "Controls",
        "Automated",
        "Hybrid",
        "Manual",
        "With",
        "primary",
        "check",
        "Prowler",
        "maps",
    ]
    assert table[1].split()[:2] == ["soc2", "61"] and table[1].split()[-1] == "27"
