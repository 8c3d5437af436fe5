"""Inspector checks: a region scanning all three resource types passes; partial or none fails."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

ACCOUNT = "111122223333"


def status(region: str, accounts: list[dict[str, Any]], failed: list[dict[str, Any]] | None = None) -> Any:
    return snapshot("inspector2.account_status", {"accounts": accounts, "failedAccounts": failed or []},
                    region=region, account=ACCOUNT)


def state(**types: str) -> dict[str, Any]:
    return {"accountId": ACCOUNT, "state": {"status": "ENABLED"},
            "resourceState": {t: {"status": s} for t, s in types.items()}}


def arn(region: str) -> str:
    return f"arn:aws:inspector2:{region}:{ACCOUNT}:account"


def test_vulnerability_scanning_enabled() -> None:
    result = run("inspector.vulnerability_scanning_enabled", [
        status("us-east-1", [state(ec2="ENABLED", ecr="ENABLED", **{"lambda": "ENABLED"})]),
        status("us-east-2", [state(ec2="ENABLED", ecr="ENABLED", **{"lambda": "DISABLED"})]),
        status("eu-west-1", []),
        status("eu-west-2", [], [{"accountId": ACCOUNT, "errorCode": "ACCESS_DENIED", "errorMessage": "no"}]),
    ])
    assert verdicts(result) == {arn("us-east-1"): "pass", arn("us-east-2"): "fail", arn("eu-west-1"): "fail",
                                arn("eu-west-2"): "not_evaluated"}
    # A framework that asks only for EC2 and ECR scanning accepts us-east-2.
    narrowed = run("inspector.vulnerability_scanning_enabled",
                   [status("us-east-2", [state(ec2="ENABLED", ecr="ENABLED")])], resource_types=["ec2", "ecr"])
    assert narrowed.status == "pass"
