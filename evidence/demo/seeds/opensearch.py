"""OpenSearch: an encrypted search domain inside a VPC; an unencrypted log domain open to the internet."""

from __future__ import annotations

import json

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder


@seeder
def seed_opensearch(aws: Clients) -> None:
    subnet = aws("ec2", HOME).describe_subnets()["Subnets"][0]["SubnetId"]
    good = aws("opensearch", HOME).create_domain(
        DomainName="product-search", EngineVersion="OpenSearch_2.13",
        EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        VPCOptions={"SubnetIds": [subnet]},
    )["DomainStatus"]["ARN"]
    open_policy = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "AnyoneCanSearch", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
                       "Resource": f"arn:aws:es:{OTHER}:{ACCOUNT}:domain/app-logs/*"}],
    }
    bad = aws("opensearch", OTHER).create_domain(
        DomainName="app-logs", EngineVersion="Elasticsearch_7.10", AccessPolicies=json.dumps(open_policy),
    )["DomainStatus"]["ARN"]
    for check in ("opensearch.encryption_at_rest", "opensearch.encryption_in_transit", "opensearch.not_public"):
        expect(check, good, "pass")
        expect(check, bad, "fail")
