"""Amazon ECR checks: images are scanned for vulnerabilities when pushed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from evidence.checks import judged, passed, unknown
from evidence.checks.network import by_place
from evidence.models import Evidence, Finding
from evidence.registry import check

SCANNING_FREQUENCIES = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")


def _matches(pattern: str, name: str) -> bool:
    """ECR wildcard filters: '*' matches any run of characters, everything else is literal."""
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), name) is not None


def _registry_rule(config: dict[str, Any], repository: str) -> str | None:
    """The registry scanning rule that covers a repository, described, or None."""
    for rule in config.get("rules", []):
        if rule.get("scanFrequency") not in SCANNING_FREQUENCIES:
            continue
        for f in rule.get("repositoryFilters", []):
            if f.get("filterType", "WILDCARD") == "WILDCARD" and _matches(f.get("filter", ""), repository):
                scan_type = str(config.get("scanType", "BASIC")).lower()
                return f"{scan_type} scanning ({rule['scanFrequency']}, filter {f['filter']})"
    return None


@check("ecr.image_scan_on_push", needs=("ecr.repositories", "ecr.registry_scanning"), severity="medium")
def image_scan_on_push(repositories: tuple[Evidence, ...], registries: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every private repository scans images on push, itself or through a registry scanning rule."""
    configs = by_place(registries)
    for ev in repositories:
        registry = configs.get((ev.account_id, ev.region))
        for repo in ev.data or []:
            arn, name = repo["repositoryArn"], repo["repositoryName"]
            if repo.get("imageScanningConfiguration", {}).get("scanOnPush"):
                yield passed(ev, arn, "The repository scans images on push.")
                continue
            if registry is None:
                yield unknown(ev, arn, "The repository does not scan on push and the registry's scanning "
                                       "configuration could not be read.")
                continue
            rule = _registry_rule(registry.data or {}, name)
            yield judged(ev, arn, rule is not None, f"Images are scanned by the registry's {rule}.",
                         f"Repository {name} does not scan images on push and no registry scanning rule covers it.")
