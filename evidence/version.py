"""The tool's version, as installed."""

from importlib.metadata import PackageNotFoundError, version

try:
    TOOL_VERSION = version("evidence-pack")
except PackageNotFoundError:  # running from a source tree that was not installed
    TOOL_VERSION = "0.0.0+source"
