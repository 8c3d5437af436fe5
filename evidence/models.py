"""Typed, immutable values shared by every stage: collect -> evaluate -> report.

Everything that crosses a stage boundary is one of these frozen pydantic models, so a pack written
by `collect` can be re-read, re-evaluated and re-rendered offline with the same result.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1
GLOBAL_REGION = "global"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_EVALUATED = "not_evaluated"
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"
    EXCEPTED = "excepted"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class EvidenceType(StrEnum):
    AUTOMATED = "automated"
    HYBRID = "hybrid"
    MANUAL = "manual"


class Role(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


# --------------------------------------------------------------------------- collection


class EvidenceError(Frozen):
    """Why a snapshot could not be taken (AccessDenied, a disabled region, throttling...)."""

    code: str
    message: str


class Evidence(Frozen):
    """One raw snapshot: one collector, one account, one region (or `global`)."""

    key: str
    account_id: str
    region: str
    collected_at: datetime
    tool_version: str
    api_calls: tuple[str, ...] = ()
    data: Any = None
    error: EvidenceError | None = None


class Gap(Frozen):
    """Evidence that could not be collected; every control that needs it is not_evaluated."""

    key: str
    account_id: str
    region: str
    code: str
    message: str


class EvidenceRef(Frozen):
    """Where a snapshot lives in the pack and what it holds, without its data."""

    path: str
    key: str
    account_id: str
    region: str
    collected_at: datetime
    api_calls: tuple[str, ...]
    sha256: str
    error: EvidenceError | None = None


class Scope(Frozen):
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    organization_id: str | None = None
    partition: str = "aws"


class Period(Frozen):
    start: datetime
    end: datetime


class ShardInfo(Frozen):
    index: int
    count: int


class AccountRegions(Frozen):
    account: str
    regions: tuple[str, ...]


class CollectionInfo(Frozen):
    """Written once by `collect` as collection.json: what was asked for and when it ran."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    scope: Scope
    period: Period
    started_at: datetime
    finished_at: datetime
    identity_arn: str | None = None
    shard: ShardInfo | None = None
    unreachable_accounts: tuple[str, ...] = ()
    # Regions in scope that an account has not enabled (its own ec2:DescribeRegions): nothing is collected there.
    regions_not_enabled: tuple[AccountRegions, ...] = ()


# --------------------------------------------------------------------------- frameworks


class CheckRef(Frozen):
    id: str
    role: Role = Role.PRIMARY
    params: dict[str, Any] = Field(default_factory=dict)


class Control(Frozen):
    id: str
    title: str
    section: str
    description: str = ""
    evidence: EvidenceType
    checks: tuple[CheckRef, ...] = ()
    config_rules: tuple[str, ...] = ()
    manual_evidence: str | None = None
    inherited: bool = False
    implementation: str | None = None  # HIPAA: required | addressable
    note: str | None = None
    renewal_days: int = 365  # how long an attached piece of manual evidence stays current


class Section(Frozen):
    id: str
    title: str


class Framework(Frozen):
    id: str
    name: str
    version: str
    source: str
    sections: tuple[Section, ...] = ()
    controls: tuple[Control, ...]


# --------------------------------------------------------------------------- evaluation


class Finding(Frozen):
    """One resource judged by one check."""

    check: str
    resource: str
    account: str
    region: str
    status: Status
    reason: str
    severity: Severity = Severity.MEDIUM


class CheckResult(Frozen):
    check: str
    key: str  # check id, plus its parameters when they differ from the defaults
    title: str
    severity: Severity
    params: dict[str, Any] = Field(default_factory=dict)
    status: Status
    findings: tuple[Finding, ...] = ()
    gaps: tuple[Gap, ...] = ()
    evidence: tuple[str, ...] = ()  # pack paths of the snapshots it read


