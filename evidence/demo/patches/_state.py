"""State the patches keep on moto's backend instances, so moto's reset discards it."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def attached(backend: Any, kind: type[T]) -> T:
    """The ``kind`` instance kept on ``backend``, created empty on first use."""
    name = f"_evidence_{kind.__name__}"
    value = backend.__dict__.get(name)
    if value is None:
        value = kind()
        setattr(backend, name, value)
    assert isinstance(value, kind)
    return value
