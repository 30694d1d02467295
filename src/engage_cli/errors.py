"""The one family of errors engage shows to people, with their exit codes."""

from __future__ import annotations

from enum import IntEnum


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
