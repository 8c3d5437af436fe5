"""Bad input gives one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, needle: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output
    assert needle in output
    assert output.strip().startswith("error:")


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_missing_credentials(no_aws: None, tmp_path: Path) -> None:
    code, out = invoke("run", "--regions", "us-east-1", "--out", str(tmp_path / "p"))
    assert_one_line_error(code, out, "no AWS credentials found")
    assert not (tmp_path / "p").exists()


def test_malformed_framework_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ncontrols: [\n  - id: A\n")
    code, out = invoke("evaluate", str(tmp_path), "--frameworks", "", "--framework-file", str(bad))
    assert_one_line_error(code, out, "bad.yaml: not valid YAML")


def test_unknown_check_in_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "custom.yaml"
    bad.write_text(
        "id: custom\nname: Custom\nversion: '1'\nsource: internal\ncontrols:\n"
        "  - id: C-1\n    title: Something\n    section: S\n    evidence: automated\n"
        "    checks:\n      - id: iam.does_not_exist\n"
    )
    code, out = invoke("evaluate", str(tmp_path), "--frameworks", "", "--framework-file", str(bad))
    assert_one_line_error(code, out, "control C-1: unknown check 'iam.does_not_exist'")


def test_unknown_framework(tmp_path: Path) -> None:
    code, out = invoke("evaluate", str(tmp_path), "--frameworks", "iso27001")
    assert_one_line_error(code, out, "unknown framework 'iso27001'")


def test_evaluate_on_a_folder_that_is_not_a_pack(tmp_path: Path) -> None:
    code, out = invoke("evaluate", str(tmp_path), "--frameworks", "soc2")
    assert_one_line_error(code, out, "is not an evidence pack")


def test_verify_on_a_folder_that_is_not_a_pack(tmp_path: Path) -> None:
    code, out = invoke("verify", str(tmp_path))
    assert_one_line_error(code, out, "manifest.json is missing")


def test_unknown_region(no_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    code, out = invoke("collect", "--regions", "mars-north-1", "--out", str(tmp_path / "p"))
    assert code == 2 and "Traceback" not in out


def test_period_end_before_start(tmp_path: Path) -> None:
    code, out = invoke("collect", "--regions", "us-east-1", "--period-start", "2026-05-01",
                       "--period-end", "2026-04-01", "--out", str(tmp_path / "p"))
    assert_one_line_error(code, out, "starts (2026-05-01) after it ends")


def test_bad_fail_on(tmp_path: Path) -> None:
    code, out = invoke("run", "--fail-on", "maybe", "--out", str(tmp_path / "p"))
    assert_one_line_error(code, out, "--fail-on takes one of")


def test_iam_policy_lists_collector_actions() -> None:
    import json

    code, out = invoke("iam-policy")
    assert code == 0
    actions = json.loads(out)["Statement"][0]["Action"]
    assert "iam:GetCredentialReport" in actions and "s3:ListAllMyBuckets" in actions
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe", "Generate", "Lookup", "BatchGet", "Search",
                                          "AssumeRole"))
               for a in actions)
