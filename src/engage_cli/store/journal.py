"""This device's journal of its own actions, and taking them back (undo) or again (redo).

Every action that changes the ledger is one row: add, log, settle, reopen,
edit (rename and archive are edits), fold, import, merge. Undo takes back the
latest one that still stands, and only what it wrote: a log's entries are
voided (a contact it added is removed with them), a settlement reopened, an
edit edited back, a fold undone, an import or a merge taken out row by row.
It marks the action undone; redo does the latest undone action again, as
long as nothing was done since.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from engage_cli.dates import to_store
from engage_cli.domain import Change, Contact, Entry
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import contact_by_id, named
from engage_cli.store.rows import contact_from_row, entry_rows
from engage_cli.store.writes import journal, void_entries


class Action(NamedTuple):
    """One action of the journal, with what `undo` and `redo` show and need."""

    seq: int
    kind: str
    at: str
    batch: str | None
    entry_id: str | None
    status: str | None
    resolved_at: str | None
    contact_id: int | None
    detail: dict[str, Any]
    entries: list[Entry]  # a log's entries that count, or the ask settled or reopened
    contacts: list[Contact]  # the contact added, edited or folded (and the one it went into)


_COLUMNS = "seq, kind, at, batch, entry_id, status, resolved_at, contact_id, detail"


def _action(ledger: Ledger, row: tuple[Any, ...]) -> Action:
    seq, kind, at, batch, entry_id, status, resolved_at, contact_id, detail = row
    info = json.loads(detail) if detail else {}
    entries: list[Entry] = []
    contacts: list[Contact] = []
    if kind == "log":
        entries = entry_rows(
            ledger,
            "e.batch = ? AND e.logged_at = ? AND e.voided_by IS NULL",
            [batch, at],
            "ORDER BY e.id",
        )
        contacts = [
            contact_from_row(r)
            for r in ledger.rows(
                "SELECT * FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(info.get("added", []))],
            )
            if not referenced(ledger, r["id"], except_batch=batch)
        ]
        made = ledger.conn.execute(  # what the log promised with it
            "SELECT c.name, p.what FROM promises p JOIN contacts c ON c.id = p.contact_id "
            "WHERE p.batch = ? ORDER BY p.id",
            [batch],
        ).fetchall()
        if made:
            info = {**info, "promised": [list(r) for r in made]}
    elif kind in ("settle", "reopen"):
        entries = entry_rows(ledger, "e.id = ? AND e.voided_by IS NULL", [entry_id])
    elif kind == "void":  # the entries it voided, still voided
        entries = entry_rows(
            ledger,
            "e.id IN (SELECT value FROM json_each(?)) AND e.voided_by IS NOT NULL",
            [json.dumps(info.get("voided", []))],
            "ORDER BY e.id",
        )
    elif kind == "add":
        found = ledger.rows(
            "SELECT * FROM contacts WHERE id = ? AND uid = ?", [contact_id, info.get("uid")]
        )
        contacts = [contact_from_row(r) for r in found]
    elif kind == "edit":
        edits = batch_changes(ledger, batch or "")
        contacts = [contact_by_id(ledger, i) for i in dict.fromkeys(cid for cid, _ in edits)]
        changes = named(ledger, [c for _, c in edits])
        info = {**info, "changes": [tuple(c) for c in changes]}
    elif kind in ("promise", "keep", "drop", "remember"):
        info = {**info, **_kept_row(ledger, kind, info)}
    elif kind == "goal":
        from engage_cli.store.goals import goal_of_action

        info = {**info, "now": goal_of_action(ledger, info)}
    elif kind == "fold":
        fold = ledger.conn.execute(
            "SELECT contact_id, into_id, undone_at FROM folds WHERE id = ?", [info.get("fold")]
        ).fetchone()
        if fold is not None:
            contacts = [contact_by_id(ledger, fold[0]), contact_by_id(ledger, fold[1])]
            info = {**info, "stands": fold[2] is None}
    return Action(
        seq, kind, at, batch, entry_id, status, resolved_at, contact_id, info, entries, contacts
    )


def _kept_row(ledger: Ledger, kind: str, info: dict[str, Any]) -> dict[str, Any]:
    """A promise's or remembered day's row as an action left it: whom, what, its state."""
    if kind == "remember":
        row = ledger.conn.execute(
            "SELECT c.name, d.what, d.day FROM dates d JOIN contacts c ON c.id = d.contact_id "
            "WHERE d.id = ?",
            [info.get("date")],
        ).fetchone()
        return {"row": dict(zip(("contact", "what", "day"), row, strict=True))} if row else {}
    row = ledger.conn.execute(
        "SELECT c.name, p.what, p.due_at, p.state FROM promises p "
        "JOIN contacts c ON c.id = p.contact_id WHERE p.id = ?",
        [info.get("promise")],
    ).fetchone()
    return (
        {"row": dict(zip(("contact", "what", "due_at", "state"), row, strict=True))} if row else {}
    )


def referenced(ledger: Ledger, cid: int, except_batch: str | None = None) -> bool:
    """Whether anything but `except_batch`'s entries refers to a contact."""
    other = "" if except_batch is None else " AND batch != :batch"
    checks = [
        "SELECT 1 FROM entries INDEXED BY entries_by_contact WHERE contact_id = :c" + other,
        "SELECT 1 FROM entries WHERE via_id = :c",
        "SELECT 1 FROM entries WHERE origin_id = :c OR via_origin_id = :c",
        "SELECT 1 FROM edits WHERE contact_id = :c",
        "SELECT 1 FROM folds WHERE contact_id = :c OR into_id = :c",
        "SELECT 1 FROM contacts WHERE org_id = :c",
        "SELECT 1 FROM promises WHERE contact_id = :c" + other,
        "SELECT 1 FROM dates WHERE contact_id = :c",
    ]
    params = {"c": cid, "batch": except_batch}
    return any(
        ledger.conn.execute(sql + " LIMIT 1", params).fetchone() is not None for sql in checks
    )


