"""`evidence demo`: the emulator, the seeded scenario, and a collection target pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from evidence.aws import ClientFactory
from evidence.demo import scenario
from evidence.demo.emulator import Emulator, emulator_credentials, start_emulator
from evidence.pipeline import Target, make_period


def demo_factory(emulator: Emulator) -> ClientFactory:
    return ClientFactory.from_options(endpoint_url=emulator.endpoint_url, credentials=emulator_credentials())


@contextmanager
def demo_target(console: Console) -> Iterator[Target]:
    console.print("Starting the demo AWS account on a local emulator...")
    emulator = start_emulator()
    try:
        scenario.seed(emulator)
        console.print(
            f"Demo account {scenario.ACCOUNT} seeded in {', '.join(scenario.REGIONS)} ({emulator.endpoint_url})."
        )
        yield Target(factory=demo_factory(emulator), regions=scenario.REGIONS, period=make_period(None, None))
    finally:
        emulator.stop()
