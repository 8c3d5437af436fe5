"""Security Hub standards: BatchEnableStandards, GetEnabledStandards and BatchDisableStandards.

As in AWS, EnableSecurityHub also subscribes to the default standards (AWS Foundational
Security Best Practices v1.0.0 and CIS AWS Foundations Benchmark v1.2.0) unless
``EnableDefaultStandards`` is false, and DisableSecurityHub drops every subscription.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.securityhub import urls
from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed
from evidence.demo.patches._state import attached

_ROUTES = {
    "{0}/standards/register$": SecurityHubResponse.dispatch,
    "{0}/standards/get$": SecurityHubResponse.dispatch,
    "{0}/standards/deregister$": SecurityHubResponse.dispatch,
}
_STANDARDS_ARN = re.compile(r"^arn:[^:]+:securityhub:[^:]*::(?:ruleset|standards)/(?P<path>.+)$")


def default_standards(partition: str, region: str) -> list[str]:
    return [
        f"arn:{partition}:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
        f"arn:{partition}:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
    ]


@dataclass
class Subscriptions:
    """Standards subscriptions by subscription ARN: (standards ARN, StandardsInput)."""

    by_arn: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    def subscribe(self, backend: SecurityHubBackend, standards_arn: str, inputs: dict[str, str]) -> str:
        match = _STANDARDS_ARN.match(standards_arn)
        if match is None:
            raise SecurityHubClientError("InvalidInputException", f"{standards_arn} is not a valid standards ARN")
        arn = (
            f"arn:{backend.partition}:securityhub:{backend.region_name}:{backend.account_id}:"
            f"subscription/{match.group('path')}"
        )
        self.by_arn[arn] = (standards_arn, inputs)
        return arn

    def describe(self, arn: str, status: str) -> dict[str, Any]:
        standards_arn, inputs = self.by_arn[arn]
        return {
            "StandardsSubscriptionArn": arn,
            "StandardsArn": standards_arn,
            "StandardsInput": inputs,
            "StandardsStatus": status,
            "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        }


def apply() -> None:
    for pattern, handler in _ROUTES.items():
        urls.url_paths.setdefault(pattern, handler)
    install(SecurityHubResponse, "batch_enable_standards", _batch_enable_standards)
    install(SecurityHubResponse, "get_enabled_standards", _get_enabled_standards)
    install(SecurityHubResponse, "batch_disable_standards", _batch_disable_standards)
    install(SecurityHubBackend, "enable_security_hub", _with_defaults(SecurityHubBackend.enable_security_hub))
    install(SecurityHubBackend, "disable_security_hub", _dropping_all(SecurityHubBackend.disable_security_hub))


def _subscribed(self: SecurityHubResponse) -> Subscriptions:
    backend = self.securityhub_backend
    if not backend.enabled:
        raise SecurityHubClientError("InvalidAccessException", "Account is not subscribed to AWS Security Hub")
    return attached(backend, Subscriptions)


def _batch_enable_standards(self: SecurityHubResponse) -> ActionResult:
    subscriptions = _subscribed(self)
    requests = parsed(self).get("StandardsSubscriptionRequests") or []
    arns = [
        subscriptions.subscribe(self.securityhub_backend, r["StandardsArn"], r.get("StandardsInput") or {})
        for r in requests
    ]
    return ActionResult({"StandardsSubscriptions": [subscriptions.describe(arn, "PENDING") for arn in arns]})


def _get_enabled_standards(self: SecurityHubResponse) -> ActionResult:
    subscriptions = _subscribed(self)
    params = parsed(self)
    wanted = params.get("StandardsSubscriptionArns")
    arns = [arn for arn in subscriptions.by_arn if not wanted or arn in wanted]
    shown, token = page(
        arns,
        params.get("MaxResults"),
        params.get("NextToken"),
        default_limit=100,
        invalid_token=lambda: SecurityHubClientError("InvalidInputException", "The NextToken is not valid"),
    )
    return ActionResult(
        {"StandardsSubscriptions": [subscriptions.describe(arn, "READY") for arn in shown], "NextToken": token}
    )


def _batch_disable_standards(self: SecurityHubResponse) -> ActionResult:
    subscriptions = _subscribed(self)
    arns = parsed(self).get("StandardsSubscriptionArns") or []
    unknown = [arn for arn in arns if arn not in subscriptions.by_arn]
    if unknown:
        raise SecurityHubClientError("InvalidInputException", f"No subscription exists for {', '.join(unknown)}")
    disabled = [subscriptions.describe(arn, "DELETING") for arn in arns]
    for arn in arns:
        del subscriptions.by_arn[arn]
    return ActionResult({"StandardsSubscriptions": disabled})


def _with_defaults(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def enable_security_hub(
        self: SecurityHubBackend, enable_default_standards: bool = True, tags: dict[str, str] | None = None
    ) -> dict[str, Any]:
        was_enabled = self.enabled
        result = original(self, enable_default_standards=enable_default_standards, tags=tags)
        if enable_default_standards and not was_enabled:
            for standards_arn in default_standards(self.partition, self.region_name):
                attached(self, Subscriptions).subscribe(self, standards_arn, {})
        return result

    return enable_security_hub


def _dropping_all(original: Callable[[SecurityHubBackend], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def disable_security_hub(self: SecurityHubBackend) -> dict[str, Any]:
        result = original(self)
        attached(self, Subscriptions).by_arn.clear()
        return result

    return disable_security_hub
