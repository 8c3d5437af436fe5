"""macie.enabled: regions with Macie off, paused, without and with automated discovery."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts


def status(region: str, session: str | None, discovery: str | None = None, **errors: str) -> Any:
    return snapshot("macie.status", {
        "session": None if session is None else {"status": session},
        "automated_discovery": None if discovery is None else {"status": discovery},
        "errors": errors,
    }, region=region)


def arn(region: str) -> str:
    return f"arn:aws:macie2:{region}:111122223333:session"


def test_macie_enabled() -> None:
    result = run("macie.enabled", [
        status("us-east-1", "ENABLED", "ENABLED"), status("us-east-2", "ENABLED", "DISABLED"),
        status("us-west-2", "PAUSED"), status("eu-west-1", None),
        status("eu-west-2", "ENABLED", GetAutomatedDiscoveryConfiguration="AccessDeniedException"),
    ])
    assert verdicts(result) == {arn("us-east-1"): "pass", arn("us-east-2"): "fail", arn("us-west-2"): "fail",
                                arn("eu-west-1"): "fail", arn("eu-west-2"): "not_evaluated"}


def test_automated_discovery_can_be_left_out() -> None:
    result = run("macie.enabled", [status("us-east-2", "ENABLED", "DISABLED")], require_automated_discovery=False)
    assert result.status == "pass"
