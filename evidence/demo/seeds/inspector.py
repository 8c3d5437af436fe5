"""Amazon Inspector: scanning EC2, ECR and Lambda in us-east-1, never turned on in eu-west-1."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder


@seeder
def seed_inspector(aws: Clients) -> None:
    aws("inspector2", HOME).enable(accountIds=[ACCOUNT], resourceTypes=["EC2", "ECR", "LAMBDA"])
    expect("inspector.vulnerability_scanning_enabled", f"arn:aws:inspector2:{HOME}:{ACCOUNT}:account", "pass")
    expect("inspector.vulnerability_scanning_enabled", f"arn:aws:inspector2:{OTHER}:{ACCOUNT}:account", "fail")
