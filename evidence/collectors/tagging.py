"""Resource Groups Tagging API: the tags of data stores, per region.

GetResources lists only resources that carry (or once carried) tags: a data store that was never
tagged is absent, so checks pair this snapshot with an inventory (such as s3.buckets).
"""

from __future__ import annotations

from evidence.collect import declare

# Resource types that hold data, in the Tagging API's "service[:resourceType]" form.
DATA_STORE_TYPES = (
    "s3",
    "rds:db",
    "rds:cluster",
    "dynamodb:table",
    "elasticfilesystem:file-system",
    "redshift:cluster",
    "es:domain",
)

declare(
    "tagging.data_stores",
    service="resourcegroupstaggingapi",
    operation="GetResources",
    result_key="ResourceTagMappingList",
    params={"ResourceTypeFilters": list(DATA_STORE_TYPES)},
)