def batch_changes(ledger: Ledger, batch: str) -> list[tuple[int, Change]]:
    """The edits of one batch, in the order they were made, with their contact."""
    return [
        (cid, Change(field, json.loads(before) if before else None, json.loads(value)))
        for cid, field, before, value in ledger.conn.execute(
            "SELECT contact_id, field, before, value FROM edits WHERE batch = ? ORDER BY id",
            [batch],
        )
    ]


def stands(ledger: Ledger, action: Action) -> bool:
    """Whether an action not marked undone still stands as it left the ledger."""
    if action.kind == "log":
        return bool(action.entries)
    if action.kind in ("settle", "reopen"):
        if not action.entries:
            return False
        ask = action.entries[0]
        if action.kind == "reopen":
            return ask.status == "open"
        return ask.status == action.status and _stored(ask.resolved_at) == action.resolved_at
    if action.kind == "fold":
        return bool(action.detail.get("stands"))
    if action.kind == "add":
        return bool(action.contacts)
    if action.kind == "void":
        return bool(action.entries)
    if action.kind == "goal":  # added and still there; closed and still closed
        now = action.detail.get("now", {})
        return bool(now) and ("before" not in action.detail or bool(now.get("closed")))
    if action.kind in ("promise", "remember"):
        return "row" in action.detail
    if action.kind in ("keep", "drop"):
        state = str(action.detail.get("row", {}).get("state"))
        return state == {"keep": "kept", "drop": "dropped"}[action.kind]
    return True  # edit, import, merge: marked undone when they are


def _stored(at: datetime | None) -> str | None:
    return None if at is None else to_store(at)


