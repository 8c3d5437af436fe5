"""CloudFront: every distribution with its cache behaviours, origins and viewer certificate."""

from __future__ import annotations

from typing import Any

from evidence.collect import CollectContext
from evidence.registry import Scope, collector


@collector("cloudfront.distributions", service="cloudfront", actions=("cloudfront:ListDistributions",),
           scope=Scope.GLOBAL)
def distributions(ctx: CollectContext) -> Any:
    """Distribution summaries: viewer and origin protocol policies and the minimum TLS version."""
    found: list[Any] = []
    for page in ctx.client("cloudfront").get_paginator("list_distributions").paginate():
        found.extend(page.get("DistributionList", {}).get("Items", []))
    return found
