"""The trust workflow's data in the reports: sign-off, exceptions register, attachments, CloudTrail
integrity and the per-account breakdown, read back from the PDF (pypdf) and the workbook (openpyxl)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader
from workflow_fixtures import (
    DIGEST,
    INVALID_NOTE,
    OLD_DIGEST,
    POLICY_DIGEST,
    SIGNER,
    TAMPERED_KEY,
    TAMPERED_REASON,
    TRAIL,
    build_workflow_pack,
)

from evidence.models import Pack
from evidence.render import Branding, render_pdf, render_xlsx
from evidence.render.html import render_html
from evidence.render.view import build_view


@pytest.fixture(scope="module")
def workflow_pack() -> Pack:
    return build_workflow_pack()


@pytest.fixture(scope="module")
def pages(workflow_pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("workflow") / "testfw.pdf"
    render_pdf(workflow_pack, "testfw", out)
    return [page.extract_text() for page in PdfReader(out).pages]


@pytest.fixture(scope="module")
def text(pages: list[str]) -> str:
    return "\n".join(pages)


@pytest.fixture(scope="module")
def wb(workflow_pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    out = tmp_path_factory.mktemp("workflow") / "testfw.xlsx"
    render_xlsx(workflow_pack, "testfw", out)
    return load_workbook(out)


def _rows(ws: Worksheet) -> list[dict[str, object]]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def _html(pack: Pack) -> str:
    """The report's HTML: cheaper than a PDF for the cases that only vary one section."""
    return render_html(build_view(pack, "testfw"), Branding(), logo_url=None)


def _summary(wb: Workbook) -> dict[object, object]:
    return {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}


# --------------------------------------------------------------------------- sign-off


def test_signoff_page_shows_the_recorded_decision(pages: list[str]) -> None:
    last = "\n".join(pages[-2:])
    for text in (SIGNER, "CISO", "approved", "Q4 evidence reviewed", DIGEST, "valid: the pack content is unchanged"):
        assert text in last.replace("\n", " "), text
    assert last.index(SIGNER) < last.index("Prepared by (security lead)")


def test_invalid_signoff_is_shown_as_invalid() -> None:
    html = _html(build_workflow_pack(signoff_valid=False))
    assert INVALID_NOTE in html and "signoff-invalid" in html


def test_no_signoff_no_record(pack: Pack) -> None:
    html = _html(pack)
    assert "Recorded sign-off" not in html and "Prepared by (security lead)" in html


def test_summary_sheet_has_the_signoff(wb: Workbook, pack: Pack, tmp_path: Path) -> None:
    summary = _summary(wb)
    assert summary["Signed off by"] == SIGNER
    assert summary["Decision"] == "approved"
    assert summary["Content digest"] == DIGEST
    assert str(summary["Sign-off"]).startswith("valid")
    plain = tmp_path / "plain.xlsx"
    render_xlsx(pack, "testfw", plain)
    assert "Signed off by" not in _summary(load_workbook(plain))


# --------------------------------------------------------------------------- exceptions register


def test_exceptions_register_section(text: str) -> None:
    flat = text.replace("\n", " ")
    contents = flat[flat.index("Contents"):flat.index("Executive summary", flat.index("Contents") + 10)]
    assert "Exceptions register" in contents
    register = flat[flat.index("Each entry of the exceptions register"):flat.index("By signing, I confirm")]
    for expected in ("EX-1", "SEC-42", "iam.password_policy", "The identity provider enforces 16 characters.",
                     "platform", "approved by Dana Lee on 2025-01-10", "expires 2025-12-31", "APPLIED",
                     "1 finding matched", "EX-2", "EXPIRED", "0 findings matched",
                     "Expired on 2025-01-31"):
        assert expected in register, expected
    assert "user/break-glass-*" in register.replace(" ", "")  # long patterns wrap


def test_control_page_names_the_exceptions_applied(text: str) -> None:
    flat = text.replace("\n", " ")
    page = flat[flat.index("Failure covered by exception EX-1."):]
    assert "Exceptions applied: EX-1" in page[:800]
    assert "1 excepted" in page[:800]


def test_no_register_no_section(pack: Pack) -> None:
    html = _html(pack)
    assert 'id="exceptions"' not in html and "Exceptions applied" not in html


def test_exceptions_sheet(wb: Workbook, pack: Pack, tmp_path: Path) -> None:
    rows = {r["Exception"]: r for r in _rows(wb["Exceptions"])}
    assert set(rows) == {"EX-1", "EX-2"}
    assert rows["EX-1"]["State"] == "applied" and rows["EX-1"]["Findings matched"] == 1
    assert rows["EX-1"]["Approved by"] == SIGNER and rows["EX-1"]["Ticket"] == "SEC-42"
    assert rows["EX-2"]["State"] == "expired" and rows["EX-2"]["Control"] == "AC-1"
    assert rows["EX-2"]["Expires on"] == "2025-01-31"
    excepted = [r for r in _rows(wb["Findings"]) if r["Status"] == "excepted"]
    assert [r["Check"] for r in excepted] == ["iam.password_policy[min_length=14]"]
    plain = tmp_path / "plain.xlsx"
    render_xlsx(pack, "testfw", plain)
    assert "Exceptions" not in load_workbook(plain).sheetnames


