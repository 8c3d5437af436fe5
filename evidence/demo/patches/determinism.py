"""Make moto's ids depend only on the requests made since the last reset and seed.

moto's server builds one web app per service on that service's first request, and building
it instantiates the service's us-east-1 backend in the default account, which draws from moto's
seeded random generator. Ids would then depend on which services the process had touched
before the reset. The wrapper below builds the app without touching the generator and drops the
backend it created, so the first request after a reset sees the same state every time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import moto.backends as backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.moto_api._internal import mock_random


def neutral(create_app: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap moto's ``create_backend_app`` so that building an app leaves no trace in moto's state."""

    def create_backend_app(service: Any) -> Any:
        state = mock_random.getstate()
        existing = _default_account_regions(service)
        try:
            return create_app(service)
        finally:
            _drop_new_regions(service, existing)
            mock_random.setstate(state)

    return create_backend_app


def _default_account_regions(service: Any) -> set[str] | None:
    backend_dict = backends.get_backend(service)
    if not isinstance(backend_dict, BackendDict):
        return None
    if DEFAULT_ACCOUNT_ID not in backend_dict:
        return set()
    return set(backend_dict[DEFAULT_ACCOUNT_ID].keys())


def _drop_new_regions(service: Any, existing: set[str] | None) -> None:
    if existing is None:
        return
    account = backends.get_backend(service)[DEFAULT_ACCOUNT_ID]
    for region in set(account.keys()) - existing:
        del account[region]
