"""Export: a ledger as plain records, lossless and in a stable order (see sync.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from engage_cli.formats.flat import CSV_COLUMNS
from engage_cli.formats.jsonl import (
    CHUNK,
    ENTRY_ROW,
    entry_record,
    entry_row_lines,
    header_line,
    record_lines,
)
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import json_list

Progress = Callable[[int, int], None]
EVERY = 5000  # records between two reports of progress


def _columns(ledger: Ledger, table: str) -> set[str]:
    return {r[1] for r in ledger.conn.execute(f"PRAGMA table_info({table})")}


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


def flat_records(ledger: Ledger) -> Iterator[dict[str, Any]]:
    """The contacts and folds, as records: what the flat CSV export names entries by."""
    return (rec for rec in _before_entries(ledger) if rec["type"] in ("contact", "fold"))


def flat_entries(ledger: Ledger, progress: Progress | None = None) -> Iterator[list[Any]]:
    """The entries for the flat CSV export, by id, in chunks of rows: the columns of
    formats.flat.CSV_COLUMNS, with the contact and broker as uids, the tags as stored
    and `voided` whether a void names the entry."""
    total = ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    newer = "sector" in _columns(ledger, "contacts")
    voided = "EXISTS (SELECT 1 FROM voids v WHERE v.entry_id = e.id)"
    cur = ledger.conn.execute(_entries_sql(ledger, newer, CSV_COLUMNS, voided))
    done = 0
    while rows := cur.fetchmany(CHUNK):
        if progress is not None and (done + len(rows)) // EVERY > done // EVERY:
            progress(done + len(rows), total)
        done += len(rows)
        yield rows
    if progress is not None:
        progress(total, total)


def _export_records(ledger: Ledger) -> Generator[dict[str, Any], None, None]:
    yield from _before_entries(ledger)
    yield from _entries(ledger, "sector" in _columns(ledger, "contacts"))
    yield from _after_entries(ledger)


def _before_entries(ledger: Ledger) -> Iterator[dict[str, Any]]:
    """The contacts, edits, folds and goals (what entries name), as records."""
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
            "tags": json_list(r["tags"]),
            "note": r["note"],
            "created_at": r["created_at"],
            "org": r["org"],
            "nickname": r["nickname"],
            "birthday": r["birthday"],
            "emails": json_list(r["emails"]),
            "phones": json_list(r["phones"]),
            "sector": r.get("sector", ""),
            "member_of": r.get("member_of"),
            "aliases": json_list(r.get("aliases")),
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


def _after_entries(ledger: Ledger) -> Iterator[dict[str, Any]]:
    """The voids, promises and remembered days (what names entries), as records."""
    v5 = "follow_up_at" in _columns(ledger, "entries")
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


def _entries_sql(
    ledger: Ledger, newer: bool, names: Sequence[str] = ENTRY_ROW, voided: str = "NULL"
) -> str:
    """The query of every entry by id, its columns those `names` (the record's keys,
    the tags as stored; "voided": the SQL condition `voided`)."""
    origin, via_origin = (
        ("coalesce(e.origin_id, e.contact_id)", "coalesce(e.via_origin_id, e.via_id)")
        if newer
        else ("e.contact_id", "e.via_id")
    )
    v5 = "follow_up_at" in _columns(ledger, "entries")
    column = {
        "batch": "e.batch", "contact": "c.uid",
        "follow_up": "e.follow_up_at" if v5 else "NULL",
        "goal": "(SELECT g.name FROM goals g WHERE g.id = e.goal_id)" if v5 else "NULL",
        "id": "e.id",
        "intro": "(SELECT i.uid FROM contacts i WHERE i.id = e.intro_with)" if v5 else "NULL",
        "kind": "e.kind", "logged_at": "e.logged_at", "note": "e.note",
        "occurred_at": "e.occurred_at", "points": "e.points", "resolved_at": "e.resolved_at",
        "source": "e.source_id", "status": "e.status", "tags": "e.tags", "via": "v.uid",
        "voided": voided,
    }  # fmt: skip
    return (
        f"SELECT {', '.join(column[name] for name in names)} FROM entries e "
        f"JOIN contacts c ON c.id = {origin} LEFT JOIN contacts v ON v.id = {via_origin} "
        "ORDER BY e.id"
    )


def _entries(ledger: Ledger, newer: bool) -> Iterator[dict[str, Any]]:
    """Every entry as a record, by id."""
    for row in ledger.conn.execute(_entries_sql(ledger, newer)):
        yield entry_record(row)


def export_lines(
    ledger: Ledger, exported_at: str, progress: Progress | None = None
) -> Iterator[str]:
    """The JSONL export of the ledger, in chunks of whole lines: the text
    formats.jsonl.jsonl_lines makes of export_records, with the entries (most of an
    export) read and written a chunk of rows at a time, no record built for each."""
    total = count_records(ledger) if progress is not None else 0
    done = 0

    def told(n: int) -> None:
        nonlocal done
        if progress is not None and (done + n) // EVERY > done // EVERY:
            progress(done + n, total)
        done += n

    yield header_line(exported_at)
    for chunk in _chunks(_before_entries(ledger)):
        told(len(chunk))
        yield record_lines(chunk)
    newer = "sector" in _columns(ledger, "contacts")
    cur = ledger.conn.execute(_entries_sql(ledger, newer))
    while rows := cur.fetchmany(CHUNK):
        told(len(rows))
        yield entry_row_lines(rows)
    for chunk in _chunks(_after_entries(ledger)):
        told(len(chunk))
        yield record_lines(chunk)
    if progress is not None:
        progress(total, total)


def _chunks(records: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(itertools.islice(records, CHUNK)):
        yield chunk


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
