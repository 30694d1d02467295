"""Allow `python -m engage_cli`."""

from engage_cli.launch import main

main()
