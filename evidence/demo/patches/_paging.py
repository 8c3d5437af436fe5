"""Limit/NextToken paging over a fully built, stably ordered list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def page(
    items: Sequence[T],
    limit: int | None,
    token: str | None,
    *,
    default_limit: int,
    invalid_token: Callable[[], Exception],
) -> tuple[list[T], str | None]:
    """The page that starts at ``token`` (an offset), and the token of the next page if any."""
    start = 0
    if token:
        if not token.isdigit() or int(token) >= len(items):
            raise invalid_token()
        start = int(token)
    end = start + (limit or default_limit)
    return list(items[start:end]), str(end) if end < len(items) else None
