"""Registration of collectors and checks, where each is defined.

A check is one decorated pure function over evidence; a collector is either one declarative line
(`declare`) or a decorated hand-written function (`collector`). Modules under `evidence.checks` and
`evidence.collectors` register themselves on import; `load_all()` imports them all.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from evidence.models import Evidence, Finding, Severity

if TYPE_CHECKING:
    from evidence.collect import CollectContext


class RegistryError(Exception):
    """A check or collector was declared wrongly, or looked up and not found."""


class Scope(StrEnum):
    REGIONAL = "regional"
    GLOBAL = "global"


CheckFunc = Callable[..., Iterable[Finding]]
CollectFunc = Callable[["CollectContext"], Any]


@dataclass(frozen=True)
class CollectorSpec:
    key: str
    service: str
    scope: Scope
    actions: tuple[str, ...]
    func: CollectFunc
    description: str = ""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    needs: tuple[str, ...]
    severity: Severity
    title: str
    description: str
    func: CheckFunc
    params: Mapping[str, Any] = field(default_factory=dict)  # name -> default

    def run(self, evidence: Mapping[str, tuple[Evidence, ...]], params: Mapping[str, Any]) -> Iterator[Finding]:
        args = [evidence[k] for k in self.needs]
        for f in self.func(*args, **params):
            yield f.model_copy(update={"check": self.id, "severity": self.severity})


_CHECKS: dict[str, CheckSpec] = {}
_COLLECTORS: dict[str, CollectorSpec] = {}


def _signature_params(func: Callable[..., Any], check_id: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for p in inspect.signature(func).parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            if p.default is inspect.Parameter.empty:
                raise RegistryError(f"check {check_id}: parameter {p.name!r} needs a default")
            params[p.name] = p.default
    return params


def check(id: str, *, needs: str | tuple[str, ...], severity: str) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check: `needs` names the evidence keys it reads, in argument order.

    Keyword-only parameters with defaults are the check's tunable parameters, which framework
    YAML may set per control (e.g. a password length).
    """
    needs_t = (needs,) if isinstance(needs, str) else tuple(needs)

    def deco(func: CheckFunc) -> CheckFunc:
        if id in _CHECKS:
            raise RegistryError(f"check {id} is registered twice")
        doc = inspect.getdoc(func) or ""
        if not doc:
            raise RegistryError(f"check {id} has no docstring (its first line is the title auditors read)")
        title, _, rest = doc.partition("\n")
        _CHECKS[id] = CheckSpec(
            id=id,
            needs=needs_t,
            severity=Severity(severity),
            title=title.strip(),
            description=rest.strip(),
            func=func,
            params=_signature_params(func, id),
        )
        return func

    return deco


def register_collector(spec: CollectorSpec) -> CollectorSpec:
    if spec.key in _COLLECTORS:
        raise RegistryError(f"collector {spec.key} is registered twice")
    if not spec.actions:
        raise RegistryError(f"collector {spec.key} declares no IAM actions")
    _COLLECTORS[spec.key] = spec
    return spec


def collector(
    key: str, *, service: str, actions: tuple[str, ...], scope: Scope = Scope.REGIONAL
) -> Callable[[CollectFunc], CollectFunc]:
    """Register a hand-written collector; it returns the JSON-able data of its snapshot."""

    def deco(func: CollectFunc) -> CollectFunc:
        register_collector(
            CollectorSpec(
                key=key,
                service=service,
                scope=scope,
                actions=tuple(actions),
                func=func,
                description=(inspect.getdoc(func) or "").partition("\n")[0],
            )
        )
        return func

    return deco


def checks() -> Mapping[str, CheckSpec]:
    load_all()
    return dict(_CHECKS)


def collectors() -> Mapping[str, CollectorSpec]:
    load_all()
    return dict(_COLLECTORS)


def get_check(check_id: str) -> CheckSpec:
    load_all()
    try:
        return _CHECKS[check_id]
    except KeyError:
        raise RegistryError(f"unknown check {check_id!r}") from None


_LOADED = False


def load_all() -> None:
    """Import every module of evidence.collectors and evidence.checks (they register on import)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for pkg_name in ("evidence.collectors", "evidence.checks"):
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"{pkg_name}.{info.name}")
