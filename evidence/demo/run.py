"""`evidence demo`: the emulator, the seeded organization, and a collection target pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from evidence.aws import ClientFactory
from evidence.demo import scenario
from evidence.demo.emulator import Emulator, emulator_credentials, start_emulator
from evidence.pipeline import Target, make_period, organization_accounts, reach_accounts


def demo_factory(emulator: Emulator, *, max_attempts: int = 10) -> ClientFactory:
    return ClientFactory.from_options(
        endpoint_url=emulator.endpoint_url, credentials=emulator_credentials(), max_attempts=max_attempts
    )


def organization_target(factory: ClientFactory) -> Target:
    """The whole demo organization, reached the way `--organization` reaches a real one."""
    org_id, ids = organization_accounts(factory)
    accounts = reach_accounts(factory, ids, role_name=scenario.MEMBER_ROLE)
    return Target(
        factory=factory, regions=scenario.REGIONS, period=make_period(None, None), accounts=accounts,
        organization_id=org_id,
    )


@contextmanager
def demo_target(console: Console) -> Iterator[Target]:
    console.print("Starting the demo AWS organization on a local emulator...")
    emulator = start_emulator()
    try:
        scenario.seed(emulator)
        console.print(
            f"Demo organization seeded: management account {scenario.ACCOUNT} and {len(scenario.MEMBERS)} "
            f"member accounts, in {', '.join(scenario.REGIONS)} ({emulator.endpoint_url})."
        )
        yield organization_target(demo_factory(emulator))
    finally:
        emulator.stop()
