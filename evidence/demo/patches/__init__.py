"""In-process additions to moto for the APIs the evidence collectors read and moto lacks.

Every patch changes classes or module tables, never backend instances, so it survives
``/moto-api/reset``; every patch is idempotent. State the patches add lives on moto's backend
instances (per account and region) or is cleared by moto's reset, like moto's own state.

Importing a service's moto modules is slow (EC2 alone takes over a second), so a service's
patches are applied just before moto's server builds that service's web app, on its first
request. Patches that every request or the routing depend on are applied at start.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from moto.moto_server import threaded_moto_server

from evidence.demo.patches import _state, accessanalyzer, determinism, faults
from evidence.demo.patches._hook import install

# moto service name -> the patch modules (in this package) it needs, applied on first use.
SERVICE_PATCHES: dict[str, tuple[str, ...]] = {
    "awslambda": ("lambda_urls",),
    "backup": ("backup",),
    "cloudtrail": ("cloudtrail", "cloudtrail_events", "cloudtrail_status"),
    "config": ("config_compliance", "config_delivery", "config_packs"),
    "ec2": ("ec2",),
    "emr": ("emr",),
    "guardduty": ("guardduty",),
    "kms": ("kms_digest",),
    "iam": ("iam",),
    "macie2": ("macie",),
    "redshift": ("redshift",),
    "securityhub": ("securityhub", "securityhub_findings"),
    "ssm": ("ssm_fleet",),
}


def apply_all() -> None:
    """Apply the start-up patches and arrange the per-service ones. Safe to call more than once."""
    _state.apply()
    accessanalyzer.apply()
    faults.apply()
    original = threaded_moto_server.create_backend_app
    install(threaded_moto_server, "create_backend_app", determinism.neutral(_patching_first(original)))


def apply_for(service: str) -> None:
    """Apply the patches of one moto service now."""
    for name in SERVICE_PATCHES.get(service, ()):
        import_module(f"{__name__}.{name}").apply()


def _patching_first(create_app: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def create_backend_app(service: Any) -> Any:
        apply_for(service)
        return create_app(service)

    return create_backend_app
