"""ElastiCache: an encrypted session cache; a legacy cache with no encryption at all."""

from __future__ import annotations

from evidence.demo.scenario import HOME, OTHER, Clients, expect, seeder


@seeder
def seed_elasticache(aws: Clients) -> None:
    good = aws("elasticache", HOME).create_replication_group(
        ReplicationGroupId="checkout-sessions", ReplicationGroupDescription="Checkout session cache",
        Engine="redis", CacheNodeType="cache.t4g.small", NumCacheClusters=1,
        AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True,
    )["ReplicationGroup"]["ARN"]
    bad = aws("elasticache", OTHER).create_replication_group(
        ReplicationGroupId="legacy-cache", ReplicationGroupDescription="Legacy page cache",
        Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=1,
    )["ReplicationGroup"]["ARN"]
    expect("elasticache.encryption", good, "pass")
    expect("elasticache.encryption", bad, "fail")
