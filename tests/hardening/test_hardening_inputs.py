"""Bad input of every kind: one clear line on stderr, exit 2 (or 1 for a pack that fails verification),
no traceback, and nothing half-written left behind."""

from __future__ import annotations

import json
import os
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from hardening_support import assert_clear_error, cli, no_aws_env

from evidence import store

GOOD_CONTROL = (
    "  - id: C-1\n    title: Something\n    section: S\n    evidence: automated\n"
    "    checks:\n      - id: iam.root_mfa_enabled\n"
)
HEADER = "id: custom\nname: Custom\nversion: '1'\nsource: internal\ncontrols:\n"


def evaluate_with(tmp_path: Path, text: str | bytes, name: str = "custom.yaml") -> Result:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return cli("evaluate", tmp_path, "--frameworks", "", "--framework-file", path)


# ----------------------------------------------------------------------------- framework files


@pytest.mark.parametrize(("text", "needle"), [
    ("id: x\ncontrols: [\n  - id: A\n", "custom.yaml: not valid YAML (line"),
    ("", "custom.yaml: expected a mapping with id, name, version, source and controls"),
    ("# only a comment\n", "expected a mapping"),
    ("- a list\n- not a mapping\n", "expected a mapping"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n",
     "YAML aliases are not allowed"),
    ("controls: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    (HEADER + GOOD_CONTROL + "    checks: []\n", "duplicate key 'checks'"),
    ("id: \"a\x00b\"\n", "not valid YAML: special characters are not allowed"),
    ("!!python/object/apply:os.system ['echo pwned']\n", "could not determine a constructor"),
    ("version: !!timestamp 2026-13-45\n", "not valid YAML: month must be in 1..12"),
], ids=["malformed", "empty", "comment-only", "list", "alias-bomb", "deep-nesting", "duplicate-key", "nul-byte",
        "python-tag", "impossible-timestamp"])
def test_unreadable_framework_file(tmp_path: Path, text: str, needle: str) -> None:
    result = evaluate_with(tmp_path, text)
    assert_clear_error(result, needle)


def test_framework_file_that_is_not_utf8(tmp_path: Path) -> None:
    result = evaluate_with(tmp_path, b"\xff\xfe\x00binary\x00")
    assert_clear_error(result, "custom.yaml: not UTF-8 text")


def test_very_large_framework_file_is_refused_before_parsing(tmp_path: Path) -> None:
    result = evaluate_with(tmp_path, HEADER + GOOD_CONTROL + "# " + "x" * (6 * 1024 * 1024) + "\n")
    assert_clear_error(result, "a framework file is limited to 5242880")


@pytest.mark.parametrize("kind", ["folder", "fifo", "link-to-dev-zero"])
def test_framework_file_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "fw.yaml"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    result = cli("evaluate", tmp_path, "--frameworks", "", "--framework-file", path)
    assert_clear_error(result, "fw.yaml: cannot read the framework file: not a regular file")


@pytest.mark.parametrize(("text", "needle"), [
    ("id: [1, 2]\nname: X\nversion: '1'\nsource: s\ncontrols: []\n", "custom.yaml: id: Input should be a valid string"),
    (HEADER.replace("controls:\n", "controls: 12\n"), "controls: Input should be a valid tuple"),
    (HEADER + GOOD_CONTROL.replace("evidence: automated", "evidence: sometimes"), "control C-1: evidence: Input"),
    (HEADER + GOOD_CONTROL + "        params: [1]\n", "control C-1: checks.0.params: Input should be a valid dict"),
    (HEADER + "  - null\n", "control #1: Input should be a valid dictionary"),
    (HEADER + "  - id: 1.10\n    title: T\n    section: S\n    evidence: manual\n    manual_evidence: m\n",
     "id: Input should be a valid string"),
    (HEADER + GOOD_CONTROL.replace("iam.root_mfa_enabled", "iam.password_policy_min_length")
     + "        params: {min_length: fourteen}\n", "parameter 'min_length' must be int"),
], ids=["id-list", "controls-scalar", "evidence-enum", "params-list", "null-control", "numeric-id", "param-type"])
def test_framework_file_with_wrong_types(tmp_path: Path, text: str, needle: str) -> None:
    result = evaluate_with(tmp_path, text)
    assert_clear_error(result, needle)


def test_unknown_check_and_duplicate_control(tmp_path: Path) -> None:
    result = evaluate_with(tmp_path, HEADER + GOOD_CONTROL.replace("iam.root_mfa_enabled", "iam.no_such_check"))
    assert_clear_error(result, "control C-1: unknown check 'iam.no_such_check'")
    result = evaluate_with(tmp_path, HEADER + GOOD_CONTROL + GOOD_CONTROL, "dup.yaml")
    assert_clear_error(result, "dup.yaml: control C-1: duplicate control id")


# ----------------------------------------------------------------------------- exceptions register

ENTRY = "  - id: EX-1\n    check: s3.bucket_access_logging\n    reason: r\n    owner: o\n    expires_on: {expires}\n"


@pytest.mark.parametrize(("text", "needle"), [
    ("exceptions:\n" + ENTRY.format(expires="2026-13-45"), "bad.yaml: exception EX-1: expires_on: Input should be"),
    ("exceptions:\n" + ENTRY.format(expires="next year"), "exception EX-1: expires_on"),
    ("exceptions:\n" + ENTRY.format(expires="2027-01-01").replace("s3.bucket_access_logging", "s3.typo"),
     "exception EX-1: unknown check 's3.typo'"),
    ("exceptions:\n" + ENTRY.format(expires="2027-01-01") * 2, "exception EX-1: the id is used twice"),
    ("exceptions:\n" + ENTRY.format(expires="2027-01-01") + "    colour: red\n", "exception EX-1: colour: Extra"),
    ("exceptions:\n  - 42\n", "exception #1: Input should be a valid dictionary"),
    ("exceptions: {}\n", "expected a mapping with a list under `exceptions`"),
    ("exceptions:\n" + ENTRY.format(expires="2027-01-01") + "    reason: again\n", "duplicate key 'reason'"),
], ids=["impossible-date", "text-date", "unknown-check", "duplicate-id", "extra-field", "scalar-entry", "not-a-list",
        "duplicate-key"])
def test_bad_exceptions_register(pack_copy: Path, tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    before = store.read_manifest(pack_copy)
    result = cli("evaluate", pack_copy, "--frameworks", "soc2", "--exceptions", tmp_path / "bad.yaml")
    assert_clear_error(result, needle)
    assert store.read_manifest(pack_copy) == before and store.verify(pack_copy).ok  # the pack is untouched


def test_missing_exceptions_register_is_refused_before_collecting(aws_env: dict[str, str | None],
                                                                   tmp_path: Path) -> None:
    result = cli("run", "--regions", "us-east-1", "--exceptions", tmp_path / "absent.yaml", "--out", tmp_path / "p",
                 env=aws_env)
    assert_clear_error(result, "absent.yaml: no such exceptions register")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- dates, periods, regions


@pytest.mark.parametrize(("args", "needle"), [
    (("--period-start", "2026-05-01", "--period-end", "2026-04-01"), "starts (2026-05-01) after it ends"),
    (("--period-end", "2099-01-01"), "the audit period ends in the future"),
    (("--period-start", "2099-01-01"), "after it ends"),
], ids=["end-before-start", "end-in-future", "start-in-future"])
def test_bad_period(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    result = cli("collect", "--regions", "us-east-1", *args, "--out", tmp_path / "p", env=no_aws_env(tmp_path))
    assert_clear_error(result, needle)
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "31/12/2026"])
def test_unparseable_date(tmp_path: Path, value: str) -> None:
    result = cli("collect", "--period-start", value, "--out", tmp_path / "p")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--period-start'" in result.output


def test_unknown_region_is_refused_without_calling_aws(tmp_path: Path) -> None:
    # No credentials at all: the region is judged first, offline.
    result = cli("collect", "--regions", "us-east-1,mars-north-1", "--out", tmp_path / "p", env=no_aws_env(tmp_path))
    assert_clear_error(result, "unknown region 'mars-north-1'")


# ----------------------------------------------------------------------------- output folder


def collect_into_out(out: Path, env: dict[str, str | None]) -> Result:
    return cli("collect", "--regions", "us-east-1", "--only", "logs.log_groups", "--out", out, env=env)


def test_output_under_a_regular_file(aws_env: dict[str, str | None], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = collect_into_out(blocker / "pack", aws_env)
    assert_clear_error(result, f"cannot write to {blocker}")
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 0o500; the regular-file case covers it")
def test_output_in_a_read_only_folder(aws_env: dict[str, str | None], tmp_path: Path) -> None:
    parent = tmp_path / "read-only"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        result = collect_into_out(parent / "pack", aws_env)
        assert_clear_error(result, f"cannot write to {parent}")
    finally:
        parent.chmod(0o700)


def test_output_that_is_a_file(aws_env: dict[str, str | None], tmp_path: Path) -> None:
    target = tmp_path / "pack"
    target.write_text("x")
    assert_clear_error(collect_into_out(target, aws_env), "is a file, not a folder")


def test_output_that_already_holds_a_pack(aws_env: dict[str, str | None], pack_copy: Path) -> None:
    before = store.read_manifest(pack_copy)
    result = collect_into_out(pack_copy, aws_env)
    assert_clear_error(result, "already exists and is not empty: choose another --out")
    assert store.read_manifest(pack_copy) == before and store.verify(pack_copy).ok


def test_output_with_an_interrupted_collection_beside_it(aws_env: dict[str, str | None], tmp_path: Path) -> None:
    dest = tmp_path / "pack"
    (store.partial_folder(dest) / "evidence").mkdir(parents=True)
    result = collect_into_out(dest, aws_env)
    assert_clear_error(result, "continue it with --resume, or delete it")


# ----------------------------------------------------------------------------- damaged packs


def test_pack_with_a_missing_file(pack_copy: Path) -> None:
    (pack_copy / "collection.json").unlink()
    result = cli("verify", pack_copy)
    assert result.exit_code == 1 and "missing: collection.json" in result.output and "Traceback" not in result.output
    assert_clear_error(cli("evaluate", pack_copy, "--frameworks", "soc2"),
                       f"{pack_copy} is not a complete pack: collection.json is missing")


def test_pack_without_pack_json(pack_copy: Path) -> None:
    (pack_copy / "pack.json").unlink()
    assert_clear_error(cli("report", pack_copy), f"{pack_copy} is not a complete pack: pack.json is missing")


def test_pack_with_an_extra_file(pack_copy: Path) -> None:
    (pack_copy / "evidence" / "planted.json").write_text("{}")
    result = cli("verify", pack_copy)
    assert result.exit_code == 1 and "not in manifest: evidence/planted.json" in result.output


@pytest.fixture
def file_size_cap() -> Iterator[None]:
    """Writes past 64 MiB fail (EFBIG) instead of filling the disk, should a copy ever follow /dev/zero again."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.parametrize("command", [("verify",), ("evaluate", "--frameworks", "soc2"), ("report",)])
def test_pack_with_a_link_to_a_device(pack_copy: Path, file_size_cap: None, command: tuple[str, ...]) -> None:
    (pack_copy / "evidence" / "zero.json").symlink_to("/dev/zero")
    result = cli(command[0], pack_copy, *command[1:])
    if command[0] == "verify":
        assert result.exit_code == 1 and "not in manifest: evidence/zero.json" in result.output
    else:
        assert_clear_error(result, "evidence/zero.json: not a regular file; a pack holds only files")
    assert sorted(p.name for p in pack_copy.parent.iterdir()) == ["pack"]  # no copy left behind


def test_pack_file_that_is_not_utf8(pack_copy: Path) -> None:
    (pack_copy / "pack.json").write_bytes(b"\xff\xfe{ not json")
    assert_clear_error(cli("report", pack_copy), "pack.json: not valid JSON (not UTF-8 text)")


def _set_schema(path: Path, version: object) -> None:
    data = json.loads(path.read_text())
    data["schema_version"] = version
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(("file", "command"), [
    ("pack.json", ("report",)), ("collection.json", ("evaluate", "--frameworks", "soc2")), ("manifest.json", ("verify",)),
])
@pytest.mark.parametrize(("version", "needle"), [
    (0, "written by an older evidence"), (2, "written by a newer evidence"), ("1", "is not a pack schema version"),
])
def test_pack_written_by_another_schema_version(
    pack_copy: Path, file: str, command: tuple[str, ...], version: object, needle: str
) -> None:
    _set_schema(pack_copy / file, version)
    line = assert_clear_error(cli(command[0], pack_copy, *command[1:]), needle)
    assert f"{pack_copy}/{file}" in line  # the pack's own path, never a temporary copy's
    assert not [p for p in pack_copy.parent.iterdir() if p.name.startswith(f".{pack_copy.name}.")]
