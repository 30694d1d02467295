"""Full-text search over the ledger's index (schema 3): entries' notes and tags, and
contacts' names, notes, tags, organisations and nicknames, best match first.

The query is FTS5's own syntax: words, "a phrase", prefixes (lisb*), AND, OR,
NOT; accents are folded on both sides (jose finds José). A query SQLite cannot
read is a typed error, worded by the commands layer.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, NamedTuple

from engage_cli.dates import to_store
from engage_cli.domain import Contact, Entry
from engage_cli.errors import SearchQueryError
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import contact_from_row, entry_from_row

# Where the matched words start and end in a snippet: private-use characters,
# which the views turn into highlighting.
MARK, END_MARK = "\ue000", "\ue001"
SNIPPET_WORDS = 12


class EntryHit(NamedTuple):
    entry: Entry
    snippet: str  # the note around the matched words, MARK ... END_MARK around each


class ContactHit(NamedTuple):
    contact: Contact
    snippet: str  # the name, or the field that matched, marked the same way


class Filters(NamedTuple):
    contact: Contact | None = None
    since: datetime | None = None
    kind: str | None = None
    tag: str | None = None
    voided: bool = False


def _matching(ledger: Ledger, sql: str, params: list[Any], query: str) -> list[dict[str, Any]]:
    try:
        return ledger.rows(sql, params)
    except sqlite3.OperationalError as exc:
        text = str(exc)
        # What the index says of a query it cannot read; the ledger's own troubles
        # (busy, locked, read-only, disk) go on as they are.
        if any(w in text.lower() for w in ("locked", "busy", "readonly", "disk", "i/o")):
            raise
        raise SearchQueryError(query, text.removeprefix("fts5: ").strip() or "unreadable") from None


def search_entries(ledger: Ledger, query: str, filters: Filters, limit: int) -> list[EntryHit]:
    """Entries whose note or tags match `query`, best first; voided ones only on request."""
    where = ["entries_fts MATCH ?"]
    params: list[Any] = [query]
    if not filters.voided:
        where.append("e.voided_by IS NULL")
    if filters.contact is not None:
        where.append("e.contact_id = ?")
        params.append(filters.contact.id)
    if filters.since is not None:
        where.append("e.occurred_at >= ?")
        params.append(to_store(filters.since))
    if filters.kind is not None:
        where.append("e.kind = ?")
        params.append(filters.kind)
    if filters.tag is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(e.tags) WHERE value = ?)")
        params.append(filters.tag.lower())
    # The best matches first, from the index alone (ranking every match of a common
    # word and joining each is what costs); the filters then keep what they keep.
    # Ties go to the entry written last, so the order is total and the first pass
    # is a prefix of the whole ranking: when the filters keep at least `limit` of
    # it, those are the answer; when they keep fewer, the whole ranking is read.
    head = (
        "SELECT e.*, e.rowid AS fts_rowid, c.name AS contact, v.name AS via FROM ("
        "SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH ? "
        "ORDER BY rank, rowid DESC {inner}) AS f "
        "JOIN entries e ON e.rowid = f.rowid JOIN contacts c ON c.id = e.contact_id "
        "LEFT JOIN contacts v ON v.id = e.via_id "
        f"WHERE {' AND '.join(where[1:]) or '1'} ORDER BY f.rank, f.rowid DESC LIMIT ?"
    )
    inner = limit * 4 + 20
    rows = _matching(ledger, head.format(inner=f"LIMIT {inner}"), [*params, limit], query)
    if len(rows) < limit:
        count = ledger.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM entries_fts WHERE entries_fts MATCH ? LIMIT ?)",
            [query, inner],
        ).fetchone()[0]
        if count >= inner:  # the filters left out some of the best: rank them all
            rows = _matching(ledger, head.format(inner=""), [*params, limit], query)
    snips = _snippets(ledger, query, [r["fts_rowid"] for r in rows])
    return [EntryHit(entry_from_row(r), snips.get(r["fts_rowid"]) or r["note"]) for r in rows]


def _snippets(ledger: Ledger, query: str, rowids: list[int]) -> dict[int, str]:
    """The snippet of each of these entries: made only for the entries shown, since
    making one reads the entry's note (a snippet per match read the whole table)."""
    if not rowids:
        return {}
    marks = ", ".join("?" for _ in rowids)
    sql = (
        f"SELECT rowid, snippet(entries_fts, 0, '{MARK}', '{END_MARK}', '…', {SNIPPET_WORDS}) "
        f"FROM entries_fts WHERE entries_fts MATCH ? AND rowid IN ({marks})"
    )
    return dict(ledger.conn.execute(sql, [query, *rowids]).fetchall())


_CONTACT_FIELDS = ("name", "note", "tags", "org", "nickname")


def search_contacts(ledger: Ledger, query: str, limit: int) -> list[ContactHit]:
    """Contacts whose name, note, tags, organisation or nickname match `query`."""
    marks = ", ".join(
        f"highlight(contacts_fts, {i}, '{MARK}', '{END_MARK}') AS h_{name}"
        for i, name in enumerate(_CONTACT_FIELDS)
    )
    sql = (
        f"SELECT c.*, {marks} FROM contacts_fts JOIN contacts c ON c.id = contacts_fts.rowid "
        "WHERE contacts_fts MATCH ? AND c.folded_into IS NULL "
        "ORDER BY contacts_fts.rank, c.name_key LIMIT ?"
    )
    out = []
    for r in _matching(ledger, sql, [query, limit], query):
        field = next((n for n in _CONTACT_FIELDS if MARK in (r[f"h_{n}"] or "")), "name")
        shown = str(r[f"h_{field}"] or r["name"])
        if field == "tags":  # a JSON list in the table: shown as the tags it holds
            shown = "tags: " + shown.strip("[]").replace('","', ", ").replace('"', "")
        out.append(ContactHit(contact_from_row(r), shown))
    return out


def index_problems(ledger: Ledger) -> list[str]:
    """Whether the search index agrees with the entries and contacts it indexes.

    FTS5 checks through an INSERT, which a ledger opened read-only refuses: there
    the check is not made (and nothing is reported)."""
    if ledger.read_only:
        return []
    problems = []
    for table in ("entries_fts", "contacts_fts"):
        try:
            # rank 1: check the index against the table's text, not only itself
            ledger.conn.execute(
                f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError:
            problems.append(f"{table} differs from the text it indexes")
    return problems


def rebuild_index(ledger: Ledger) -> None:
    """Rebuild the search index from the tables (the caller holds the transaction)."""
    db = ledger.db  # sqlite-utils: the table's own rebuild of its full-text index
    db.table("entries").rebuild_fts()
    db.table("contacts").rebuild_fts()
