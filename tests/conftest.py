"""Shared fixtures: one AWS emulator per test session, and one demo pack built from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from evidence.demo.emulator import start_emulator

    emu = start_emulator()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def demo_pack(demo_run: tuple[Path, Any]) -> Path:
    """The pack written by the whole pipeline (collect, evaluate, report) on the demo organization."""
    return demo_run[0]


@pytest.fixture(scope="session")
def demo_expected(demo_run: tuple[Path, Any], demo_seeded: tuple[list[Any], dict[str, str]]) -> list[Any]:
    """The verdicts the demo pack must hold, as recorded when its scenario was seeded.

    Other tests seed the scenario again (resource ids may differ), so the pack is judged against
    this copy, never against the scenario's current state.
    """
    return demo_seeded[0]


@pytest.fixture(scope="session")
def demo_members(demo_run: tuple[Path, Any], demo_seeded: tuple[list[Any], dict[str, str]]) -> dict[str, str]:
    return demo_seeded[1]


@pytest.fixture(scope="session")
def demo_seeded() -> tuple[list[Any], dict[str, str]]:
    """Filled by demo_run: (expectations, member accounts) at the time the demo pack was seeded."""
    return [], {}


@pytest.fixture(scope="session")
def demo_run(
    emulator: Any, tmp_path_factory: pytest.TempPathFactory, demo_seeded: tuple[list[Any], dict[str, str]]
) -> tuple[Path, Any]:
    """(pack folder, the client factory that collected it: its recorder holds every call sent)."""
    from evidence.cli import _run_pipeline
    from evidence.demo import scenario
    from evidence.demo.run import demo_factory, organization_target
    from evidence.frameworks import resolve

    scenario.seed(emulator)
    demo_seeded[0].extend(scenario.EXPECTED)
    demo_seeded[1].update(scenario.MEMBERS)
    target = organization_target(demo_factory(emulator))
    dest = tmp_path_factory.mktemp("packs") / "demo"
    _run_pipeline(dest, target, resolve(["soc2", "pci-dss", "hipaa", "gdpr"]), company="Example", logo=None)
    return dest, target.factory
