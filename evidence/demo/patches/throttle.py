"""Throttling storms on demand: the next N calls of an action answer ThrottlingException.

For tests of the retry path: the error travels over HTTP like AWS's, so botocore's own retry
logic (adaptive mode, backoff) handles it. The error body is the JSON protocol's, so storms are
for JSON-protocol services (CloudTrail, KMS, Config, Logs...).
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._state import cleared_on_reset

_LOCK = threading.Lock()
_STORMS: dict[str, int] = cleared_on_reset({})
_original = BaseResponse._authenticate_and_authorize_normal_action


def storm(action: str, *, times: int) -> None:
    """Answer the next `times` calls of `action` (e.g. "DescribeTrails") with ThrottlingException."""
    with _LOCK:
        _STORMS[action] = times


def remaining(action: str) -> int:
    with _LOCK:
        return _STORMS.get(action, 0)


def apply() -> None:
    install(BaseResponse, "_authenticate_and_authorize_normal_action", _throttled)


def _throttled(self: BaseResponse, resource: str = "*") -> Any:
    action = self._get_action()
    with _LOCK:
        left = _STORMS.get(action, 0)
        if left > 0:
            _STORMS[action] = left - 1
            raise JsonRESTError("ThrottlingException", "Rate exceeded")
    return _original(self, resource)
