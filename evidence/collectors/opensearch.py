"""OpenSearch Service: every domain (OpenSearch and legacy Elasticsearch) with its full configuration."""

from __future__ import annotations

from typing import Any

from evidence.collect import CollectContext
from evidence.registry import collector

BATCH = 5  # DescribeDomains takes at most five names


@collector("opensearch.domains", service="opensearch", actions=("es:ListDomainNames", "es:DescribeDomains"))
def domains(ctx: CollectContext) -> Any:
    """Every domain of the region: encryption, endpoint, network placement and access policy."""
    client = ctx.client("opensearch")
    names = sorted(d["DomainName"] for d in client.list_domain_names().get("DomainNames", []))
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    described = ctx.map(lambda batch: client.describe_domains(DomainNames=batch)["DomainStatusList"], batches)
    return [domain for batch in described for domain in batch]
