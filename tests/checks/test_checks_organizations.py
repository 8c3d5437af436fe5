"""organizations.region_restriction_scp: member accounts inside and outside a region-restricting SCP."""

from __future__ import annotations

import json
from typing import Any

from helpers import run, snapshot, verdicts

MANAGEMENT = "111122223333"
EU_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyOutsideEU", "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "support:*"],
    "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}]}
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def scp(name: str, content: Any, *targets: str, **errors: str) -> dict[str, Any]:
    return {"Id": f"p-{name}", "Name": name, "Content": json.dumps(content), "errors": errors,
            "Targets": [{"TargetId": t} for t in targets]}


def organization(*policies: dict[str, Any], management: bool = True) -> Any:
    return snapshot("organizations.organization", {
        "organization": {"Id": "o-example", "MasterAccountId": MANAGEMENT},
        "is_management_account": management,
        "roots": [{"Id": "r-root"}],
        "organizational_units": [{"Id": "ou-workloads", "ParentId": "r-root"},
                                 {"Id": "ou-prod", "ParentId": "ou-workloads"}],
        "accounts": [{"Id": MANAGEMENT, "Name": "management", "ParentId": "r-root"},
                     {"Id": "222233334444", "Name": "prod", "ParentId": "ou-prod"},
                     {"Id": "555566667777", "Name": "sandbox", "ParentId": "r-root"}],
        "service_control_policies": list(policies),
    }, account=MANAGEMENT)


PROD, SANDBOX = "arn:aws:iam::222233334444:root", "arn:aws:iam::555566667777:root"


def test_scp_on_a_parent_unit_restricts_the_accounts_below() -> None:
    result = run("organizations.region_restriction_scp", [organization(
        scp("FullAWSAccess", FULL_ACCESS, "r-root", MANAGEMENT), scp("EUOnly", EU_ONLY, "ou-workloads"))])
    assert verdicts(result) == {PROD: "pass", SANDBOX: "fail"}


def test_approved_regions_parameter() -> None:
    snapshots = [organization(scp("EUOnly", EU_ONLY, "r-root"))]
    assert run("organizations.region_restriction_scp", snapshots,
               approved_regions=("eu-west-1", "eu-central-1", "eu-north-1")).status == "pass"
    narrow = run("organizations.region_restriction_scp", snapshots, approved_regions=("eu-west-1",))
    assert narrow.status == "fail" and "leaves open eu-central-1" in narrow.findings[0].reason


def test_partial_denies_do_not_count() -> None:
    base = {k: v for k, v in EU_ONLY["Statement"][0].items() if k != "NotAction"}
    only_ec2 = {"Statement": [{**base, "Action": "ec2:*"}]}
    allow_cond = {"Statement": [{**EU_ONLY["Statement"][0], "Effect": "Allow"}]}
    positive = {"Statement": [{**EU_ONLY["Statement"][0],
                               "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}}}]}
    for content in (only_ec2, allow_cond, positive):
        assert run("organizations.region_restriction_scp", [organization(scp("X", content, "r-root"))]).status == "fail"


def test_unreadable_policy_is_not_evaluated() -> None:
    broken = {**scp("Broken", {}, "r-root", DescribePolicy="AccessDeniedException"), "Content": None}
    assert run("organizations.region_restriction_scp", [organization(broken)]).status == "not_evaluated"


def test_not_applicable_outside_the_management_account_or_an_organization() -> None:
    member = run("organizations.region_restriction_scp", [organization(management=False)])
    alone = run("organizations.region_restriction_scp", [snapshot(
        "organizations.organization", {"organization": None, "is_management_account": False})])
    assert member.status == alone.status == "not_applicable"
    assert member.findings == alone.findings == ()