# --------------------------------------------------------------------------- manual evidence attachments


def test_control_page_lists_attachments_and_flags_stale_ones(text: str) -> None:
    flat = text.replace("\n", " ")
    page = flat[flat.index("MANUAL EVIDENCE ATTACHED (2)"):]
    compact = page.replace(" ", "")
    assert "attachments/PL-1/security-policy-v3.pdf" in compact
    assert POLICY_DIGEST in compact and OLD_DIGEST in compact
    assert "Approved by the board on 2025-02-14." in page
    assert "attached by Dana Lee on 2025-03-01 09:00:00 UTC" in page
    fresh, old = page.index("security-policy-v3"), page.index("STALE: older than 365 days")
    assert fresh < old < page.index(OLD_DIGEST[:16])  # the flag belongs to the stale attachment


def test_attachments_sheet(wb: Workbook, pack: Pack, tmp_path: Path) -> None:
    rows = {r["Path"]: r for r in _rows(wb["Attachments"])}
    fresh = rows["attachments/PL-1/security-policy-v3.pdf"]
    stale = rows["attachments/PL-1/security-policy-v1.pdf"]
    assert fresh["Control"] == "PL-1" and fresh["SHA-256"] == POLICY_DIGEST and fresh["Stale"] == "no"
    assert fresh["Attached by"] == SIGNER and fresh["Note"] == "Approved by the board on 2025-02-14."
    assert stale["Stale"] == "yes" and stale["Attached by"] == "Sam Roe"
    plain = tmp_path / "plain.xlsx"
    render_xlsx(pack, "testfw", plain)
    assert "Attachments" not in load_workbook(plain).sheetnames


# --------------------------------------------------------------------------- CloudTrail log integrity


def test_integrity_section_lists_each_trail_region(text: str) -> None:
    flat = text.replace("\n", " ")
    contents = flat[flat.index("Contents"):flat.index("Executive summary", flat.index("Contents") + 10)]
    assert "CloudTrail log integrity" in contents
    section = flat[flat.index("the signed digest files delivered over the audit period"):flat.index("By signing")]
    compact = section.replace(" ", "")
    assert f"{TRAIL}(eu-west-1)" in compact and f"{TRAIL}(us-east-1)" in compact
    assert "90 digest files and 2160 log files verified." in section
    assert "(LOG_HASH_MISMATCH)." in section
    assert "Files that are not valid (2)" in section
    assert TAMPERED_KEY in compact and TAMPERED_REASON.replace(" ", "") in compact
    assert "DIGEST_GAP" in section


def test_no_integrity_check_no_section(pack: Pack) -> None:
    assert 'id="integrity"' not in _html(pack)


def test_integrity_sheet(wb: Workbook, pack: Pack, tmp_path: Path) -> None:
    rows = _rows(wb["CloudTrail integrity"])
    assert [(r["Kind"], r["Verdict"], r["Code"]) for r in rows] == [
        ("log", "invalid", "LOG_HASH_MISMATCH"), ("digest", "missing", "DIGEST_GAP")]
    assert rows[0]["Key"] == TAMPERED_KEY and rows[0]["Trail"] == TRAIL and rows[0]["Source region"] == "us-east-1"
    assert rows[0]["validate-logs reports it too"] == "yes" and rows[1]["Key"] is None
    plain = tmp_path / "plain.xlsx"
    render_xlsx(pack, "testfw", plain)
    assert "CloudTrail integrity" not in load_workbook(plain).sheetnames


# --------------------------------------------------------------------------- per-account breakdown


def test_scope_section_breaks_findings_down_by_account(text: str) -> None:
    flat = text.replace("\n", " ")
    table = flat[flat.index("Findings by account (2)"):]
    assert "111111111111 18 3 0 1 0" in table  # fail, pass, not evaluated, excepted, gaps
    assert "222222222222 0 1 0 0 1" in table


def test_accounts_sheet(wb: Workbook) -> None:
    rows = {r["Account"]: r for r in _rows(wb["Accounts"])}
    assert rows["111111111111"] == {"Account": "111111111111", "Failing findings": 18, "Passing findings": 3,
                                    "Not evaluated findings": 0, "Excepted findings": 1, "Gaps": 0,
                                    "Regions not enabled (not collected)": None}
    assert rows["222222222222"]["Passing findings"] == 1 and rows["222222222222"]["Gaps"] == 1


def test_single_account_pack_has_no_breakdown(pack: Pack, tmp_path: Path) -> None:
    scope = pack.collection.scope.model_copy(update={"accounts": ("111111111111",), "organization_id": None})
    single = pack.model_copy(update={"collection": pack.collection.model_copy(update={"scope": scope})})
    assert build_view(single, "testfw").accounts == ()
    assert 'id="accounts"' not in _html(single)
    render_xlsx(single, "testfw", tmp_path / "single.xlsx")
    assert "Accounts" not in load_workbook(tmp_path / "single.xlsx").sheetnames
