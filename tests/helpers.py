"""Helpers for pure check tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from evidence import registry
from evidence.evaluate import EvidenceIndex, run_check
from evidence.models import CheckResult, Evidence

COLLECTED_AT = datetime(2026, 6, 30, tzinfo=UTC)


def snapshot(key: str, data: Any, *, account: str = "111122223333", region: str = "global") -> Evidence:
    """A snapshot as a collector would write it, for pure check tests."""
    return Evidence(
        key=key, account_id=account, region=region, collected_at=COLLECTED_AT,
        tool_version="test", api_calls=(), data=data,
    )


def run(check_id: str, snapshots: Iterable[Evidence], **params: Any) -> CheckResult:
    """Run one registered check over snapshots, exactly as evaluation does."""
    spec = registry.get_check(check_id)
    return run_check(spec, params, EvidenceIndex(snapshots), check_id)


def verdicts(result: CheckResult) -> dict[str, str]:
    """resource -> status of every finding."""
    return {f.resource: f.status.value for f in result.findings}
