"""Framework files: every load error and lint rule, each reported with the file and the control."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fw_helpers import SAMPLE, control, framework

from evidence.frameworks import MAX_FILE_BYTES, FrameworkError, load_file, parse, problems, read_yaml

pytestmark = pytest.mark.usefixtures("sample_check")

Write = Callable[..., Path]


def lint(path: Path) -> list[str]:
    return [str(p) for p in problems(parse(path, read_yaml(path)), str(path))]


def test_a_valid_file_loads_and_lints_clean(write: Write) -> None:
    path = write(framework(control("C1"), control("C2", evidence="manual", checks=[], manual_evidence="Minutes")))
    assert lint(path) == []
    loaded = load_file(path)
    assert [c.id for c in loaded.controls] == ["C1", "C2"]
    assert loaded.controls[0].checks[0].params == {"min_length": 12}


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        ([control(checks=[{"id": "nope.check"}])], "control C1: unknown check 'nope.check'"),
        ([control("C1"), control("C1")], "control C1: duplicate control id"),
        (
            [control(checks=[{"id": SAMPLE}, {"id": SAMPLE, "role": "secondary"}])],
            f"control C1: check {SAMPLE} is listed twice",
        ),
        (
            [control(checks=[{"id": SAMPLE, "params": {"max_len": 3}}])],
            f"control C1: check {SAMPLE}: unknown parameter 'max_len' (accepts: enforce, min_length)",
        ),
        (
            [control(checks=[{"id": SAMPLE, "params": {"min_length": "twelve"}}])],
            f"control C1: check {SAMPLE}: parameter 'min_length' must be int",
        ),
        (
            [control(checks=[{"id": SAMPLE, "params": {"min_length": True}}])],
            f"control C1: check {SAMPLE}: parameter 'min_length' must be int",
        ),
        (
            [control(checks=[{"id": SAMPLE, "params": {"enforce": 1}}])],
            f"control C1: check {SAMPLE}: parameter 'enforce' must be bool",
        ),
        (
            [control(evidence="manual", checks=[])],
            "control C1: no manual evidence request for a control that needs one",
        ),
        (
            [control(checks=[{"id": SAMPLE, "role": "secondary"}])],
            "control C1: no manual evidence request for a control that needs one",
        ),
        ([control(section="S9")], "control C1: section 'S9' is not a section of sample"),
        ([control(implementation="optional")], "control C1: implementation must be required or addressable"),
        ([control(inherited=True)], "control C1: inherited control names no AWS report to request"),
    ],
    ids=[
        "unknown-check",
        "duplicate-control",
        "check-twice",
        "param-not-in-signature",
        "param-wrong-type",
        "bool-for-int",
        "int-for-bool",
        "manual-without-request",
        "no-primary-without-request",
        "unknown-section",
        "bad-implementation",
        "inherited-without-request",
    ],
)
def test_each_lint_rule_names_file_and_control(write: Write, controls: list[dict[str, Any]], message: str) -> None:
    path = write(framework(*controls))
    found = lint(path)
    assert len(found) == 1 and found[0].startswith(f"{path}: {message}"), found
    with pytest.raises(FrameworkError, match="control C1"):
        load_file(path)


def test_duplicate_section_is_reported_without_a_control(write: Write) -> None:
    path = write(framework(sections=[{"id": "S1", "title": "a"}, {"id": "S1", "title": "b"}]))
    assert lint(path) == [f"{path}: duplicate section id 'S1'"]


def test_load_error_counts_the_other_problems(write: Write) -> None:
    path = write(framework(control("C1", checks=[{"id": "x.a"}]), control("C2", checks=[{"id": "x.b"}])))
    with pytest.raises(FrameworkError, match=r"unknown check 'x.a' \(and 1 more; run `evidence frameworks lint`\)"):
        load_file(path)


def test_malformed_yaml_reports_its_line(write: Write) -> None:
    path = write("id: sample\nname: x\ncontrols:\n  - id: C1\n    title: [unclosed\n")
    with pytest.raises(FrameworkError, match=rf"^{path}: not valid YAML \(line 6\)"):
        read_yaml(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (framework(control(evidence="sometimes")), "control C1: evidence: Input should be 'automated', 'hybrid'"),
        (framework(control(checks="all")), "control C1: checks: Input should be a valid tuple"),
        (framework(control(), control("C2", title=None)), "control C2: title: Input should be a valid string"),
        (framework(controls="none"), "controls: Input should be a valid tuple"),
        (framework(control(), extra_key=1), "extra_key: Extra inputs are not permitted"),
        (["a", "list"], "expected a mapping with id, name, version, source and controls"),
    ],
    ids=["bad-enum", "checks-not-a-list", "title-null", "controls-not-a-list", "unknown-field", "not-a-mapping"],
)
def test_wrong_types_are_refused_with_their_place(write: Write, data: Any, message: str) -> None:
    path = write(data)
    with pytest.raises(FrameworkError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_alias_bomb_is_refused(write: Write) -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, 9):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [*{chr(96 + n)}, *{chr(96 + n)}, *{chr(96 + n)}, *{chr(96 + n)}]")
    path = write("\n".join(lines) + "\n")
    with pytest.raises(FrameworkError, match="YAML aliases are not allowed"):
        read_yaml(path)


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(FrameworkError, match=rf"file is {MAX_FILE_BYTES + 1} bytes"):
        read_yaml(path)


def test_missing_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="no such framework file"):
        read_yaml(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: \xff\xfe\n")
    with pytest.raises(FrameworkError, match="not UTF-8 text"):
        read_yaml(binary)
