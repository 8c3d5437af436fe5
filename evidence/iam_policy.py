"""The minimal read-only IAM policy, derived from what the registered collectors declare."""

from __future__ import annotations

import json

from evidence import registry

# Calls the tool makes outside collectors: listing enabled regions for `--regions all`, and, with
# `--organization`, listing the organization's accounts and assuming the role in each member.
BASE_ACTIONS = (
    "ec2:DescribeRegions",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "sts:AssumeRole",
)


def actions() -> list[str]:
    found = set(BASE_ACTIONS)
    for spec in registry.collectors().values():
        found.update(spec.actions)
    return sorted(found)


def policy_document() -> str:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "EvidenceReadOnly", "Effect": "Allow", "Action": actions(), "Resource": "*"}],
    }
    return json.dumps(doc, indent=2)
