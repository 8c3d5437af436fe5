"""The built-in demo: a fictional AWS estate served by a local AWS emulator."""