class Attachment(Frozen):
    """Manual evidence attached to a control with `evidence attach`."""

    control: str
    framework: str | None = None
    path: str  # inside the pack
    sha256: str
    note: str
    attached_by: str
    attached_at: datetime
    stale: bool = False  # older than the control's renewal period when the evidence was collected


class ControlCheck(Frozen):
    key: str
    check: str
    role: Role
    status: Status


class ControlResult(Frozen):
    id: str
    title: str
    section: str
    evidence: EvidenceType
    status: Status
    reason: str
    checks: tuple[ControlCheck, ...] = ()
    config_rules: tuple[str, ...] = ()
    manual_evidence: str | None = None
    inherited: bool = False
    implementation: str | None = None
    failed_resources: int = 0
    exceptions: tuple[str, ...] = ()  # ids of the exceptions applied to this control
    attachments: tuple[Attachment, ...] = ()
    renewal_days: int = 365


class ConfigCompliance(StrEnum):
    """AWS Config's verdict, plus the two ways there can be none."""

    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
    NOT_DEPLOYED = "NOT_DEPLOYED"  # no rule of the kind is deployed in the accounts and regions in scope
    NOT_COLLECTED = "NOT_COLLECTED"  # Config's rules could not be read (a gap) or were not collected


class ConfigRuleVerdict(Frozen):
    """One AWS Config rule in one account and region, with Config's own verdict."""

    name: str
    arn: str | None = None
    source: str  # the managed rule identifier, or which kind of custom rule it is
    managed: bool
    account: str
    region: str
    compliance: ConfigCompliance
    compliant: int = 0  # resources Config judged compliant
    non_compliant: int = 0
    conformance_pack: str | None = None


class ConfigConflict(Frozen):
    """A resource on which an AWS Config rule and the equivalent check of ours reach opposite verdicts."""

    resource: str
    account: str
    region: str
    rule: str
    config: ConfigCompliance
    check: str
    ours: Status


class ConfigVerdict(Frozen):
    """AWS Config's verdict on one control, beside ours, and whether the two disagree."""

    control: str
    ours: Status
    config: ConfigCompliance
    rules: tuple[ConfigRuleVerdict, ...] = ()  # the deployed rules behind Config's verdict
    disagrees: bool = False
    reason: str
    conflicts: tuple[ConfigConflict, ...] = ()


class ConformancePackVerdict(Frozen):
    name: str
    account: str
    region: str
    state: str | None = None  # deployment state (CREATE_COMPLETE, ...)
    compliance: ConfigCompliance
    rules: tuple[str, ...] = ()


class ConfigCrossCheck(Frozen):
    """AWS Config's conclusions in the pack: per control beside ours, and every rule and pack found."""

    controls: tuple[ConfigVerdict, ...] = ()
    rules: tuple[ConfigRuleVerdict, ...] = ()
    packs: tuple[ConformancePackVerdict, ...] = ()
    gaps: tuple[Gap, ...] = ()


class FrameworkResult(Frozen):
    id: str
    name: str
    version: str
    source: str
    sections: tuple[Section, ...] = ()
    controls: tuple[ControlResult, ...]
    checks: tuple[CheckResult, ...]
    config: ConfigCrossCheck = Field(default_factory=ConfigCrossCheck)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for c in self.controls:
            out[c.status.value] += 1
        return out


class ExceptionEntry(Frozen):
    """One entry of the exceptions register (see evidence/exceptions.py for the file format)."""

    id: str
    check: str | None = None
    control: str | None = None
    framework: str | None = None
    resource: str = "*"
    account: str = "*"
    reason: str
    owner: str
    approved_by: str | None = None
    approved_on: date | None = None
    expires_on: date
    ticket: str | None = None

    @model_validator(mode="after")
    def _scope(self) -> ExceptionEntry:
        if not (self.check or self.control):
            raise ValueError("an exception names a check or a control")
        if self.approved_on and self.approved_on > self.expires_on:
            raise ValueError("approved_on is after expires_on")
        return self


