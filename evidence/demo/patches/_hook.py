"""Idempotent replacement of attributes on moto's classes and modules."""

from __future__ import annotations

from typing import Any

_MARK = "__evidence_patch__"


def install(owner: Any, name: str, replacement: Any) -> None:
    """Set ``owner.name`` to ``replacement`` unless one of our patches is already there.

    ``replacement`` is a function, or a property whose getter carries the mark.
    """
    if getattr(_marked(getattr(owner, name, None)), _MARK, False) is True:
        return
    setattr(_marked(replacement), _MARK, True)
    setattr(owner, name, replacement)


def _marked(value: Any) -> Any:
    return value.fget if isinstance(value, property) else value
