"""Export: a ledger as plain records, lossless and in a stable order (see sync.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from typing import Any

from engage_cli.store.connection import Ledger

Progress = Callable[[int, int], None]
EVERY = 5000  # records between two reports of progress


def _columns(ledger: Ledger, table: str) -> set[str]:
    return {r[1] for r in ledger.conn.execute(f"PRAGMA table_info({table})")}


def _list(text: str) -> Any:
    return [] if text == "[]" else json.loads(text)


def count_records(ledger: Ledger) -> int:
    """How many records an export of the ledger holds (for a progress bar)."""
    tables = [
        r[0] for r in ledger.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    kinds = ("contacts", "edits", "folds", "goals", "entries", "voids", "promises", "dates")
    return sum(
        ledger.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in kinds if t in tables
    )


def export_records(ledger: Ledger, progress: Progress | None = None) -> Iterator[dict[str, Any]]:
    """Every contact, edit, fold, entry, void, promise and remembered day as plain
    records, in a stable order (lossless): formats.records.EXPORT_ORDER, a kind
    after another. A ledger of an older schema (read, not migrated) gives its
    records with the newer fields at their defaults. Read a row at a time;
    `progress(done, total)` is told every few thousand records.

    Contacts are named by their `uid`, never by the local row number, so
    records from several devices can be merged; an entry names the contact it
    was logged for (a fold moves it, on every device alike).
    """
    records = _export_records(ledger)
    if progress is None:
        yield from records
        return
    total = count_records(ledger)
    for n, rec in enumerate(records, 1):
        if n % EVERY == 0:
            progress(n, total)
        yield rec
    progress(total, total)


def flat_records(ledger: Ledger, progress: Progress | None = None) -> Iterator[dict[str, Any]]:
    """What the flat CSV export needs, a row at a time: contacts, folds, then entries,
    each entry with `voided` (whether a void names it)."""
    newer = "sector" in _columns(ledger, "contacts")
    before = _export_records(ledger)
    for rec in before:
        if rec["type"] == "entry":
            break
        if rec["type"] in ("contact", "fold"):
            yield rec
    before.close()
    total = ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    voided = "EXISTS (SELECT 1 FROM voids v WHERE v.entry_id = e.id)"
    for n, rec in enumerate(_entries(ledger, newer, voided), 1):
        if progress is not None and n % EVERY == 0:
            progress(n, total)
        yield rec
    if progress is not None:
        progress(total, total)


def _export_records(ledger: Ledger) -> Generator[dict[str, Any], None, None]:
    newer = "sector" in _columns(ledger, "contacts")
    extra = (
        ", c.sector, (SELECT o.uid FROM contacts o WHERE o.id = c.org_id) AS member_of, "
        "c.aliases, c.archived_at, c.mode"
        if newer
        else ""
    )
    for r in ledger.iter_rows(
        "SELECT c.uid, c.name, c.kind, c.circle, c.tags, c.note, c.created_at, c.org, "
        f"c.nickname, c.birthday, c.emails, c.phones{extra} FROM contacts c ORDER BY c.uid"
    ):
        yield {
            "type": "contact",
            "uid": r["uid"],
            "name": r["name"],
            "kind": r["kind"],
            "circle": r["circle"],
            "tags": _list(r["tags"]),
            "note": r["note"],
            "created_at": r["created_at"],
            "org": r["org"],
            "nickname": r["nickname"],
            "birthday": r["birthday"],
            "emails": _list(r["emails"]),
            "phones": _list(r["phones"]),
            "sector": r.get("sector", ""),
            "member_of": r.get("member_of"),
            "aliases": _list(r.get("aliases", "[]")),
            "archived_at": r.get("archived_at"),
            "mode": r.get("mode", "engagement"),
        }
    if newer:
        for r in ledger.iter_rows(
            "SELECT e.id, c.uid, e.field, e.value, e.before, e.edited_at, e.batch "
            "FROM edits e JOIN contacts c ON c.id = e.contact_id ORDER BY e.id"
        ):
            yield {
                "type": "edit",
                "id": r["id"],
                "contact": r["uid"],
                "field": r["field"],
                "value": json.loads(r["value"]),
                "before": json.loads(r["before"]) if r["before"] is not None else None,
                "edited_at": r["edited_at"],
                "batch": r["batch"],
            }
        for r in ledger.iter_rows(
            "SELECT f.id, d.uid AS dup, i.uid AS into_uid, f.folded_at, f.undone_at FROM folds f "
            "JOIN contacts d ON d.id = f.contact_id JOIN contacts i ON i.id = f.into_id "
            "ORDER BY f.id"
        ):
            yield {
                "type": "fold",
                "id": r["id"],
                "contact": r["dup"],
                "into": r["into_uid"],
                "folded_at": r["folded_at"],
                "undone_at": r["undone_at"],
            }
    v5 = "follow_up_at" in _columns(ledger, "entries")
    if v5:
        from engage_cli.store.goals import goal_records

        yield from goal_records(ledger)
    yield from _entries(ledger, newer)
    for r in ledger.iter_rows("SELECT id, entry_id, voided_at, reason FROM voids ORDER BY id"):
        yield {
            "type": "void",
            "id": r["id"],
            "entry": r["entry_id"],
            "voided_at": r["voided_at"],
            "reason": r["reason"],
        }
    if v5:
        yield from _follow_through(ledger)


def _entries(ledger: Ledger, newer: bool, voided: str = "") -> Iterator[dict[str, Any]]:
    """Every entry as a record, by id; with `voided` (an SQL condition), whether voided."""
    origin, via_origin = (
        ("coalesce(e.origin_id, e.contact_id)", "coalesce(e.via_origin_id, e.via_id)")
        if newer
        else ("e.contact_id", "e.via_id")
    )
    v5 = "follow_up_at" in _columns(ledger, "entries")
    follow = "e.follow_up_at" if v5 else "NULL"
    intro = "(SELECT i.uid FROM contacts i WHERE i.id = e.intro_with)" if v5 else "NULL"
    goal = "(SELECT g.name FROM goals g WHERE g.id = e.goal_id)" if v5 else "NULL"
    cur = ledger.conn.execute(
        "SELECT e.id, c.uid, e.kind, e.points, e.occurred_at, e.logged_at, e.note, e.tags, "
        f"e.batch, e.status, e.resolved_at, e.source_id, v.uid, {follow}, {intro}, {goal}, "
        f"{voided or 'NULL'} FROM entries e "
        f"JOIN contacts c ON c.id = {origin} LEFT JOIN contacts v ON v.id = {via_origin} "
        "ORDER BY e.id"
    )
    for row in cur:
        rec = {
            "type": "entry",
            "id": row[0],
            "contact": row[1],
            "kind": row[2],
            "points": row[3],
            "occurred_at": row[4],
            "logged_at": row[5],
            "note": row[6],
            "tags": _list(row[7]),
            "batch": row[8],
            "status": row[9],
            "resolved_at": row[10],
            "source": row[11],
            "via": row[12],
            "follow_up": row[13],
            "intro": row[14],
            "goal": row[15],
        }
        if voided:
            rec["voided"] = bool(row[16])
        yield rec


def _follow_through(ledger: Ledger) -> Iterator[dict[str, Any]]:
    """Promises and remembered days (schema 5), each naming the contact it was made for."""
    for r in ledger.iter_rows(
        "SELECT p.id, c.uid, p.what, p.due_at, p.made_at, p.logged_at, p.batch, p.state, "
        "p.settled_at, p.entry_id FROM promises p JOIN contacts c ON c.id = p.contact_id "
        "ORDER BY p.id"
    ):
        yield {
            "type": "promise",
            "id": r["id"],
            "contact": r["uid"],
            "what": r["what"],
            "due_at": r["due_at"],
            "made_at": r["made_at"],
            "logged_at": r["logged_at"],
            "batch": r["batch"],
            "state": r["state"],
            "settled_at": r["settled_at"],
            "entry": r["entry_id"],
        }
    for r in ledger.iter_rows(
        "SELECT d.id, c.uid, d.kind, d.what, d.day, d.made_at, d.batch FROM dates d "
        "JOIN contacts c ON c.id = d.contact_id ORDER BY d.id"
    ):
        yield {
            "type": "date",
            "id": r["id"],
            "contact": r["uid"],
            "kind": r["kind"],
            "what": r["what"],
            "day": r["day"],
            "made_at": r["made_at"],
            "batch": r["batch"],
        }
