"""IAM Access Analyzer, which moto lacks: analyzers and external-access findings.

CreateAnalyzer, GetAnalyzer, ListAnalyzers, ListFindings, GetFinding, ListFindingsV2 and
GetFindingV2 are served per account and region. AWS finds external access by analysing
resource policies; the emulator does not, so findings are planted in-process with
:func:`put_access_analyzer_finding` (a public or cross-account principal on a resource).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.moto_api._internal import mock_random

from evidence.demo.patches._new_service import register_service
from evidence.demo.patches._paging import page

SERVICE = "accessanalyzer"
SIGNING_NAME = "access-analyzer"
ANALYZER_TYPES = ("ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS")
FINDING_STATUSES = ("ACTIVE", "ARCHIVED", "RESOLVED")


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"

    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(f"{resource_type} {resource_id} was not found")
        self.resourceId = resource_id
        self.resourceType = resource_type


class ConflictException(ServiceException):
    code = "ConflictException"

    def __init__(self, resource_id: str) -> None:
        super().__init__(f"An analyzer named {resource_id} already exists")
        self.resourceId = resource_id
        self.resourceType = "Analyzer"


class ValidationException(ServiceException):
    code = "ValidationException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reason = "other"


@dataclass(frozen=True)
class Analyzer:
    arn: str
    name: str
    analyzer_type: str
    created: datetime
    tags: Mapping[str, str]

    def summary(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "name": self.name,
            "type": self.analyzer_type,
            "createdAt": self.created,
            "status": "ACTIVE",
            "tags": dict(self.tags),
        }


@dataclass(frozen=True)
class Finding:
    finding_id: str
    resource_arn: str
    resource_type: str
    owner_account: str
    principal: Mapping[str, str]
    actions: tuple[str, ...]
    is_public: bool
    condition: Mapping[str, str]
    status: str
    created: datetime

    def v1(self) -> dict[str, Any]:
        """A Finding / FindingSummary."""
        return {
            "id": self.finding_id,
            "principal": dict(self.principal),
            "action": list(self.actions),
            "resource": self.resource_arn,
            "isPublic": self.is_public,
            "resourceType": self.resource_type,
            "condition": dict(self.condition),
            "createdAt": self.created,
            "analyzedAt": self.created,
            "updatedAt": self.created,
            "status": self.status,
            "resourceOwnerAccount": self.owner_account,
        }

    def v2(self) -> dict[str, Any]:
        """A FindingSummaryV2 (GetFindingV2 adds the details)."""
        return {
            "id": self.finding_id,
            "resource": self.resource_arn,
            "resourceType": self.resource_type,
            "resourceOwnerAccount": self.owner_account,
            "status": self.status,
            "createdAt": self.created,
            "analyzedAt": self.created,
            "updatedAt": self.created,
            "findingType": "ExternalAccess",
        }

    def details(self) -> dict[str, Any]:
        return {
            "externalAccessDetails": {
                "action": list(self.actions),
                "condition": dict(self.condition),
                "isPublic": self.is_public,
                "principal": dict(self.principal),
            }
        }


class AccessAnalyzerBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.analyzers: dict[str, Analyzer] = {}
        self.findings: dict[str, dict[str, Finding]] = {}  # analyzer ARN -> id -> finding

    @property
    def _url_module(self) -> Any:
        return SimpleNamespace(url_bases=[rf"https?://{SIGNING_NAME}\.(.+)\.amazonaws\.com"], url_paths=_URL_PATHS)

    def create_analyzer(self, name: str, analyzer_type: str, tags: Mapping[str, str]) -> Analyzer:
        if name in self.analyzers:
            raise ConflictException(name)
        if analyzer_type not in ANALYZER_TYPES:
            raise ValidationException(f"Analyzer type {analyzer_type} is not one of {', '.join(ANALYZER_TYPES)}")
        arn = f"arn:{self.partition}:access-analyzer:{self.region_name}:{self.account_id}:analyzer/{name}"
        analyzer = Analyzer(arn, name, analyzer_type, datetime.now(UTC), tags)
        self.analyzers[name] = analyzer
        self.findings[arn] = {}
        return analyzer

    def get_analyzer(self, name: str) -> Analyzer:
        if name not in self.analyzers:
            raise ResourceNotFoundException("Analyzer", name)
        return self.analyzers[name]

    def findings_of(self, analyzer_arn: str) -> dict[str, Finding]:
        if analyzer_arn not in self.findings:
            raise ResourceNotFoundException("Analyzer", analyzer_arn)
        return self.findings[analyzer_arn]

    def add_finding(self, analyzer_name: str, finding: Finding) -> None:
        self.findings[self.get_analyzer(analyzer_name).arn][finding.finding_id] = finding


accessanalyzer_backends = BackendDict(AccessAnalyzerBackend, SERVICE)


def put_access_analyzer_finding(
    account_id: str,
    region: str,
    analyzer_name: str,
    *,
    resource_arn: str,
    resource_type: str,
    principal: Mapping[str, str],
    is_public: bool,
    actions: Sequence[str] = (),
    condition: Mapping[str, str] | None = None,
    status: str = "ACTIVE",
) -> str:
    if status not in FINDING_STATUSES:
        raise ValueError(f"status must be one of {', '.join(FINDING_STATUSES)}")
    finding = Finding(
        finding_id=str(mock_random.uuid4()),
        resource_arn=resource_arn,
        resource_type=resource_type,
        owner_account=account_id,
        principal=dict(principal),
        actions=tuple(actions),
        is_public=is_public,
        condition=dict(condition or {}),
        status=status,
        created=datetime.now(UTC),
    )
    accessanalyzer_backends[account_id][region].add_finding(analyzer_name, finding)
    return finding.finding_id


class AccessAnalyzerResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> AccessAnalyzerBackend:
        return accessanalyzer_backends[self.current_account][self.region]

    def create_analyzer(self) -> ActionResult:
        analyzer = self.backend.create_analyzer(
            self._get_param("analyzerName"), self._get_param("type"), self._get_param("tags") or {}
        )
        return ActionResult({"arn": analyzer.arn})

    def get_analyzer(self) -> ActionResult:
        return ActionResult({"analyzer": self.backend.get_analyzer(self._get_param("analyzerName")).summary()})

    def list_analyzers(self) -> ActionResult:
        wanted = self._get_param("type")
        analyzers = [
            a.summary()
            for _, a in sorted(self.backend.analyzers.items())
            if wanted is None or a.analyzer_type == wanted
        ]
        shown, token = self._page(analyzers)
        return ActionResult({"analyzers": shown, "nextToken": token})

    def list_findings(self) -> ActionResult:
        shown, token = self._page([f.v1() for f in self._matching_findings()])
        return ActionResult({"findings": shown, "nextToken": token})

    def list_findings_v2(self) -> ActionResult:
        shown, token = self._page([f.v2() for f in self._matching_findings()])
        return ActionResult({"findings": shown, "nextToken": token})

    def get_finding(self) -> ActionResult:
        return ActionResult({"finding": self._finding().v1()})

    def get_finding_v2(self) -> ActionResult:
        finding = self._finding()
        return ActionResult({**finding.v2(), "findingDetails": [finding.details()]})

    def _finding(self) -> Finding:
        findings = self.backend.findings_of(self._get_param("analyzerArn"))
        finding_id = self._get_param("id")
        if finding_id not in findings:
            raise ResourceNotFoundException("Finding", finding_id)
        return findings[finding_id]

    def _matching_findings(self) -> list[Finding]:
        findings = self.backend.findings_of(self._get_param("analyzerArn")).values()
        criteria: Mapping[str, Mapping[str, Any]] = self._get_param("filter") or {}
        matching = [f for f in findings if all(_meets(f.v1(), key, c) for key, c in criteria.items())]
        sort = self._get_param("sort") or {}
        attribute = sort.get("attributeName", "createdAt")
        return sorted(
            matching,
            key=lambda f: (str(_attribute(f.v1(), attribute)), f.finding_id),
            reverse=sort.get("orderBy") == "DESC",
        )

    def _page(self, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
        return page(
            items,
            self._get_param("maxResults"),
            self._get_param("nextToken"),
            default_limit=100,
            invalid_token=lambda: ValidationException("The nextToken is not valid"),
        )


def _attribute(finding: Mapping[str, Any], key: str) -> Any:
    """A filter key's value: a top-level attribute, or an entry (``principal.AWS``) of a map."""
    if key in finding:
        return finding[key]
    head, _, tail = key.partition(".")
    container = finding.get(head)
    return container.get(tail) if isinstance(container, Mapping) else None


def _meets(finding: Mapping[str, Any], key: str, criterion: Mapping[str, Any]) -> bool:
    value = _attribute(finding, key)
    values = [_text(v) for v in value] if isinstance(value, list) else [] if value is None else [_text(value)]
    if "exists" in criterion and bool(values) != criterion["exists"]:
        return False
    if "eq" in criterion and not any(v in criterion["eq"] for v in values):
        return False
    if "neq" in criterion and any(v in criterion["neq"] for v in values):
        return False
    return "contains" not in criterion or any(c in v for c in criterion["contains"] for v in values)


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


_URL_PATHS = {
    "{0}/analyzer$": AccessAnalyzerResponse.dispatch,
    "{0}/analyzer/(?P<analyzerName>[^/]+)$": AccessAnalyzerResponse.dispatch,
    "{0}/finding$": AccessAnalyzerResponse.dispatch,
    "{0}/finding/(?P<id>[^/]+)$": AccessAnalyzerResponse.dispatch,
    "{0}/findingv2$": AccessAnalyzerResponse.dispatch,
    "{0}/findingv2/(?P<id>[^/]+)$": AccessAnalyzerResponse.dispatch,
}


def apply() -> None:
    register_service(SERVICE, SIGNING_NAME, accessanalyzer_backends)
