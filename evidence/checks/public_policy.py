"""Resource policies (key policies, domain access policies) that let anyone in.

A statement opens a resource to everyone when it allows Principal "*" (or uses NotPrincipal) and
carries no condition that pins the caller down: an account, an organisation, a source ARN, a VPC,
or (where the caller says so) a source IP range.
"""

from __future__ import annotations

from typing import Any

from evidence.checks.policy import as_list, principal_is_public, statements

# Condition keys that tie a request to known callers or networks (compared lower-case).
IDENTITY_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:userid",
        "kms:calleraccount",
    }
)
NETWORK_KEYS = frozenset({"aws:sourceip"})
_OPEN_VALUES = frozenset({"*", "0.0.0.0/0", "::/0"})


def _restricts(condition: Any, keys: frozenset[str]) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, clauses in condition.items():
        if not isinstance(clauses, dict) or str(operator).endswith("IfExists"):
            continue
        for key, values in clauses.items():
            found = [str(v) for v in as_list(values)]
            if key.lower() in keys and found and not any(v in _OPEN_VALUES for v in found):
                return True
    return False


def open_statements(policy: Any, restricting_keys: frozenset[str] = IDENTITY_KEYS) -> list[dict[str, Any]]:
    """Allow statements of `policy` that any principal can use, with no restricting condition."""
    found = []
    for stmt in statements(policy):
        if stmt.get("Effect") != "Allow":
            continue
        public = "NotPrincipal" in stmt or principal_is_public(stmt.get("Principal"))
        if public and not _restricts(stmt.get("Condition"), restricting_keys):
            found.append(stmt)
    return found


def describe(stmts: list[dict[str, Any]]) -> str:
    """A short auditor-readable list of the open statements (their Sid, else their actions)."""
    labels = [str(s.get("Sid") or ", ".join(str(a) for a in as_list(s.get("Action"))) or "unnamed") for s in stmts]
    return "; ".join(labels)
