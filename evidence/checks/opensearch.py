"""OpenSearch Service checks: encryption at rest and in transit, no domain open to the internet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import judged, passed
from evidence.checks.public_policy import IDENTITY_KEYS, NETWORK_KEYS, describe, open_statements
from evidence.models import Evidence, Finding
from evidence.registry import check


def _domains(domains: tuple[Evidence, ...]) -> Iterator[tuple[Evidence, dict[str, Any]]]:
    for ev in domains:
        for domain in ev.data or []:
            yield ev, domain


@check("opensearch.encryption_at_rest", needs="opensearch.domains", severity="high")
def encryption_at_rest(domains: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every OpenSearch domain encrypts its data at rest."""
    for ev, domain in _domains(domains):
        options = domain.get("EncryptionAtRestOptions") or {}
        key = options.get("KmsKeyId")
        yield judged(ev, domain["ARN"], bool(options.get("Enabled")),
                     "Encryption at rest is on" + (f" with KMS key {key}." if key else "."),
                     "Encryption at rest is off.")


@check("opensearch.encryption_in_transit", needs="opensearch.domains", severity="high")
def encryption_in_transit(domains: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every OpenSearch domain encrypts traffic between nodes and accepts HTTPS only."""
    for ev, domain in _domains(domains):
        node_to_node = bool((domain.get("NodeToNodeEncryptionOptions") or {}).get("Enabled"))
        endpoint = domain.get("DomainEndpointOptions") or {}
        https = bool(endpoint.get("EnforceHTTPS"))
        missing = (["node-to-node encryption is off"] if not node_to_node else []) + (
            ["the endpoint accepts plain HTTP"] if not https else [])
        policy = endpoint.get("TLSSecurityPolicy")
        yield judged(ev, domain["ARN"], not missing,
                     "Node-to-node encryption is on and the endpoint requires HTTPS"
                     + (f" ({policy})." if policy else "."),
                     "Traffic is not fully encrypted: " + " and ".join(missing) + ".")


@check("opensearch.not_public", needs="opensearch.domains", severity="critical")
def not_public(domains: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No OpenSearch domain is reachable by anyone: it sits in a VPC or its access policy is restricted."""
    for ev, domain in _domains(domains):
        vpc = domain.get("VPCOptions") or {}
        if vpc.get("VPCId") or vpc.get("SubnetIds"):
            where = f" ({vpc['VPCId']})" if vpc.get("VPCId") else ""
            yield passed(ev, domain["ARN"], f"The domain has no public endpoint; it is reachable in its VPC{where}.")
            continue
        opened = open_statements(domain.get("AccessPolicies"), IDENTITY_KEYS | NETWORK_KEYS)
        yield judged(ev, domain["ARN"], not opened,
                     "The domain has a public endpoint, but its access policy admits only named principals "
                     "or restricted source addresses.",
                     f"The domain has a public endpoint and its access policy lets anyone in: {describe(opened)}.")
