"""`evidence frameworks`: list, show and lint framework files, and measure their automation coverage.

Data goes to stdout (plain columns, or JSON with --json); messages go to stderr. Exit codes: 0 fine;
1 `lint` found a problem; 2 bad input (an unknown framework or control, a file that cannot be read).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidence.frameworks import FrameworkError, load_file, load_shipped, problems, read_framework, shipped
from evidence.models import Control, EvidenceType, Framework, Role

app = typer.Typer(
    help="List, show and lint frameworks, and measure how much of each is automated.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, highlight=False)

# Controls that Prowler's AWS compliance mappings (prowler-cloud/prowler, compliance/aws/*.json, the
# commit the research catalogue cites) map to at least one check: a yardstick for our coverage.
PROWLER_MAPPED = {"soc2": 27, "pci-dss": 107, "hipaa": 32, "gdpr": 3}

PIPE_WIDTH = 200  # table width when stdout is not a terminal
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except FrameworkError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from None


def _load(ref: str) -> Framework:
    """A shipped framework by id, or a framework (or overlay) file by path."""
    path = Path(ref)
    if ref not in shipped() and path.suffix in (".yaml", ".yml"):
        return load_file(path)
    return load_shipped(ref)


def _table(*columns: str) -> Table:
    """Plain columns, one row per line; only the last column is cut (with an ellipsis) to fit."""
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name in columns[:-1]:
        table.add_column(name, no_wrap=True)
    table.add_column(columns[-1], no_wrap=True, overflow="ellipsis")
    return table


def _print(table: Table) -> None:
    for column in table.columns[:-1]:
        column.min_width = max(len(str(cell)) for cell in [column.header, *column.cells])
    stdout = Console(highlight=False)
    if not stdout.is_terminal:
        stdout = Console(highlight=False, width=PIPE_WIDTH)
    stdout.print(table)


def _shown(control: Control) -> dict[str, Any]:
    """A control's fields that carry something, checks with their role spelled out."""
    data = control.model_dump(mode="json")
    data["checks"] = [{k: v for k, v in ref.items() if v != {}} for ref in data["checks"]]
    return {k: v for k, v in data.items() if v not in (None, "", [], False)}


def _primary(control: Control) -> int:
    return sum(1 for ref in control.checks if ref.role is Role.PRIMARY)


def lint_file(path: Path) -> list[str]:
    """Every problem of one framework or overlay file, as `file: control X: message` lines."""
    try:
        framework = read_framework(path)
    except FrameworkError as exc:
        return [str(exc)]
    return [str(problem) for problem in problems(framework, str(path))]


@app.command()
def lint(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Framework or overlay files (default: every shipped framework).")
    ] = None,
) -> None:
    """Check framework files against the model and the check registry; exit 1 on any problem."""
    paths = files or list(shipped().values())
    found = 0
    for path in paths:
        lines = lint_file(path)
        for line in lines:
            typer.echo(line)
        found += len(lines)
    if found:
        err.print(f"{found} problem(s) in {len(paths)} file(s).")
        raise typer.Exit(1)
    err.print(f"{len(paths)} framework file(s) are clean.")


@app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """The shipped frameworks: id, name, version and number of controls."""
    with _errors():
        frameworks = [load_file(path) for path in shipped().values()]
    rows: list[dict[str, Any]] = [
        {"id": f.id, "name": f.name, "version": f.version, "controls": len(f.controls)} for f in frameworks
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = _table("ID", "Name", "Version", "Controls")
    for row in rows:
        table.add_row(row["id"], row["name"], row["version"], str(row["controls"]))
    _print(table)


@app.command()
def show(
    framework: Annotated[str, typer.Argument(help="A shipped framework id, or a framework/overlay file.")],
    control: Annotated[str | None, typer.Argument(help="One control id, shown in full.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A framework's controls, or one control in full."""
    with _errors():
        fw = _load(framework)
    if control is not None:
        match = next((c for c in fw.controls if c.id == control), None)
        if match is None:
            err.print(f"[bold red]error:[/] no control {escape(repr(control))} in {fw.id}", soft_wrap=True)
            raise typer.Exit(2)
        data = _shown(match)
        typer.echo(json.dumps(data, indent=2) if as_json else yaml.safe_dump(data, sort_keys=False, width=100))
        return
    if as_json:
        typer.echo(fw.model_dump_json(indent=2))
        return
    err.print(f"{escape(fw.name)} ({escape(fw.version)}): {len(fw.controls)} controls", soft_wrap=True)
    table = _table("Control", "Section", "Evidence", "Primary", "Secondary", "Title")
    for c in fw.controls:
        secondary = len(c.checks) - _primary(c)
        evidence = f"{c.evidence.value} (inherited)" if c.inherited else c.evidence.value
        table.add_row(c.id, c.section, evidence, str(_primary(c)), str(secondary), c.title)
    _print(table)


def coverage_row(fw: Framework) -> dict[str, Any]:
    kinds = {kind: sum(1 for c in fw.controls if c.evidence is kind) for kind in EvidenceType}
    return {
        "id": fw.id,
        "controls": len(fw.controls),
        **{kind.value: n for kind, n in kinds.items()},
        "with_primary_check": sum(1 for c in fw.controls if _primary(c)),
        "prowler_mapped": PROWLER_MAPPED.get(fw.id),
    }


@app.command()
def coverage(
    frameworks: Annotated[
        list[str] | None, typer.Argument(help="Framework ids or files (default: every shipped framework).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Per framework: controls by evidence type, how many a registered primary check decides, vs Prowler."""
    refs: Sequence[str] = frameworks or list(shipped())
    with _errors():
        rows = [coverage_row(_load(ref)) for ref in refs]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = _table("Framework", "Controls", "Automated", "Hybrid", "Manual", "With primary check", "Prowler maps")
    for row in rows:
        prowler = "-" if row["prowler_mapped"] is None else str(row["prowler_mapped"])
        table.add_row(
            row["id"],
            str(row["controls"]),
            str(row["automated"]),
            str(row["hybrid"]),
            str(row["manual"]),
            str(row["with_primary_check"]),
            prowler,
        )
    _print(table)
