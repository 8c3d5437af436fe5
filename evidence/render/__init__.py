"""Renderers: one Pack value in, one auditor-facing file out (PDF report, Excel workbook) per framework."""

from evidence.render.errors import RenderError
from evidence.render.html import Branding
from evidence.render.pdf import render_pdf
from evidence.render.xlsx import render_xlsx

__all__ = ["Branding", "RenderError", "render_pdf", "render_xlsx"]
