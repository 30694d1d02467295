"""The errors engage shows to people, with their exit codes.

The general families (`UsageError`, `LedgerError`, `NotFoundError`,
`InputError`) carry a message fit for one line on stderr. The typed errors
below them are what the store raises: they hold the facts (a name, a path, a
version) and a plain statement of them; the words that point at a command or
an option (`engage add`, `--db`) are added by the commands layer
(`commands/messages.py`), never by the store.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Literal


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2


class EngageError(Exception):
    """An error with a message fit for one line on stderr."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(EngageError):
    """The command line itself is wrong (exit code 2)."""

    exit_code = ExitCode.USAGE


class LedgerError(EngageError):
    """The ledger file cannot be used as asked."""


class NotFoundError(EngageError):
    """A contact or entry that does not exist."""


class InputError(EngageError):
    """A value given on the command line is not acceptable."""


# --- typed errors of the store ------------------------------------------------------


class _NameNotFound(NotFoundError):
    """Nothing of this kind (`what`) by that name; `close` holds the nearest names."""

    what = "contact"

    def __init__(self, name: str, close: list[str]) -> None:
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(f"no {self.what} named {name!r}{hint}")
        self.name = name
        self.close = close


class ContactNotFound(_NameNotFound):
    """No contact by that name."""


class GoalNotFound(_NameNotFound):
    """No shared goal by that name."""

    what = "goal"


class ContactExists(InputError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a contact named {name!r} already exists")
        self.name = name


# What is wrong with an entry reference: not an id, nor enough hex digits to be
# part of one (malformed); no entry has it (missing); several do (ambiguous).
EntryProblem = Literal["malformed", "missing", "ambiguous"]


class EntryNotFound(NotFoundError):
    def __init__(self, ref: str, problem: EntryProblem) -> None:
        text = {
            "malformed": f"no entry {ref!r}",
            "missing": f"no entry {ref!r}",
            "ambiguous": f"{ref!r} matches more than one entry; give more characters",
        }[problem]
        super().__init__(text)
        self.ref = ref
        self.problem = problem


class AlreadySettled(InputError):
    """An ask that is done or declined already."""

    def __init__(self, short_id: str, status: str) -> None:
        super().__init__(f"ask {short_id} is already {status}")
        self.short_id = short_id
        self.status = status


class SettledBeforeMade(InputError):
    """A settlement dated before its ask."""

    def __init__(self, made_at: datetime) -> None:
        super().__init__(
            f"an ask cannot be settled before it was made ({made_at:%Y-%m-%d %H:%M} UTC)"
        )
        self.made_at = made_at


class NoLedger(LedgerError):
    """Nothing at the ledger's path, and the command may not create it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no ledger at {path} yet")
        self.path = path


# Why a file is not a ledger: a directory, an empty file, not SQLite, a SQLite
# database of another program (foreign), or an empty one.
Unreadable = Literal["directory", "empty file", "not sqlite", "foreign", "empty database"]


class NotALedger(LedgerError):
    """A file at the ledger's path that is not an engage ledger; nothing was changed."""

    def __init__(self, path: Path, why: Unreadable) -> None:
        text = {
            "directory": f"{path} is a directory",
            "empty file": f"{path} is an empty file, not a ledger; nothing was changed",
            "not sqlite": f"{path} is not a SQLite database; nothing was changed",
            "foreign": (
                f"{path} is a SQLite database of another program, not a ledger; nothing was changed"
            ),
            "empty database": (
                f"{path} is an empty SQLite database, not a ledger yet; nothing was changed"
            ),
        }[why]
        super().__init__(text)
        self.path = path
        self.why = why


class NewerLedger(LedgerError):
    """Written by a newer version: its schema is beyond what this one reads."""

    def __init__(self, path: Path, version: int, supported: int) -> None:
        super().__init__(
            f"{path} was written by a newer version (schema {version}, this one reads "
            f"up to {supported})"
        )
        self.path = path
        self.version = version
        self.supported = supported


class OlderLedger(LedgerError):
    """Opened only to read, but too old to read without migrating it first."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(f"{path} was written by an older version (schema {version})")
        self.path = path
        self.version = version


class OutputExists(InputError):
    """A file is already where an output was to be written; it is replaced only when asked."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists")
        self.path = path


class LedgerDamaged(LedgerError):
    """The health check found problems and wrote them down: no write until they are gone."""

    def __init__(self, path: Path, problems: str) -> None:
        super().__init__(f"{path} was found damaged ({problems}); nothing was changed")
        self.path = path
        self.problems = problems


class SearchQueryError(InputError):
    """A search query the full-text index cannot read."""

    def __init__(self, query: str, detail: str) -> None:
        super().__init__(f"cannot read the search {query!r} ({detail})")
        self.query = query
        self.detail = detail


class NameTaken(InputError):
    """A name (or alias) another contact already answers to."""

    def __init__(self, name: str, holder: str) -> None:
        whose = "" if holder.casefold() == name.casefold() else f" (a name of {holder!r})"
        super().__init__(f"the name {name!r} is taken{whose}")
        self.name = name
        self.holder = holder


class ContactArchived(InputError):
    """A change asked of an archived contact, which must be unarchived first."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is archived")
        self.name = name


class NothingToUndo(InputError):
    def __init__(self, what: str = "undo") -> None:
        super().__init__(f"nothing to {what}")
        self.what = what


class CannotUndo(InputError):
    """The last action cannot be taken back as it is; the message says why."""


class PromiseNotFound(NotFoundError):
    """No promise by that reference; `close` holds the nearest short ids."""

    def __init__(self, ref: str, close: list[str]) -> None:
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"no promise {ref!r}{hint}")
        self.ref = ref
        self.close = close


class PromiseSettled(InputError):
    """A promise already kept or dropped."""

    def __init__(self, ref: str, state: str) -> None:
        super().__init__(f"promise {ref} is already {state}; nothing was changed")
        self.ref = ref
        self.state = state
