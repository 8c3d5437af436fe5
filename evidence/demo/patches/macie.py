"""Macie: automated sensitive-data discovery, and AWS's answer where Macie is not enabled.

moto has no automated discovery configuration. Here it is kept per account and region, off until
UpdateAutomatedDiscoveryConfiguration turns it on, and forgotten when Macie is disabled. Where
Macie is not enabled AWS answers AccessDeniedException "Macie is not enabled." (moto says
ResourceNotFoundException); GetMacieSession and the discovery calls answer as AWS does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.macie2 import urls
from moto.macie2.exceptions import AccessDeniedException
from moto.macie2.models import MacieBackend
from moto.macie2.responses import MacieResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._params import parsed
from evidence.demo.patches._state import attached

_ROUTES = {"{0}/automated-discovery/configuration$": MacieResponse.dispatch}
_NOT_ENABLED = "Macie is not enabled."


@dataclass
class AutomatedDiscovery:
    status: str = "DISABLED"
    first_enabled: datetime | None = None
    last_updated: datetime | None = None
    disabled_at: datetime | None = None

    def forget(self) -> None:
        self.status, self.first_enabled, self.last_updated, self.disabled_at = "DISABLED", None, None, None

    def configuration(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "autoEnableOrganizationMembers": "NONE"}
        for key, value in (("firstEnabledAt", self.first_enabled), ("lastUpdatedAt", self.last_updated),
                           ("disabledAt", self.disabled_at)):
            if value is not None:
                out[key] = value
        return out


def apply() -> None:
    for pattern, handler in _ROUTES.items():
        urls.url_paths.setdefault(pattern, handler)
    install(MacieResponse, "get_macie_session", _enabled_only(MacieResponse.get_macie_session))
    install(MacieResponse, "get_automated_discovery_configuration", _get_configuration)
    install(MacieResponse, "update_automated_discovery_configuration", _update_configuration)
    install(MacieBackend, "disable_macie", _forgetting_discovery(MacieBackend.disable_macie))


def _require_enabled(backend: MacieBackend) -> None:
    if backend.macie_session is None:
        raise AccessDeniedException(_NOT_ENABLED)


def _enabled_only(original: Callable[[MacieResponse], str]) -> Callable[[MacieResponse], str]:
    def get_macie_session(self: MacieResponse) -> str:
        _require_enabled(self.macie_backend)
        return original(self)

    return get_macie_session


def _get_configuration(self: MacieResponse) -> ActionResult:
    _require_enabled(self.macie_backend)
    return ActionResult(attached(self.macie_backend, AutomatedDiscovery).configuration())


def _update_configuration(self: MacieResponse) -> ActionResult:
    _require_enabled(self.macie_backend)
    status = parsed(self)["status"]
    discovery = attached(self.macie_backend, AutomatedDiscovery)
    now = datetime.now(UTC)
    if status == "ENABLED" and discovery.first_enabled is None:
        discovery.first_enabled = now
    if status == "DISABLED" and discovery.status == "ENABLED":
        discovery.disabled_at = now
    discovery.status = status
    discovery.last_updated = now
    return ActionResult({})


def _forgetting_discovery(original: Callable[[MacieBackend], None]) -> Callable[[MacieBackend], None]:
    def disable_macie(self: MacieBackend) -> None:
        original(self)
        attached(self, AutomatedDiscovery).forget()

    return disable_macie
