"""Promises and remembered days written: made, kept, dropped, reopened (store/promises.py
reads them back). Every function expects the caller to hold the transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from engage_cli.dates import to_store
from engage_cli.domain import Contact, Dated, NewEntry, Promise, Written
from engage_cli.errors import InputError, PromiseSettled
from engage_cli.ids import short, uuid7
from engage_cli.store.connection import Ledger
from engage_cli.store.promises import get_promise
from engage_cli.store.writes import journal, log_entries, void_entries


def make_promise(
    ledger: Ledger,
    contact: Contact,
    what: str,
    due_at: datetime | None,
    made_at: datetime,
    now: datetime,
    batch: str | None = None,
) -> Promise:
    """Record a promise (the caller holds the transaction). `batch`: the log it is part
    of (journaled with it); without one it is an action of its own."""
    pid = uuid7()
    own = batch is None
    batch = batch or uuid7()
    ledger.conn.execute(
        "INSERT INTO promises (id, contact_id, what, due_at, made_at, logged_at, batch) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [pid, contact.id, what, to_store(due_at) if due_at else None, to_store(made_at),
         to_store(now), batch],
    )  # fmt: skip
    if own:
        journal(ledger, to_store(now), "promise", batch=batch, detail={"promise": pid})
    return get_promise(ledger, pid)


def keep_promise(
    ledger: Ledger,
    promise: Promise,
    at: datetime,
    now: datetime,
    points: float,
    half_life: Callable[[str], float],
    journaled: bool = True,
) -> list[Written]:
    """Mark a promise kept at `at`, logging a deposit of `points` (none when 0)."""
    _check_open(promise, at)
    from engage_cli.store.contacts import contact_by_id

    wrote: list[Written] = []
    if points > 0:
        contact = contact_by_id(ledger, promise.contact_id)
        note = f"promise kept: {promise.what}"[:200]
        gift = NewEntry(contact, "deposit", points, at, note, ["promise"])
        wrote = log_entries(ledger, [gift], now, half_life, journaled=False)
    ledger.conn.execute(
        "UPDATE promises SET state = 'kept', settled_at = ?, settled_logged_at = ?, "
        "entry_id = ? WHERE id = ?",
        [to_store(at), to_store(now), wrote[0].entry.id if wrote else None, promise.id],
    )
    if journaled:
        journal(ledger, to_store(now), "keep", detail={"promise": promise.id, "points": points,
                                                       "at": to_store(at)})  # fmt: skip
    return wrote


def drop_promise(
    ledger: Ledger, promise: Promise, at: datetime, now: datetime, journaled: bool = True
) -> None:
    """Let a promise go: no deposit, and no weight from then on."""
    _check_open(promise, at)
    ledger.conn.execute(
        "UPDATE promises SET state = 'dropped', settled_at = ?, settled_logged_at = ? WHERE id = ?",
        [to_store(at), to_store(now), promise.id],
    )
    if journaled:
        journal(ledger, to_store(now), "drop", detail={"promise": promise.id, "at": to_store(at)})


def _check_open(promise: Promise, at: datetime) -> None:
    if promise.state != "open":
        raise PromiseSettled(short(promise.id), promise.state)
    if at < promise.made_at:
        raise InputError(
            f"promise {short(promise.id)} was made {to_store(promise.made_at)}; it cannot be "
            "settled before that"
        )


def reopen_promise(
    ledger: Ledger, promise: Promise, now: datetime, half_life: Callable[[str], float]
) -> None:
    """Set a kept or dropped promise back to open, voiding the deposit keeping it logged."""
    if promise.entry_id is not None:
        from engage_cli.store.rows import entry_rows

        given = entry_rows(ledger, "e.id = ? AND e.voided_by IS NULL", [promise.entry_id])
        void_entries(ledger, given, now, "promise reopened", half_life)
    ledger.conn.execute(
        "UPDATE promises SET state = 'open', settled_at = NULL, settled_logged_at = NULL, "
        "entry_id = NULL WHERE id = ?",
        [promise.id],
    )


def take_rows(
    ledger: Ledger, table: str, where: str, params: Sequence[Any]
) -> list[dict[str, Any]]:
    """Delete rows of promises or dates (an undo); return them, to put back on redo."""
    assert table in ("promises", "dates")
    rows = ledger.rows(f"SELECT * FROM {table} WHERE {where}", list(params))
    ledger.conn.execute(f"DELETE FROM {table} WHERE {where}", list(params))
    return rows


def put_rows(ledger: Ledger, table: str, rows: Sequence[dict[str, Any]], **changes: Any) -> None:
    """Put rows back (a redo), with `changes` to every row (a new batch, say)."""
    assert table in ("promises", "dates")
    for row in rows:
        values = {**row, **changes}
        cols = ", ".join(values)
        ledger.conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in values)})", values
        )


def remember(
    ledger: Ledger,
    contact: Contact,
    what: str,
    day: str,
    now: datetime,
    kind: str = "remember",
    journaled: bool = True,
) -> Dated:
    """Keep a day about a contact (the caller holds the transaction)."""
    batch = uuid7()
    did = add_day(ledger, contact.id, kind, what, day, now, batch)
    if journaled:
        journal(ledger, to_store(now), "remember", batch=batch, detail={"date": did})
    return Dated(did, contact.name, contact.id, kind, what, day)


def add_day(
    ledger: Ledger, contact_id: int, kind: str, what: str, day: str, now: datetime, batch: str
) -> str:
    """Write one remembered day (part of an action: `batch`); return its id."""
    did = uuid7()
    ledger.conn.execute(
        "INSERT INTO dates (id, contact_id, kind, what, day, made_at, batch) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [did, contact_id, kind, what, day, to_store(now), batch],
    )
    return did


def set_follow_up(ledger: Ledger, entry_ids: Sequence[str], at: datetime) -> None:
    ledger.conn.execute(
        "UPDATE entries SET follow_up_at = ? WHERE id IN (SELECT value FROM json_each(?)) "
        "AND kind = 'withdrawal'",
        [to_store(at), json.dumps(list(entry_ids))],
    )
