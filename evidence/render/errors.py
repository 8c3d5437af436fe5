"""The one exception the renderers raise; the CLI turns it into a message and an exit code."""


class RenderError(Exception):
    """A report could not be rendered: a missing system library, an unknown framework, an unwritable file."""
