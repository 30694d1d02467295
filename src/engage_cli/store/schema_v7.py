"""Schema 7, frozen like every migration in schema.py."""

# Schema 7: what a past moment and the goals read lies together on disk.
# - The marks are kept in the order a past moment reads them, by mark and then
#   contact (one stretch of the table for a moment, not one page per contact); an
#   index by contact serves the writes, which keep one contact's marks.
# - The index of the entries that serve a goal covers what the goals and a goal's
#   review read of them (who, what, how much, whether live or open), so that they
#   read that index alone and not one page of the table per entry.
# - Asks with a follow-up day, settled or not, have an index that covers what the
#   agenda of a past moment asks of them (which were still open then).
SCHEMA_V7 = """
CREATE TABLE state_marks_by_moment (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    at REAL NOT NULL,            -- the mark: Unix seconds, a whole multiple of 30 days
    half_life_days REAL NOT NULL,
    charge REAL NOT NULL,
    gave REAL NOT NULL,
    received REAL NOT NULL,
    last_contact_at TEXT,        -- as of the mark
    last_ask_at TEXT,
    PRIMARY KEY (at, contact_id)
) WITHOUT ROWID;
INSERT INTO state_marks_by_moment SELECT contact_id, at, half_life_days, charge, gave,
    received, last_contact_at, last_ask_at FROM state_marks;
DROP TABLE state_marks;
ALTER TABLE state_marks_by_moment RENAME TO state_marks;
CREATE INDEX state_marks_by_contact ON state_marks (contact_id, at);
DROP INDEX entries_by_goal;
CREATE INDEX entries_by_goal ON entries
    (goal_id, occurred_at, voided_by, contact_id, kind, points, status, resolved_at)
    WHERE goal_id IS NOT NULL;
CREATE INDEX entries_followed ON entries
    (follow_up_at, status, resolved_at, voided_by, occurred_at) WHERE follow_up_at IS NOT NULL;
"""
