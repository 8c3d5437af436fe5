"""Reading IAM-style policy documents (identity, bucket and key policies) as they sit in snapshots."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any


def document(raw: Any) -> dict[str, Any]:
    """A policy document from a snapshot: a dict, JSON text, or URL-encoded JSON text."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        text = raw if raw.lstrip().startswith("{") else urllib.parse.unquote(raw)
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def statements(raw: Any) -> Iterator[dict[str, Any]]:
    stmts = document(raw).get("Statement", [])
    for stmt in [stmts] if isinstance(stmts, dict) else stmts:
        if isinstance(stmt, dict):
            yield stmt


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def grants_full_admin(raw: Any) -> bool:
    """An Allow statement with Action "*" on Resource "*" (no NotAction trickery needed)."""
    for stmt in statements(raw):
        if stmt.get("Effect") != "Allow":
            continue
        actions = as_list(stmt.get("Action"))
        resources = as_list(stmt.get("Resource"))
        if "*" in actions and "*" in resources:
            return True
    return False


def principal_is_public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(p == "*" for values in principal.values() for p in as_list(values))
    return False
