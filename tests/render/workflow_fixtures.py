"""The synthetic render pack, extended with the trust workflow's data: sign-off, exceptions register,
manual evidence attachments, CloudTrail integrity items and a second account's findings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from render_fixtures import ACCOUNTS, build_pack

from evidence.models import (
    Attachment,
    CheckResult,
    ExceptionEntry,
    ExceptionResult,
    ExceptionState,
    Finding,
    IntegrityItemRow,
    Pack,
    Severity,
    SignOffView,
    Status,
)

SIGNER = "Dana Lee"
DIGEST = "ab" * 32
INVALID_NOTE = "INVALID: pack.json changed after this sign-off"


def signoff(*, valid: bool) -> SignOffView:
    return SignOffView(
        name=SIGNER, role="CISO", decision="approved", comment="Q4 evidence reviewed",
        signed_at=datetime(2025, 4, 3, 10, 30, tzinfo=UTC), content_digest=DIGEST, valid=valid,
        note="valid: the pack content is unchanged since this sign-off" if valid else INVALID_NOTE,
    )


def exceptions() -> tuple[ExceptionResult, ...]:
    applied = ExceptionEntry(
        id="EX-1", check="iam.password_policy", resource="*", account=ACCOUNTS[0],
        reason="The identity provider enforces 16 characters.", owner="platform", approved_by=SIGNER,
        approved_on=date(2025, 1, 10), expires_on=date(2025, 12, 31), ticket="SEC-42",
    )
    expired = ExceptionEntry(
        id="EX-2", control="AC-1", resource="arn:aws:iam::111111111111:user/break-glass-*",
        reason="Break-glass users keep hardware tokens in the safe.", owner="security",
        approved_by="Sam Roe", approved_on=date(2024, 1, 5), expires_on=date(2025, 1, 31),
    )
    return (
        ExceptionResult(entry=applied, state=ExceptionState.APPLIED, matched=1, note="Covers 1 failing finding."),
        ExceptionResult(entry=expired, state=ExceptionState.EXPIRED, matched=0,
                        note="Expired on 2025-01-31, before the collection: it covers nothing."),
    )


def _with_exception_ids(pack: Pack) -> Pack:
    """AC-3 (excepted in the base pack) names the exception applied to it, and its finding is excepted."""
    fw = pack.frameworks[0]
    controls = tuple(
        c.model_copy(update={"exceptions": ("EX-1",),
                             "checks": tuple(cc.model_copy(update={"status": Status.EXCEPTED}) for cc in c.checks)})
        if c.id == "AC-3" else c
        for c in fw.controls
    )
    checks = tuple(
        c.model_copy(update={"status": Status.EXCEPTED,
                             "findings": tuple(f.model_copy(update={"status": Status.EXCEPTED}) for f in c.findings)})
        if c.check == "iam.password_policy" else c
        for c in fw.checks
    )
    fw = fw.model_copy(update={"controls": controls, "checks": checks})
    return pack.model_copy(update={"frameworks": (fw, *pack.frameworks[1:])})


POLICY_DIGEST = "cd" * 32
OLD_DIGEST = "ef" * 32


def attachments() -> tuple[Attachment, ...]:
    return (
        Attachment(control="PL-1", framework="testfw", path="attachments/PL-1/security-policy-v3.pdf",
                   sha256=POLICY_DIGEST, note="Approved by the board on 2025-02-14.", attached_by="Dana Lee",
                   attached_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC)),
        Attachment(control="PL-1", framework="testfw", path="attachments/PL-1/security-policy-v1.pdf",
                   sha256=OLD_DIGEST, note="The previous version.", attached_by="Sam Roe",
                   attached_at=datetime(2023, 11, 2, 9, 0, tzinfo=UTC), stale=True),
    )


def _with_attachments(pack: Pack) -> Pack:
    fw = pack.frameworks[0]
    controls = tuple(c.model_copy(update={"attachments": attachments()}) if c.id == "PL-1" else c for c in fw.controls)
    return pack.model_copy(update={"frameworks": (fw.model_copy(update={"controls": controls}), *pack.frameworks[1:])})


TRAIL = "arn:aws:cloudtrail:eu-west-1:111111111111:trail/org-trail"
TAMPERED_KEY = "AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/02/111111111111_CloudTrail_us-east-1_x.json.gz"
TAMPERED_REASON = "The log file's SHA-256 differs from the one its digest records: it was changed after delivery."


def integrity_check() -> CheckResult:
    def finding(region: str, status: Status, reason: str) -> Finding:
        return Finding(check="cloudtrail.digest_chain_valid", resource=f"{TRAIL} ({region})", account=ACCOUNTS[0],
                       region=region, status=status, reason=reason, severity=Severity.HIGH)

    return CheckResult(
        check="cloudtrail.digest_chain_valid", key="cloudtrail.digest_chain_valid",
        title="Every trail's signed digest chain and log files are intact over the audit period",
        severity=Severity.HIGH, status=Status.FAIL,
        findings=(
            finding("eu-west-1", Status.PASS, "90 digest files and 2160 log files verified."),
            finding("us-east-1", Status.FAIL, "Log integrity cannot be proven: 1 invalid and 0 missing log files "
                                              "(LOG_HASH_MISMATCH)."),
        ),
    )


def integrity_items() -> tuple[IntegrityItemRow, ...]:
    return (
        IntegrityItemRow(account=ACCOUNTS[0], trail_arn=TRAIL, source_region="us-east-1", kind="log",
                         bucket="org-trail-logs", key=TAMPERED_KEY, verdict="invalid", code="LOG_HASH_MISMATCH",
                         reason=TAMPERED_REASON, cli_equivalent=True),
        IntegrityItemRow(account=ACCOUNTS[0], trail_arn=TRAIL, source_region="us-east-1", kind="digest",
                         bucket="org-trail-logs", key=None, verdict="missing", code="DIGEST_GAP",
                         reason="No digest covers 2025-03-05 10:00 to 12:00 UTC.", cli_equivalent=False),
    )


def _with_integrity(pack: Pack) -> Pack:
    fw = pack.frameworks[0]
    fw = fw.model_copy(update={"checks": (*fw.checks, integrity_check())})
    return pack.model_copy(update={"frameworks": (fw, *pack.frameworks[1:]), "integrity": integrity_items()})


def build_workflow_pack(*, signoff_valid: bool = True) -> Pack:
    pack = _with_integrity(_with_attachments(_with_exception_ids(build_pack())))
    return pack.model_copy(update={"signoff": signoff(valid=signoff_valid), "exceptions": exceptions()})
