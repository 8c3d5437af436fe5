"""Register a service moto does not have, so that moto's server routes requests to it.

moto's server picks a backend by matching the host it infers from the request's SigV4
credential scope (``<signing name>.<region>.amazonaws.com``) against
``moto.backend_index.backend_url_patterns``, then builds that service's web app from
``moto.backends.get_backend(<name>)``, whose backend lists the URL paths to serve.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import moto.backend_index as backend_index
import moto.backends as backends
from moto.core.base_backend import BackendDict

from evidence.demo.patches._hook import install

_ADDED: dict[str, BackendDict[Any]] = {}


def register_service(name: str, signing_name: str, backend_dict: BackendDict[Any]) -> None:
    """Route requests signed for ``signing_name`` to ``backend_dict`` under moto's ``name``."""
    _ADDED[name] = backend_dict
    if all(known != name for known, _ in backend_index.backend_url_patterns):
        pattern = re.compile(rf"https?://{re.escape(signing_name)}\.(.+)\.amazonaws\.com")
        backend_index.backend_url_patterns.insert(0, (name, pattern))
    install(backends, "get_backend", _including_added(backends.get_backend))


def _including_added(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get_backend(name: Any) -> Any:
        return _ADDED[name] if name in _ADDED else original(name)

    return get_backend
