"""Account settings: the security alternate contact."""

from __future__ import annotations

from evidence.collect import declare
from evidence.registry import Scope

declare(
    "account.security_contact",
    service="account",
    operation="GetAlternateContact",
    result_key="AlternateContact",
    scope=Scope.GLOBAL,
    absent=("ResourceNotFoundException",),
    params={"AlternateContactType": "SECURITY"},
)
