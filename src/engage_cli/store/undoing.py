"""Undo and redo: this device's last action taken back, or done again (see journal.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engage_cli import scoring
from engage_cli.dates import from_store, to_store
from engage_cli.domain import NewEntry
from engage_cli.errors import CannotUndo
from engage_cli.store import follow_through
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import contact_by_id, insert_contact
from engage_cli.store.edits import revert_batch
from engage_cli.store.folds import fold_contact, place, unfold
from engage_cli.store.journal import CAPTURED, Action, mark, referenced
from engage_cli.store.rows import contact_from_row
from engage_cli.store.state import refresh_contacts, save_state
from engage_cli.store.writes import log_entries, reopen_ask, serve, settle_ask, void_entries

HalfLife = Callable[[str], float]


def undo(
    ledger: Ledger, action: Action, now: datetime, half_life: HalfLife, synergy: float
) -> dict[str, Any]:
    """Take back `action` (the caller holds the transaction); return what redo needs."""
    stash: dict[str, Any] = {}
    match action.kind:
        case "add":
            contact = action.contacts[0]
            if referenced(ledger, contact.id):  # its (voided) entries stay: out of the lists
                _archive(ledger, [contact.id], now, half_life, True)
                stash["archived"] = [contact.id]
            else:
                stash["row"] = _remove(ledger, contact.id)
        case "log":
            stash = _undo_log(ledger, action, now, half_life)
        case "settle":
            reopen_ask(ledger, action.entries[0], now, half_life, journaled=False)
        case "reopen":
            _settle_as_before(ledger, action, action.entries[0], now, half_life, synergy)
        case "edit":
            assert action.batch is not None
            revert_batch(ledger, action.batch, now, half_life, again=False)
        case "fold":
            unfold(ledger, action.detail["fold"], now, half_life)
        case "promise" | "keep" | "drop" | "remember":
            stash = follow_through.undo(ledger, action, now, half_life)
        case "goal":
            from engage_cli.store.goals import undo_goal

            undo_goal(ledger, action.detail)
        case _:
            take_out(ledger, action, half_life)
    detail = {**action.detail, "redo": stash} if stash else action.detail
    mark(ledger, action.seq, to_store(now), detail=detail, redoable=action.kind not in NOT_REDONE)
    return stash


# Done again by running them again: their rows are gone once undone.
NOT_REDONE = ("import", "merge", "void", "goal")


def _archive(
    ledger: Ledger, ids: list[int], now: datetime, half_life: HalfLife, archived: bool
) -> None:
    """Archive (or unarchive) contacts as part of an undo or a redo."""
    from engage_cli.store.edits import edit_contact

    for cid in ids:
        contact = contact_by_id(ledger, cid)
        if (contact.archived_at is not None) != archived:
            edit_contact(ledger, contact, {"archived": to_store(now) if archived else None},
                         now, half_life)  # fmt: skip


def redo(
    ledger: Ledger, action: Action, now: datetime, half_life: HalfLife, synergy: float
) -> None:
    """Do an undone action again (the caller holds the transaction)."""
    stash = action.detail.get("redo", {})
    detail = {k: v for k, v in action.detail.items() if k != "redo"}
    match action.kind:
        case "add" if "archived" in stash:
            _archive(ledger, stash["archived"], now, half_life, False)
            mark(ledger, action.seq, None, detail=detail)
        case "add":
            cid = _restore(ledger, stash["row"], half_life)
            mark(ledger, action.seq, None, contact_id=cid, detail=detail)
        case "log":
            for row in stash.get("contacts", []):
                _restore(ledger, row, half_life)
            by_uid = _by_uid(ledger)
            entries = [
                NewEntry(
                    by_uid[e["contact"]],
                    e["kind"],
                    e["points"],
                    from_store(e["occurred_at"]),
                    e["note"],
                    e["tags"],
                    by_uid.get(e["via"]) if e["via"] else None,
                    e["source"],
                    by_uid.get(e["intro"]) if e.get("intro") else None,
                )
                for e in stash["entries"]
            ]
            _archive(ledger, stash.get("archived", []), now, half_life, False)
            wrote = log_entries(ledger, entries, now, half_life, journaled=False)
            for e, w in zip(stash["entries"], wrote, strict=True):  # the goal it served
                if e.get("goal") is not None:
                    serve(ledger, e["goal"], [w.entry.id])
            for old, new in zip(stash["entries"], wrote, strict=True):
                # later actions on an entry (a done of the ask) follow it to its new id
                ledger.conn.execute(
                    "UPDATE actions SET entry_id = ? WHERE entry_id = ?", [new.entry.id, old["id"]]
                )
            batch = wrote[0].entry.batch if wrote else action.batch
            follow_through.put_log(ledger, stash, [w.entry.id for w in wrote], batch or "")
            mark(ledger, action.seq, None, batch=batch, at=to_store(now), detail=detail)
        case "settle":
            _settle_as_before(ledger, action, _ask(ledger, action), now, half_life, synergy)
            mark(ledger, action.seq, None)
        case "reopen":
            reopen_ask(ledger, _ask(ledger, action), now, half_life, journaled=False)
            mark(ledger, action.seq, None)
        case "edit":
            assert action.batch is not None
            batch = revert_batch(ledger, action.batch, now, half_life, again=True)
            mark(ledger, action.seq, None, batch=batch)
        case "promise" | "keep" | "drop" | "remember":
            follow_through.redo(ledger, action, stash, now, half_life)
            mark(ledger, action.seq, None, detail=detail)
        case "fold":
            dup_id, into_id = ledger.conn.execute(
                "SELECT contact_id, into_id FROM folds WHERE id = ?", [detail["fold"]]
            ).fetchone()
            dup, into = contact_by_id(ledger, dup_id), contact_by_id(ledger, into_id)
            if dup.folded_into is not None or into.folded_into is not None:
                raise CannotUndo("one of the two has been folded since")
            fold_id = fold_contact(ledger, dup, into, now, half_life)
            mark(ledger, action.seq, None, detail={**detail, "fold": fold_id})


def _settle_as_before(
    ledger: Ledger, action: Action, ask: Any, now: datetime, half_life: HalfLife, synergy: float
) -> None:
    """Settle an ask as the action found or left it (its status, at its moment)."""
    assert action.status is not None and action.resolved_at is not None
    at = from_store(action.resolved_at)
    share = float(action.detail.get("share", synergy))  # what it gave back then
    settle_ask(ledger, ask, action.status, at, now, share, half_life, journaled=False)


def _ask(ledger: Ledger, action: Action) -> Any:
    from engage_cli.store.queries import find_entry

    assert action.entry_id is not None
    return find_entry(ledger, action.entry_id)


def _by_uid(ledger: Ledger) -> dict[str, Any]:
    return {r["uid"]: contact_from_row(r) for r in ledger.rows("SELECT * FROM contacts")}


def _undo_log(ledger: Ledger, action: Action, now: datetime, half_life: HalfLife) -> dict[str, Any]:
    """Void a log's entries; a contact the log added goes too, with its entries, when
    nothing else refers to it. Returns what redo needs to write it all again."""
    # Each entry's contact and broker by uid, as they were logged (redo logs them again).
    uids = {
        eid: (uid, via, intro, goal)
        for eid, uid, via, intro, goal in ledger.conn.execute(
            "SELECT e.id, c.uid, v.uid, i.uid, e.goal_id FROM entries e "
            "JOIN contacts c ON c.id = e.contact_id LEFT JOIN contacts v ON v.id = e.via_id "
            "LEFT JOIN contacts i ON i.id = e.intro_with WHERE e.batch = ?",
            [action.batch],
        )
    }
    stash: dict[str, Any] = {
        "entries": [
            {
                "contact": uids[e.id][0],
                "kind": e.kind,
                "points": e.points,
                "occurred_at": to_store(e.occurred_at),
                "id": e.id,
                "note": e.note,
                "tags": e.tags,
                "source": e.source_id,
                "via": uids[e.id][1],
                "intro": uids[e.id][2],
                "goal": uids[e.id][3],
            }
            for e in action.entries
            if e.source_id is None  # what a done ask gave back is given again by redoing it
        ],
        "contacts": [],
    }
    follow_through.take_log(ledger, action, stash, now, half_life)
    gone: set[str] = set()
    for cid in [c.id for c in action.contacts]:  # those added that nothing else refers to
        ids = [
            r[0]
            for r in ledger.conn.execute(
                "SELECT id FROM entries WHERE contact_id = ? AND batch = ?", [cid, action.batch]
            )
        ]
        ledger.conn.execute("PRAGMA defer_foreign_keys = ON")
        ledger.conn.execute(
            "DELETE FROM voids WHERE entry_id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
        ledger.conn.execute(
            "DELETE FROM entries WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
        )
        gone.update(ids)
        stash["contacts"].append(_remove(ledger, cid))
    rest = [e for e in action.entries if e.id not in gone]
    void_entries(ledger, rest, now, "undo", half_life)
    # A contact the log added that stays (something else refers to it) but has nothing
    # that counts any more leaves the lists, as if it had never been added.
    left = [
        cid
        for cid in action.detail.get("added", [])
        if cid not in {c.id for c in action.contacts}
        and ledger.conn.execute(
            "SELECT 1 FROM entries WHERE contact_id = ? AND voided_by IS NULL LIMIT 1", [cid]
        ).fetchone()
        is None
        and ledger.conn.execute("SELECT 1 FROM contacts WHERE id = ?", [cid]).fetchone()
    ]
    _archive(ledger, left, now, half_life, True)
    stash["archived"] = left
    return stash


def _remove(ledger: Ledger, cid: int) -> dict[str, Any]:
    """Delete a contact nothing refers to; return its row (to put back on redo)."""
    row = ledger.rows("SELECT * FROM contacts WHERE id = ?", [cid])[0]
    ledger.conn.execute("DELETE FROM contact_state WHERE contact_id = ?", [cid])
    ledger.conn.execute("DELETE FROM state_marks WHERE contact_id = ?", [cid])
    ledger.conn.execute("DELETE FROM contacts WHERE id = ?", [cid])
    return row


def _restore(ledger: Ledger, row: dict[str, Any], half_life: HalfLife) -> int:
    from engage_cli.errors import NameTaken
    from engage_cli.store.contacts import find_contact

    holder = find_contact(ledger, row["name"])
    if holder is not None:
        raise NameTaken(row["name"], holder.name)
    values = {k: v for k, v in row.items() if k not in ("id", "name_key")}
    for key in ("tags", "emails", "phones", "aliases"):
        values[key] = json.loads(values[key])
    cid = insert_contact(ledger, **values)
    save_state(ledger, cid, half_life(row["circle"]), scoring.State(), None, None)
    return cid


def take_out(ledger: Ledger, action: Action, half_life: Callable[[str], float]) -> None:
    """Undo an import or merge: remove the rows it added, put back the ones it changed."""
    marks = action.detail["marks"]
    conn = ledger.conn
    conn.execute("PRAGMA defer_foreign_keys = ON")
    touched = _touched(ledger, action)
    for tbl, row_id, old in conn.execute(
        "SELECT tbl, row_id, old FROM action_rows WHERE seq = ?", [action.seq]
    ).fetchall():
        values = json.loads(old)
        sets = ", ".join(f"{c} = :{c}" for c in values)
        conn.execute(f"UPDATE {tbl} SET {sets} WHERE rowid = :_rowid", {**values, "_rowid": row_id})
    touched |= _touched(ledger, action)  # the changed rows' contacts as they were before
    # What points at the rows to remove, from rows that stay, is let go first.
    conn.execute(
        "UPDATE entries SET voided_by = (SELECT min(v.id) FROM voids v WHERE v.entry_id = "
        "entries.id AND v.rowid <= ?) WHERE voided_by IN (SELECT id FROM voids WHERE rowid > ?)",
        [marks["voids"], marks["voids"]],
    )
    conn.execute(f"DELETE FROM contact_state WHERE contact_id > {int(marks['contacts'])}")
    conn.execute(f"DELETE FROM state_marks WHERE contact_id > {int(marks['contacts'])}")
    for tbl in CAPTURED:
        if tbl in marks:  # an import journaled before a table was there added none to it
            conn.execute(f"DELETE FROM {tbl} WHERE rowid > ?", [marks[tbl]])
    conn.execute("DELETE FROM action_rows WHERE seq = ?", [action.seq])
    place(ledger, half_life)
    refresh_contacts(ledger, touched, half_life)


def _touched(ledger: Ledger, action: Action) -> set[int]:
    """The contacts whose entries, or whose circle, an import or merge changed, while
    its rows are there: read before the rows it changed are put back and again after,
    the union is what to recompute."""
    marks, seq = action.detail["marks"], action.seq
    found = ledger.conn.execute(
        "SELECT e.contact_id FROM action_rows a JOIN entries e ON e.rowid = a.row_id "
        "WHERE a.seq = ? AND a.tbl = 'entries' "
        "UNION SELECT row_id FROM action_rows WHERE seq = ? AND tbl = 'contacts' "
        "UNION SELECT contact_id FROM entries WHERE rowid > ? "
        "UNION SELECT contact_id FROM entries WHERE voided_by IN "
        "(SELECT id FROM voids WHERE rowid > ?)",
        [seq, seq, marks.get("entries", 2**62), marks.get("voids", 2**62)],
    )
    return {int(r[0]) for r in found}
