"""OpenSearch checks: each has a domain that fails and one that passes."""

from __future__ import annotations

import json

from helpers import run, snapshot, verdicts

OPEN = json.dumps({"Statement": [{"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
                                  "Resource": "*"}]})
OFFICE_ONLY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "es:ESHttpGet",
                                         "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]})
WORLD_IP = json.dumps({"Statement": [{"Sid": "World", "Effect": "Allow", "Principal": "*", "Action": "es:*",
                                      "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}]})

GOOD = {"ARN": "domain/good", "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": "k"},
        "NodeToNodeEncryptionOptions": {"Enabled": True},
        "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        "VPCOptions": {"VPCId": "vpc-1", "SubnetIds": ["subnet-1"]}, "AccessPolicies": OPEN}
BAD = {"ARN": "domain/bad", "EncryptionAtRestOptions": {"Enabled": False},
       "NodeToNodeEncryptionOptions": {"Enabled": False}, "DomainEndpointOptions": {"EnforceHTTPS": False},
       "AccessPolicies": OPEN}


def domains(*items: dict[str, object]) -> object:
    return snapshot("opensearch.domains", list(items), region="eu-west-1")


def test_encryption() -> None:
    for check in ("opensearch.encryption_at_rest", "opensearch.encryption_in_transit"):
        assert verdicts(run(check, [domains(GOOD, BAD)])) == {"domain/good": "pass", "domain/bad": "fail"}
    https_only = {**BAD, "ARN": "domain/half", "DomainEndpointOptions": {"EnforceHTTPS": True}}
    result = run("opensearch.encryption_in_transit", [domains(https_only)])
    assert result.status == "fail"
    assert result.findings[0].reason == "Traffic is not fully encrypted: node-to-node encryption is off."


def test_not_public() -> None:
    result = run("opensearch.not_public", [domains(
        GOOD, BAD, {**BAD, "ARN": "domain/office", "AccessPolicies": OFFICE_ONLY},
        {**BAD, "ARN": "domain/world", "AccessPolicies": WORLD_IP}, {**BAD, "ARN": "domain/nopolicy", "AccessPolicies": ""},
    )])
    assert verdicts(result) == {"domain/good": "pass", "domain/bad": "fail", "domain/office": "pass",
                                "domain/world": "fail", "domain/nopolicy": "pass"}
    assert "vpc-1" in result.findings[0].reason
