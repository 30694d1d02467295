"""The words of every error: typed errors from the store become one line for people.

The store states facts (`no contact named 'Ann'`); here they gain the way
out, which names commands and options (`add it with \\`engage add\\``).
"""

from __future__ import annotations

from engage_cli.errors import (
    AlreadySettled,
    ContactArchived,
    ContactNotFound,
    EngageError,
    EntryNotFound,
    GoalNotFound,
    LedgerDamaged,
    NameTaken,
    NewerLedger,
    NoLedger,
    NotALedger,
    NothingToUndo,
    OlderLedger,
    OutputExists,
    PromiseNotFound,
    SearchQueryError,
    SettledBeforeMade,
)

_NOT_A_LEDGER = {
    "directory": "{path} is a directory; --db and ENGAGE_DB take the path of a ledger file",
    "empty file": "{path} is an empty file, not an engage ledger; nothing was changed",
    "not sqlite": "{path} is not a SQLite database; nothing was changed",
    "foreign": (
        "{path} is a SQLite database of another program, not an engage ledger; nothing was changed"
    ),
    "empty database": (
        "{path} is an empty SQLite database, not an engage ledger yet; nothing was changed"
    ),
}


_ADD = {
    "ContactNotFound": "add it with `engage add`",
    "GoalNotFound": "`engage goals` lists them; `engage goal add NAME` adds one",
}


def words(exc: EngageError) -> str:
    """The one line shown for `exc` (without the `engage: error: ` prefix)."""
    match exc:
        case ContactNotFound() | GoalNotFound():
            return f"{exc.message} ({_ADD[type(exc).__name__]})"
        case EntryNotFound(problem="malformed"):
            return f"no entry {exc.ref!r}; give the id shown by `engage history` (8 characters)"
        case EntryNotFound(problem="missing"):
            return f"no entry {exc.ref!r}; `engage history` lists entries with their ids"
        case PromiseNotFound():
            return f"{exc.message} (`engage promises` lists them with their ids)"
        case AlreadySettled():
            return f"{exc.message}; `engage reopen` undoes that"
        case SettledBeforeMade():
            return (
                f"{exc.message}; a bare day means noon: give a time, "
                "such as --on '2026-11-12 18:00'"
            )
        case NoLedger():
            return (
                f"no ledger at {exc.path} yet; start one with `engage add NAME` "
                "or point to one with --db or ENGAGE_DB"
            )
        case NotALedger():
            return _NOT_A_LEDGER[exc.why].format(path=exc.path)
        case NewerLedger():
            return (
                f"{exc.path} was written by a newer engage (schema {exc.version}, this one "
                f"reads up to {exc.supported}); upgrade engage to open it"
            )
        case LedgerDamaged():
            return (
                f"{exc.message}. `engage doctor --repair` rebuilds what can be rebuilt; "
                "`engage backup` keeps a copy first; or restore a backup"
            )
        case SearchQueryError():
            return (
                f'{exc.message}; words match as words, "a phrase" in double quotes, '
                "lisb* by prefix, with AND, OR, NOT between them"
            )
        case ContactArchived():
            return f"{exc.message}; `engage unarchive {exc.name!r}` brings them back first"
        case NameTaken():
            return f"{exc.message}; pick another, or fold the two with `engage fold`"
        case NothingToUndo(what="undo"):
            return (
                "nothing to undo: nothing this device did still stands "
                "(what a merge or an import brought in is undone only right after it)"
            )
        case NothingToUndo():
            return f"nothing to {exc.what}: `engage redo` follows an `engage undo`"
        case OutputExists():
            return f"{exc.message}; add --force to replace it"
        case OlderLedger():
            return (
                f"{exc.path} was written by an older engage (schema {exc.version}); "
                "run any engage command on it once to upgrade it, then try again"
            )
    return exc.message


def sqlite_words(text: str) -> str:
    """What a SQLite error that escaped the store means for the person."""
    if "locked" in text or "busy" in text:
        return (
            "the ledger is busy (another engage is writing to it); nothing was changed, try again"
        )
    if "readonly" in text or "read-only" in text:
        return "the ledger is read-only here; nothing was changed"
    if "unable to open" in text:
        return "cannot open the ledger file (check the path and its directory's permissions)"
    if "malformed" in text or "not a database" in text:
        return f"the ledger file is damaged ({text}); restore a backup"
    return f"ledger error: {text}"