def last_action(ledger: Ledger, depth: int = 1000) -> Action | None:
    """This device's most recent action that still stands, or None.

    Newest first; actions undone, or overtaken (a log whose entries were voided
    since, a settlement another device's merge changed), are passed over; at
    most `depth` are.
    """
    rows = ledger.conn.execute(
        f"SELECT {_COLUMNS} FROM actions WHERE undone_at IS NULL ORDER BY seq DESC LIMIT ?",
        [depth],
    ).fetchall()
    for row in rows:
        action = _action(ledger, row)
        if stands(ledger, action):
            return action
    return None


def next_redo(ledger: Ledger) -> Action | None:
    """The action undone last, unless this device has done anything new since."""
    row = ledger.conn.execute(
        f"SELECT {_COLUMNS} FROM actions WHERE redo_order IS NOT NULL "
        "ORDER BY redo_order DESC LIMIT 1"
    ).fetchone()
    return _action(ledger, row) if row else None


def mark(
    ledger: Ledger, seq: int, undone_at: str | None, redoable: bool = True, **changes: Any
) -> None:
    """Mark an action undone (redoable first among those undone, unless not `redoable`),
    or with None done again, updating what redo changed."""
    sets = "".join(f", {k} = ?" for k in changes)
    values = [json.dumps(v) if k == "detail" else v for k, v in changes.items()]
    redone_next = "(SELECT coalesce(max(redo_order), 0) + 1 FROM actions)"
    order = redone_next if undone_at and redoable else "NULL"
    ledger.conn.execute(
        f"UPDATE actions SET undone_at = ?, redo_order = {order}{sets} WHERE seq = ?",
        [undone_at, *values, seq],
    )


# Imports, merges and voids: what they changed, so that it can be taken out.

# The tables an import or a merge writes, in the order their new rows are removed.
CAPTURED = ("promises", "dates", "voids", "entries", "goals", "edits", "folds", "contacts")


@contextmanager
def capturing(ledger: Ledger, kind: str, at: str) -> Iterator[dict[str, Any]]:
    """Journal an import or merge (the caller holds the transaction): the rows it adds
    are the ones after each table's last row before it; the rows it changes are kept
    as they were (by temporary triggers), for `undo`. Yields the action's detail."""
    marks = {
        t: ledger.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0]
        for t in CAPTURED
    }
    detail: dict[str, Any] = {"marks": marks}
    seq = journal(ledger, at, kind, detail=detail)
    conn = ledger.conn
    for t in CAPTURED:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
        old = ", ".join(f"'{c}', old.{c}" for c in cols)
        conn.execute(
            f"CREATE TEMP TRIGGER capture_{t} AFTER UPDATE ON main.{t} "
            f"WHEN old.rowid <= {int(marks[t])} AND NOT EXISTS (SELECT 1 FROM main.action_rows "
            f"WHERE seq = {seq} AND tbl = '{t}' AND row_id = old.rowid) BEGIN "
            f"INSERT INTO action_rows (seq, tbl, row_id, old) "
            f"VALUES ({seq}, '{t}', old.rowid, json_object({old})); END"
        )
    try:
        yield detail
    finally:
        for t in CAPTURED:
            conn.execute(f"DROP TRIGGER IF EXISTS temp.capture_{t}")
    ledger.conn.execute("UPDATE actions SET detail = ? WHERE seq = ?", [json.dumps(detail), seq])


def void_one(
    ledger: Ledger, ref: str, now: datetime, reason: str, half_life: Callable[[str], float]
) -> Entry:
    """Void the entry `ref` names (an id or its last 8 digits), journaled so that
    `undo` brings it back: what it changed (the entry, an ask it reopened, what that
    ask gave back) is captured as an import's is. The caller holds the transaction."""
    from engage_cli.store.queries import find_entry

    entry = find_entry(ledger, ref)
    with capturing(ledger, "void", to_store(now)) as detail:
        void_entries(ledger, [entry], now, reason, half_life)
        detail["voided"] = [entry.id]
    return entry
