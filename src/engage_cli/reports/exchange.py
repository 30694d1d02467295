"""Reports of what moves in and out and of the ledger's care: history, asks, imports,
the calendar inbox, a merge and a health check.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from engage_cli.dates import iso
from engage_cli.domain import Contact, Entry
from engage_cli.reports.lines import AskLine, ask_lines, entry_json
from engage_cli.store import queries
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact

if TYPE_CHECKING:
    from engage_cli.formats.calendar import Meeting
    from engage_cli.formats.cards import Named, Problem


class History(NamedTuple):
    entries: list[Entry]
    total: int  # how many match without the limit (counted only when it may differ)
    contact: Contact | None
    exact: bool = True  # False: counting stopped COUNT_UP_TO past those shown; maybe more

    def to_json(self) -> list[dict[str, Any]]:
        return [entry_json(e) for e in self.entries]


def history(
    ledger: Ledger,
    name: str | None,
    since: datetime | None,
    limit: int | None,
    count_all: bool = True,
) -> History:
    """Entries newest first, of one contact or all; `count_all` counts what the limit cut."""
    contact = get_contact(ledger, name) if name else None
    entries = queries.history(ledger, contact, since=since, limit=limit)
    cut = count_all and limit and len(entries) == limit
    up_to = len(entries) + queries.COUNT_UP_TO  # what is left out, counted up to the bound
    total = queries.count_entries(ledger, contact, since, at_most=up_to) if cut else len(entries)
    return History(entries, total, contact, total < up_to)


class AskList(NamedTuple):
    lines: list[AskLine]
    total: int = 0  # how many there are without the limit
    exact: bool = True  # False: counting stopped COUNT_UP_TO past those shown; maybe more

    def to_json(self) -> list[dict[str, Any]]:
        return [line.to_json() for line in self.lines]


def ask_list(
    ledger: Ledger,
    name: str | None,
    open_only: bool,
    as_of: datetime,
    limit: int = 0,
    count_all: bool = True,
) -> AskList:
    """Asks newest first, each with its status as of `as_of`; at most `limit` (0: all);
    `count_all` counts what the limit cut."""
    contact = get_contact(ledger, name) if name else None
    found = queries.asks(ledger, contact, open_only, limit=limit or None, until=as_of)
    if not (count_all and limit and len(found) == limit):
        return AskList(ask_lines(found, as_of), len(found))
    up_to = len(found) + queries.COUNT_UP_TO
    total = queries.count_asks(ledger, contact, open_only, as_of, at_most=up_to)
    return AskList(ask_lines(found, as_of), total, total < up_to)


OUTCOMES = ("added", "updated", "unchanged")


class CardImport(NamedTuple):
    file: Path
    format: str
    dry_run: bool
    outcomes: list[tuple[str, Named, str]]  # (outcome, card, detail)
    problems: list[Problem]

    @property
    def counts(self) -> dict[str, int]:
        counts = {k: sum(1 for o in self.outcomes if o[0] == k) for k in OUTCOMES}
        counts["skipped"] = len(self.problems)
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "format": self.format,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "contacts": [
                {"outcome": o, "name": c.name, "position": c.position, "detail": d}
                for o, c, d in self.outcomes
            ],
            "skipped": [{"position": p.position, "reason": p.reason} for p in self.problems],
        }


def log_command(m: Meeting) -> str:
    """The `log` command line that records a meeting, quoted for a POSIX shell."""
    when = m.start.strftime("%Y-%m-%d") if m.all_day else m.start.strftime("%Y-%m-%d %H:%M")
    opts = f"-d 1 --on {shlex.quote(when)} -m {shlex.quote(m.title)}"
    if m.contact.startswith("-"):  # a name that looks like an option goes after --
        return f"engage log {opts} -- {shlex.quote(m.contact)}"
    return f"engage log {shlex.quote(m.contact)} {opts}"


class Inbox(NamedTuple):
    start: datetime
    matched: int  # meetings with contacts in the window
    todo: list[Meeting]  # those with no entry for that contact that day

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {
                "start": iso(m.start),
                "all_day": m.all_day,
                "title": m.title,
                "contact": m.contact,
                "matched_by": m.why,
                "command": log_command(m),
            }
            for m in self.todo
        ]


def inbox(ledger: Ledger, meetings: Sequence[Meeting], start: datetime, until: datetime) -> Inbox:
    """The meetings that have no entry for their contact on their (local) day."""
    logged = {
        (name, at.astimezone().date()) for name, at in queries.entry_times(ledger, start, until)
    }
    todo = [m for m in meetings if (m.contact, m.start.date()) not in logged]
    return Inbox(start, len(meetings), todo)


class Merged(NamedTuple):
    source: str
    counts: dict[str, int]


class Health(NamedTuple):
    ledger: Path
    checks: dict[str, list[str]]  # check name -> problems found (empty when fine)
    repaired: bool

    @property
    def failing(self) -> list[str]:
        return [name for name, found in self.checks.items() if found]

    def to_json(self) -> dict[str, Any]:
        return {
            "ledger": str(self.ledger),
            "ok": not self.failing,
            "repaired": self.repaired,
            "checks": self.checks,
        }
