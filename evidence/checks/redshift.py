"""Redshift checks: encryption at rest, no public endpoint, TLS required by the parameter group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, judged, passed, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def cluster_arn(ev: Evidence, cluster: dict[str, Any]) -> str:
    return f"arn:aws:redshift:{ev.region}:{ev.account_id}:cluster:{cluster['ClusterIdentifier']}"


def _clusters(clusters: tuple[Evidence, ...]) -> Iterator[tuple[Evidence, dict[str, Any]]]:
    for ev in clusters:
        for cluster in ev.data or []:
            yield ev, cluster


@check("redshift.encrypted", needs="redshift.clusters", severity="high")
def encrypted(clusters: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every Redshift cluster is encrypted at rest."""
    for ev, cluster in _clusters(clusters):
        key = cluster.get("KmsKeyId")
        yield judged(ev, cluster_arn(ev, cluster), bool(cluster.get("Encrypted")),
                     "The cluster is encrypted at rest" + (f" with KMS key {key}." if key else "."),
                     "The cluster is not encrypted at rest.")


@check("redshift.not_public", needs="redshift.clusters", severity="critical")
def not_public(clusters: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No Redshift cluster is publicly accessible."""
    for ev, cluster in _clusters(clusters):
        yield judged(ev, cluster_arn(ev, cluster), not cluster.get("PubliclyAccessible"),
                     "The cluster is not publicly accessible.",
                     "The cluster is publicly accessible from the internet.")


@check("redshift.require_tls", needs="redshift.clusters", severity="high")
def require_tls(clusters: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every Redshift cluster's parameter group requires TLS (require_ssl = true)."""
    for ev, cluster in _clusters(clusters):
        arn = cluster_arn(ev, cluster)
        if "parameters" in cluster.get("errors", {}):
            yield unknown(ev, arn, f"Its parameter group could not be read ({cluster['errors']['parameters']}).")
            continue
        settings = cluster.get("RequireSsl", {})
        forcing = [g for g, v in settings.items() if str(v).lower() == "true"]
        if forcing:
            yield passed(ev, arn, f"Parameter group {forcing[0]} sets require_ssl = true.")
        else:
            shown = ", ".join(f"{g}: require_ssl = {v if v is not None else 'not set'}" for g, v in settings.items())
            yield failed(ev, arn, f"No parameter group requires TLS ({shown or 'no parameter group'}).")
