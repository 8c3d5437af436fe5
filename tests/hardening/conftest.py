"""Fixtures of the hardening suite: a private copy of the session demo pack, the CLI pointed at the emulator."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hardening_support import emulator_env


@pytest.fixture
def pack_copy(demo_pack: Path, tmp_path: Path) -> Path:
    """A copy of the demo pack that a test may damage."""
    return Path(shutil.copytree(demo_pack, tmp_path / "pack"))


@pytest.fixture
def aws_env(emulator: Any) -> dict[str, str | None]:
    return emulator_env(emulator)
