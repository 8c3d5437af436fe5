"""Tagging checks: data stores carry the classification tags that data-handling rules depend on."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import failed, judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("tagging.data_classification_tags", needs=("tagging.data_stores", "s3.buckets"), severity="low")
def data_classification_tags(
    tagged: tuple[Evidence, ...], buckets: tuple[Evidence, ...], *,
    required_keys: tuple[str, ...] = ("DataClassification",),
) -> Iterator[Finding]:
    """Every data store carries the required classification tags, each with a value.

    Data stores are those the Tagging API reports for S3, RDS, DynamoDB, EFS, Redshift and
    OpenSearch, plus every S3 bucket of the inventory (the Tagging API omits resources that were
    never tagged, so an S3 bucket missing from it has no tags). Tag keys compare case-insensitively.
    """
    wanted = {k.lower(): k for k in required_keys}
    collected = {(ev.account_id, ev.region) for ev in tagged}
    tags: dict[tuple[str, str], dict[str, str]] = {}
    # (account, ARN) -> (snapshot that names the store, region of the store)
    stores: dict[tuple[str, str], tuple[Evidence, str]] = {}
    for ev in tagged:
        for res in ev.data or []:
            key = (ev.account_id, res["ResourceARN"])
            tags[key] = {str(t.get("Key", "")).lower(): str(t.get("Value", "")) for t in res.get("Tags", [])}
            stores[key] = (ev, ev.region)
    for ev in buckets:
        for bucket in ev.data or []:
            key = (ev.account_id, f"arn:aws:s3:::{bucket['Name']}")
            stores.setdefault(key, (ev, bucket.get("Region") or ev.region))
    for (account, arn), (ev, region) in sorted(stores.items(), key=lambda item: item[0]):
        found = tags.get((account, arn))
        if found is None and (account, region) not in collected:
            yield unknown(ev, arn, f"The tags of {region} were not collected.", region=region)
        elif found is None:
            yield failed(ev, arn, "The data store has no tags at all.", region=region)
        else:
            missing = [original for key, original in wanted.items() if not found.get(key)]
            present = ", ".join(f"{original}={found[key]}" for key, original in wanted.items() if found.get(key))
            yield judged(ev, arn, not missing, f"Classification: {present}.",
                         "Missing classification tag(s): " + ", ".join(missing) + ".", region=region)
