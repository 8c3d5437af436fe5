"""Make untrusted text (resource names, reasons, error messages from AWS) safe to display.

Control characters and Unicode direction overrides are shown as visible escapes instead of being
passed through: they cannot be stored in a workbook, and direction overrides could make a
resource name read differently from what it is.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with control characters and direction overrides replaced by `\\xNN` / `\\uNNNN`."""
    return _UNSAFE.sub(_escape, text)
