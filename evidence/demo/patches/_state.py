"""Where the patches keep their state, so that moto's reset discards it like moto's own.

Per account and region, state lives on moto's backend instances (:func:`attached`), which
reset replaces. State that belongs to no account (such as AWS's CloudTrail signing keys) lives
in a process-wide store registered with :func:`cleared_on_reset`.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

from moto.moto_api._internal.models import MotoAPIBackend

from evidence.demo.patches._hook import install

T = TypeVar("T")
StoreT = TypeVar("StoreT", bound=MutableMapping[Any, Any])

_PROCESS_STORES: list[MutableMapping[Any, Any]] = []


def attached(backend: Any, kind: type[T]) -> T:
    """The ``kind`` instance kept on ``backend``, created empty on first use."""
    name = f"_evidence_{kind.__name__}"
    value = backend.__dict__.get(name)
    if value is None:
        value = kind()
        setattr(backend, name, value)
    assert isinstance(value, kind)
    return value


def cleared_on_reset(store: StoreT) -> StoreT:
    """Register a process-wide store to be emptied whenever moto resets."""
    _PROCESS_STORES.append(store)
    return store


def apply() -> None:
    install(MotoAPIBackend, "reset", _clearing_stores(MotoAPIBackend.reset))


def _clearing_stores(original: Callable[[MotoAPIBackend], None]) -> Callable[[MotoAPIBackend], None]:
    def reset(self: MotoAPIBackend) -> None:
        original(self)
        for store in _PROCESS_STORES:
            store.clear()

    return reset
