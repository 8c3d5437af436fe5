"""The PDF report, opened with pypdf: text, outline, metadata, attachment and hostile input."""

from __future__ import annotations

import logging
import os
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from render_fixtures import COLLECTED, LONG_ARN, PACK_ID, SCRIPT

from evidence.models import Pack, Status
from evidence.render import Branding, RenderError, render_pdf
from evidence.render.html import templates_dir
from evidence.render.pdf import PANGO_HINT, allowed_path, missing_library_error
from evidence.render.view import build_view
from evidence.store import canonical_json

LABELS = {Status.PASS: "Pass", Status.FAIL: "Fail", Status.NOT_EVALUATED: "Not evaluated",
          Status.NOT_APPLICABLE: "Not applicable", Status.MANUAL: "Manual", Status.EXCEPTED: "Excepted"}


def _png(width: int = 4, height: int = 2) -> bytes:
    """A tiny valid PNG (solid dark blue), written by hand so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\x00" + b"\x1b\x2a\x3a" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def rendered(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[logging.LogRecord]]:
    out = tmp_path_factory.mktemp("pdf")
    logo = out / "logo.png"
    logo.write_bytes(_png())
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        render_pdf(pack, "testfw", out / "testfw.pdf", branding=Branding(company="Acme <Corp> & Co", logo=logo))
    finally:
        logger.removeHandler(handler)
    return out / "testfw.pdf", records


@pytest.fixture(scope="module")
def reader(rendered: tuple[Path, list[logging.LogRecord]]) -> PdfReader:
    return PdfReader(rendered[0])


@pytest.fixture(scope="module")
def text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _outline_titles(outline: list[Any]) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item))
        else:
            titles.append(item.title)
    return titles


def test_every_control_is_in_the_text_and_has_a_bookmark(pack: Pack, reader: PdfReader, text: str) -> None:
    titles = _outline_titles(reader.outline)
    controls = pack.frameworks[0].controls
    for control in controls:
        assert control.id in text
        marks = [t for t in titles if t.startswith(f"{control.id} ")]
        assert len(marks) == 1, (control.id, titles)
        assert LABELS[control.status] in marks[0]
    for top in ("Contents", "Executive summary", "Control index", "Scope and method", "Controls",
                "Gaps and coverage", "Sign-off"):
        assert top in titles


def test_status_counts_match_the_pack(pack: Pack, text: str) -> None:
    counts = pack.frameworks[0].counts()
    flat = " ".join(text.split())
    for status, label in LABELS.items():
        assert f"{label} {counts[status.value]}" in flat
    assert f"{sum(counts.values())} controls" in flat


def test_page_furniture(reader: PdfReader) -> None:
    n = len(reader.pages)
    last = reader.pages[-1].extract_text()
    assert f"Page {n} of {n}" in last
    assert f"Pack {PACK_ID[:12]}" in last
    assert "Test Framework 1.0 evidence pack" in last
    assert "Page" not in reader.pages[0].extract_text()  # the cover has no furniture


def test_contents_gives_page_numbers(reader: PdfReader) -> None:
    contents = " ".join(reader.pages[1].extract_text().split())
    assert "Contents" in contents
    assert "Gaps and coverage" in contents
    assert any(ch.isdigit() for ch in contents.split("Sign-off")[-1])


def test_hostile_text_is_shown_literally(text: str) -> None:
    flat = "".join(text.split())
    assert "".join(SCRIPT.split()) in flat
    assert '=HYPERLINK("http://x","y")' in flat
    assert "\x07" not in text and "\x1b" not in text and "\u202e" not in text
    assert "\\x07" in text and "\\u202e" in text
    assert "Acme <Corp> & Co" in text
    assert "<b>everywhere</b>" in text  # framework titles are escaped too


def test_long_arns_wrap_inside_the_page(reader: PdfReader, text: str) -> None:
    assert "end" in text
    assert "".join(LONG_ARN.split()) in "".join(text.split())
    width = float(reader.pages[0].mediabox.width)
    assert width < 600


def test_failures_are_capped_with_a_pointer_to_the_workbook(text: str) -> None:
    flat = " ".join(text.split())
    assert "12 more failing resources are in the workbook: sheet Findings, filter Check = iam.mfa and Status = fail" \
        in flat
    assert "Hostile name 4" in flat and "user-00" not in flat
    assert "failing resources: first 5 of 17" in flat.lower()
    assert "1 more evidence file in the workbook: sheet Evidence, filter Key = iam.users" in flat


def test_a_shared_check_is_detailed_once(text: str) -> None:
    flat = " ".join(text.split())
    assert flat.count("Hostile name 0: no MFA device.") == 1
    assert "17 of 18 resources failing · failing resources, gaps and evidence files listed under AC-1" in flat


def test_evidence_hashes_and_gaps_are_listed(pack: Pack, text: str) -> None:
    flat = "".join(text.split())
    assert pack.evidence[0].sha256 in flat
    assert "AccessDenied" in text
    assert "notallowedtocallcloudtrail:DescribeTrails" in flat


def test_metadata_is_collection_time_and_tool(reader: PdfReader) -> None:
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Test Framework 1.0 evidence pack for Acme <Corp> & Co"
    assert meta.author == "evidence 0.1.0"
    assert meta.creation_date is not None
    assert meta.creation_date.replace(tzinfo=None) == COLLECTED.replace(tzinfo=None)


def test_pdf_a3_with_pack_json_attached(pack: Pack, reader: PdfReader) -> None:
    assert reader.attachments["pack.json"] == [canonical_json(pack)]
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in raw
    assert 'pdfaid:conformance="U"' in raw


def test_logo_is_drawn_on_the_cover(reader: PdfReader) -> None:
    cover = reader.pages[0]
    assert len(cover.images) == 1


def test_rendering_logs_no_warning(rendered: tuple[Path, list[logging.LogRecord]]) -> None:
    # Only the environment's missing HarfBuzz subsetter may be reported; never our CSS or a fetch.
    problems = [r.getMessage() for r in rendered[1] if "HarfBuzz-Subset" not in r.getMessage()]
    assert problems == []


def test_same_pack_gives_the_same_bytes(pack: Pack, tmp_path: Path) -> None:
    render_pdf(pack, "other", tmp_path / "a.pdf", pack_json=b"{}\n")
    time.sleep(1.1)  # font subsets carry a timestamp in seconds: a later second must not change a byte
    render_pdf(pack, "other", tmp_path / "b.pdf", pack_json=b"{}\n")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert "SOURCE_DATE_EPOCH" not in os.environ  # set for the rendering only
    a, b = PdfReader(tmp_path / "a.pdf"), PdfReader(tmp_path / "b.pdf")
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    assert a.metadata == b.metadata
    assert a.attachments["pack.json"] == [b"{}\n"]


def test_unknown_framework_is_a_render_error(pack: Pack, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"no results for framework 'nope' \(it has: testfw, other\)"):
        render_pdf(pack, "nope", tmp_path / "x.pdf")


def test_unwritable_destination_is_a_render_error(pack: Pack, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="cannot write"):
        render_pdf(pack, "other", tmp_path / "missing-folder" / "x.pdf", pack_json=b"{}")


@pytest.mark.parametrize("name", ["logo.gif", "missing.png"])
def test_bad_logo_is_a_render_error(pack: Pack, tmp_path: Path, name: str) -> None:
    logo = tmp_path / name
    if name.endswith(".gif"):
        logo.write_bytes(b"GIF89a")
    with pytest.raises(RenderError, match="logo"):
        render_pdf(pack, "other", tmp_path / "x.pdf", branding=Branding(logo=logo))


def test_missing_pango_maps_to_one_line() -> None:
    err = missing_library_error(OSError(
        "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file: No such file or "
        "directory.  Additionally, ctypes.util.find_library() did not manage to locate a library called "
        "'libpango-1.0-0'"))
    assert str(err) == PANGO_HINT
    assert "\n" not in str(err)
    other = missing_library_error(OSError("disk quota exceeded\nsecond line"))
    assert str(other) == "PDF rendering could not start WeasyPrint: disk quota exceeded"


def test_fetcher_reads_only_template_files_and_the_logo(tmp_path: Path) -> None:
    root = templates_dir()
    css = root / "pack.css"
    assert allowed_path(css.as_uri(), root) == css
    assert allowed_path("file://localhost" + str(css), root) == css
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png())
    assert allowed_path(logo.as_uri(), root, frozenset({logo.resolve()})) == logo.resolve()
    escape = tmp_path / "escape.css"
    escape.symlink_to("/etc/hostname")
    link_in_root = tmp_path / "templates-link"
    link_in_root.symlink_to(root)
    refused = [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.css",
        "data:text/css,body{}",
        "ftp://example.com/x",
        "file://remote-host/etc/passwd",
        "file:///etc/passwd",
        logo.as_uri(),  # not named as the logo
        escape.as_uri(),
        (root / "fonts" / ".." / ".." / "pyproject.toml").as_uri(),
        (root / "no-such-file.css").as_uri(),
        root.as_uri(),
    ]
    for url in refused:
        with pytest.raises(ValueError, match="refused"):
            allowed_path(url, root)
    # a symlink to the templates folder resolves into it, so it is allowed
    assert allowed_path((link_in_root / "pack.css").as_uri(), root) == css


def test_view_matches_what_the_pdf_counts(pack: Pack) -> None:
    view = build_view(pack, "testfw")
    assert view.tally.total == len(pack.frameworks[0].controls)
    assert [s.id for s in view.sections] == ["AC", "AU", "PL"]
