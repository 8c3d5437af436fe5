"""The derived IAM policy covers every operation the demo collection actually sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.aws import iam_action
from evidence.iam_policy import actions


def test_every_call_sent_is_in_the_policy(demo_run: tuple[Path, Any]) -> None:
    _, factory = demo_run
    sent = set(factory.recorder.sent)
    assert len(sent) > 20
    allowed = set(actions())
    missing = sorted(
        name for name in sent
        if name != "sts:GetCallerIdentity"  # needs no permission
        and iam_action(*name.split(":", 1)) not in allowed
    )
    assert not missing, f"calls sent but not in `evidence iam-policy`: {missing}"


def test_policy_is_read_only() -> None:
    verbs = ("Get", "List", "Describe", "BatchGet", "Lookup", "Search", "GenerateCredentialReport", "AssumeRole")
    assert all(a.split(":", 1)[1].startswith(verbs) for a in actions())
