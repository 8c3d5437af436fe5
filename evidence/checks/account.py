"""Account settings checks: who AWS contacts about security issues."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import account_arn, failed, judged
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("account.security_contact_registered", needs="account.security_contact", severity="low")
def security_contact_registered(contacts: tuple[Evidence, ...]) -> Iterator[Finding]:
    """A security alternate contact is registered, so AWS can reach the incident team."""
    for ev in contacts:
        contact = ev.data if isinstance(ev.data, dict) else None
        if contact is None:
            yield failed(ev, account_arn(ev), "No security alternate contact is registered.")
            continue
        email = contact.get("EmailAddress")
        yield judged(ev, account_arn(ev), bool(email),
                     f"Security contact: {contact.get('Name') or 'unnamed'} <{email}>.",
                     "The security alternate contact has no e-mail address.")
