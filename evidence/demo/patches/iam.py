"""IAM: the root user's row in the credential report, and the root flags in GetAccountSummary.

moto has no root user: its credential report lists IAM users only and GetAccountSummary
reports ``AccountMFAEnabled`` and ``AccountAccessKeysPresent`` as 0. The root user's MFA,
access key and last sign-in cannot be set through any AWS API, so the demo plants them here;
the report's root row and the summary follow the same values. The report's ``GeneratedTime``
becomes the time GenerateCredentialReport first ran, instead of moto's fixed 2015 date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.iam.models import AccountSummary, IAMBackend, iam_backends
from moto.iam.responses import IamResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._state import attached

ROOT_USER = "<root_account>"
_DATE = "%Y-%m-%dT%H:%M:%S+00:00"


@dataclass
class RootUser:
    """What AWS knows about an account's root user and moto does not."""

    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    mfa_active: bool = False
    access_key_rotated: datetime | None = None  # None: the root user has no active access key
    password_last_used: datetime | None = None
    report_generated: datetime | None = None


def root_user(account_id: str) -> RootUser:
    return attached(iam_backends[account_id]["global"], RootUser)


def set_root_mfa(account_id: str, *, enabled: bool) -> None:
    root_user(account_id).mfa_active = enabled


def set_root_access_key(account_id: str, *, active: bool) -> None:
    root_user(account_id).access_key_rotated = datetime.now(UTC) if active else None


def set_root_password_last_used(account_id: str, when: datetime | None) -> None:
    root_user(account_id).password_last_used = when


def backdate_access_keys(account_id: str, user_name: str, days: int) -> None:
    """Make a user's access keys (and the user) look `days` old; no AWS API can set a key's age."""
    backend = iam_backends[account_id]["global"]
    user = backend.users[user_name]
    then = utcnow() - timedelta(days=days)
    user.create_date = then
    for key in user.access_keys:
        key.create_date = then


def root_report_row(backend: IAMBackend) -> str:
    root = attached(backend, RootUser)
    key_active = root.access_key_rotated is not None
    fields = [
        ROOT_USER,
        f"arn:{backend.partition}:iam::{backend.account_id}:root",
        root.created.strftime(_DATE),
        "not_supported",  # password_enabled: AWS reports not_supported for the root user
        root.password_last_used.strftime(_DATE) if root.password_last_used else "no_information",
        "not_supported",
        "not_supported",
        _bool(root.mfa_active),
        _bool(key_active),
        root.access_key_rotated.strftime(_DATE) if root.access_key_rotated else "N/A",
        "N/A",
        "N/A",
        "N/A",
        "false",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        "false",
        "N/A",
        "false",
        "N/A",
    ]
    return ",".join(fields) + "\n"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def apply() -> None:
    install(IAMBackend, "get_credential_report", _with_root_row(IAMBackend.get_credential_report))
    install(IAMBackend, "generate_report", _recording_time(IAMBackend.generate_report))
    install(IamResponse, "get_credential_report", _get_credential_report)
    original_summary = AccountSummary.__dict__["summary_map"].fget
    install(AccountSummary, "summary_map", property(_summary_map(original_summary)))


def _with_root_row(original: Callable[[IAMBackend], str]) -> Callable[[IAMBackend], str]:
    def get_credential_report(self: IAMBackend) -> str:
        header, _, users = original(self).partition("\n")
        return f"{header}\n{root_report_row(self)}{users}"

    return get_credential_report


def _recording_time(original: Callable[[IAMBackend], None]) -> Callable[[IAMBackend], None]:
    def generate_report(self: IAMBackend) -> None:
        root = attached(self, RootUser)
        if root.report_generated is None:
            root.report_generated = datetime.now(UTC)
        original(self)

    return generate_report


def _get_credential_report(self: IamResponse) -> ActionResult:
    report = self.backend.get_credential_report()
    generated = attached(self.backend, RootUser).report_generated
    return ActionResult({"Content": report, "ReportFormat": "text/csv", "GeneratedTime": generated})


def _summary_map(original: Any) -> Callable[[AccountSummary], dict[str, Any]]:
    def summary_map(self: AccountSummary) -> dict[str, Any]:
        root = attached(self._iam_backend, RootUser)
        return {
            **original(self),
            "AccountMFAEnabled": int(root.mfa_active),
            "AccountAccessKeysPresent": int(root.access_key_rotated is not None),
        }

    return summary_map