class ExceptionState(StrEnum):
    APPLIED = "applied"
    UNUSED = "unused"
    EXPIRED = "expired"
    UNAPPROVED = "unapproved"


class ExceptionResult(Frozen):
    entry: ExceptionEntry
    state: ExceptionState
    matched: int = 0
    note: str


class SignOffView(Frozen):
    """The security lead's recorded decision, as the sign-off page shows it."""

    name: str
    role: str
    decision: str
    comment: str = ""
    signed_at: datetime
    content_digest: str
    valid: bool
    note: str


class IntegrityItemRow(Frozen):
    """One CloudTrail digest or log file that is not valid (or a window of missing digests), from the
    `cloudtrail.integrity` snapshot of one trail and source region."""

    account: str
    trail_arn: str
    source_region: str
    kind: str  # digest | log
    bucket: str
    key: str | None = None  # None for a window of missing digests, whose keys are unknown
    verdict: str  # invalid | missing | unverified
    code: str
    reason: str
    cli_equivalent: bool = False  # `aws cloudtrail validate-logs` reports this object INVALID too


class PackRef(Frozen):
    """Which pack one side of a comparison is, and when its evidence was collected."""

    pack_id: str
    collected_at: datetime
    period: Period
    frameworks: tuple[str, ...] = ()


class FindingChange(Frozen):
    """One (check, resource) pair as judged in the older and in the newer pack (None: not judged there)."""

    check: str
    resource: str
    account: str
    region: str
    severity: Severity
    old_status: Status | None = None
    new_status: Status | None = None
    reason: str  # the newer pack's reason when it judged the resource, else the older one's


class ResourceChange(Frozen):
    resource: str
    account: str


class ControlChange(Frozen):
    framework: str
    control: str
    title: str
    old_status: Status
    new_status: Status


class ExpiredException(Frozen):
    """An exception that lapsed between the two collections: failures it covered count again."""

    id: str
    expires_on: date
    reason: str
    owner: str
    old_state: ExceptionState | None = None
    new_state: ExceptionState | None = None


class PackDiff(Frozen):
    """What changed between two packs of the same estate (see evidence/diff.py for the rules)."""

    old: PackRef
    new: PackRef
    frameworks: tuple[str, ...] = ()  # frameworks evaluated in both packs: their control changes are listed
    checks: tuple[str, ...] = ()  # checks run in both packs: the findings compared
    new_failures: tuple[FindingChange, ...] = ()
    fixed: tuple[FindingChange, ...] = ()
    still_failing: tuple[FindingChange, ...] = ()
    new_resources: tuple[ResourceChange, ...] = ()
    removed_resources: tuple[ResourceChange, ...] = ()
    control_changes: tuple[ControlChange, ...] = ()
    expired_exceptions: tuple[ExpiredException, ...] = ()


class Pack(Frozen):
    """Everything a renderer needs, and nothing else."""

    schema_version: int = SCHEMA_VERSION
    pack_id: str
    tool_version: str
    evaluated_at: datetime
    collection: CollectionInfo
    evidence: tuple[EvidenceRef, ...]
    gaps: tuple[Gap, ...]
    findings: tuple[Finding, ...]
    frameworks: tuple[FrameworkResult, ...]
    exceptions: tuple[ExceptionResult, ...] = ()
    signoff: SignOffView | None = None  # never stored in pack.json: read from signoff.json when rendering
    diff: PackDiff | None = None  # never stored in pack.json: read from diff.json when rendering
    integrity: tuple[IntegrityItemRow, ...] = ()  # CloudTrail digest and log files that are not valid


# --------------------------------------------------------------------------- manifest


class ManifestEntry(Frozen):
    sha256: str
    size: int


class Manifest(Frozen):
    schema_version: int = SCHEMA_VERSION
    tool_version: str
    written_at: datetime
    evidence_digest: str  # SHA-256 over the evidence files and collection.json: the pack id
    files: dict[str, ManifestEntry]
