"""Writes: contacts added, entries logged and voided, asks settled and reopened, and
this device's journal of its actions (read and taken back in journal.py, undoing.py).

Every function here expects the caller to hold the transaction
(`with ledger.transaction():`), and moves the derived state in the same one.
Entries are never deleted: a mistake is voided, and the void is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import from_store, to_store
from engage_cli.domain import Contact, Entry, Goal, NewEntry, Written, name_key
from engage_cli.errors import (
    AlreadySettled,
    ContactArchived,
    ContactExists,
    InputError,
    NameTaken,
    SettledBeforeMade,
)
from engage_cli.ids import short as short_id
from engage_cli.ids import uuid7
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import find_contact, get_contact
from engage_cli.store.rows import OPEN_AGAIN, entry_rows
from engage_cli.store.state import recompute_state, save_state

if TYPE_CHECKING:
    from engage_cli.models import ContactIn


def add_contact(
    ledger: Ledger, new: ContactIn, now: datetime, half_life: float, journaled: bool = True
) -> Contact:
    """Add a contact; `journaled`: as an action of its own (not part of a log)."""
    existing = find_contact(ledger, new.name)
    if existing is not None:
        if name_key(existing.name) == name_key(new.name):
            raise ContactExists(existing.name)
        raise NameTaken(new.name, existing.name)
    ledger.db.table("contacts").insert(
        {
            "uid": uuid7(),
            "name": new.name,
            "name_key": name_key(new.name),
            "kind": new.kind.value,
            "circle": new.circle.value,
            "tags": json.dumps(new.tags, ensure_ascii=False),
            "note": new.note,
            "created_at": to_store(now),
            "mode": new.mode,
        }
    )
    contact = find_contact(ledger, new.name)
    assert contact is not None
    save_state(ledger, contact.id, half_life, scoring.State(), None, None)
    if journaled:
        journal(ledger, to_store(now), "add", contact_id=contact.id, detail={"uid": contact.uid})
    return contact


def log_entries(
    ledger: Ledger,
    entries: Sequence[NewEntry],
    now: datetime,
    half_life: Callable[[str], float],
    added: Sequence[Contact] = (),
    journaled: bool = True,
) -> list[Written]:
    """Write entries as one batch and return each with its contact's charge after it.

    The caller holds the transaction; the derived state moves in the same one,
    and the batch is this device's latest action (what undo takes back), with
    the contacts it `added`; not `journaled`: part of another action.
    """
    batch = uuid7()
    logged_at = to_store(now)
    if journaled:
        detail = {"added": [c.id for c in added]} if added else None
        journal(ledger, logged_at, "log", batch=batch, detail=detail)
    rows = []
    entries_written: list[tuple[Entry, Contact]] = []
    for new in entries:
        entry = Entry(
            id=uuid7(),
            contact=new.contact.name,
            kind=new.kind,
            points=new.points,
            occurred_at=from_store(to_store(new.occurred_at)),
            logged_at=from_store(logged_at),
            note=new.note,
            tags=new.tags,
            batch=batch,
            voided_by=None,
            status="open" if new.kind == "withdrawal" else None,
            source_id=new.source_id,
            via=new.via.name if new.via else None,
            intro=new.intro_with.name if new.intro_with else None,
        )
        rows.append(
            {
                "id": entry.id,
                "contact_id": new.contact.id,
                "kind": entry.kind,
                "points": entry.points,
                "occurred_at": to_store(entry.occurred_at),
                "logged_at": logged_at,
                "note": entry.note,
                "tags": json.dumps(entry.tags, ensure_ascii=False),
                "batch": batch,
                "status": entry.status,
                "source_id": new.source_id,
                "via_id": new.via.id if new.via else None,
                "intro_with": new.intro_with.id if new.intro_with else None,
            }
        )
        entries_written.append((entry, new.contact))
    # Plain SQL, not sqlite-utils: importing it would cost the `log` command about
    # 50 ms (docs/benchmarks.md); the columns are fixed by the schema. After each
    # entry its contact's state is recomputed from its entries (exactly rounded: the
    # order entries were logged in never changes a figure), for its charge now.
    written = []
    for row, (entry, contact) in zip(rows, entries_written, strict=True):
        ledger.conn.execute(
            "INSERT INTO entries (id, contact_id, kind, points, occurred_at, logged_at, note, "
            "tags, batch, status, source_id, via_id, intro_with) VALUES (:id, :contact_id, :kind, "
            ":points, :occurred_at, :logged_at, :note, :tags, :batch, :status, :source_id, "
            ":via_id, :intro_with)",
            row,
        )
        hl = half_life(contact.circle)
        state = recompute_state(ledger, contact.id, hl, entry.occurred_at.timestamp())
        written.append(Written(entry, state.at(max(now.timestamp(), state.anchor or 0.0), hl)))
    return written


def void_entries(
    ledger: Ledger,
    entries: Iterable[Entry],
    now: datetime,
    reason: str,
    half_life: Callable[[str], float],
) -> list[str]:
    """Void entries (the caller holds the transaction); return the void ids."""
    ids: list[str] = []
    for entry in entries:
        if entry.voided_by is not None:
            raise InputError(f"entry {short_id(entry.id)} is already voided")
        contact = get_contact(ledger, entry.contact)
        void_id = uuid7()
        ledger.conn.execute(
            "INSERT INTO voids (id, entry_id, voided_at, reason) VALUES (?, ?, ?, ?)",
            [void_id, entry.id, to_store(now), reason],
        )
        ledger.conn.execute("UPDATE entries SET voided_by = ? WHERE id = ?", [void_id, entry.id])
        if entry.source_id is not None:  # what a done ask gave back: the ask is open again
            ledger.conn.execute(
                f"UPDATE entries {OPEN_AGAIN} WHERE id = ? AND status = 'done'",
                [entry.source_id],
            )
        recompute_state(
            ledger, contact.id, half_life(contact.circle), entry.occurred_at.timestamp()
        )
        ids.append(void_id)
        if entry.kind == "withdrawal":  # an ask that no longer counts gives nothing back
            ids += void_entries(
                ledger, given_back(ledger, entry.id), now, "its ask was voided", half_life
            )
    return ids


def settle_ask(
    ledger: Ledger,
    ask: Entry,
    status: str,
    at: datetime,
    now: datetime,
    synergy: float,
    half_life: Callable[[str], float],
    journaled: bool = True,
    failed: bool = False,
) -> list[Written]:
    """Mark an open ask done or declined (the caller holds the transaction).

    Done gives `synergy` times its points back as a deposit at `at`, linked
    to the ask; that deposit is returned with the contact's charge after it.
    `failed`: done together, but it did not succeed (the caller's `synergy`
    is the policy's share for that).
    """
    if ask.kind != "withdrawal":
        raise InputError(f"entry {short_id(ask.id)} is a {ask.kind}, not an ask")
    if ask.voided_by is not None:
        raise InputError(f"ask {short_id(ask.id)} is voided")
    if ask.status != "open":
        raise AlreadySettled(short_id(ask.id), str(ask.status))
    if at < ask.occurred_at:
        raise SettledBeforeMade(ask.occurred_at)
    ledger.conn.execute(
        "UPDATE entries SET status = ?, resolved_at = ?, settled_logged_at = ? WHERE id = ?",
        [status, to_store(at), to_store(now), ask.id],
    )
    if journaled:
        journal(
            ledger,
            to_store(now),
            "settle",
            entry_id=ask.id,
            settled=(status, to_store(at)),
            detail={"share": synergy},
        )
    if status != "done" or synergy <= 0:
        return []
    contact = get_contact(ledger, ask.contact)
    points = ask.points * synergy
    note = ("ask done" if not failed else "ask done together, though it failed") + (
        f": {ask.note}" if ask.note else ""
    )
    gift = NewEntry(contact, "deposit", points, at, note[:200], ["synergy"], None, ask.id)
    return log_entries(ledger, [gift], now, half_life, journaled=False)


def given_back(ledger: Ledger, ask_id: str) -> list[Entry]:
    """The deposits that still count which an ask's completion gave back."""
    return entry_rows(ledger, "e.source_id = ? AND e.voided_by IS NULL", [ask_id])


def reopen_ask(
    ledger: Ledger,
    ask: Entry,
    now: datetime,
    half_life: Callable[[str], float],
    journaled: bool = True,
) -> None:
    """Set a settled ask back to open, voiding the deposit its completion gave back."""
    if ask.voided_by is not None:
        raise InputError(f"entry {short_id(ask.id)} is voided")
    if ask.kind != "withdrawal" or ask.status == "open":
        raise InputError(f"entry {short_id(ask.id)} is not a settled ask")
    back = given_back(ledger, ask.id)
    share = sum(e.points for e in back) / ask.points
    void_entries(ledger, back, now, "ask reopened", half_life)
    ledger.conn.execute(
        f"UPDATE entries {OPEN_AGAIN} WHERE id = ?",
        [ask.id],
    )
    if journaled:
        settled = (str(ask.status), to_store(ask.resolved_at)) if ask.resolved_at else None
        journal(
            ledger, to_store(now), "reopen", entry_id=ask.id, settled=settled,
            detail={"share": share},
        )  # fmt: skip


def bulk_insert(
    ledger: Ledger,
    contacts: Sequence[dict[str, Any]] = (),
    entries: Sequence[dict[str, Any]] = (),
    voids: Sequence[dict[str, Any]] = (),
    promises: Sequence[dict[str, Any]] = (),
) -> None:
    """Insert whole rows (every column of the schema) fast; the caller holds the transaction.

    Derived state is not touched: call `rebuild_state` afterwards. Foreign keys
    are checked at commit, so entries may name their voids before those are in.
    """
    ledger.conn.execute("PRAGMA defer_foreign_keys = ON")
    tables = (("contacts", contacts), ("entries", entries), ("voids", voids),
              ("promises", promises))  # fmt: skip
    for table, rows in tables:
        if not rows:
            continue
        cols = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
        ledger.conn.executemany(sql, rows)


def journal(
    ledger: Ledger,
    at: str,
    kind: str,
    batch: str | None = None,
    entry_id: str | None = None,
    settled: tuple[str, str] | None = None,
    contact_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Record one of this device's own actions, newest last; return its number.

    `settled`: the status and moment a settlement gave its ask (or a reopen took away).
    """
    status, resolved_at = settled or (None, None)
    ledger.conn.execute(  # something new is done: what was undone is not redone any more
        "UPDATE actions SET redo_order = NULL WHERE redo_order IS NOT NULL"
    )
    cur = ledger.conn.execute(
        "INSERT INTO actions (at, kind, batch, entry_id, status, resolved_at, contact_id, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at,
            kind,
            batch,
            entry_id,
            status,
            resolved_at,
            contact_id,
            json.dumps(detail) if detail is not None else None,
        ],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


class Planned(NamedTuple):
    """One entry to write for each contact of a log: its kind and points."""

    kind: str
    points: float


def record(
    ledger: Ledger,
    contacts: Sequence[Contact | str],
    planned: Sequence[Planned],
    occurred_at: datetime,
    note: str,
    tags: list[str],
    via: str | None,
    now: datetime,
    half_life: Callable[[str], float],
    after: Callable[[Ledger, list[Contact], list[Written]], None] | None = None,
) -> tuple[list[Contact], list[Written]]:
    """What `log` does, in one transaction: add the new contacts (given by name), find
    the broker, write every planned entry for every contact as one batch, then
    `after` (what else the log records: a promise, a follow-up) with the ledger,
    the contacts and the entries, in the same transaction.

    Returns the contacts added and the entries written.
    """
    broker = get_contact(ledger, via) if via is not None else None
    if broker is not None and any(isinstance(c, Contact) and c.id == broker.id for c in contacts):
        raise InputError(f"{broker.name} cannot broker an entry of their own")
    for c in contacts:
        if isinstance(c, Contact) and c.archived_at is not None:
            raise ContactArchived(c.name)
    with ledger.transaction():
        added: list[Contact] = []
        chosen: list[Contact] = []
        for c in contacts:
            if isinstance(c, str):
                from engage_cli.models import ContactIn

                new = ContactIn.parse(name=c)
                c = add_contact(ledger, new, now, half_life(new.circle), journaled=False)
                added.append(c)
            chosen.append(c)
        written = log_entries(
            ledger,
            [
                NewEntry(c, p.kind, p.points, occurred_at, note, tags, broker)
                for c in chosen
                for p in planned
            ],
            now,
            half_life,
            added,
        )
        if after is not None:
            after(ledger, chosen, written)
    return added, written


def introduce(
    ledger: Ledger,
    a: Contact,
    b: Contact,
    occurred_at: datetime,
    note: str,
    points: float,
    now: datetime,
    half_life: Callable[[str], float],
    goal: Goal | None = None,
) -> tuple[list[Written], datetime | None]:
    """An introduction you made between `a` and `b`: a deposit of `points` for each,
    one log (undo takes both back), each naming the other, serving `goal` (an open
    one: `goals.open_goal`) when one is named; with when you last introduced them
    before, if you had. The caller holds the transaction."""
    from engage_cli.store.queries import introduced_before

    if a.id == b.id:
        raise InputError(f"{a.name} cannot be introduced to themselves; name two contacts")
    for c in (a, b):
        if c.archived_at is not None:
            raise ContactArchived(c.name)
    said = f": {note}" if note else ""
    pair = [
        NewEntry(x, "deposit", points, occurred_at, f"introduced to {y.name}{said}", [],
                 intro_with=y)
        for x, y in ((a, b), (b, a))
    ]  # fmt: skip
    before = introduced_before(ledger, a, b)
    wrote = log_entries(ledger, pair, now, half_life)
    if goal is not None:
        serve(ledger, goal.id, [w.entry.id for w in wrote])
    return wrote, before


def serve(ledger: Ledger, goal_id: int, entry_ids: Sequence[str]) -> None:
    """Tie entries to a goal (what a log or an introduction for it wrote)."""
    ledger.conn.execute(
        "UPDATE entries SET goal_id = ? WHERE id IN (SELECT value FROM json_each(?))",
        [goal_id, json.dumps(list(entry_ids))],
    )
