"""Schema 5, frozen like every migration in schema.py (kept apart: that file is full)."""

# Schema 5: follow-through. Promises (what you committed to do for a contact, with
# the day it is due, until kept or dropped), remembered days (a talk, an
# anniversary), and the day to check back on an ask. A promise's weight on the
# charge when it is overdue is computed from this table at report time
# (docs/scoring.md), never stored. The journal takes the new actions.
SCHEMA_V5 = """
CREATE TABLE promises (
    id TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    what TEXT NOT NULL,
    due_at TEXT,        -- the end of the day it is due (may be in the future), or none
    made_at TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    batch TEXT NOT NULL,  -- the log (or promise) that made it: undo takes it back with it
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'kept', 'dropped')),
    settled_at TEXT,      -- when it was kept or dropped
    settled_logged_at TEXT,
    entry_id TEXT REFERENCES entries(id),  -- kept: the deposit that keeping it logged
    CHECK ((state = 'open') = (settled_at IS NULL))
);
CREATE INDEX promises_by_contact ON promises (contact_id, due_at);
CREATE INDEX promises_open_by_due ON promises (due_at) WHERE state = 'open';
CREATE INDEX promises_by_batch ON promises (batch);
CREATE TABLE dates (
    id TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    kind TEXT NOT NULL CHECK (kind IN ('remember', 'anniversary')),
    what TEXT NOT NULL,
    day TEXT NOT NULL,   -- 2027-04-12, or month and day alone (an anniversary without a year)
    made_at TEXT NOT NULL,
    batch TEXT NOT NULL
);
CREATE INDEX dates_by_contact ON dates (contact_id);
CREATE INDEX dates_by_batch ON dates (batch);
-- An ask: the day to check back on it (the end of that day), while it is open.
ALTER TABLE entries ADD COLUMN follow_up_at TEXT;
-- Shared goals that entries serve. A goal is its name
-- (any case): two devices that add one name add one goal.
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    why TEXT NOT NULL DEFAULT '',
    sectors TEXT NOT NULL DEFAULT '[]',  -- the sectors whose voices it needs
    created_at TEXT NOT NULL,
    closed_at TEXT,
    outcome TEXT CHECK (outcome IN ('achieved', 'dropped')),
    changed_at TEXT NOT NULL,            -- its last change: the latest wins a merge
    CHECK ((closed_at IS NULL) = (outcome IS NULL))
);
ALTER TABLE entries ADD COLUMN goal_id INTEGER REFERENCES goals(id);
CREATE INDEX entries_by_goal ON entries (goal_id, occurred_at) WHERE goal_id IS NOT NULL;
-- An introduction you made: each of its two deposits names the other contact.
ALTER TABLE entries ADD COLUMN intro_with INTEGER REFERENCES contacts(id);
CREATE INDEX entries_by_intro ON entries (intro_with) WHERE intro_with IS NOT NULL;
CREATE INDEX entries_follow_up ON entries (follow_up_at)
    WHERE follow_up_at IS NOT NULL AND status = 'open' AND voided_by IS NULL;
CREATE TABLE actions_v5 (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN (
        'add', 'log', 'settle', 'reopen', 'edit', 'fold', 'import', 'merge',
        'promise', 'keep', 'drop', 'remember', 'void', 'goal')),
    batch TEXT,
    entry_id TEXT,
    status TEXT,
    resolved_at TEXT,
    contact_id INTEGER,
    detail TEXT,       -- JSON; a promise, keep, drop or remember: the row it wrote
    undone_at TEXT,
    redo_order INTEGER
);
INSERT INTO actions_v5 SELECT seq, at, kind, batch, entry_id, status, resolved_at,
    contact_id, detail, undone_at, redo_order FROM actions;
DROP TABLE actions;
ALTER TABLE actions_v5 RENAME TO actions;
"""
