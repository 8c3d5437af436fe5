"""Service control policies: production sits in a Workloads unit whose SCP denies all but two regions."""

from __future__ import annotations

import json

from evidence.demo.scenario import HOME, MEMBERS, OTHER, Clients, account_arn, expect, organization_seeder

# Global services answer from us-east-1 whatever the caller's region, so they stay allowed.
GLOBAL_SERVICES = ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*", "budgets:*"]


@organization_seeder
def seed_region_scp(aws: Clients) -> None:
    org = aws("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    unit = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=MEMBERS["production"], SourceParentId=root, DestinationParentId=unit)
    content = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyUnapprovedRegions", "Effect": "Deny", "NotAction": GLOBAL_SERVICES, "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": [HOME, OTHER]}},
    }]}
    policy = org.create_policy(Name="DenyUnapprovedRegions", Type="SERVICE_CONTROL_POLICY",
                               Description="Only the approved regions", Content=json.dumps(content))
    org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=unit)
    expect("organizations.region_restriction_scp", account_arn(MEMBERS["production"]), "pass")
    expect("organizations.region_restriction_scp", account_arn(MEMBERS["sandbox"]), "fail")
