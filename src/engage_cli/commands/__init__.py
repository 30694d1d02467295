"""The command line: the Typer app (commands/root.py) and one module per user moment.

`load()` registers the moments' commands on the app; help lists them in the
order of MOMENTS. The launcher loads only the moment of the command it runs,
so the others are never imported; `from engage_cli.commands import app`
gives the app with every command. A command parses, makes one call (store,
reports), and renders.
"""

import importlib
from typing import Any

# Which module holds each command (and each command group).
MOMENTS: dict[str, tuple[str, ...]] = {
    "recording": ("add", "log", "undo", "redo", "void", "done", "declined", "reopen"),
    "tending": ("edit", "rename", "fold", "archive", "unarchive"),
    "looking": ("contacts", "show", "history", "search", "asks", "can-ask", "explain"),
    "reviewing": ("balance", "who-neglected", "reconnect", "trend", "review"),
    "connecting": ("intro", "path", "network"),
    "goals": ("goal", "goals"),
    "exchanging": ("export", "import", "inbox", "merge"),
    "promising": ("promise", "kept", "dropped", "promises", "remember", "agenda"),
    "care": ("doctor", "backup", "config", "demo"),
}


def moment_of(command: str | None) -> str | None:
    """The module that holds `command`, or None when no module does."""
    return next((m for m, names in MOMENTS.items() if command in names), None)


def load(*moments: str) -> None:
    """Register the commands of these moments (of every moment when none is named)."""
    for moment in moments or tuple(MOMENTS):
        importlib.import_module(f"engage_cli.commands.{moment}")


def __getattr__(name: str) -> Any:
    if name == "app":
        from engage_cli.commands.root import app

        load()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MOMENTS", "app", "load", "moment_of"]
