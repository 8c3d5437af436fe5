"""`python -m evidence` runs the command line."""

from evidence.cli import main

main()
