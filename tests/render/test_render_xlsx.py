"""The workbook, read back with openpyxl: sheets, counts, neutralised formulas, filters, links."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from render_fixtures import COLLECTED, FORMULA, PACK_ID

from evidence.models import Pack, Status
from evidence.render import RenderError, render_xlsx
from evidence.render.view import build_view
from evidence.render.xlsx import FORMULA_START, STATUS_STYLE, cell_value

TABLES = ("Controls", "Findings", "Evidence", "Gaps", "Inventory")


@pytest.fixture(scope="module")
def path(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "testfw.xlsx"
    render_xlsx(pack, "testfw", out)
    return out


@pytest.fixture(scope="module")
def wb(path: Path) -> Workbook:
    return load_workbook(path)


def _rows(ws: Worksheet) -> list[dict[str, object]]:
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def test_sheets_in_order(wb: Workbook) -> None:
    assert wb.sheetnames == ["Summary", *TABLES, "Accounts"]  # an organization pack: findings by account


def test_tables_have_frozen_filtered_headers(wb: Workbook) -> None:
    for name in TABLES:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", name
        assert all(ws.cell(1, c).font.bold for c in range(1, ws.max_column + 1)), name
        widths = [ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, ws.max_column + 1)]
        assert all(5 <= w <= 70 for w in widths), (name, widths)


def test_counts_match_the_pack(pack: Pack, wb: Workbook) -> None:
    fr = pack.frameworks[0]
    assert len(_rows(wb["Controls"])) == len(fr.controls)
    assert len(_rows(wb["Findings"])) == sum(len(c.findings) for c in fr.checks)
    assert len(_rows(wb["Evidence"])) == len(pack.evidence)
    assert len(_rows(wb["Gaps"])) == len(pack.gaps)
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}
    for status, n in fr.counts().items():
        assert summary[status] == n
    assert summary["Total"] == len(fr.controls)
    assert summary["Pack ID"] == PACK_ID
    assert summary["Evidence collected (UTC)"] == COLLECTED.replace(tzinfo=None)


def test_formula_payloads_stay_plain_strings(wb: Workbook) -> None:
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s"
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
                    seen += 1
    findings = _rows(wb["Findings"])
    assert any(r["Resource"] == FORMULA for r in findings)
    assert any(str(r["Reason"]).startswith("+cmd|") for r in findings)
    assert seen >= 3


def test_control_characters_are_escaped(wb: Workbook) -> None:
    resources = [str(r["Resource"]) for r in _rows(wb["Findings"])]
    assert any("bad\\x07name\\x1b[31m\\u202eevil" in r for r in resources)
    assert not any("\x07" in r or "\u202e" in r for r in resources)


def test_each_control_links_to_its_first_findings_row(pack: Pack, wb: Workbook) -> None:
    controls = wb["Controls"]
    findings = wb["Findings"]
    header = [c.value for c in controls[1]]
    link_col = header.index("Findings") + 1
    view = build_view(pack, "testfw")
    linked = 0
    for r in range(2, controls.max_row + 1):
        cid = controls.cell(r, 1).value
        cell = controls.cell(r, link_col)
        control = next(c for c in pack.frameworks[0].controls if c.id == cid)
        has_findings = any(view.checks[[c.key for c in view.checks].index(cc.key)].findings for cc in control.checks)
        if not has_findings:
            assert cell.hyperlink is None, cid
            continue
        target_row = int(cell.hyperlink.location.rsplit("A", 1)[1])
        assert cell.hyperlink.location == f"'Findings'!A{target_row}"
        assert cid in str(findings.cell(target_row, 9).value)
        earlier = [str(findings.cell(x, 9).value) for x in range(2, target_row)]
        assert not any(cid in e.split(", ") for e in earlier), cid
        linked += 1
    assert linked == 4


def test_statuses_have_conditional_colours(wb: Workbook) -> None:
    for name in ("Controls", "Findings"):
        rules = [rule for cf in wb[name].conditional_formatting for rule in cf.rules]
        formulas = sorted(rule.formula[0] for rule in rules)
        assert formulas == sorted(f'"{s.value}"' for s in Status), name


def test_failures_sort_first_within_a_check(wb: Workbook) -> None:
    mfa = [r["Status"] for r in _rows(wb["Findings"]) if r["Check"] == "iam.mfa"]
    assert mfa == sorted(mfa, key=lambda s: s != "fail")
    assert mfa.count("fail") == 17


def test_evidence_and_gaps_sheets(pack: Pack, wb: Workbook) -> None:
    evidence = _rows(wb["Evidence"])
    assert {r["SHA-256"] for r in evidence} == {e.sha256 for e in pack.evidence}
    errors = [r for r in evidence if r["Error code"]]
    assert [(r["Key"], r["Account"], r["Region"]) for r in errors] == [("cloudtrail.trails", "222222222222",
                                                                        "eu-west-1")]
    assert all(r["Collected at (UTC)"] == COLLECTED.replace(tzinfo=None) for r in evidence)
    used = {r["Key"]: r["Used by checks"] for r in evidence}
    assert used["iam.users"] == "iam.mfa"
    gaps = _rows(wb["Gaps"])
    assert gaps == [{"Key": "cloudtrail.trails", "Account": "222222222222", "Region": "eu-west-1",
                     "Code": "AccessDenied", "Message": "not allowed to call cloudtrail:DescribeTrails",
                     "Checks affected": "cloudtrail.enabled", "Controls not evaluated": "AU-1"}]


def test_inventory_groups_resources_by_type(wb: Workbook) -> None:
    inventory = {(r["Resource type"], r["Account"], r["Region"]): r for r in _rows(wb["Inventory"])}
    users = inventory[("iam:user", "111111111111", "eu-west-1")]
    assert users["Resources"] == 12 and users["Failing resources"] == 12 and users["Checks"] == "iam.mfa"
    alice = inventory[("iam:user", "222222222222", "eu-west-1")]
    assert alice["Resources"] == 1 and alice["Failing resources"] == 0
    buckets = inventory[("s3", "111111111111", "eu-west-1")]
    assert buckets["Resources"] >= 2


def test_summary_has_a_chart_and_document_properties(path: Path, wb: Workbook) -> None:
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    assert wb.properties.creator == "evidence 0.1.0"
    assert wb.properties.created == COLLECTED.replace(tzinfo=None)
    assert wb.properties.identifier == PACK_ID


def test_every_status_has_a_colour() -> None:
    assert set(STATUS_STYLE) == set(Status)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cell_value_neutralises_formula_starts(text: str) -> None:
    ws = Workbook(write_only=True).create_sheet("x")
    cell = cell_value(ws, text)
    assert isinstance(cell, Cell)
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == text


def test_cell_value_leaves_plain_text_alone() -> None:
    ws = Workbook(write_only=True).create_sheet("x")
    assert cell_value(ws, "arn:aws:s3:::bucket") == "arn:aws:s3:::bucket"
    assert cell_value(ws, 3) == 3
    long = cell_value(ws, "a" * 40_000)
    assert len(long) == 32_767 and long.endswith("[truncated: see pack.json]")


def test_unknown_framework_and_unwritable_path(pack: Pack, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="no results for framework"):
        render_xlsx(pack, "nope", tmp_path / "x.xlsx")
    with pytest.raises(RenderError, match="cannot write"):
        render_xlsx(pack, "testfw", tmp_path / "missing" / "x.xlsx")
