"""IAM Access Analyzer: the region's analyzers and the active findings of its external-access analyzers."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

EXTERNAL_ACCESS = frozenset({"ACCOUNT", "ORGANIZATION"})  # the others find unused access
ACTIVE = {"status": {"eq": ["ACTIVE"]}}


def _analyzer(ctx: CollectContext, analyzer: dict[str, Any]) -> dict[str, Any]:
    analyzer = {**analyzer, "errors": {}}
    if analyzer.get("type") in EXTERNAL_ACCESS and analyzer.get("status") == "ACTIVE":
        try:
            analyzer["findings"] = paginate(
                ctx.client("accessanalyzer"), "list_findings", "findings", analyzerArn=analyzer["arn"], filter=ACTIVE
            )
        except ClientError as exc:
            analyzer["errors"]["ListFindings"] = error_code(exc)
    return analyzer


@collector(
    "accessanalyzer.analyzers",
    service="accessanalyzer",
    actions=("access-analyzer:ListAnalyzers", "access-analyzer:ListFindings"),
)
def analyzers(ctx: CollectContext) -> Any:
    """Every analyzer of the region; for active external-access analyzers, their active findings (resources
    reachable publicly or from other accounts)."""
    found = paginate(ctx.client("accessanalyzer"), "list_analyzers", "analyzers")
    return ctx.map(lambda a: _analyzer(ctx, a), found)
