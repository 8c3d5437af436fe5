"""The values the CloudTrail integrity validator takes and returns (pydantic v2, frozen).

Inputs: :class:`TrailScope` (which trail, region and bucket) and :class:`TimeRange` (the period).
Output: one :class:`RegionIntegrity` per trail and source region, gathered into an
:class:`IntegrityReport`.

Every object that is not valid is an :class:`IntegrityItem` with a :class:`Verdict`, a
:class:`FindingCode` and a reason an auditor can read. ``cli_equivalent`` says whether
``aws cloudtrail validate-logs`` would report the same object INVALID; when it is true the
reason is the CLI's own wording (``"signature verification failed"``, ``"not found"``, ...),
and :meth:`IntegrityItem.cli_message` renders the line the CLI prints. Valid objects are only
counted (:class:`Counts`), and their keys listed for digests (and for logs on request).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator, model_validator

from evidence.integrity.errors import LayoutError

_FROZEN = ConfigDict(frozen=True, extra="forbid")
# The pattern `aws cloudtrail validate-logs` accepts for --trail-arn.
_TRAIL_ARN = re.compile(r"arn:.+:cloudtrail:.+:\d{12}:trail/.+")


class Verdict(StrEnum):
    """The state of one digest or log file."""

    valid = "valid"
    invalid = "invalid"
    missing = "missing"
    # Digest only: intact as far as could be checked (format, chain hashes, log hashes), but
    # its signature could not be verified (no S3 metadata in a local copy, or no public keys).
    unverified = "unverified"


class ItemKind(StrEnum):
    digest = "digest"
    log = "log"


class FindingCode(StrEnum):
    """Why an object is not valid. The comment names the verdict each code carries."""

    not_found = "not_found"  # missing: the object is not in the bucket
    invalid_format = "invalid_format"  # invalid: not gzip, not JSON, required fields absent
    moved = "moved"  # invalid: the digest names another bucket/key than where it is
    signature_metadata_missing = "signature_metadata_missing"  # invalid: no signature metadata
    signature_malformed = "signature_malformed"  # invalid: the signature metadata is not hex
    signature_invalid = "signature_invalid"  # invalid: RSA verification failed
    unknown_key = "unknown_key"  # invalid: no public key with the digest's fingerprint
    invalid_public_key = "invalid_public_key"  # invalid: the key is not a DER PKCS#1 RSA key
    hash_mismatch = "hash_mismatch"  # invalid: log SHA-256 differs from the digest's hashValue
    trailing_data = "trailing_data"  # invalid: bytes after the end of the gzip stream
    truncated = "truncated"  # invalid: log gzip stream ends before its end marker
    chain_link_broken = "chain_link_broken"  # invalid: previousDigest* differ from the predecessor
    weak_signature_algorithm = "weak_signature_algorithm"  # invalid: signed with MD5 or SHA-1
    unexpected_signature_algorithm = "unexpected_signature_algorithm"  # invalid: not SHA256withRSA
    signature_not_verified = "signature_not_verified"  # unverified: see Verdict.unverified
    gap = "gap"  # missing: hours with no digest that the chain or trail status says should exist
    newest_missing = "newest_missing"  # missing: no digest covers the end of the period


class TimeRange(BaseModel):
    """A closed UTC interval. Naive datetimes are rejected; others are converted to UTC."""

    model_config = _FROZEN

    start: AwareDatetime
    end: AwareDatetime

    @field_validator("start", "end")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start > self.end:
            raise ValueError(f"start {self.start.isoformat()} is after end {self.end.isoformat()}")
        return self

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlap(self, other: TimeRange) -> timedelta:
        """How long the two ranges share (zero when they are disjoint)."""
        return max(timedelta(0), min(self.end, other.end) - max(self.start, other.start))


class TrailScope(BaseModel):
    """One trail seen from one source region: where its digests live and how they are named."""

    model_config = _FROZEN

    trail_arn: str
    account_id: str
    home_region: str
    source_region: str
    bucket: str
    prefix: str | None = None
    organization_id: str | None = None

    @field_validator("prefix")
    @classmethod
    def _empty_prefix_is_none(cls, value: str | None) -> str | None:
        return value or None

    @property
    def trail_name(self) -> str:
        return self.trail_arn.split("/")[-1]

    @classmethod
    def for_trail(
        cls,
        trail_arn: str,
        bucket: str,
        *,
        prefix: str | None = None,
        source_region: str | None = None,
        account_id: str | None = None,
        organization_id: str | None = None,
    ) -> TrailScope:
        """Scope from a trail ARN, as ``validate-logs`` derives it.

        Home region and account come from the ARN; ``source_region`` defaults to the home region;
        for an organization trail pass the member ``account_id`` and the ``organization_id``.
        """
        if not _TRAIL_ARN.match(trail_arn):
            raise LayoutError(f"Invalid trail ARN provided: {trail_arn}")
        fields = trail_arn.split(":")
        home_region = fields[3]
        return cls(
            trail_arn=trail_arn,
            account_id=account_id or fields[4],
            home_region=home_region,
            source_region=source_region or home_region,
            bucket=bucket,
            prefix=prefix,
            organization_id=organization_id,
        )


class IntegrityItem(BaseModel):
    """One digest or log file that is not valid, or one window of missing digests."""

    model_config = _FROZEN

    kind: ItemKind
    bucket: str
    key: str | None  # None only for `gap` / `newest_missing` windows, whose keys are unknown
    verdict: Verdict
    code: FindingCode
    reason: str
    cli_equivalent: bool  # `aws cloudtrail validate-logs` reports this object INVALID too
    backfill: bool = False
    digest_key: str | None = None  # logs: the digest that lists the log file
    window: TimeRange | None = None  # gap / newest_missing: the uncovered time
    count: int = 1  # gap / newest_missing: digests expected in the window, not otherwise reported

    def cli_message(self) -> str:
        """The line ``validate-logs`` prints for this item (meaningful when ``cli_equivalent``)."""
        label = "Digest" if self.kind is ItemKind.digest else "Log"
        marker = "(backfill) " if self.backfill else ""
        return f"{marker}{label} file\ts3://{self.bucket}/{self.key}\tINVALID: {self.reason}"


class Counts(BaseModel):
    model_config = _FROZEN

    valid: int = 0
    invalid: int = 0
    missing: int = 0
    unverified: int = 0

    @property
    def total(self) -> int:
        return self.valid + self.invalid + self.missing + self.unverified

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            valid=self.valid + other.valid,
            invalid=self.invalid + other.invalid,
            missing=self.missing + other.missing,
            unverified=self.unverified + other.unverified,
        )


class GapKind(StrEnum):
    # Digests should exist here (the chain points into the window, or the trail was logging).
    digests_missing = "digests_missing"
    # The chain restarts after the window (null previous pointer) and the trail is not known to
    # have been logging: CloudTrail's "No log files were delivered" case. Not a finding.
    no_log_files_delivered = "no_log_files_delivered"


class Gap(BaseModel):
    """A part of the period that no digest covers, and why."""

    model_config = _FROZEN

    window: TimeRange
    kind: GapKind


class KeyRotation(BaseModel):
    """Digests from ``at`` on are signed with another public key than the ones before."""

    model_config = _FROZEN

    at: AwareDatetime  # digestEndTime of the first digest signed with the new key
    previous_fingerprint: str
    fingerprint: str


class CliSummary(BaseModel):
    """What ``aws cloudtrail validate-logs`` would print as its summary for this trail region."""

    model_config = _FROZEN

    digests_valid: int
    digests_invalid: int
    backfill_digests_valid: int
    backfill_digests_invalid: int
    logs_valid: int
    logs_invalid: int
    found: TimeRange | None  # "Results found for A to B"; None: no valid digest

    @property
    def exit_code(self) -> int:
        invalid = self.digests_invalid + self.backfill_digests_invalid + self.logs_invalid
        return 1 if invalid else 0


class RegionIntegrity(BaseModel):
    """The integrity of one trail's log files delivered from one source region over a period."""

    model_config = _FROZEN

    scope: TrailScope
    period: TimeRange
    digests: Counts  # standard digests; `missing` includes digests estimated missing in gaps
    backfill_digests: Counts
    logs: Counts
    logs_not_checked: int  # listed by digests whose signature failed: their hashes are not trusted
    covered: tuple[TimeRange, ...]  # parts of the period covered by valid (or unverified) digests
    gaps: tuple[Gap, ...]
    items: tuple[IntegrityItem, ...]  # every object or window that is not valid
    valid_digest_keys: tuple[str, ...]
    valid_log_keys: tuple[str, ...] | None  # only when asked for (can be large)
    key_fingerprints: tuple[str, ...]  # public keys that signed verified digests, first use first
    key_rotations: tuple[KeyRotation, ...]
    signatures_verified: bool  # False when any digest signature could not be checked
    notes: tuple[str, ...]  # plain statements for the report (e.g. why signatures were not checked)
    cli: CliSummary

    @property
    def ok(self) -> bool:
        """Nothing invalid or missing and every signature verified."""
        return self.signatures_verified and not any(
            item.verdict in (Verdict.invalid, Verdict.missing) for item in self.items
        )


class IntegritySummary(BaseModel):
    model_config = _FROZEN

    digests: Counts
    logs: Counts
    findings: int  # items with verdict invalid or missing
    cli_equivalent_findings: int


class IntegrityReport(BaseModel):
    """Every trail region validated for one period."""

    model_config = _FROZEN

    period: TimeRange
    regions: tuple[RegionIntegrity, ...]
    summary: IntegritySummary

    @classmethod
    def from_regions(cls, period: TimeRange, regions: tuple[RegionIntegrity, ...]) -> IntegrityReport:
        digests, logs = Counts(), Counts()
        findings = cli_findings = 0
        for region in regions:
            digests = digests + region.digests + region.backfill_digests
            logs = logs + region.logs
            for item in region.items:
                if item.verdict in (Verdict.invalid, Verdict.missing):
                    findings += 1
                    cli_findings += item.cli_equivalent
        summary = IntegritySummary(digests=digests, logs=logs, findings=findings, cli_equivalent_findings=cli_findings)
        return cls(period=period, regions=regions, summary=summary)
