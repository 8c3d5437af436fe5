"""The synthetic pack every render test uses."""

from __future__ import annotations

import pytest
from render_fixtures import build_pack

from evidence.models import Pack


@pytest.fixture(scope="session")
def pack() -> Pack:
    return build_pack()
