"""In-process additions to moto for the APIs the evidence collectors read and moto lacks.

Every patch changes classes or module tables, never backend instances, so it survives
``/moto-api/reset``; every patch is idempotent. State the patches add lives on moto's backend
instances (per account and region) or is cleared by moto's reset, like moto's own state.
Importing this package imports moto.
"""

from __future__ import annotations

from evidence.demo.patches import (
    _state,
    accessanalyzer,
    backup,
    cloudtrail,
    cloudtrail_events,
    cloudtrail_status,
    config_compliance,
    config_delivery,
    config_packs,
    determinism,
    ec2,
    guardduty,
    iam,
    macie,
    redshift,
    securityhub,
    throttle,
)


def apply_all() -> None:
    """Apply every patch. Safe to call more than once."""
    _state.apply()
    determinism.apply()
    iam.apply()
    ec2.apply()
    cloudtrail.apply()
    cloudtrail_events.apply()
    cloudtrail_status.apply()
    config_compliance.apply()
    config_delivery.apply()
    config_packs.apply()
    guardduty.apply()
    securityhub.apply()
    accessanalyzer.apply()
    redshift.apply()
    macie.apply()
    backup.apply()
    throttle.apply()
