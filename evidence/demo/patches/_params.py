"""Request parameters parsed with the botocore model, for services moto parses by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.core.responses import BaseResponse


def parsed(response: BaseResponse) -> dict[str, Any]:
    """The operation's input as botocore shapes it (timestamps as datetimes, and so on)."""
    if not response.automated_parameter_parsing:
        response._get_action()  # matches the URI of REST operations, filling uri_match
        response.parse_parameters(response.normalized_request)
    return dict(response.params)


def utc(value: datetime) -> datetime:
    """moto parses timestamps without a zone; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
