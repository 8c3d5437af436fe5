"""Faults on demand, for tests of the error paths: throttling storms and regions that deny every call.

The errors travel over HTTP like AWS's, so botocore's own handling (adaptive retries, back-off,
error parsing) is what gets tested:

- `storm(action, times=N)`: the next N calls of an action answer ThrottlingException (JSON-protocol
  services: CloudTrail, KMS, Config, Logs...).
- `deny_region(region, code)`: every call signed for that region is refused with `code` (e.g.
  AuthFailure or OptInRequired, as a region that is disabled for the account answers), in the
  error format of the service's protocol.
- `disable_region(account, region)`: an opt-in region the account has not enabled: ec2:DescribeRegions
  gives it the status `not-opted-in` for that account, and every call the account makes there is refused
  with OptInRequired.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.exceptions import JsonRESTError, _RESTError
from moto.core.responses import BaseResponse
from moto.ec2.models.availability_zones_and_regions import Region, RegionsAndZonesBackend

from evidence.demo.patches._hook import install
from evidence.demo.patches._state import cleared_on_reset

_LOCK = threading.Lock()
_STORMS: dict[str, int] = cleared_on_reset({})
_DENIED: dict[str, str] = cleared_on_reset({})
_DISABLED: dict[str, set[str]] = cleared_on_reset({})  # account -> opt-in regions it has not enabled
_original = BaseResponse._authenticate_and_authorize_normal_action
_original_regions = RegionsAndZonesBackend.describe_regions


def storm(action: str, *, times: int) -> None:
    """Answer the next `times` calls of `action` (e.g. "DescribeTrails") with ThrottlingException."""
    with _LOCK:
        _STORMS[action] = times


def deny_region(region: str, code: str = "AuthFailure") -> None:
    """Refuse every call to `region` with `code` (until `allow_region` or the emulator's reset)."""
    with _LOCK:
        _DENIED[region] = code


def disable_region(account: str, region: str) -> None:
    """Make `region` an opt-in region that `account` has not enabled (until the emulator's reset)."""
    with _LOCK:
        _DISABLED.setdefault(account, set()).add(region)


def enable_region(account: str, region: str) -> None:
    with _LOCK:
        _DISABLED.get(account, set()).discard(region)


def allow_region(region: str) -> None:
    with _LOCK:
        _DENIED.pop(region, None)


def remaining(action: str) -> int:
    with _LOCK:
        return _STORMS.get(action, 0)


def apply() -> None:
    install(BaseResponse, "_authenticate_and_authorize_normal_action", _throttled)
    install(RegionsAndZonesBackend, "describe_regions", _enabled_regions)


def _enabled_regions(self: Any, region_names: list[str] | None = None) -> Any:
    with _LOCK:
        disabled = set(_DISABLED.get(self.account_id, ()))
    return [Region(r.name, r.endpoint, "not-opted-in") if r.name in disabled else r
            for r in _original_regions(self, region_names)]


def _throttled(self: BaseResponse, resource: str = "*") -> Any:
    action = self._get_action()
    with _LOCK:
        denied = _DENIED.get(self.region)
        if self.region in _DISABLED.get(self.current_account, ()):
            denied = "OptInRequired"
        if denied is not None:
            message = f"This account cannot make calls in {self.region}"
            if "json" in str(self.headers.get("Content-Type", "")):
                raise JsonRESTError(denied, message)
            error = _RESTError(denied, message)
            error.code = 401
            raise error
        left = _STORMS.get(action, 0)
        if left > 0:
            _STORMS[action] = left - 1
            raise JsonRESTError("ThrottlingException", "Rate exceeded")
    return _original(self, resource)
