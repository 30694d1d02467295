"""The `engage` entry point, kept apart so that start-up stays fast.

Start-up is almost all imports and building the command tree, which create
many objects and no garbage worth collecting; the cyclic garbage collector is
paused until a command starts running (`commands.root._root` resumes it), and
what start-up made is then frozen (`gc.freeze`): it lives till the end anyway,
and neither the collections while the command runs nor the one at exit walk
it again. Together about 15% of the instructions of `engage log` and `engage
--help` (docs/benchmarks.md).

`--db` is a root option; given after the command it is moved before it, so
that `engage contacts --db x.db` works as `engage --db x.db contacts` does.

No command is registered here: the app builds the command it is asked for,
importing only the module that holds it (`commands.root.EngageGroup`), and
`--help` lists every command without importing any (`commands.COMMANDS`).
"""

from __future__ import annotations

import gc
import sys

# Root options that take a value: given after the command, moved before it with it.
_VALUED = {"--db"}


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


def main() -> None:
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        # A terminal whose encoding cannot show a character gets an escape, not a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    from engage_cli.commands.root import app

    sys.argv[1:] = hoist_root_options(sys.argv[1:])
    try:
        app()
    finally:
        if not gc.isenabled():  # no command ran (help, a usage error): spare the
            gc.freeze()  # collection at exit a walk over what start-up made
