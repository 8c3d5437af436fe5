"""ECR checks: repositories that do not scan on push fail, unless a registry rule covers them."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts


def repos(*items: tuple[str, bool]) -> Any:
    return snapshot("ecr.repositories", [
        {"repositoryName": n, "repositoryArn": f"arn:ecr/{n}", "imageScanningConfiguration": {"scanOnPush": scan}}
        for n, scan in items], region="us-east-1")


def registry(scan_type: str, *rules: tuple[str, str]) -> Any:
    return snapshot("ecr.registry_scanning", {"scanType": scan_type, "rules": [
        {"scanFrequency": freq, "repositoryFilters": [{"filter": pattern, "filterType": "WILDCARD"}]}
        for freq, pattern in rules]}, region="us-east-1")


def test_image_scan_on_push() -> None:
    snap = repos(("scanned", True), ("prod-api", False), ("dev-tool", False))
    result = run("ecr.image_scan_on_push", [snap, registry("ENHANCED", ("CONTINUOUS_SCAN", "prod-*"),
                                                                       ("MANUAL", "dev-*"))])
    assert verdicts(result) == {"arn:ecr/scanned": "pass", "arn:ecr/prod-api": "pass", "arn:ecr/dev-tool": "fail"}
    basic = run("ecr.image_scan_on_push", [snap, registry("BASIC")])
    assert verdicts(basic) == {"arn:ecr/scanned": "pass", "arn:ecr/prod-api": "fail", "arn:ecr/dev-tool": "fail"}
    # Without the registry's configuration an unscanned repository cannot be judged.
    unread = run("ecr.image_scan_on_push", [snap])
    assert verdicts(unread)["arn:ecr/prod-api"] == "not_evaluated"
