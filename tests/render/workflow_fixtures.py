"""The synthetic render pack, extended with the trust workflow's data: sign-off, exceptions register,
manual evidence attachments, CloudTrail integrity items and a second account's findings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from render_fixtures import ACCOUNTS, build_pack

from evidence.models import (
    ExceptionEntry,
    ExceptionResult,
    ExceptionState,
    Pack,
    SignOffView,
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


def build_workflow_pack(*, signoff_valid: bool = True) -> Pack:
    return build_pack().model_copy(update={"signoff": signoff(valid=signoff_valid), "exceptions": exceptions()})
