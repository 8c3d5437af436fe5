"""Load framework YAML files and validate them against the model and the check registry.

Every problem is reported with the file and the control it concerns, e.g.
`frameworks/soc2.yaml: control CC6.1: unknown check 'iam.nope'`.

Overlays adapt a shipped framework without copying it. An overlay is a YAML file whose top-level
`overlay` key names the framework it changes; it is given wherever a framework file is accepted
(`--framework-file`, `evidence frameworks lint`), and replaces that framework in the selection:

    overlay: pci-dss              # the shipped framework id this file changes
    description: ACME profile     # optional, free text
    controls:
      - id: "8.3.6"               # a control of that framework (quote ids YAML could read as numbers)
        params:                   # change parameters of checks already mapped to the control
          iam.password_policy_min_length: {min_length: 16}
        add_checks:               # map more registered checks (same fields as in framework files)
          - {id: iam.password_policy_complexity, role: primary}
        evidence: hybrid          # optional: automated | hybrid | manual
        manual_evidence: Screenshot of the IdP password policy.   # optional: replaces the request

Changed parameters are merged into the check's existing ones. The result is validated like a
framework file; an unknown control, a parameter change for a check the control does not map,
adding a check it already maps, or any lint problem is an error naming the overlay and the control.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError

from evidence import registry
from evidence.models import CheckRef, Control, EvidenceType, Framework, Frozen
from evidence.resources import data_dir

MAX_FILE_BYTES = 5 * 1024 * 1024
SCHEMA_FILE = "framework.schema.json"  # JSON Schema of framework files, shipped beside them
IMPLEMENTATIONS = ("required", "addressable")


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
    """Safe YAML without anchors/aliases (they allow bombs) and without duplicate keys (the last one
    would silently win). Dates stay text, so the models judge them and name the entry that is wrong."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, what: str = "framework file") -> Any:
    """The YAML document of a framework file (or of another file in the same dialect, named by `what`)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FrameworkError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot read the {what}: {exc.strerror}") from None
    if not path.is_file():  # a folder, a pipe or a device (/dev/zero would never end)
        raise FrameworkError(f"{path}: cannot read the {what}: not a regular file")
    if size > MAX_FILE_BYTES:
        raise FrameworkError(f"{path}: file is {size} bytes; a {what} is limited to {MAX_FILE_BYTES}")
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_NoAliasLoader)
    except yaml.reader.ReaderError as exc:
        raise FrameworkError(f"{path}: not valid YAML: {exc.reason} (character {exc.position + 1})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkError(f"{path}: not valid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise FrameworkError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise FrameworkError(f"{path}: not valid YAML: nested too deeply") from None
    except ValueError as exc:  # a value YAML recognised but cannot build, e.g. `!!timestamp 2026-13-45`
        raise FrameworkError(f"{path}: not valid YAML: {exc}") from None
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot read the {what}: {exc.strerror}") from None


def _control_of(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "controls" and isinstance(loc[1], int):
        try:
            return str(data["controls"][loc[1]].get("id", f"#{loc[1] + 1}"))
        except (KeyError, IndexError, TypeError, AttributeError):
            return f"#{loc[1] + 1}"
    return None


def _invalid(path: Path, data: Any, exc: ValidationError) -> FrameworkError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    control = _control_of(data, loc)
    field = ".".join(str(p) for p in (loc[2:] if control else loc))
    return FrameworkError(str(Problem(str(path), control, f"{field}: {err['msg']}" if field else err["msg"])))


def parse(path: Path, data: Any) -> Framework:
    if not isinstance(data, dict):
        raise FrameworkError(f"{path}: expected a mapping with id, name, version, source and controls")
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise _invalid(path, data, exc) from None


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
    return found + _structure_problems(framework, file)


def _structure_problems(framework: Framework, file: str) -> list[Problem]:
    """Sections, HIPAA implementation values and inherited controls."""
    found: list[Problem] = []
    sections: set[str] = set()
    for section in framework.sections:
        if section.id in sections:
            found.append(Problem(file, None, f"duplicate section id {section.id!r}"))
        sections.add(section.id)
    for control in framework.controls:
        if sections and control.section not in sections:
            found.append(Problem(file, control.id, f"section {control.section!r} is not a section of {framework.id}"))
        if control.implementation is not None and control.implementation not in IMPLEMENTATIONS:
            message = f"implementation must be required or addressable, not {control.implementation!r}"
            found.append(Problem(file, control.id, message))
        if control.inherited and not (control.manual_evidence or "").strip():
            found.append(Problem(file, control.id, "inherited control names no AWS report to request"))
    return found


def _same_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, tuple | list):
        return isinstance(value, list | tuple)
    return isinstance(value, type(default))


def _checked(framework: Framework, file: str) -> Framework:
    found = problems(framework, file)
    if found:
        extra = f" (and {len(found) - 1} more; run `evidence frameworks lint`)" if len(found) > 1 else ""
        raise FrameworkError(f"{found[0]}{extra}")
    return framework


def read_framework(path: Path) -> Framework:
    """A framework file, or an overlay file applied to the shipped framework it names; not linted."""
    data = read_yaml(path)
    if is_overlay(data):
        overlay = parse_overlay(path, data)
        return overlay_framework(_overlay_base(overlay, path), overlay, str(path))
    return parse(path, data)


def load_file(path: Path) -> Framework:
    """`read_framework`, refused with the first problem `problems()` finds."""
    return _checked(read_framework(path), str(path))


def load_shipped(framework_id: str) -> Framework:
    available = shipped()
    path = available.get(framework_id)
    if path is None:
        known = ", ".join(sorted(available)) or "none"
        raise FrameworkError(f"unknown framework {framework_id!r} (shipped: {known})")
    return load_file(path)


def _overlay_base(overlay: Overlay, path: Path) -> Framework:
    if overlay.overlay not in shipped():
        known = ", ".join(sorted(shipped())) or "none"
        raise FrameworkError(f"{path}: overlay for {overlay.overlay!r}, which is not a shipped framework ({known})")
    return load_shipped(overlay.overlay)


def resolve(ids: Iterable[str], files: Sequence[Path] = ()) -> list[Framework]:
    """Shipped frameworks by id, plus any framework files given by path.

    An overlay file replaces the shipped framework it changes when that one is selected by id, and
    adds the changed framework otherwise.
    """
    out = [load_shipped(fid) for fid in ids]
    by_id = len(out)
    overlaid: set[str] = set()
    for path in files:
        data = read_yaml(path)
        if not is_overlay(data):
            out.append(_checked(parse(path, data), str(path)))
            continue
        overlay = parse_overlay(path, data)
        target = next(
            (i for i, fw in enumerate(out[:by_id]) if fw.id == overlay.overlay and fw.id not in overlaid), None
        )
        base = _overlay_base(overlay, path) if target is None else out[target]
        changed = _checked(overlay_framework(base, overlay, str(path)), str(path))
        overlaid.add(overlay.overlay)
        if target is None:
            out.append(changed)
        else:
            out[target] = changed
    seen: set[str] = set()
    for fw in out:
        if fw.id in seen:
            raise FrameworkError(f"framework {fw.id} is selected twice")
        seen.add(fw.id)
    return out


# ----------------------------------------------------------------------------- overlays


class OverlayControl(Frozen):
    """Changes to one control: see the module docstring for the file format."""

    id: str
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    add_checks: tuple[CheckRef, ...] = ()
    evidence: EvidenceType | None = None
    manual_evidence: str | None = None


class Overlay(Frozen):
    overlay: str
    description: str = ""
    controls: tuple[OverlayControl, ...]


def is_overlay(data: Any) -> bool:
    return isinstance(data, dict) and "overlay" in data


def parse_overlay(path: Path, data: Any) -> Overlay:
    try:
        return Overlay.model_validate(data)
    except ValidationError as exc:
        raise _invalid(path, data, exc) from None


def _overlaid_control(control: Control, change: OverlayControl, file: str) -> Control:
    mapped = {ref.id for ref in control.checks}
    for check_id in change.params:
        if check_id not in mapped:
            raise FrameworkError(
                str(Problem(file, control.id, f"check {check_id} is not mapped to this control (use add_checks)"))
            )
    for ref in change.add_checks:
        if ref.id in mapped:
            raise FrameworkError(
                str(Problem(file, control.id, f"check {ref.id} is already mapped (change its params instead)"))
            )
    checks = tuple(
        ref.model_copy(update={"params": {**ref.params, **change.params[ref.id]}}) if ref.id in change.params else ref
        for ref in control.checks
    )
    update: dict[str, Any] = {"checks": checks + change.add_checks}
    if change.evidence is not None:
        update["evidence"] = change.evidence
    if change.manual_evidence is not None:
        update["manual_evidence"] = change.manual_evidence
    return control.model_copy(update=update)


def overlay_framework(framework: Framework, overlay: Overlay, file: str) -> Framework:
    """The framework with the overlay's changes; not yet linted (see `apply_overlay`)."""
    if overlay.overlay != framework.id:
        raise FrameworkError(f"{file}: overlay is for framework {overlay.overlay!r}, not {framework.id!r}")
    controls = {control.id for control in framework.controls}
    changes: dict[str, OverlayControl] = {}
    for change in overlay.controls:
        if change.id not in controls:
            raise FrameworkError(str(Problem(file, change.id, f"no such control in {framework.id}")))
        if change.id in changes:
            raise FrameworkError(str(Problem(file, change.id, "listed twice in the overlay")))
        changes[change.id] = change
    return framework.model_copy(
        update={
            "controls": tuple(
                _overlaid_control(c, changes[c.id], file) if c.id in changes else c for c in framework.controls
            )
        }
    )


def apply_overlay(framework: Framework, overlay_path: Path) -> Framework:
    """Apply the overlay file to the framework; the result is validated like a framework file."""
    data = read_yaml(overlay_path)
    if not is_overlay(data):
        raise FrameworkError(f"{overlay_path}: not an overlay (it has no top-level `overlay` key)")
    overlay = parse_overlay(overlay_path, data)
    return _checked(overlay_framework(framework, overlay, str(overlay_path)), str(overlay_path))


def schema_text() -> str:
    """The JSON Schema of framework files, as shipped in frameworks/ (SCHEMA_FILE)."""
    return json.dumps(Framework.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
