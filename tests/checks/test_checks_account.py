"""account.security_contact_registered: an account with and one without a security contact."""

from __future__ import annotations

from helpers import run, snapshot


def test_security_contact_registered() -> None:
    contact = {"AlternateContactType": "SECURITY", "Name": "Security team", "EmailAddress": "security@example.com",
               "PhoneNumber": "+1 555 0100", "Title": "CISO"}
    good = run("account.security_contact_registered", [snapshot("account.security_contact", contact)])
    assert good.status == "pass" and "security@example.com" in good.findings[0].reason
    assert run("account.security_contact_registered", [snapshot("account.security_contact", None)]).status == "fail"
    no_mail = {**contact, "EmailAddress": ""}
    assert run("account.security_contact_registered", [snapshot("account.security_contact", no_mail)]).status == "fail"
