"""The `engage` entry point, kept apart so that start-up stays fast.

Start-up is almost all imports and building the command tree, which create
many objects and no garbage worth collecting; the cyclic garbage collector is
paused until a command starts running (`cli._root` resumes it). That saves
about 4% of the instructions of every run (docs/benchmarks.md).

Typer builds every registered command's parameters on each run. When the
command line names one command, only that one is built: the others cannot run
anyway. `--help`, completion and unknown names (which get suggestions) see all.
"""

from __future__ import annotations

import gc
import os
import sys

# Root options that take a value, and so hide the command name after them.
_VALUED = {"--db"}


def _command_name(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _VALUED:
            skip = True
            continue
        if arg == "--":
            return None
        if arg.startswith("-"):
            continue
        return arg
    return None


def main() -> None:
    gc.disable()
    from engage_cli.cli import app

    if not any(k.startswith("_ENGAGE_COMPLETE") for k in os.environ):
        name = _command_name(sys.argv[1:])
        chosen = [
            c
            for c in app.registered_commands
            if (c.name or getattr(c.callback, "__name__", "").replace("_", "-")) == name
        ]
        groups = [g for g in app.registered_groups if g.name == name]
        if chosen or groups:
            app.registered_commands = chosen
            app.registered_groups = groups
    app()
