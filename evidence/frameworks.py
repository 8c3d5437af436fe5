"""Load framework YAML files and validate them against the model and the check registry.

Every problem is reported with the file and the control it concerns, e.g.
`frameworks/soc2.yaml: control CC6.1: unknown check 'iam.nope'`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evidence import registry
from evidence.models import Framework
from evidence.resources import data_dir

MAX_FILE_BYTES = 5 * 1024 * 1024


class FrameworkError(Exception):
    """A framework file is missing, malformed, or refers to checks that do not exist."""


@dataclass(frozen=True)
class Problem:
    file: str
    control: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: control {self.control}" if self.control else self.file
        return f"{where}: {self.message}"


def frameworks_dir() -> Path:
    return data_dir("frameworks")


def shipped() -> dict[str, Path]:
    """Framework id -> file, for the frameworks shipped with the tool."""
    out: dict[str, Path] = {}
    for path in sorted(frameworks_dir().glob("*.yaml")):
        out[path.stem] = path
    return out


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases: framework files never need them, and aliases allow bombs."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def read_yaml(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FrameworkError(f"{path}: no such framework file") from None
    if size > MAX_FILE_BYTES:
        raise FrameworkError(f"{path}: file is {size} bytes; framework files are limited to {MAX_FILE_BYTES}")
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkError(f"{path}: not valid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise FrameworkError(f"{path}: not UTF-8 text") from None


def _control_of(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "controls" and isinstance(loc[1], int):
        try:
            return str(data["controls"][loc[1]].get("id", f"#{loc[1] + 1}"))
        except (KeyError, IndexError, TypeError, AttributeError):
            return f"#{loc[1] + 1}"
    return None


def parse(path: Path, data: Any) -> Framework:
    if not isinstance(data, dict):
        raise FrameworkError(f"{path}: expected a mapping with id, name, version, source and controls")
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        control = _control_of(data, loc)
        field = ".".join(str(p) for p in (loc[2:] if control else loc))
        raise FrameworkError(str(Problem(str(path), control, f"{field}: {err['msg']}"))) from None


def problems(framework: Framework, file: str) -> list[Problem]:
    """Everything wrong with a parsed framework, judged against the check registry."""
    checks = registry.checks()
    found: list[Problem] = []
    seen: set[str] = set()
    for control in framework.controls:
        if control.id in seen:
            found.append(Problem(file, control.id, "duplicate control id"))
        seen.add(control.id)
        refs: set[str] = set()
        for ref in control.checks:
            if ref.id in refs:
                found.append(Problem(file, control.id, f"check {ref.id} is listed twice"))
            refs.add(ref.id)
            spec = checks.get(ref.id)
            if spec is None:
                found.append(Problem(file, control.id, f"unknown check {ref.id!r}"))
                continue
            for name, value in ref.params.items():
                if name not in spec.params:
                    allowed = ", ".join(sorted(spec.params)) or "none"
                    found.append(
                        Problem(file, control.id, f"check {ref.id}: unknown parameter {name!r} (accepts: {allowed})")
                    )
                elif not _same_kind(value, spec.params[name]):
                    found.append(
                        Problem(
                            file,
                            control.id,
                            f"check {ref.id}: parameter {name!r} must be {type(spec.params[name]).__name__}",
                        )
                    )
        needs_request = control.evidence.value != "automated" or not any(
            r.role.value == "primary" for r in control.checks
        )
        if needs_request and not (control.manual_evidence or "").strip():
            found.append(Problem(file, control.id, "no manual evidence request for a control that needs one"))
    return found


def _same_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, tuple | list):
        return isinstance(value, list | tuple)
    return isinstance(value, type(default))


def load_file(path: Path) -> Framework:
    framework = parse(path, read_yaml(path))
    found = problems(framework, str(path))
    if found:
        extra = f" (and {len(found) - 1} more; run `evidence frameworks lint`)" if len(found) > 1 else ""
        raise FrameworkError(f"{found[0]}{extra}")
    return framework


def resolve(ids: Iterable[str], files: Sequence[Path] = ()) -> list[Framework]:
    """Shipped frameworks by id, plus any framework files given by path."""
    available = shipped()
    out: list[Framework] = []
    for fid in ids:
        path = available.get(fid)
        if path is None:
            known = ", ".join(sorted(available)) or "none"
            raise FrameworkError(f"unknown framework {fid!r} (shipped: {known})")
        out.append(load_file(path))
    out.extend(load_file(p) for p in files)
    seen: set[str] = set()
    for fw in out:
        if fw.id in seen:
            raise FrameworkError(f"framework {fw.id} is selected twice")
        seen.add(fw.id)
    return out
