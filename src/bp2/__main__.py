"""Allow ``python -m bp2``."""

from bp2.cli import main

main()
