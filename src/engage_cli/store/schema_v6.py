"""Schema 6, frozen like every migration in schema.py."""

import sqlite3

# Schema 6: marks. Each contact's sums and last moments every 30 days
# (scoring.MARK), from its first entry to its latest, so that a report at a
# past moment reads one mark and at most 30 days of entries per contact instead
# of every entry before that moment. Derived from the entries like
# contact_state: written in the same transaction, made again by a repair. The
# indexes of brokered entries and introductions come to cover what is read of them.
SCHEMA_V6 = """
CREATE TABLE state_marks (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    at REAL NOT NULL,            -- the mark: Unix seconds, a whole multiple of 30 days
    half_life_days REAL NOT NULL,
    charge REAL NOT NULL,
    gave REAL NOT NULL,
    received REAL NOT NULL,
    last_contact_at TEXT,        -- as of the mark
    last_ask_at TEXT,
    PRIMARY KEY (contact_id, at)
) WITHOUT ROWID;
-- Brokered entries and introductions, read by the network, paths and the balance's
-- connectors, from their indexes alone: who, when and whether it counts.
DROP INDEX entries_by_via;
CREATE INDEX entries_by_via ON entries (via_id, contact_id, occurred_at, voided_by, points)
    WHERE via_id IS NOT NULL;
DROP INDEX entries_by_intro;
CREATE INDEX entries_by_intro ON entries (intro_with, contact_id, occurred_at, voided_by)
    WHERE intro_with IS NOT NULL;
"""


def after_v6(conn: sqlite3.Connection) -> None:
    """Build the marks of a ledger migrated to schema 6, from its entries."""
    from engage_cli.store import marks

    marks.rebuild(conn)
