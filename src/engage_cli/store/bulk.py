"""Bulk loads (an import, a merge): indexes built once, not a row at a time.

The index of entries (store/search.py) is kept by a trigger on every insert;
FTS5 writes its pending words out at the end of every statement, so a
million inserted entries make a million tiny index segments to merge. While
a merge writes entries the trigger is set aside, and the new rows are
indexed in one statement.

The entries' other indexes (a dozen) cost most of an insert once they no
longer fit the page cache: every row lands on a random page of each. When a
load has added more entries than the ledger held before it (and more than
`SET_ASIDE_AFTER`), those indexes are dropped and, at the end, created again
from the very SQL text they had (so the schema stays exactly as it was):
building an index from sorted rows is far cheaper than keeping it up a row
at a time. Everything happens inside the caller's transaction, under a
savepoint: a failure rolls back to it, which puts the trigger and the
indexes back as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engage_cli.store.connection import Ledger

_TRIGGER = "entries_ai"
# What the trigger does, which the one statement at the end does for every new row.
_WRITES = "INSERT INTO entries_fts (rowid, note, tags) VALUES (new.rowid, new.note, new.tags);"
# Below this many new entries the indexes stay: small enough to keep up as rows come.
SET_ASIDE_AFTER = 20_000


class Load:
    """What a bulk load has written so far; `added(n)` after each batch of entries."""

    def __init__(self, ledger: Ledger, before: int) -> None:
        self.conn = ledger.conn
        self.before = before  # the entries' largest rowid when the load began
        self.count = 0
        self.indexes: list[str] = []  # the SQL of the indexes set aside, to build again

    def added(self, n: int) -> None:
        self.count += n
        if not self.indexes and self.count > max(self.before, SET_ASIDE_AFTER):
            self._set_aside()

    def _set_aside(self) -> None:
        rows = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' "
            "AND sql IS NOT NULL ORDER BY name"
        ).fetchall()
        for name, sql in rows:
            if sql.split(None, 2)[1].upper() == "UNIQUE":  # a constraint: it stays
                continue
            self.indexes.append(sql)
            self.conn.execute(f'DROP INDEX "{name}"')

    def finish(self) -> None:
        for sql in self.indexes:
            self.conn.execute(sql)
        self.indexes = []


@contextmanager
def bulk_load(ledger: Ledger) -> Iterator[Load]:
    """Entries inserted inside are indexed together at the end (the caller holds the
    transaction and reports each batch to the `Load` yielded); a ledger without the
    search index's trigger keeps it, every row going through it."""
    conn = ledger.conn
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [_TRIGGER]
    ).fetchone()
    trigger = row[0] if row is not None and _WRITES in " ".join(row[0].split()) else None
    mark = conn.execute("SELECT coalesce(max(rowid), 0) FROM entries").fetchone()[0]
    load = Load(ledger, mark)
    conn.execute("SAVEPOINT bulk_load")
    try:
        if trigger is not None:
            conn.execute(f"DROP TRIGGER {_TRIGGER}")
        yield load
        load.finish()
        if trigger is not None:
            conn.execute(
                "INSERT INTO entries_fts (rowid, note, tags) "
                "SELECT rowid, note, tags FROM entries WHERE rowid > ?",
                [mark],
            )
            conn.execute(trigger)
    except BaseException:
        if conn.in_transaction:  # (SQLite may have rolled all of it back itself)
            conn.execute("ROLLBACK TO bulk_load")  # the trigger and the indexes are back
            conn.execute("RELEASE bulk_load")
        raise
    conn.execute("RELEASE bulk_load")
