"""Amazon Macie: on with automated discovery in the home region, off in the other region."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder


def session_arn(region: str) -> str:
    return f"arn:aws:macie2:{region}:{ACCOUNT}:session"


@seeder
def seed_macie(aws: Clients) -> None:
    aws("macie2", HOME).update_automated_discovery_configuration(status="ENABLED")
    aws("macie2", OTHER).disable_macie()
    expect("macie.enabled", session_arn(HOME), "pass")
    expect("macie.enabled", session_arn(OTHER), "fail")
