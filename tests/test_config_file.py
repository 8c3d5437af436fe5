"""The configuration file: every key, paths relative to the file, command-line precedence, errors."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence.cli import app
from evidence.config import ConfigError, load_config, option_defaults
from evidence.resources import data_dir

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "evidence.example.yaml"

EVERY_KEY = """
scope:
  regions: all
  frameworks: soc2,pci-dss
  framework_files: [extra/fw.yaml]
  organization: true
  accounts: ["012345678901", "111111111111"]
  role_name: AuditRole
  external_id: ext-1
  profile: audit
  period: {start: 2026-07-01, end: "2026-10-01T00:00:00Z"}
branding: {company: Example Corp, logo: brand/logo.png}
exceptions: registers/exceptions.yaml
previous: ../packs/q2
out: ../packs/q3
"""


def _write(folder: Path, text: str, name: str = "evidence.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_every_key_becomes_an_option_default(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "conf", EVERY_KEY)
    values = option_defaults(load_config(cfg), cfg.parent)
    base = str(tmp_path / "conf")
    assert values == {
        "regions": "all",
        "frameworks": "soc2,pci-dss",
        "framework_file": [f"{base}/extra/fw.yaml"],
        "organization": True,
        "accounts": "012345678901,111111111111",
        "role_name": "AuditRole",
        "external_id": "ext-1",
        "profile": "audit",
        "period_start": datetime(2026, 7, 1),
        "period_end": datetime.fromisoformat("2026-10-01T00:00:00+00:00"),
        "company": "Example Corp",
        "logo": f"{base}/brand/logo.png",
        "exceptions": f"{base}/registers/exceptions.yaml",
        "previous": f"{base}/../packs/q2",
        "out": f"{base}/../packs/q3",
    }


def test_the_shipped_example_is_valid() -> None:
    values = option_defaults(load_config(EXAMPLE), EXAMPLE.parent)
    assert values["regions"] == "us-east-1,eu-west-1"
    assert values["frameworks"] == "soc2,pci-dss,hipaa,gdpr"
    assert values["out"] == str(EXAMPLE.parent / "output/2026-q3")


def test_an_empty_file_sets_nothing(tmp_path: Path) -> None:
    assert option_defaults(load_config(_write(tmp_path, "")), tmp_path) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scope:\n  region: [us-east-1]\n", "evidence.yaml: scope.region: unknown key"),
        ("output: x\n", "evidence.yaml: output: unknown key"),
        ("branding:\n  colour: red\n", "evidence.yaml: branding.colour: unknown key"),
        ("scope:\n  accounts: [123456789012]\n", "evidence.yaml: scope.accounts.0: expected text (quote numbers"),
        ("scope:\n  organization: sometimes\n", "evidence.yaml: scope.organization: Input should be a valid boolean"),
        ("scope:\n  period: {start: last quarter}\n", "evidence.yaml: scope.period.start: Input should be a valid"),
        ("scope: [soc2]\n", "evidence.yaml: scope: Input should be a valid dictionary"),
        ("- soc2\n", "evidence.yaml: expected a mapping of settings"),
        ("scope: {regions: [a\n", "evidence.yaml: not valid YAML (line"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert str(info.value).startswith(f"{tmp_path}/{message.split(': ', 1)[0]}: {message.split(': ', 1)[1]}")
    assert "\n" not in str(info.value)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_config(tmp_path / "nothing.yaml")


# --------------------------------------------------------------------------- on the command line


def test_a_bad_file_stops_the_command_with_exit_2(tmp_path: Path) -> None:
    cfg = _write(tmp_path, "scope:\n  region: [us-east-1]\n")
    for command in (["run"], ["collect"], ["evaluate", str(tmp_path)], ["report", str(tmp_path)]):
        result = runner.invoke(app, [*command, "-c", str(cfg)])
        assert result.exit_code == 2, command
        assert result.output.strip() == f"error: {cfg}: scope.region: unknown key"


@pytest.fixture
def pack(demo_pack: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(demo_pack, copy)
    return copy


def _frameworks(pack: Path) -> list[str]:
    return [fw["id"] for fw in json.loads((pack / "pack.json").read_text())["frameworks"]]


def test_evaluate_takes_frameworks_and_exceptions_from_the_file(pack: Path, tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    _write(conf, "exceptions:\n  - id: EX-1\n    check: s3.bucket_not_public\n    reason: Public website.\n"
                 "    owner: web\n    approved_by: CISO\n    approved_on: 2026-01-01\n    expires_on: 2099-01-01\n",
           name="register.yaml")
    # branding and out do not apply to evaluate: they are ignored, not refused
    cfg = _write(conf, "scope:\n  frameworks: [pci-dss]\nexceptions: register.yaml\nbranding: {company: X}\nout: o\n")
    result = runner.invoke(app, ["evaluate", str(pack), "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert _frameworks(pack) == ["pci-dss"]
    assert [e["entry"]["id"] for e in json.loads((pack / "pack.json").read_text())["exceptions"]] == ["EX-1"]
    # an option given on the command line wins over the file
    result = runner.invoke(app, ["evaluate", str(pack), "-f", "gdpr", "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert _frameworks(pack) == ["gdpr"]


def test_framework_files_are_relative_to_the_config_file(pack: Path, tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    (conf / "fw").mkdir(parents=True)
    shutil.copyfile(data_dir("frameworks") / "soc2.yaml", conf / "fw" / "custom.yaml")
    cfg = _write(conf, "scope:\n  frameworks: []\n  framework_files: [fw/custom.yaml]\n")
    result = runner.invoke(app, ["evaluate", str(pack), "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert _frameworks(pack) == ["soc2"]


def test_collect_takes_the_period_from_the_file_and_the_command_line_wins(tmp_path: Path) -> None:
    cfg = _write(tmp_path, "scope:\n  period: {start: 2026-01-10, end: 2026-01-05}\nout: pack\n")
    result = runner.invoke(app, ["collect", "-c", str(cfg)])
    assert result.exit_code == 2
    assert "starts (2026-01-10) after it ends (2026-01-05)" in result.output
    result = runner.invoke(app, ["collect", "-c", str(cfg), "--period-start", "2026-01-08"])
    assert result.exit_code == 2
    assert "starts (2026-01-08) after it ends (2026-01-05)" in result.output
    assert not (tmp_path / "pack").exists()


def test_run_and_report_take_previous_from_the_file(pack: Path, tmp_path: Path) -> None:
    cfg = _write(tmp_path / "conf", "previous: q2\n")
    for command in (["run"], ["report", str(pack)]):
        result = runner.invoke(app, [*command, "-c", str(cfg)])
        assert result.exit_code == 2, command
        assert f"{tmp_path / 'conf' / 'q2'} is not a complete pack" in result.output.replace("\n", "")
