"""Account contacts: the management account registers its security team; the sandbox account does not."""

from __future__ import annotations

from evidence.demo.scenario import MEMBERS, Clients, account_arn, expect, organization_seeder, seeder


@seeder
def seed_security_contact(aws: Clients) -> None:
    aws("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security Operations", Title="Incident response",
        EmailAddress="security@example.com", PhoneNumber="+1-555-0100",
    )
    expect("account.security_contact_registered", account_arn(), "pass")


@organization_seeder
def expect_sandbox_without_contact(aws: Clients) -> None:
    expect("account.security_contact_registered", account_arn(MEMBERS["sandbox"]), "fail")
