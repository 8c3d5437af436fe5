"""Idempotent replacement of attributes on moto's classes and modules."""

from __future__ import annotations

from typing import Any

_MARK = "__evidence_patch__"


def is_patched(owner: Any, name: str) -> bool:
    return getattr(getattr(owner, name, None), _MARK, False) is True


def install(owner: Any, name: str, replacement: Any) -> None:
    """Set ``owner.name`` to ``replacement`` unless one of our patches is already there."""
    if is_patched(owner, name):
        return
    setattr(replacement, _MARK, True)
    setattr(owner, name, replacement)
