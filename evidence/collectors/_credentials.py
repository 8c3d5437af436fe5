"""Spotting plaintext credentials in configuration, so that only the verdict reaches the pack.

Collectors that read environment variables or repository URLs call these functions while the
response is in memory and keep the variable's name, its type and a verdict with a fixed reason;
the value itself is dropped. Nothing here returns any part of a value.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Value shapes that are credentials whatever the variable is called (reason, pattern).
VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("the value looks like an AWS access key ID", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("the value contains a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    ("the value looks like a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})")),
    ("the value looks like a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("the value looks like a Stripe live key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    ("the value looks like a Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("the value looks like a signed token (JWT)", re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")),
    ("the value is a URL with an embedded password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
)
WITHHELD = "(withheld: the location contains a credential)"
NAME_REASON = "the name says it holds a credential and the value is not a reference"
_NAME_WORDS = frozenset({
    "PASSWORD", "PASSWD", "PWD", "PASS", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "APIKEY", "CREDENTIAL",
    "CREDENTIALS", "PRIVATEKEY", "ACCESSKEY", "SECRETKEY",
})
_NAME_PAIRS = frozenset({
    ("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("AUTH", "KEY"), ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"), ("MASTER", "KEY"), ("CLIENT", "SECRET"), ("AUTH", "TOKEN"),
})
# A name ending like this names where a credential is, or something about it, not the credential.
_REFERENCE_SUFFIXES = frozenset({
    "ARN", "NAME", "PATH", "PARAM", "PARAMETER", "ID", "URL", "URI", "FILE", "ENDPOINT", "REGION", "TYPE",
    "LENGTH", "HEADER", "ENABLED", "TTL", "EXPIRY", "VERSION", "ROTATION",
})
_REFERENCE_PREFIXES = ("arn:", "{{resolve:", "${", "$(", "ssm:", "secretsmanager:", "/", "s3://")
_PLACEHOLDERS = frozenset({"", "true", "false", "none", "null", "nil", "0", "1", "yes", "no"})


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if w]


def _credential_name(name: str) -> bool:
    words = _words(name)
    if not words or words[-1] in _REFERENCE_SUFFIXES:
        return False
    return any(w in _NAME_WORDS for w in words) or any(p in _NAME_PAIRS for p in pairwise(words))


def credential_reason(name: str, value: str) -> str | None:
    """Why a name/value pair looks like a plaintext credential, or None. Never echoes the value."""
    for reason, pattern in VALUE_PATTERNS:
        if pattern.search(value):
            return reason
    text = value.strip()
    if text.lower() in _PLACEHOLDERS or text.startswith(_REFERENCE_PREFIXES):
        return None
    return NAME_REASON if _credential_name(name) else None


def variable_verdict(name: str, value: Any, kind: str = "PLAINTEXT") -> dict[str, Any]:
    """The stored form of an environment variable: its name, type and verdict (no value).

    Variables of another type than PLAINTEXT (Parameter Store, Secrets Manager) hold a reference,
    not the secret, and are never credentials in configuration.
    """
    reason = credential_reason(name, str(value or "")) if kind == "PLAINTEXT" else None
    return {"name": name, "type": kind, "credential": reason is not None, "reason": reason}


def redacted_location(location: str) -> tuple[str, bool]:
    """A repository location fit to store, and whether the original carried a credential.

    User information is always removed from URLs; a location that still holds a credential-shaped
    string is withheld entirely.
    """
    parts = urlsplit(location)
    shown, credential = location, False
    if parts.scheme and "@" in parts.netloc:
        user = parts.username or ""
        credential = parts.password is not None or len(user) >= 20 or credential_reason("user", user) is not None
        shown = urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))
    if any(pattern.search(shown) for _, pattern in VALUE_PATTERNS):
        return WITHHELD, True
    return shown, credential
