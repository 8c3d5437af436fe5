"""Helpers for pure check tests."""

from __future__ import annotations

import os
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


def cli_env(emulator: Any) -> dict[str, str]:
    """The environment of a CLI subprocess pointed at the emulator: this one's, without its AWS settings."""
    from evidence.demo.emulator import emulator_credentials

    creds = emulator_credentials()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=emulator.endpoint_url, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"], AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    return env
