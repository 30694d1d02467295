"""What explains a charge: every entry of a contact that counts, read lean (its moment,
kind and points, from the index entries_by_contact alone), and the full rows of a few."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from engage_cli.dates import from_store, to_store
from engage_cli.domain import Entry
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import entry_rows


def counted(
    ledger: Ledger, contact_id: int, until: datetime
) -> list[tuple[int, float, str, float]]:
    """(rowid, moment as a timestamp, kind, points) of each entry that counts for the
    contact as of `until` (not voided), oldest first."""
    rows = ledger.conn.execute(
        "SELECT rowid, occurred_at, kind, points FROM entries "
        "WHERE contact_id = ? AND occurred_at <= ? AND voided_by IS NULL ORDER BY occurred_at",
        [contact_id, to_store(until)],
    )
    return [(int(r), from_store(at).timestamp(), kind, float(pts)) for r, at, kind, pts in rows]


def entries_at(ledger: Ledger, rowids: Sequence[int]) -> list[Entry]:
    """The entries of those rowids, oldest first."""
    return entry_rows(
        ledger,
        "e.rowid IN (SELECT value FROM json_each(?))",
        [json.dumps(list(rowids))],
        "ORDER BY e.occurred_at, e.id",
    )
