"""The Jinja environment and the HTML of one framework's report (input to WeasyPrint).

Autoescaping is always on and undefined names are errors. Every value printed by a template goes
through `printable`, so text from AWS cannot carry control characters or direction overrides
into the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from evidence.render.text import printable
from evidence.render.view import FrameworkView
from evidence.resources import data_dir

TEMPLATE = "pack.html.j2"


@dataclass(frozen=True)
class Branding:
    """Optional company name and logo (PNG, JPEG or SVG file) for the cover."""

    company: str | None = None
    logo: Path | None = None


def templates_dir() -> Path:
    return data_dir("templates").resolve()


def _finalize(value: Any) -> Any:
    # Markup (macro output, joined lists) is already escaped; escapes added here contain no markup.
    if isinstance(value, Markup):
        return Markup(printable(value))
    if isinstance(value, str):
        return printable(value)
    return value


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _day(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d")


@cache
def environment(folder: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = _utc
    env.filters["day"] = _day
    return env


def render_html(view: FrameworkView, branding: Branding, *, logo_url: str | None) -> str:
    """The report as one HTML document; `logo_url` is the file URL of the validated logo, if any."""
    template = environment(templates_dir()).get_template(TEMPLATE)
    return template.render(view=view, fw=view.framework, company=branding.company, logo_url=logo_url)
