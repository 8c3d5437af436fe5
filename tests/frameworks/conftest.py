"""Fixtures for framework tests: a registered check with parameters, and files written to tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fw_helpers import SAMPLE, SAMPLE_SPEC

from evidence import registry
from evidence.registry import CheckSpec


@pytest.fixture
def sample_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[CheckSpec]:
    """The test-only check (`min_length: int`, `enforce: bool`), registered for one test."""
    registry.load_all()
    monkeypatch.setitem(registry._CHECKS, SAMPLE, SAMPLE_SPEC)
    yield SAMPLE_SPEC


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML (a dict, or raw text) to a file in tmp_path and return its path."""

    def _write(data: Any, name: str = "framework.yaml") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return _write
