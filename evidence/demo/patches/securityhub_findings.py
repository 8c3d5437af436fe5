"""Security Hub GetFindings with its string filters, which moto accepts and ignores.

Filters name AWS Security Finding Format attributes (``SeverityLabel`` is ``Severity.Label``,
``ResourceId`` any ``Resources[].Id``...). As in AWS, the positive comparisons on one attribute
(EQUALS, PREFIX, CONTAINS) are ORed, the negative ones (NOT_EQUALS, PREFIX_NOT_EQUALS,
NOT_CONTAINS) ANDed, and attributes ANDed with each other. Number, date, map and boolean filters
are refused with a clear error. Pages are MaxResults/NextToken over the import order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from moto.core.responses import ActionResult
from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.responses import SecurityHubResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed

# Filter name -> attribute path, where it is not simply the top-level attribute of that name.
_PATHS: dict[str, tuple[str, ...]] = {
    "SeverityLabel": ("Severity", "Label"),
    "WorkflowStatus": ("Workflow", "Status"),
    "ComplianceStatus": ("Compliance", "Status"),
    "ComplianceSecurityControlId": ("Compliance", "SecurityControlId"),
    "ResourceType": ("Resources", "Type"),
    "ResourceId": ("Resources", "Id"),
    "ResourceRegion": ("Resources", "Region"),
}
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "EQUALS": lambda value, wanted: value == wanted,
    "PREFIX": lambda value, wanted: value.startswith(wanted),
    "CONTAINS": lambda value, wanted: wanted in value,
}
_NEGATIVE: dict[str, Callable[[str, str], bool]] = {
    "NOT_EQUALS": lambda value, wanted: value != wanted,
    "PREFIX_NOT_EQUALS": lambda value, wanted: not value.startswith(wanted),
    "NOT_CONTAINS": lambda value, wanted: wanted not in value,
}


def apply() -> None:
    install(SecurityHubResponse, "get_findings", _get_findings)


def _get_findings(self: SecurityHubResponse) -> ActionResult:
    params = parsed(self)
    filters: Mapping[str, Sequence[Mapping[str, Any]]] = params.get("Filters") or {}
    findings = [f.as_dict() for f in self.securityhub_backend.findings]
    matching = [f for f in findings if all(_meets(f, name, conditions) for name, conditions in filters.items())]
    shown, token = page(
        matching,
        params.get("MaxResults"),
        params.get("NextToken"),
        default_limit=100,
        invalid_token=lambda: SecurityHubClientError("InvalidInputException", "The NextToken is not valid"),
    )
    return ActionResult({"Findings": shown, "NextToken": token})


def _values(finding: Mapping[str, Any], name: str) -> list[str]:
    """Every value of the attribute a filter names (several for attributes of list items)."""
    found: list[Any] = [finding]
    for part in _PATHS.get(name, (name,)):
        step: list[Any] = []
        for item in found:
            value = item.get(part) if isinstance(item, Mapping) else None
            step.extend(value if isinstance(value, list) else [] if value is None else [value])
        found = step
    return [str(v) for v in found]


def _meets(finding: Mapping[str, Any], name: str, conditions: Sequence[Mapping[str, Any]]) -> bool:
    values = _values(finding, name)
    positive: list[tuple[str, str]] = []
    negative: list[tuple[str, str]] = []
    for condition in conditions:
        comparison, wanted = condition.get("Comparison"), condition.get("Value")
        if not isinstance(wanted, str) or comparison not in (*_POSITIVE, *_NEGATIVE):
            raise SecurityHubClientError(
                "InvalidInputException", f"The emulator supports only string filters; {name} is not one"
            )
        (positive if comparison in _POSITIVE else negative).append((comparison, wanted))
    if positive and not any(_POSITIVE[c](v, w) for c, w in positive for v in values):
        return False
    return all(_NEGATIVE[c](v, w) for c, w in negative for v in values)
