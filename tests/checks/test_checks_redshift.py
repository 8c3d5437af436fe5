"""Redshift checks: each has a cluster that fails and one that passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts

ARN = "arn:aws:redshift:eu-west-1:111122223333:cluster:"
GOOD = {"ClusterIdentifier": "warehouse", "Encrypted": True, "KmsKeyId": "k", "PubliclyAccessible": False,
        "RequireSsl": {"tls-only": "true"}, "errors": {}}
BAD = {"ClusterIdentifier": "sandbox", "Encrypted": False, "PubliclyAccessible": True,
       "RequireSsl": {"default.redshift-1.0": "false"}, "errors": {}}
HIDDEN = {"ClusterIdentifier": "hidden", "Encrypted": True, "PubliclyAccessible": False, "RequireSsl": {},
          "errors": {"parameters": "AccessDenied"}}


def clusters(*items: dict[str, object]) -> object:
    return snapshot("redshift.clusters", list(items), region="eu-west-1")


def test_encrypted_and_not_public() -> None:
    for check in ("redshift.encrypted", "redshift.not_public"):
        assert verdicts(run(check, [clusters(GOOD, BAD)])) == {ARN + "warehouse": "pass", ARN + "sandbox": "fail"}


def test_require_tls() -> None:
    result = run("redshift.require_tls", [clusters(GOOD, BAD, HIDDEN)])
    assert verdicts(result) == {ARN + "warehouse": "pass", ARN + "sandbox": "fail", ARN + "hidden": "not_evaluated"}
    assert "default.redshift-1.0: require_ssl = false" in result.findings[1].reason
