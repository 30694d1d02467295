"""Allow `python -m engage_cli`."""

from engage_cli.cli import main

main()
