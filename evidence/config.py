"""The configuration file: `evidence run -c evidence.yaml` (also collect, evaluate and report).

The file gives defaults for the command's options; an option given on the command line wins. Each
command takes the keys that apply to it and ignores the others, so one file serves them all.
Relative paths in the file are relative to the file. Unknown keys and values of the wrong type are
refused with the file and the key named. See evidence.example.yaml for every key.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator, Field, ValidationError

from evidence.models import Frozen

MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """The configuration file cannot be read or has an invalid key."""


def _listed(value: Any) -> Any:
    """A comma-separated string is accepted wherever a list is (`regions: all`, `frameworks: soc2,pci-dss`)."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


Names = Annotated[tuple[str, ...], BeforeValidator(_listed)]


class PeriodConfig(Frozen):
    start: datetime | None = None
    end: datetime | None = None


class ScopeConfig(Frozen):
    regions: Names | None = None
    frameworks: Names | None = None
    framework_files: tuple[Path, ...] | None = None
    organization: bool | None = None
    accounts: Names | None = None
    role_name: str | None = None
    external_id: str | None = None
    profile: str | None = None
    period: PeriodConfig = Field(default_factory=PeriodConfig)


class BrandingConfig(Frozen):
    company: str | None = None
    logo: Path | None = None


class ConfigFile(Frozen):
    scope: ScopeConfig = Field(default_factory=ScopeConfig)
    branding: BrandingConfig = Field(default_factory=BrandingConfig)
    exceptions: Path | None = None
    previous: Path | None = None
    out: Path | None = None


def _message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    if first["type"] == "string_type" and isinstance(first.get("input"), int | float):
        return f"{key}: expected text (quote numbers such as account ids: \"012345678901\")"
    return f"{key}: {first['msg']}"


def load_config(path: Path) -> ConfigFile:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file ({exc.strerror})") from None
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: {size} bytes is too large for a configuration file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (scope, branding, exceptions, previous, out)")
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_message(exc)}") from None


def _path(base: Path, value: Path) -> str:
    return str(base / value.expanduser())


def option_defaults(config: ConfigFile, base: Path) -> dict[str, Any]:
    """The file's settings as command-line option values (by option name); paths resolved against `base`."""
    scope, branding = config.scope, config.branding
    values: dict[str, Any] = {
        "regions": ",".join(scope.regions) if scope.regions is not None else None,
        "frameworks": ",".join(scope.frameworks) if scope.frameworks is not None else None,
        "framework_file": [_path(base, p) for p in scope.framework_files] if scope.framework_files else None,
        "organization": scope.organization,
        "accounts": ",".join(scope.accounts) if scope.accounts is not None else None,
        "role_name": scope.role_name,
        "external_id": scope.external_id,
        "profile": scope.profile,
        "period_start": scope.period.start,
        "period_end": scope.period.end,
        "company": branding.company,
        "logo": _path(base, branding.logo) if branding.logo else None,
        "exceptions": _path(base, config.exceptions) if config.exceptions else None,
        "previous": _path(base, config.previous) if config.previous else None,
        "out": _path(base, config.out) if config.out else None,
    }
    return {name: value for name, value in values.items() if value is not None}
