"""CLI edge: `python -m searchsvc.cli` runs the click group."""

from . import main

main()
