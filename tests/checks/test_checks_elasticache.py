"""ElastiCache checks: a replication group that fails and one that passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts


def groups(*items: dict[str, object]) -> object:
    return snapshot("elasticache.replication_groups", list(items), region="eu-west-1")


def test_encryption() -> None:
    result = run("elasticache.encryption", [groups(
        {"ARN": "rg:good", "AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": True,
         "TransitEncryptionMode": "required"},
        {"ARN": "rg:bad", "AtRestEncryptionEnabled": False, "TransitEncryptionEnabled": False},
        {"ARN": "rg:migrating", "AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": True,
         "TransitEncryptionMode": "preferred"},
    )])
    assert verdicts(result) == {"rg:good": "pass", "rg:bad": "fail", "rg:migrating": "fail"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert "encryption at rest is off; encryption in transit is off" in reasons["rg:bad"]
    assert "preferred" in reasons["rg:migrating"]
