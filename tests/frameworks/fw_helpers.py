"""Small framework files for tests: a test-only check with parameters, and controls that lint clean."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evidence.models import Evidence, Finding, Severity
from evidence.registry import CheckSpec

SAMPLE = "sample.password_length"


def _sample(policy: tuple[Evidence, ...], *, min_length: int = 14, enforce: bool = True) -> Iterable[Finding]:
    """Password policy is long enough (a test-only check)."""
    return ()


SAMPLE_SPEC = CheckSpec(
    id=SAMPLE,
    needs=("iam.password_policy",),
    severity=Severity.LOW,
    title="Password policy is long enough (a test-only check)",
    description="",
    func=_sample,
    params={"min_length": 14, "enforce": True},
)


def control(cid: str = "C1", **fields: Any) -> dict[str, Any]:
    """A control that lints clean: automated, decided by the sample check."""
    base: dict[str, Any] = {
        "id": cid,
        "title": f"Control {cid}",
        "section": "S1",
        "evidence": "automated",
        "checks": [{"id": SAMPLE, "params": {"min_length": 12}}],
    }
    return {**base, **fields}


def framework(*controls: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "sample",
        "name": "Sample framework",
        "version": "1",
        "source": "tests",
        "sections": [{"id": "S1", "title": "Section one"}],
        "controls": list(controls) or [control()],
    }
    return {**base, **fields}
