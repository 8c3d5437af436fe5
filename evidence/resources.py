"""Where the shipped data folders (frameworks/, templates/) are, installed or from a source tree."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder `name` (frameworks or templates) shipped with the tool."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name
