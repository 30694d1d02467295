"""Bulk loads (an import, a merge): the search index filled once, not a row at a time.

The index of entries (store/search.py) is kept by a trigger on every insert;
FTS5 writes its pending words out at the end of every statement, so a
million inserted entries make a million tiny index segments to merge. While
a merge writes entries the trigger is set aside (inside the transaction:
any failure puts it back), and the new rows are indexed in one statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engage_cli.store.connection import Ledger

_TRIGGER = "entries_ai"
# What the trigger does, which the one statement at the end does for every new row.
_WRITES = "INSERT INTO entries_fts (rowid, note, tags) VALUES (new.rowid, new.note, new.tags);"


@contextmanager
def indexed_at_once(ledger: Ledger) -> Iterator[None]:
    """Entries inserted inside are indexed together at the end (the caller holds the
    transaction); a ledger without the index's trigger is left as it is."""
    conn = ledger.conn
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [_TRIGGER]
    ).fetchone()
    if row is None or _WRITES not in " ".join(row[0].split()):
        yield  # not the index this replays: every row goes through the trigger
        return
    mark = conn.execute("SELECT coalesce(max(rowid), 0) FROM entries").fetchone()[0]
    conn.execute(f"DROP TRIGGER {_TRIGGER}")
    try:
        yield
    except BaseException:
        # A rollback brings the trigger back; a caller who goes on without one gets it too.
        gone = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [_TRIGGER])
        if gone.fetchone() is None:
            conn.execute(row[0])
        raise
    conn.execute(
        "INSERT INTO entries_fts (rowid, note, tags) "
        "SELECT rowid, note, tags FROM entries WHERE rowid > ?",
        [mark],
    )
    conn.execute(row[0])
