"""The `engage` entry point, kept apart so that start-up stays fast.

Start-up is almost all imports and building the command tree, which create
many objects and no garbage worth collecting; the cyclic garbage collector is
paused until a command starts running (`commands.app._root` resumes it). That saves
about 4% of the instructions of every run (docs/benchmarks.md).

`--db` is a root option; given after the command it is moved before it, so
that `engage contacts --db x.db` works as `engage --db x.db contacts` does.

Typer builds every registered command's parameters on each run. When the
command line names one command, only the module of its moment is imported and
only that command is built: the others cannot run anyway. `--help`,
completion and unknown names (which get suggestions) see all.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typer import Typer

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
        if arg in ("--", "--help", "-h"):  # `engage --help log` lists every command
            return None
        if arg.startswith("-"):
            continue
        return arg
    return None


def hoist_root_options(args: list[str]) -> list[str]:
    """`--db PATH` given after the command (`engage contacts --db x.db`) moved before it,
    where the root option belongs; nothing after `--` is touched."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in _VALUED and i + 1 < len(args):
            front += [arg, args[i + 1]]
            i += 2
            continue
        if any(arg.startswith(f"{o}=") for o in _VALUED):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _only(app: Typer, name: str | None) -> tuple[list[Any], list[Any]] | None:
    """The registered commands and groups named `name`, or None when none is."""
    from typer.main import get_command_name  # loaded with typer already

    commands = [
        c
        for c in app.registered_commands
        if (c.name or get_command_name(getattr(c.callback, "__name__", ""))) == name
    ]
    groups = [
        g
        for g in app.registered_groups
        if g.typer_instance is not None and g.typer_instance.info.name == name
    ]
    return (commands, groups) if commands or groups else None


def main() -> None:
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        # A terminal whose encoding cannot show a character gets an escape, not a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    from engage_cli.commands import load, moment_of
    from engage_cli.commands.root import app

    sys.argv[1:] = hoist_root_options(sys.argv[1:])
    name = _command_name(sys.argv[1:])
    moment = moment_of(name)
    if moment is None or any(k.startswith("_ENGAGE_COMPLETE") for k in os.environ):
        load()  # help, completion and unknown names (which get suggestions) see every command
    else:
        load(moment)  # only the module of the command that runs is imported
        only = _only(app, name)
        if only is not None:
            app.registered_commands, app.registered_groups = only
    app()
