"""The command line: the Typer app (commands/root.py) and one module per user moment.

`COMMANDS` names every command, the moment (module) that holds it, and the
first sentence of its help. The app builds a command only when it is asked for
(`root.EngageGroup`): `engage log` imports `recording` and builds `log` alone,
and `engage --help` lists every command from `COMMANDS` without importing any
of their modules. `load()` registers the moments' commands on the app; `from
engage_cli.commands import app` gives the app with every command. A command
parses, makes one call (store, reports), and renders.
"""

import importlib
from typing import Any

# Every command and command group, in the order `engage --help` lists them: the
# module that holds it, and the first sentence of its help (up to the first word
# ending in a full stop), which is all that list can show of it.
# tests/commands/test_app.py holds these to the commands' own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("recording", "Add a contact: a person, an organisation or a cause."),
    "log": ("recording", "Log deposits and withdrawals for one or more contacts."),
    "undo": (
        "recording",
        "Undo this device's last action: an add, log, edit, rename, fold, archive, "
        "done/declined/reopen, import or merge.",
    ),
    "redo": ("recording", "Do the last undone action again (as long as nothing was done since)."),
    "void": (
        "recording",
        "Void one entry by id: it stays in the history, marked, and counts for nothing.",
    ),
    "done": (
        "recording",
        "Mark an ask done: working on it together gives part of it back as a deposit, "
        "win, lose or draw.",
    ),
    "declined": ("recording", "Mark an ask declined: it costs what it cost, and nothing more."),
    "reopen": (
        "recording",
        "Set a done or declined ask back to open (voiding what its completion gave back).",
    ),
    "edit": (
        "tending",
        "Change a contact's name, kind, circle, tags, note, emails, organisation, "
        "sector, birthday or aliases: each change is kept with its moment (`show`); "
        "`undo` takes it back.",
    ),
    "rename": ("tending", "Rename a contact (the same as `engage edit OLD --name NEW`)."),
    "archive": (
        "tending",
        "Archive a contact who left your life: out of neglect lists, reviews and "
        "completions, with their history kept (and counted in reports of the past).",
    ),
    "unarchive": (
        "tending",
        "Bring an archived contact back into the lists (`engage contacts --archived`).",
    ),
    "fold": (
        "tending",
        "Fold a duplicate into the right contact: its entries, asks and brokered "
        "links move there, and its names and emails find that contact from now on.",
    ),
    "contacts": ("looking", "List contacts with their charge and last contact."),
    "show": ("looking", "Show one contact: profile, charge, status and recent entries."),
    "history": ("looking", "List entries, newest first; voided ones are marked."),
    "search": (
        "looking",
        "Find contacts and entries by what their notes, names and tags say, best first.",
    ),
    "asks": (
        "looking",
        "List asks (withdrawals) with their age and status: open, done or declined.",
    ),
    "can-ask": (
        "looking",
        "Is the relationship ready for an ask this size? If not, how much to deposit first.",
    ),
    "explain": (
        "looking",
        "Show every entry behind a contact's charge: age, decay factor and contribution.",
    ),
    "balance": (
        "reviewing",
        "The weekly review: deposits against withdrawals, the verdict, and each contact.",
    ),
    "who-neglected": (
        "reviewing",
        "Who is due: overdue or due within a week (`due_within_days`), overdrawn, or "
        "to thank; those to thank first, then the overdrawn, then the most overdue.",
    ),
    "reconnect": ("reviewing", "Same as who-neglected."),
    "trend": ("reviewing", "Weekly deposits and withdrawals as bars, with each week's verdict."),
    "review": (
        "reviewing",
        "The whole weekly review on one screen: balance, trend, old asks, who to call, prompts.",
    ),
    "intro": (
        "connecting",
        "Record that you introduced NAME and OTHER: a deposit for each, and a lasting "
        "link between them (`show` lists it; `path` finds it; what one later does for "
        "the other --via them credits the introduction).",
    ),
    "path": (
        "connecting",
        "Who could introduce you to NAME (a person or an organisation): the contacts "
        "linked to them, by a brokered entry (--via) or an organisation, warmest "
        "first, each with why.",
    ),
    "network": (
        "connecting",
        "Relationships per sector, the sectors with no active relationship (voices "
        "not heard), the bridges between sectors and the top connectors; or, with "
        "--format dot|mermaid, the graph of people, organisations and links for any "
        "graph tool.",
    ),
    "goals": (
        "goals",
        "List the shared goals: status, who took part, what was invested and asked, "
        "open asks, last activity.",
    ),
    "export": (
        "exchanging",
        "Export the whole ledger: JSONL keeps everything (import it anywhere); CSV is flat.",
    ),
    "inbox": (
        "exchanging",
        "Past meetings in a calendar with contacts but no ledger entry that day, ready to log.",
    ),
    "merge": (
        "exchanging",
        "Merge another ledger file into this one, exactly as importing its export would.",
    ),
    "promise": (
        "promising",
        "Record a promise: something you committed to do for a contact, by a day.",
    ),
    "kept": (
        "promising",
        "Mark a promise kept: it is logged as a deposit, and weighs nothing any more.",
    ),
    "dropped": (
        "promising",
        "Let a promise go, honestly: no deposit, and no weight on the relationship after.",
    ),
    "promises": (
        "promising",
        "List promises with their id, contact, due day and state (open, kept, dropped).",
    ),
    "remember": (
        "promising",
        "Remember a day about a contact (a talk, a move, a launch): it shows in the agenda.",
    ),
    "agenda": (
        "promising",
        "What is due: promises (and those overdue), follow-ups, birthdays, remembered "
        "days and contacts who become due, by day, each with one thing to do.",
    ),
    "doctor": (
        "care",
        "Check the ledger: integrity, schema, foreign keys, voids and derived state.",
    ),
    "backup": (
        "care",
        "Copy the ledger to a new file, safely even while engage writes, and verify the copy.",
    ),
    "demo": ("care", "Build an example ledger and show its weekly review."),
    "goal": ("goals", "Shared goals that asks and deposits serve: add one, review it, close it."),
    "import": (
        "exchanging",
        "Bring data in: contacts from address books, or another device's export.",
    ),
    "config": ("care", "The scoring policy in force and where it comes from."),
}

# Which module holds each command (and each command group).
MOMENTS: dict[str, tuple[str, ...]] = {
    moment: tuple(name for name, (held, _) in COMMANDS.items() if held == moment)
    for moment in dict.fromkeys(held for held, _ in COMMANDS.values())
}


def moment_of(command: str | None) -> str | None:
    """The module that holds `command`, or None when no module does."""
    held = COMMANDS.get(command or "")
    return None if held is None else held[0]


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


__all__ = ["COMMANDS", "MOMENTS", "app", "load", "moment_of"]
