"""One framework's report as a PDF (WeasyPrint), with pack.json attached.

WeasyPrint is imported only here and only when a PDF is asked for, so the rest of the tool works on
machines without Pango. It may read nothing but the files of the templates folder and the logo the
caller named: every other URL (http, data, files elsewhere) is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mimetypes
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from evidence.models import Pack
from evidence.render.errors import RenderError
from evidence.render.html import Branding, render_html, templates_dir
from evidence.render.view import build_view
from evidence.store import canonical_json

NO_BRANDING = Branding()
PANGO_HINT = "PDF rendering needs Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
PDF_VARIANT = "pdf/a-3u"
LOGO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".svg"})
MAX_LOGO_BYTES = 5 * 1024 * 1024
_LIBRARY_WORDS = ("pango", "gobject", "harfbuzz", "fontconfig", "cannot load library", "dlopen")


def missing_library_error(exc: OSError) -> RenderError:
    """The one-line error for WeasyPrint failing to load its system libraries."""
    text = str(exc)
    if any(word in text.lower() for word in _LIBRARY_WORDS):
        return RenderError(PANGO_HINT)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return RenderError(f"PDF rendering could not start WeasyPrint: {first}")


def _weasyprint() -> ModuleType:
    # WeasyPrint prints installation advice to stdout when a library is missing; stdout is not ours to use.
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except OSError as exc:
        raise missing_library_error(exc) from None
    return weasyprint


_SOURCE_DATE = threading.Lock()


@contextlib.contextmanager
def _source_date(moment: datetime) -> Iterator[None]:
    """Date the embedded font subsets (fontTools reads SOURCE_DATE_EPOCH) at `moment` instead of now, so the same
    pack always renders to the same bytes."""
    with _SOURCE_DATE:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def allowed_path(url: str, root: Path, extra: frozenset[Path] = frozenset()) -> Path:
    """The local file `url` names if it is a file under `root` or one of `extra`; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused to fetch {url[:80]}: reports read only their own template files")
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if (path in extra or path.is_relative_to(root)) and path.is_file():
        return path
    raise ValueError(f"refused to fetch {url[:80]}: not a file of the templates folder")


def _fetcher(weasyprint: ModuleType, root: Path, extra: frozenset[Path]) -> Any:
    class LocalFetcher(weasyprint.URLFetcher):  # type: ignore[name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = allowed_path(url, root, extra)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    return LocalFetcher()


def _logo(logo: Path | None) -> Path | None:
    if logo is None:
        return None
    path = logo.expanduser().resolve()
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise RenderError(f"logo {logo}: use a PNG, JPEG or SVG file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RenderError(f"logo {logo}: {exc.strerror}") from None
    if not path.is_file() or size > MAX_LOGO_BYTES:
        raise RenderError(f"logo {logo}: not a file of at most {MAX_LOGO_BYTES // (1024 * 1024)} MB")
    return path


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def render_pdf(
    pack: Pack,
    framework_id: str,
    out: Path,
    *,
    branding: Branding = NO_BRANDING,
    pack_json: bytes | None = None,
) -> None:
    """Write the PDF report of one framework of `pack` to `out` (PDF/A-3u, pack.json attached).

    `pack_json` is the pack.json as written in the pack folder; by default it is serialised from `pack`.
    """
    view = build_view(pack, framework_id)
    logo = _logo(branding.logo)
    weasyprint = _weasyprint()
    root = templates_dir()
    html = render_html(view, branding, logo_url=logo.as_uri() if logo else None)
    collected = _utc(view.collected_at)
    attachment = weasyprint.Attachment(
        string=pack_json if pack_json is not None else canonical_json(pack),
        name="pack.json",
        description=f"The evaluated pack this report was rendered from (pack id {pack.pack_id})",
        created=collected,
        modified=collected,
        relationship="Source",
    )
    fetcher = _fetcher(weasyprint, root, frozenset({logo}) if logo else frozenset())
    try:
        document = weasyprint.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
        with _source_date(collected):
            data = document.write_pdf(
                pdf_variant=PDF_VARIANT,
                attachments=[attachment],
                pdf_identifier=hashlib.sha256(f"{pack.pack_id}:{framework_id}".encode()).hexdigest()[:32].encode(),
                font_config=weasyprint.text.fonts.FontConfiguration(),
            )
    except OSError as exc:
        raise missing_library_error(exc) from None
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise RenderError(f"cannot write {out}: {exc.strerror}") from None
