"""The command line: the Typer app and one module per user moment.

Importing this package registers every command on `app`; help lists them in
the order of these moments. A command parses, makes one call (store,
reports), and renders.
"""

import importlib

from engage_cli.commands.app import app

MOMENTS = ("recording", "looking", "reviewing", "exchanging", "care")

for _moment in MOMENTS:
    importlib.import_module(f"engage_cli.commands.{_moment}")

__all__ = ["MOMENTS", "app"]
