"""The ledger: one SQLite file, its schema and migrations, and every query engage runs.

Entries are never deleted; a mistake is voided, and the void is recorded.
`contact_state` is derived data (each contact's charge as of its latest entry,
kept in the same transaction as every write) so that reports cost O(contacts).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import from_store, to_store
from engage_cli.errors import InputError, LedgerError, NotFoundError
from engage_cli.ids import short as short_id
from engage_cli.ids import uuid7
from engage_cli.vocab import name_key

if TYPE_CHECKING:
    from sqlite_utils import Database

    from engage_cli.cards import Card
    from engage_cli.models import ContactIn

SCHEMA_VERSION = 2
# The oldest schema whose records (contacts, entries, voids: what export reads)
# have the shape this engage exports; a read-only open (merge) accepts it as is.
RECORDS_SINCE = 1
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000

SCHEMA_V1 = """
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'org', 'cause')),
    circle TEXT NOT NULL CHECK (circle IN ('inner', 'close', 'active', 'wide')),
    tags TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    -- from address books (engage import contacts); JSON lists for emails and phones
    org TEXT NOT NULL DEFAULT '',
    nickname TEXT NOT NULL DEFAULT '',
    birthday TEXT NOT NULL DEFAULT '',
    emails TEXT NOT NULL DEFAULT '[]',
    phones TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    kind TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'received')),
    points REAL NOT NULL CHECK (points > 0),
    occurred_at TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    batch TEXT NOT NULL,
    voided_by TEXT REFERENCES voids(id),
    -- asks (withdrawals) only: open, done or declined, and when that was settled
    status TEXT CHECK (status IN ('open', 'done', 'declined')),
    resolved_at TEXT,
    settled_logged_at TEXT,  -- when the settlement was recorded (what undo looks at)
    -- the ask whose completion gave this deposit back (synergy)
    source_id TEXT REFERENCES entries(id),
    -- the contact who brokered this (introduced you, engaged someone for you)
    via_id INTEGER REFERENCES contacts(id),
    CHECK ((kind = 'withdrawal') = (status IS NOT NULL))
);
CREATE TABLE voids (
    id TEXT PRIMARY KEY,
    -- Usually one void per entry; two devices may each void the same entry, and a
    -- merge keeps both records, the entry pointing at the smaller void id.
    entry_id TEXT NOT NULL REFERENCES entries(id),
    voided_at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE contact_state (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id),
    half_life_days REAL NOT NULL,
    anchor REAL,
    charge REAL NOT NULL DEFAULT 0,
    last_contact_at TEXT,
    last_ask_at TEXT
);
CREATE INDEX voids_by_entry ON voids (entry_id);
CREATE INDEX entries_by_contact ON entries (contact_id, occurred_at);
-- In time order, covering what period sums read: history newest first and
-- sums over a period never touch the table.
CREATE INDEX entries_by_time ON entries (occurred_at, contact_id, kind, points, voided_by);
CREATE INDEX entries_by_batch ON entries (batch);
-- Foreign-key checks on voids look entries up by voided_by; without this index
-- each void would scan every entry.
CREATE INDEX entries_voided ON entries (voided_by) WHERE voided_by IS NOT NULL;
CREATE INDEX entries_open_asks ON entries (contact_id, occurred_at)
    WHERE status = 'open' AND voided_by IS NULL;
CREATE INDEX entries_by_source ON entries (source_id) WHERE source_id IS NOT NULL;
CREATE INDEX entries_by_via ON entries (via_id, occurred_at) WHERE via_id IS NOT NULL;
CREATE INDEX entries_resolved ON entries (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX entries_open_by_time ON entries (occurred_at)
    WHERE status = 'open' AND voided_by IS NULL;

-- Views for browsing with sqlite3, sqlite-utils or Datasette (docs/schema.md).
-- Each contact with its charge now, decayed from the derived state.
CREATE VIEW contact_summary AS
SELECT c.name, c.kind, c.circle, c.tags, c.note, c.created_at AS added,
       CASE WHEN s.anchor IS NULL THEN 0.0
            ELSE s.charge * exp(-max(0.0, (julianday('now') - 2440587.5) * 86400.0 - s.anchor)
                                / 86400.0 * 0.6931471805599453 / s.half_life_days)
       END AS charge,
       s.last_contact_at AS last_contact, s.last_ask_at AS last_ask,
       s.half_life_days
FROM contacts c LEFT JOIN contact_state s ON s.contact_id = c.id;
-- Entries that count (not voided), with names instead of row numbers.
CREATE VIEW live_entries AS
SELECT e.id, c.name AS contact, e.kind, e.points, e.occurred_at, e.logged_at, e.note,
       e.tags, e.status, e.resolved_at, b.name AS via, e.source_id AS source
FROM entries e
JOIN contacts c ON c.id = e.contact_id
LEFT JOIN contacts b ON b.id = e.via_id
WHERE e.voided_by IS NULL;
-- Asks still open, oldest first.
CREATE VIEW open_asks AS
SELECT e.id, c.name AS contact, e.points, e.occurred_at, e.note,
       julianday('now') - julianday(e.occurred_at) AS age_days
FROM entries e JOIN contacts c ON c.id = e.contact_id
WHERE e.status = 'open' AND e.voided_by IS NULL
ORDER BY e.occurred_at;
"""

# Schema 2: the derived state also keeps what you gave and what they gave unasked,
# decayed like the charge, so reciprocity costs O(contacts). The existing states
# are completed from the entries; contact_summary shows both.
SCHEMA_V2 = f"""
ALTER TABLE contact_state ADD COLUMN gave REAL NOT NULL DEFAULT 0;
ALTER TABLE contact_state ADD COLUMN received REAL NOT NULL DEFAULT 0;
UPDATE contact_state SET
    gave = coalesce((
        SELECT sum(e.points * exp(-((contact_state.anchor / 86400.0 + 2440587.5)
                                    - julianday(e.occurred_at))
                                  * {math.log(2)!r} / contact_state.half_life_days))
        FROM entries e
        WHERE e.contact_id = contact_state.contact_id AND e.voided_by IS NULL
          AND e.kind = 'deposit'), 0),
    received = coalesce((
        SELECT sum(e.points * exp(-((contact_state.anchor / 86400.0 + 2440587.5)
                                    - julianday(e.occurred_at))
                                  * {math.log(2)!r} / contact_state.half_life_days))
        FROM entries e
        WHERE e.contact_id = contact_state.contact_id AND e.voided_by IS NULL
          AND e.kind = 'received'), 0)
WHERE anchor IS NOT NULL;
-- Covering, like entries_by_time: a contact's sums as of a past moment (and its
-- state rebuilt) read the index alone, never the table.
DROP INDEX entries_by_contact;
CREATE INDEX entries_by_contact ON entries (contact_id, occurred_at, kind, points, voided_by);
DROP VIEW contact_summary;
-- Each contact with its charge now, and what you gave and they gave unasked,
-- decayed from the derived state to the moment of the query.
CREATE VIEW contact_summary AS
SELECT c.name, c.kind, c.circle, c.tags, c.note, c.created_at AS added,
       coalesce(s.charge * s.f, 0.0) AS charge,
       s.last_contact_at AS last_contact, s.last_ask_at AS last_ask,
       s.half_life_days,
       coalesce(s.gave * s.f, 0.0) AS gave,
       coalesce(s.received * s.f, 0.0) AS received
FROM contacts c LEFT JOIN (
    SELECT *, exp(-max(0.0, (julianday('now') - 2440587.5) * 86400.0 - anchor)
                  / 86400.0 * {math.log(2)!r} / half_life_days) AS f
    FROM contact_state
) s ON s.contact_id = c.id;
"""

# MIGRATIONS[n] takes a ledger from schema n-1 to n; all run in one transaction.
MIGRATIONS: dict[int, str] = {1: SCHEMA_V1, 2: SCHEMA_V2}


def _statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (executescript would commit)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


class Contact(NamedTuple):
    id: int
    uid: str
    name: str
    kind: str
    circle: str
    tags: list[str]
    note: str
    created_at: datetime
    org: str = ""
    nickname: str = ""
    birthday: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


class Entry(NamedTuple):
    id: str
    contact: str
    kind: str
    points: float
    occurred_at: datetime
    logged_at: datetime
    note: str
    tags: list[str]
    batch: str
    voided_by: str | None
    status: str | None = None
    resolved_at: datetime | None = None
    source_id: str | None = None
    via: str | None = None

    @property
    def impulse(self) -> scoring.Impulse:
        return scoring.impulse(self.occurred_at.timestamp(), self.kind, self.points)


class Facts(NamedTuple):
    """A contact as reports need it, as of one moment."""

    contact: Contact
    charge: float
    last_contact: datetime | None
    last_ask: datetime | None
    gave: float = 0.0  # what you gave, decayed like the charge
    received: float = 0.0  # what they gave unasked, decayed like the charge


class Sums(NamedTuple):
    """Points by kind: what you gave, what you asked, what they gave unasked."""

    deposits: float = 0.0
    withdrawals: float = 0.0
    received: float = 0.0

    def plus(self, other: Sums) -> Sums:
        return Sums(
            self.deposits + other.deposits,
            self.withdrawals + other.withdrawals,
            self.received + other.received,
        )


_SUMS_SQL = (
    "coalesce(sum(CASE kind WHEN 'deposit' THEN points END), 0), "
    "coalesce(sum(CASE kind WHEN 'withdrawal' THEN points END), 0), "
    "coalesce(sum(CASE kind WHEN 'received' THEN points END), 0)"
)


class Ask(NamedTuple):
    """An ask (a withdrawal) with what became of it."""

    entry: Entry
    returned: float  # points given back as a deposit when it was done


class NewEntry(NamedTuple):
    contact: Contact
    kind: str
    points: float
    occurred_at: datetime
    note: str
    tags: list[str]
    via: Contact | None = None
    source_id: str | None = None


def _contact(row: dict[str, Any]) -> Contact:
    return Contact(
        id=row["id"],
        uid=row["uid"],
        name=row["name"],
        kind=row["kind"],
        circle=row["circle"],
        tags=json.loads(row["tags"]),
        note=row["note"],
        created_at=from_store(row["created_at"]),
        org=row["org"],
        nickname=row["nickname"],
        birthday=row["birthday"],
        emails=tuple(json.loads(row["emails"])),
        phones=tuple(json.loads(row["phones"])),
    )


def _entry(row: dict[str, Any]) -> Entry:
    return Entry(
        id=row["id"],
        contact=row["contact"],
        kind=row["kind"],
        points=row["points"],
        occurred_at=from_store(row["occurred_at"]),
        logged_at=from_store(row["logged_at"]),
        note=row["note"],
        tags=json.loads(row["tags"]),
        batch=row["batch"],
        voided_by=row["voided_by"],
        status=row["status"],
        resolved_at=_opt_time(row["resolved_at"]),
        source_id=row["source_id"],
        via=row["via"],
    )


# An ask set back to open: no longer settled, nor recorded as settled.
_OPEN_AGAIN = "SET status = 'open', resolved_at = NULL, settled_logged_at = NULL"

# Each contact's charge, what you gave and what they gave unasked, from rows
# x(contact_id, kind, points, f) where f is each entry's decay factor.
_DECAYED_SUMS = """
    sum(CASE x.kind WHEN 'deposit' THEN x.points
        WHEN 'withdrawal' THEN -x.points ELSE 0 END * x.f) AS charge,
    sum(CASE x.kind WHEN 'deposit' THEN x.points ELSE 0 END * x.f) AS gave,
    sum(CASE x.kind WHEN 'received' THEN x.points ELSE 0 END * x.f) AS received"""


def _half_lives(circles: Iterable[str], half_life: Callable[[str], float]) -> tuple[str, list[Any]]:
    """A `WITH hl(circle, half_life)` clause for `circles`, and its parameters."""
    params: list[Any] = []
    for circle in circles:
        params += [circle, half_life(circle)]
    values = ", ".join("(?, ?)" for _ in range(len(params) // 2))
    return f"WITH hl(circle, half_life) AS (VALUES {values})", params


def _entry_filter(
    contact: Contact | None, since: datetime | None, until: datetime | None
) -> tuple[str, list[Any]]:
    """The WHERE clause (on `entries e`) and parameters shared by history and its count."""
    where = ["1"]
    params: list[Any] = []
    if contact is not None:
        where.append("e.contact_id = ?")
        params.append(contact.id)
    if since is not None:
        where.append("e.occurred_at >= ?")
        params.append(to_store(since))
    if until is not None:
        where.append("e.occurred_at <= ?")
        params.append(to_store(until))
    return " AND ".join(where), params


def _opt_time(text: str | None) -> datetime | None:
    return None if text is None else from_store(text)


def _check_file(path: Path) -> None:
    """Refuse anything at `path` that is not a SQLite file, before SQLite can touch it."""
    if path.is_dir():
        raise LedgerError(f"{path} is a directory; --db takes the path of a ledger file")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except PermissionError:
        raise LedgerError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise LedgerError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not header:
        raise LedgerError(f"{path} is an empty file, not an engage ledger; nothing was changed")
    if header != SQLITE_HEADER:
        raise LedgerError(f"{path} is not a SQLite database; nothing was changed")


def _create_file(path: Path) -> None:
    """Create the ledger file owner-only (0600) and any missing directory 0700."""
    parent = path.parent
    missing: list[Path] = []
    p = parent
    while not p.exists():
        missing.append(p)
        p = p.parent
    if not p.is_dir():
        raise LedgerError(f"cannot create {path}: {p} is not a directory")
    try:
        for d in reversed(missing):
            d.mkdir(mode=0o700)
            os.chmod(d, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
    except FileExistsError:
        return
    except OSError as exc:
        raise LedgerError(f"cannot create {path}: {exc.strerror or exc}") from None


class Ledger:
    """An open ledger. Use `Ledger.open(...)` and close it (it is a context manager)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._db: Database | None = None

    # --- opening -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool, read_only: bool = False) -> Ledger:
        """Open the ledger at `path`; with `create`, make it (0600) when it is missing.

        An open without `create` of a missing ledger creates nothing; with
        `read_only`, SQLite itself refuses every write (and no migration runs).
        """
        existed = path.exists()
        if existed:
            _check_file(path)
        elif not create:
            raise LedgerError(
                f"no ledger at {path} yet; start one with `engage add NAME` "
                "or point to one with --db or ENGAGE_DB"
            )
        else:
            _create_file(path)
        try:
            if read_only:
                from urllib.request import pathname2url

                uri = f"file:{pathname2url(str(path.resolve()))}?mode=ro"
                conn = sqlite3.connect(
                    uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
                )
            else:
                conn = sqlite3.connect(
                    str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
                )
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open {path}: {exc}") from None
        ledger = cls(path, conn)
        try:
            ledger._prepare(fresh=not existed, create=create, read_only=read_only)
        except BaseException:
            conn.close()
            raise
        return ledger

    def _prepare(self, fresh: bool, create: bool, read_only: bool = False) -> None:
        conn = self.conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path} is not a usable SQLite database ({exc})") from None
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"{self.path} was written by a newer engage (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); upgrade engage to open it"
            )
        if version == 0 and tables and not fresh:
            raise LedgerError(
                f"{self.path} is a SQLite database of another program, not an engage ledger; "
                "nothing was changed"
            )
        if version == 0 and not fresh and not create:
            raise LedgerError(
                f"{self.path} is an empty SQLite database, not an engage ledger yet; "
                "nothing was changed"
            )
        try:
            conn.execute("SELECT exp(0)")
        except sqlite3.OperationalError:
            conn.create_function("exp", 1, math.exp, deterministic=True)
        if version < SCHEMA_VERSION:
            if read_only:
                if version >= RECORDS_SINCE:
                    return  # its records read the same: never migrate a file only read
                raise LedgerError(
                    f"{self.path} was written by an older engage (schema {version}); "
                    "run any engage command on it once to upgrade it, then try again"
                )
            self._migrate(version, backup=version > 0)

    def _migrate(self, version: int, backup: bool) -> None:
        conn = self.conn
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            # One migrator at a time: another process may have opened the same old
            # ledger at the same moment and migrated it while this one waited.
            conn.execute("BEGIN IMMEDIATE")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            if backup:
                # Through a second connection: a connection holding the write lock
                # cannot be the source of a backup, another one can still read.
                reader = sqlite3.connect(str(self.path))
                try:
                    self.backup(self._backup_name(version), source=reader)
                finally:
                    reader.close()
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for stmt in _statements(MIGRATIONS[target]):
                    conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise LedgerError(f"cannot set up the ledger at {self.path}: {exc}") from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _backup_name(self, version: int) -> Path:
        """`ledger.db.v1.bak`, or `ledger.db.v1.2.bak`... when an earlier one is kept there."""
        n = 1
        while True:
            suffix = f".v{version}.bak" if n == 1 else f".v{version}.{n}.bak"
            target = self.path.with_name(self.path.name + suffix)
            if not target.exists():
                return target
            n += 1

    def backup(self, target: Path, source: sqlite3.Connection | None = None) -> Path:
        """Copy the ledger with SQLite's online backup API to a new owner-only file.

        The copy is one consistent snapshot even while another process writes.
        An existing file at `target` is never overwritten.
        """
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise LedgerError(f"{target} already exists; choose another path") from None
        except OSError as exc:
            raise LedgerError(f"cannot create {target}: {exc.strerror or exc}") from None
        os.fchmod(fd, 0o600)
        os.close(fd)
        dest = sqlite3.connect(str(target))
        try:
            (source or self.conn).backup(dest)
            # A backup is one self-contained file: no -wal beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
        except BaseException:
            dest.close()
            target.unlink(missing_ok=True)
            raise
        dest.close()
        return target

    def check(self, half_life: Callable[[str], float]) -> dict[str, list[str]]:
        """Everything `engage doctor` verifies: check name -> problems found (empty when fine)."""
        conn = self.conn
        problems: dict[str, list[str]] = {}
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        problems["integrity"] = [] if rows == ["ok"] else rows[:20]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        problems["schema"] = (
            [] if version == SCHEMA_VERSION else [f"schema {version}, expected {SCHEMA_VERSION}"]
        )
        problems["foreign keys"] = [
            f"{table} row {rowid} points at a missing {parent}"
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall()[:20]
        ]
        problems["voids"] = [
            f"entry {eid} and its void disagree"
            for (eid,) in conn.execute(
                "SELECT e.id FROM entries e LEFT JOIN voids v ON v.id = e.voided_by "
                "WHERE e.voided_by IS NOT NULL AND (v.id IS NULL OR v.entry_id != e.id) "
                "UNION SELECT v.entry_id FROM voids v LEFT JOIN entries e ON e.id = v.entry_id "
                "WHERE e.id IS NULL OR e.voided_by IS NULL OR e.voided_by > v.id LIMIT 20"
            )
        ]
        missing = conn.execute(
            "SELECT count(*) FROM contacts c "
            "WHERE NOT EXISTS (SELECT 1 FROM contact_state s WHERE s.contact_id = c.id)"
        ).fetchone()[0]
        state = [
            f"{n}: derived state differs from its entries" for n in self.verify_state(half_life)
        ]
        if missing:
            state.insert(0, f"{missing} contacts have no derived state")
        problems["derived state"] = state
        return problems

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the same connection (imported only when used)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False, recursive_triggers=False)
        return self._db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; the write lock is taken up front (BEGIN IMMEDIATE)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    # --- contacts ------------------------------------------------------------

    def add_contact(self, new: ContactIn, now: datetime, half_life: float) -> Contact:
        key = name_key(new.name)
        existing = self.find_contact(new.name)
        if existing is not None:
            raise InputError(f"a contact named {existing.name!r} already exists")
        self.db.table("contacts").insert(
            {
                "uid": uuid7(),
                "name": new.name,
                "name_key": key,
                "kind": new.kind.value,
                "circle": new.circle.value,
                "tags": json.dumps(new.tags, ensure_ascii=False),
                "note": new.note,
                "created_at": to_store(now),
            }
        )
        contact = self.find_contact(new.name)
        assert contact is not None
        self._save_state(contact.id, half_life, scoring.State(), None, None)
        return contact

    def _insert_contact(self, **values: Any) -> int:
        """Insert a contact from every column but `id` and `name_key`; return its id.

        `tags`, `emails` and `phones` are sequences, stored as JSON lists.
        """
        row = {**values, "name_key": name_key(values["name"])}
        for key in ("tags", "emails", "phones"):
            row[key] = json.dumps(list(row[key]), ensure_ascii=False)
        cols = ", ".join(row)
        cur = self.conn.execute(
            f"INSERT INTO contacts ({cols}) VALUES ({', '.join(':' + c for c in row)})", row
        )
        assert cur.lastrowid is not None  # contacts.id is the rowid
        return cur.lastrowid

    def find_contact(self, name: str) -> Contact | None:
        rows = self._rows("SELECT * FROM contacts WHERE name_key = ?", [name_key(name)])
        return _contact(rows[0]) if rows else None

    def close_names(self, name: str, limit: int = 3) -> list[str]:
        """Existing names closest to `name`: the ones it starts or is part of, then look-alikes."""
        import difflib

        names = [r[0] for r in self.conn.execute("SELECT name FROM contacts ORDER BY name_key")]
        key = name_key(name)
        keys = {name_key(n): n for n in names}
        found = [n for k, n in keys.items() if key and (k.startswith(key) or key in k.split())]
        for k in difflib.get_close_matches(key, list(keys), n=limit, cutoff=0.6):
            if keys[k] not in found:
                found.append(keys[k])
        return found[:limit]

    def contact(self, name: str) -> Contact:
        """The contact called `name` (any case), or an error naming the closest ones."""
        found = self.find_contact(name)
        if found is None:
            close = self.close_names(name)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise NotFoundError(f"no contact named {name!r}{hint} (add it with `engage add`)")
        return found

    def contacts(self, circle: str | None = None, tag: str | None = None) -> list[Contact]:
        sql = "SELECT * FROM contacts"
        where: list[str] = []
        params: list[Any] = []
        if circle:
            where.append("circle = ?")
            params.append(circle)
        if tag:
            where.append("EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = ?)")
            params.append(tag.lower())
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_contact(r) for r in self._rows(sql + " ORDER BY name_key", params)]

    def count_contacts(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM contacts").fetchone()[0])

    # --- entries and derived state -------------------------------------------

    def _state(self, contact: Contact, half_life: float) -> scoring.State:
        row = self.conn.execute(
            "SELECT half_life_days, anchor, charge, gave, received FROM contact_state "
            "WHERE contact_id = ?",
            [contact.id],
        ).fetchone()
        if row is None or row[0] != half_life:
            return self.recompute_state(contact.id, half_life)
        return scoring.State(row[2], row[1], row[3], row[4])

    def _impulses(self, contact_id: int) -> list[scoring.Impulse]:
        rows = self.conn.execute(
            "SELECT kind, points, occurred_at FROM entries "
            "WHERE contact_id = ? AND voided_by IS NULL",
            [contact_id],
        )
        return [scoring.impulse(from_store(at).timestamp(), kind, pts) for kind, pts, at in rows]

    def _latest(self, contact_id: int) -> tuple[str | None, str | None]:
        """When the contact's latest counting entry and latest ask happened (stored form)."""
        last_contact, last_ask = self.conn.execute(
            "SELECT max(occurred_at), max(CASE kind WHEN 'withdrawal' THEN occurred_at END) "
            "FROM entries WHERE contact_id = ? AND voided_by IS NULL",
            [contact_id],
        ).fetchone()
        return last_contact, last_ask

    def recompute_state(self, contact_id: int, half_life: float) -> scoring.State:
        """Rebuild one contact's derived state from its entries and store it."""
        impulses = self._impulses(contact_id)
        state = scoring.rebuild(impulses, half_life)
        last_contact, last_ask = self._latest(contact_id)
        self._save_state(contact_id, half_life, state, last_contact, last_ask)
        return state

    def rebuild_state(self, half_life: Callable[[str], float]) -> int:
        """Recompute every contact's derived state from its entries, in SQLite; return the count.

        The caller holds the transaction. Used after bulk loads and by `doctor --repair`.
        """
        circles = [r[0] for r in self.conn.execute("SELECT DISTINCT circle FROM contacts")]
        if not circles:
            return 0
        half_lives, params = _half_lives(circles, half_life)
        self.conn.execute("DELETE FROM contact_state")
        self.conn.execute("DROP TABLE IF EXISTS temp.last_entry")
        self.conn.execute("DROP TABLE IF EXISTS temp.decayed")
        # One pass over the entries for each contact's latest moments, and one for
        # the decayed sums as of them, kept in temporary tables.
        self.conn.execute(
            "CREATE TEMP TABLE last_entry AS "
            "SELECT contact_id, max(occurred_at) AS at, "
            "max(CASE kind WHEN 'withdrawal' THEN occurred_at END) AS ask "
            "FROM entries WHERE voided_by IS NULL GROUP BY contact_id"
        )
        self.conn.execute("CREATE UNIQUE INDEX temp.last_entry_key ON last_entry (contact_id)")
        self.conn.execute(
            f"""
            CREATE TEMP TABLE decayed AS
            {half_lives}
            SELECT x.contact_id, {_DECAYED_SUMS}
            FROM (
                SELECT e.contact_id, e.kind, e.points,
                       exp(-(julianday(l.at) - julianday(e.occurred_at))
                           * {math.log(2)!r} / hl.half_life) AS f
                FROM entries e
                JOIN temp.last_entry AS l ON l.contact_id = e.contact_id
                JOIN contacts c ON c.id = e.contact_id
                JOIN hl ON hl.circle = c.circle
                WHERE e.voided_by IS NULL
            ) AS x
            GROUP BY x.contact_id
            """,
            params,
        )
        self.conn.execute(
            f"""
            {half_lives}
            INSERT INTO contact_state (contact_id, half_life_days, anchor, charge,
                                       last_contact_at, last_ask_at, gave, received)
            SELECT c.id, hl.half_life,
                   CAST(strftime('%s', last.at) AS REAL),
                   coalesce(d.charge, 0), last.at, last.ask,
                   coalesce(d.gave, 0), coalesce(d.received, 0)
            FROM contacts c
            JOIN hl ON hl.circle = c.circle
            LEFT JOIN temp.last_entry AS last ON last.contact_id = c.id
            LEFT JOIN temp.decayed AS d ON d.contact_id = c.id
            """,
            params,
        )
        self.conn.execute("DROP TABLE temp.last_entry")
        self.conn.execute("DROP TABLE temp.decayed")
        return self.count_contacts()

    def bulk_insert(
        self,
        contacts: Sequence[dict[str, Any]] = (),
        entries: Sequence[dict[str, Any]] = (),
        voids: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Insert whole rows (every column of the schema) fast; the caller holds the transaction.

        Derived state is not touched: call `rebuild_state` afterwards. Foreign keys
        are checked at commit, so entries may name their voids before those are in.
        """
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        for table, rows in (("contacts", contacts), ("entries", entries), ("voids", voids)):
            if not rows:
                continue
            cols = list(rows[0])
            sql = (
                f"INSERT INTO {table} ({', '.join(cols)}) "
                f"VALUES ({', '.join(':' + c for c in cols)})"
            )
            self.conn.executemany(sql, rows)

    def _save_state(
        self,
        contact_id: int,
        half_life: float,
        state: scoring.State,
        last_contact: str | None,
        last_ask: str | None,
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO contact_state (contact_id, half_life_days, anchor, charge, "
            "last_contact_at, last_ask_at, gave, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                contact_id,
                half_life,
                state.anchor,
                state.charge,
                last_contact,
                last_ask,
                state.gave,
                state.received,
            ],
        )

    def log(
        self, entries: Sequence[NewEntry], now: datetime, half_life: Callable[[str], float]
    ) -> list[tuple[Entry, float]]:
        """Write entries as one batch and return each with its contact's charge after it.

        The caller holds the transaction; the derived state moves in the same one.
        """
        batch = uuid7()
        logged_at = to_store(now)
        rows = []
        written: list[tuple[Entry, float]] = []
        for new in entries:
            hl = half_life(new.contact.circle)
            entry = Entry(
                id=uuid7(),
                contact=new.contact.name,
                kind=new.kind,
                points=new.points,
                occurred_at=from_store(to_store(new.occurred_at)),
                logged_at=from_store(logged_at),
                note=new.note,
                tags=new.tags,
                batch=batch,
                voided_by=None,
                status="open" if new.kind == "withdrawal" else None,
                source_id=new.source_id,
                via=new.via.name if new.via else None,
            )
            rows.append(
                {
                    "id": entry.id,
                    "contact_id": new.contact.id,
                    "kind": entry.kind,
                    "points": entry.points,
                    "occurred_at": to_store(entry.occurred_at),
                    "logged_at": logged_at,
                    "note": entry.note,
                    "tags": json.dumps(entry.tags, ensure_ascii=False),
                    "batch": batch,
                    "status": entry.status,
                    "source_id": new.source_id,
                    "via_id": new.via.id if new.via else None,
                }
            )
            state = scoring.add(self._state(new.contact, hl), entry.impulse, hl)
            self.conn.execute(
                "UPDATE contact_state SET anchor = ?, charge = ?, gave = ?, received = ?, "
                "last_contact_at = max(coalesce(last_contact_at, ''), ?), "
                "last_ask_at = CASE WHEN ? THEN max(coalesce(last_ask_at, ''), ?) "
                "ELSE last_ask_at END WHERE contact_id = ?",
                [
                    state.anchor,
                    state.charge,
                    state.gave,
                    state.received,
                    to_store(entry.occurred_at),
                    entry.kind == "withdrawal",
                    to_store(entry.occurred_at),
                    new.contact.id,
                ],
            )
            after = state.at(max(now.timestamp(), state.anchor or 0.0), hl)
            written.append((entry, after))
        # Plain executemany, not sqlite-utils: importing it would cost `engage log`
        # about 50 ms (docs/benchmarks.md); the columns are fixed by the schema.
        self.conn.executemany(
            "INSERT INTO entries (id, contact_id, kind, points, occurred_at, logged_at, note, "
            "tags, batch, status, source_id, via_id) VALUES (:id, :contact_id, :kind, :points, "
            ":occurred_at, :logged_at, :note, :tags, :batch, :status, :source_id, :via_id)",
            rows,
        )
        return written

    def _entry_rows(self, where: str, params: Sequence[Any], tail: str = "") -> list[Entry]:
        return [_entry(r) for r in self._entry_dicts(where, params, tail)]

    def _entry_dicts(
        self, where: str, params: Sequence[Any], tail: str = ""
    ) -> list[dict[str, Any]]:
        """Entry rows with every column, and the contact's and broker's names."""
        sql = (
            # CROSS JOIN keeps entries the outer loop: their indexes pick the rows
            # (and their order); contacts are looked up by key for each.
            "SELECT e.*, c.name AS contact, v.name AS via FROM entries e "
            "CROSS JOIN contacts c ON c.id = e.contact_id "
            "LEFT JOIN contacts v ON v.id = e.via_id "
            f"WHERE {where} {tail}"
        )
        return self._rows(sql, params)

    def last_settlement(self) -> tuple[Entry, str] | None:
        """The most recently recorded settlement of an ask, with when it was recorded."""
        rows = self._entry_dicts(
            "e.settled_logged_at IS NOT NULL AND e.voided_by IS NULL",
            [],
            "ORDER BY e.settled_logged_at DESC, e.id DESC LIMIT 1",
        )
        if not rows:
            return None
        return _entry(rows[0]), str(rows[0]["settled_logged_at"])

    def last_batch(self) -> list[Entry]:
        """The entries written by the most recent command that still count."""
        row = self.conn.execute(
            "SELECT batch FROM entries WHERE voided_by IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return []
        return self._entry_rows("e.batch = ? AND e.voided_by IS NULL", [row[0]], "ORDER BY e.id")

    def entry(self, ref: str) -> Entry:
        """An entry by its full id, or by a unique prefix or suffix of at least 6 hex digits."""
        ref = ref.strip().lower()
        found = self._entry_rows("e.id = ?", [ref])
        if not found:
            compact = ref.replace("-", "")
            if len(compact) < 6 or any(ch not in "0123456789abcdef" for ch in compact):
                raise NotFoundError(
                    f"no entry {ref!r}; give the id shown by `engage history` (8 characters)"
                )
            found = self._entry_rows(
                "replace(e.id, '-', '') LIKE ? OR replace(e.id, '-', '') LIKE ?",
                [compact + "%", "%" + compact],
                "LIMIT 2",
            )
        if not found:
            raise NotFoundError(f"no entry {ref!r}; `engage history` lists entries with their ids")
        if len(found) > 1:
            raise NotFoundError(f"{ref!r} matches more than one entry; give more characters")
        return found[0]

    def void(
        self,
        entries: Iterable[Entry],
        now: datetime,
        reason: str,
        half_life: Callable[[str], float],
    ) -> list[str]:
        """Void entries (the caller holds the transaction); return the void ids."""
        ids: list[str] = []
        for entry in entries:
            if entry.voided_by is not None:
                raise InputError(f"entry {entry.id} is already voided")
            contact = self.contact(entry.contact)
            hl = half_life(contact.circle)
            state = self._state(contact, hl)
            void_id = uuid7()
            self.conn.execute(
                "INSERT INTO voids (id, entry_id, voided_at, reason) VALUES (?, ?, ?, ?)",
                [void_id, entry.id, to_store(now), reason],
            )
            self.conn.execute("UPDATE entries SET voided_by = ? WHERE id = ?", [void_id, entry.id])
            if entry.source_id is not None:  # what a done ask gave back: the ask is open again
                self.conn.execute(
                    f"UPDATE entries {_OPEN_AGAIN} WHERE id = ? AND status = 'done'",
                    [entry.source_id],
                )
            new_state = scoring.remove(state, entry.impulse, hl)
            last_contact, last_ask = self._latest(contact.id)
            if last_contact is None:
                new_state = scoring.State()  # nothing counts any more: exactly zero
            self._save_state(contact.id, hl, new_state, last_contact, last_ask)
            ids.append(void_id)
            if entry.kind == "withdrawal":  # an ask that no longer counts gives nothing back
                ids += self.void(self._given_back(entry.id), now, "its ask was voided", half_life)
        return ids

    def history(
        self,
        contact: Contact | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Entries newest first (voided ones included, marked)."""
        where, params = _entry_filter(contact, since, until)
        tail = "ORDER BY e.occurred_at DESC, e.id DESC"
        if limit:
            tail += f" LIMIT {int(limit)}"
        return self._entry_rows(where, params, tail)

    def count_entries(
        self,
        contact: Contact | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many entries (voided ones included) `history` would list without a limit."""
        where, params = _entry_filter(contact, since, until)
        sql = f"SELECT count(*) FROM entries e WHERE {where}"
        return int(self.conn.execute(sql, params).fetchone()[0])

    def totals(self, contact: Contact, until: datetime) -> tuple[Sums, int]:
        """Points by kind and the live entry count of one contact up to `until`.

        Voided entries count for nothing.
        """
        row = self.conn.execute(
            f"SELECT {_SUMS_SQL}, count(*) "
            "FROM entries WHERE contact_id = ? AND voided_by IS NULL AND occurred_at <= ?",
            [contact.id, to_store(until)],
        ).fetchone()
        return Sums(float(row[0]), float(row[1]), float(row[2])), int(row[3])

    def live_entries(self, contact: Contact, until: datetime) -> list[Entry]:
        """The entries that count for a contact as of `until`, oldest first."""
        return self._entry_rows(
            "e.contact_id = ? AND e.voided_by IS NULL AND e.occurred_at <= ?",
            [contact.id, to_store(until)],
            "ORDER BY e.occurred_at, e.id",
        )

    # --- asks -----------------------------------------------------------------

    def asks(
        self,
        contact: Contact | None = None,
        open_only: bool = False,
        limit: int | None = None,
        until: datetime | None = None,
        oldest_first: bool = False,
        made_by: datetime | None = None,
    ) -> list[Ask]:
        """Asks newest first (or oldest first), with the points their completion gave back.

        With `until`, only asks made by then, each with its status as of then
        (settled later means open then). With `made_by`, only asks made by then.
        """
        where = ["e.kind = 'withdrawal'", "e.voided_by IS NULL"]
        params: list[Any] = []
        if made_by is not None:
            where.append("e.occurred_at <= ?")
            params.append(to_store(made_by))
        if contact is not None:
            where.append("e.contact_id = ?")
            params.append(contact.id)
        if until is not None:
            where.append("e.occurred_at <= ?")
            params.append(to_store(until))
        order = "ASC" if oldest_first else "DESC"
        tail = f"ORDER BY e.occurred_at {order}, e.id {order}"
        tail += f" LIMIT {int(limit)}" if limit else ""
        if not open_only:
            entries = self._entry_rows(" AND ".join(where), params, tail)
        else:
            # Open now, through a partial index walked in time order (stops at the
            # limit) ...
            entries = self._entry_rows(" AND ".join([*where, "e.status = 'open'"]), params, tail)
            if until is not None:  # ... and open then: settled after `until`
                entries += self._entry_rows(
                    " AND ".join([*where, "e.resolved_at > ?"]), [*params, to_store(until)], tail
                )
                entries.sort(key=lambda e: (e.occurred_at, e.id), reverse=not oldest_first)
                entries = entries[:limit] if limit else entries
        returned: dict[str, float] = {}
        if entries:
            marks = ", ".join("?" for _ in entries)
            returned = {
                src: float(pts)
                for src, pts in self.conn.execute(
                    "SELECT source_id, sum(points) FROM entries "
                    f"WHERE source_id IN ({marks}) AND voided_by IS NULL GROUP BY source_id",
                    [e.id for e in entries],
                )
            }
        out = []
        for e in entries:
            if until is not None and e.resolved_at is not None and e.resolved_at > until:
                out.append(Ask(e._replace(status="open", resolved_at=None), 0.0))
            else:
                out.append(Ask(e, returned.get(e.id, 0.0)))
        return out

    def resolve(
        self,
        ask: Entry,
        status: str,
        at: datetime,
        now: datetime,
        synergy: float,
        half_life: Callable[[str], float],
    ) -> list[tuple[Entry, float]]:
        """Mark an open ask done or declined (the caller holds the transaction).

        Done gives `synergy` times its points back as a deposit at `at`, linked
        to the ask; that deposit is returned with the contact's charge after it.
        """
        if ask.kind != "withdrawal":
            raise InputError(f"entry {short_id(ask.id)} is a {ask.kind}, not an ask")
        if ask.voided_by is not None:
            raise InputError(f"ask {short_id(ask.id)} is voided")
        if ask.status != "open":
            raise InputError(
                f"ask {short_id(ask.id)} is already {ask.status}; `engage reopen` undoes that"
            )
        if at < ask.occurred_at:
            raise InputError(
                f"an ask cannot be settled before it was made ({ask.occurred_at:%Y-%m-%d %H:%M} "
                "UTC); a bare day means noon: give a time, such as --on '2026-11-12 18:00'"
            )
        self.conn.execute(
            "UPDATE entries SET status = ?, resolved_at = ?, settled_logged_at = ? WHERE id = ?",
            [status, to_store(at), to_store(now), ask.id],
        )
        if status != "done" or synergy <= 0:
            return []
        contact = self.contact(ask.contact)
        points = ask.points * synergy
        note = "ask done" + (f": {ask.note}" if ask.note else "")
        gift = NewEntry(contact, "deposit", points, at, note[:200], ["synergy"], None, ask.id)
        return self.log([gift], now, half_life)

    def _given_back(self, ask_id: str) -> list[Entry]:
        """The deposits that still count which an ask's completion gave back."""
        return self._entry_rows("e.source_id = ? AND e.voided_by IS NULL", [ask_id])

    def reopen(self, ask: Entry, now: datetime, half_life: Callable[[str], float]) -> None:
        """Set a settled ask back to open, voiding the deposit its completion gave back."""
        if ask.voided_by is not None:
            raise InputError(f"entry {short_id(ask.id)} is voided")
        if ask.kind != "withdrawal" or ask.status == "open":
            raise InputError(f"entry {short_id(ask.id)} is not a settled ask")
        self.void(self._given_back(ask.id), now, "ask reopened", half_life)
        self.conn.execute(
            f"UPDATE entries {_OPEN_AGAIN} WHERE id = ?",
            [ask.id],
        )

    # --- who brokered what ---------------------------------------------------------

    def via_sums(self, start: datetime, end: datetime) -> list[tuple[str, int, float]]:
        """Connectors in a period: name, entries they brokered, and those entries' points."""
        rows = self.conn.execute(
            "SELECT c.name, count(*), sum(e.points) FROM entries e "
            "JOIN contacts c ON c.id = e.via_id "
            "WHERE e.via_id IS NOT NULL AND e.voided_by IS NULL "
            "AND e.occurred_at > ? AND e.occurred_at <= ? "
            "GROUP BY e.via_id ORDER BY count(*) DESC, sum(e.points) DESC, c.name_key",
            [to_store(start), to_store(end)],
        )
        return [(name, int(n), float(p)) for name, n, p in rows]

    def brokered(self, contact: Contact, until: datetime, limit: int = 10) -> list[Entry]:
        """Entries this contact brokered, newest first."""
        return self._entry_rows(
            "e.via_id = ? AND e.voided_by IS NULL AND e.occurred_at <= ?",
            [contact.id, to_store(until)],
            f"ORDER BY e.occurred_at DESC LIMIT {int(limit)}",
        )

    def weekly_sums(
        self, start: datetime, weeks: int, contact: Contact | None = None
    ) -> list[Sums]:
        """Points by kind in each of `weeks` consecutive weeks from `start`."""
        where = "voided_by IS NULL AND occurred_at > ? AND occurred_at <= ?"
        end = start + timedelta(days=7 * weeks)
        params: list[Any] = [int(start.timestamp()), to_store(start), to_store(end)]
        if contact is not None:
            where += " AND contact_id = ?"
            params.append(contact.id)
        out = [Sums() for _ in range(weeks)]
        # Whole seconds (strftime('%s')), not julianday: floating-point days put
        # an entry one second after a boundary into the week before.
        sql = (
            "SELECT (CAST(strftime('%s', occurred_at) AS INTEGER) - ? - 1) / 604800,"
            f" {_SUMS_SQL} FROM entries WHERE {where} GROUP BY 1"
        )
        for week, d, w, r in self.conn.execute(sql, params):
            if 0 <= week < weeks:
                out[week] = Sums(float(d), float(w), float(r))
        return out

    # --- reports -------------------------------------------------------------

    def facts(
        self,
        as_of: datetime,
        half_life: Callable[[str], float],
        contacts: Sequence[Contact] | None = None,
    ) -> list[Facts]:
        """Every contact's charge, last contact, last ask and exchange as of `as_of`.

        From the derived state for each contact whose latest entry is at or before
        `as_of` (the usual case: O(contacts)); the others, whose state is ahead of
        `as_of` or kept for another half-life, are aggregated from their entries.
        """
        chosen = list(contacts) if contacts is not None else self.contacts()
        if not chosen:
            return []
        t = as_of.timestamp()
        sql = (
            "SELECT contact_id, half_life_days, anchor, charge, last_contact_at, last_ask_at, "
            "gave, received FROM contact_state"
        )
        args: list[Any] = []
        if contacts is not None:  # only the rows asked for: one for `show`, not every one
            sql += " WHERE contact_id IN (SELECT value FROM json_each(?))"
            args.append(json.dumps([c.id for c in chosen]))
        states = {row[0]: row[1:] for row in self.conn.execute(sql, args)}
        stale = [
            c
            for c in chosen
            if c.id not in states
            or states[c.id][0] != half_life(c.circle)
            or (states[c.id][1] is not None and states[c.id][1] > t)
        ]
        slow = self._facts_from_entries(stale, as_of, half_life) if stale else {}
        out = []
        for c in chosen:
            if c.id in slow:
                out.append(slow[c.id])
                continue
            hl, anchor, charge, last_contact, last_ask, gave, received = states[c.id]
            now = scoring.State(charge, anchor, gave, received).projected(t, hl)
            out.append(
                Facts(
                    c,
                    now.charge,
                    _opt_time(last_contact),
                    _opt_time(last_ask),
                    now.gave,
                    now.received,
                )
            )
        return out

    def _facts_from_entries(
        self, chosen: Sequence[Contact], as_of: datetime, half_life: Callable[[str], float]
    ) -> dict[int, Facts]:
        """Facts of `chosen` contacts as of `as_of`, aggregated from their entries."""
        half_lives, params = _half_lives(sorted({c.circle for c in chosen}), half_life)
        # The moment as a Julian day number, so SQLite does not parse it per entry.
        params += [as_of.timestamp() / scoring.DAY + 2440587.5, to_store(as_of)]
        only = ""
        if len(chosen) < self.count_contacts():
            # Through entries_by_contact: the cost follows these contacts' entries.
            only = "AND e.contact_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps([c.id for c in chosen]))
        sql = f"""
            {half_lives}
            SELECT x.contact_id, {_DECAYED_SUMS},
                   max(x.occurred_at),
                   max(CASE x.kind WHEN 'withdrawal' THEN x.occurred_at END)
            FROM (
                SELECT e.contact_id, e.kind, e.points, e.occurred_at,
                       exp(-(? - julianday(e.occurred_at)) * {math.log(2)!r}
                           / hl.half_life) AS f
                FROM entries e
                JOIN contacts c ON c.id = e.contact_id
                JOIN hl ON hl.circle = c.circle
                WHERE e.voided_by IS NULL AND e.occurred_at <= ? {only}
            ) AS x
            GROUP BY x.contact_id
        """
        found = {row[0]: row[1:] for row in self.conn.execute(sql, params)}
        out = {}
        for c in chosen:
            charge, gave, received, last_contact, last_ask = found.get(
                c.id, (0.0, 0.0, 0.0, None, None)
            )
            out[c.id] = Facts(
                c,
                float(charge or 0.0),
                _opt_time(last_contact),
                _opt_time(last_ask),
                float(gave or 0.0),
                float(received or 0.0),
            )
        return out

    def period_sums(self, start: datetime, end: datetime) -> dict[int, Sums]:
        """Points by kind per contact id for start < occurred_at <= end."""
        rows = self.conn.execute(
            f"SELECT contact_id, {_SUMS_SQL} "
            "FROM entries INDEXED BY entries_by_time "
            "WHERE voided_by IS NULL AND occurred_at > ? AND occurred_at <= ? "
            "GROUP BY contact_id",
            [to_store(start), to_store(end)],
        )
        return {cid: Sums(float(d), float(w), float(r)) for cid, d, w, r in rows}

    def verify_state(self, half_life: Callable[[str], float], tolerance: float = 1e-6) -> list[str]:
        """Names of contacts whose derived state differs from a recomputation."""
        wrong = []
        for c in self.contacts():
            hl = half_life(c.circle)
            row = self.conn.execute(
                "SELECT half_life_days, anchor, charge, last_contact_at, last_ask_at, gave, "
                "received FROM contact_state WHERE contact_id = ?",
                [c.id],
            ).fetchone()
            if row is not None:
                hl = row[0]  # a state kept for another half-life is recomputed on use
            expected = scoring.rebuild(self._impulses(c.id), hl)
            last = self._latest(c.id)
            if row is None:
                if expected.anchor is not None:
                    wrong.append(c.name)
                continue
            stored = scoring.State(row[2], row[1], row[5], row[6])
            probe = max(x for x in (stored.anchor, expected.anchor, 0.0) if x is not None)
            now, then = stored.projected(probe, row[0]), expected.projected(probe, hl)
            if stored.anchor is None:
                now = scoring.State()
            same = all(
                math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)
                for a, b in zip(now[:1] + now[2:], then[:1] + then[2:], strict=True)
            )
            if not same or (row[3], row[4]) != last:
                wrong.append(c.name)
        return wrong

    def entry_times(self, since: datetime, until: datetime) -> list[tuple[str, datetime]]:
        """(contact name, when) of every live entry in [since, until]."""
        rows = self.conn.execute(
            "SELECT c.name, e.occurred_at FROM entries e INDEXED BY entries_by_time "
            "JOIN contacts c ON c.id = e.contact_id "
            "WHERE e.voided_by IS NULL AND e.occurred_at >= ? AND e.occurred_at <= ?",
            [to_store(since), to_store(until)],
        )
        return [(name, from_store(at)) for name, at in rows]

    # --- address-book cards ---------------------------------------------------------

    def import_cards(
        self,
        cards: Sequence[Card],
        now: datetime,
        half_life: Callable[[str], float],
        circle: str,
        extra_tags: Sequence[str] = (),
    ) -> list[tuple[str, Card, str]]:
        """Add or update contacts from cards (the caller holds the transaction).

        A card matches an existing contact by any of its emails, else by name (any
        case). A match gains the card's missing emails, phones and tags and fills
        its empty organisation, nickname, birthday and note; nothing is
        overwritten, so importing the same file again changes nothing. Returns
        (outcome, card, detail) with outcome added, updated or unchanged.
        """
        by_email: dict[str, int] = {}
        by_key: dict[str, int] = {}
        rows: dict[int, dict[str, Any]] = {}
        for r in self._rows("SELECT * FROM contacts"):
            rows[r["id"]] = r
            by_key[r["name_key"]] = r["id"]
            for e in json.loads(r["emails"]):
                by_email.setdefault(e, r["id"])
        out: list[tuple[str, Card, str]] = []
        for card in cards:
            tags = list(card.tags) + [t for t in extra_tags if t not in card.tags]
            cid = next((by_email[e] for e in card.emails if e in by_email), None)
            how = "email"
            if cid is None:
                cid, how = by_key.get(name_key(card.name)), "name"
            if cid is None:
                new_id = self._insert_contact(
                    uid=uuid7(),
                    name=card.name,
                    kind=card.kind,
                    circle=circle,
                    tags=tags,
                    note=card.note,
                    created_at=to_store(now),
                    org=card.org,
                    nickname=card.nickname,
                    birthday=card.birthday,
                    emails=card.emails,
                    phones=card.phones,
                )
                self._save_state(new_id, half_life(circle), scoring.State(), None, None)
                rows[new_id] = self._rows("SELECT * FROM contacts WHERE id = ?", [new_id])[0]
                by_key[name_key(card.name)] = new_id
                for e in card.emails:
                    by_email.setdefault(e, new_id)
                out.append(("added", card, ""))
                continue
            row = rows[cid]
            changes: dict[str, Any] = {}
            for key, values in (("emails", card.emails), ("phones", card.phones), ("tags", tags)):
                have = json.loads(row[key])
                more = [v for v in values if v not in have]
                if more:
                    changes[key] = json.dumps(have + more, ensure_ascii=False)
            for key in ("org", "nickname", "birthday", "note"):
                value = getattr(card, key)
                if value and not row[key]:
                    changes[key] = value
            if not changes:
                out.append(("unchanged", card, f"matched {row['name']!r} by {how}"))
                continue
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.conn.execute(f"UPDATE contacts SET {sets} WHERE id = ?", [*changes.values(), cid])
            rows[cid] = {**row, **changes}
            for e in card.emails:
                by_email.setdefault(e, cid)
            detail = f"{row['name']!r} (by {how}): " + ", ".join(sorted(changes))
            out.append(("updated", card, detail))
        return out

    # --- export, import and merge ---------------------------------------------------

    def export_records(self) -> Iterator[dict[str, Any]]:
        """Every contact, entry and void as plain records, in a stable order (lossless).

        Contacts are named by their `uid`, never by the local row number, so
        records from several devices can be merged.
        """
        for r in self._rows("SELECT * FROM contacts ORDER BY uid"):
            yield {
                "type": "contact",
                "uid": r["uid"],
                "name": r["name"],
                "kind": r["kind"],
                "circle": r["circle"],
                "tags": json.loads(r["tags"]),
                "note": r["note"],
                "created_at": r["created_at"],
                "org": r["org"],
                "nickname": r["nickname"],
                "birthday": r["birthday"],
                "emails": json.loads(r["emails"]),
                "phones": json.loads(r["phones"]),
            }
        cur = self.conn.execute(
            "SELECT e.id, c.uid, e.kind, e.points, e.occurred_at, e.logged_at, e.note, e.tags, "
            "e.batch, e.status, e.resolved_at, e.source_id, v.uid FROM entries e "
            "JOIN contacts c ON c.id = e.contact_id LEFT JOIN contacts v ON v.id = e.via_id "
            "ORDER BY e.id"
        )
        for row in cur:
            yield {
                "type": "entry",
                "id": row[0],
                "contact": row[1],
                "kind": row[2],
                "points": row[3],
                "occurred_at": row[4],
                "logged_at": row[5],
                "note": row[6],
                "tags": json.loads(row[7]),
                "batch": row[8],
                "status": row[9],
                "resolved_at": row[10],
                "source": row[11],
                "via": row[12],
            }
        for r in self._rows("SELECT * FROM voids ORDER BY id"):
            yield {
                "type": "void",
                "id": r["id"],
                "entry": r["entry_id"],
                "voided_at": r["voided_at"],
                "reason": r["reason"],
            }

    def merge_records(
        self, records: Iterable[dict[str, Any]], half_life: Callable[[str], float]
    ) -> dict[str, int]:
        """Merge exported records into this ledger (the caller holds the transaction).

        Idempotent (merging the same records twice changes nothing) and order-free
        (two ledgers that merge each other end identical), by these rules:
        entries and voids are the same when their ids are; a contact is the same
        when its uid or its name (any case) is, and a pair of them keeps the smaller
        uid, the fields of the record with the smaller uid, the union of their tags
        and the earlier creation time; a settled ask beats an open one, and of two
        settlements the earlier wins; an entry voided twice points at the smaller
        void id. Derived state is rebuilt afterwards.
        """
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        counts = {"contacts added": 0, "contacts matched": 0, "entries added": 0, "voids added": 0}
        uid_to_id: dict[str, int] = {}
        pending_entries: list[dict[str, Any]] = []
        pending_voids: list[dict[str, Any]] = []
        for rec in records:
            kind = rec.get("type")
            if kind == "contact":
                cid, added = self._merge_contact(rec)
                uid_to_id[rec["uid"]] = cid
                counts["contacts added" if added else "contacts matched"] += 1
            elif kind == "entry":
                pending_entries.append(rec)
            elif kind == "void":
                pending_voids.append(rec)
        for rec in pending_entries:
            counts["entries added"] += self._merge_entry(rec, uid_to_id)
        for rec in pending_voids:
            counts["voids added"] += self._merge_void(rec)
        self._reconcile_asks()
        self.rebuild_state(half_life)
        return counts

    def _reconcile_asks(self) -> None:
        """Make asks and what they gave back agree after a merge, the same way on every device.

        A give-back whose ask is not done (another device declined it first, or
        reopened it) is voided, and so is every give-back but the earliest of an
        ask marked done on two devices; the void ids derive from the deposit so
        that both devices write the same ones. A done ask whose give-backs are
        all voided is open.
        """
        import uuid

        stale = self.conn.execute(
            "SELECT d.id, d.occurred_at FROM entries d JOIN entries a ON a.id = d.source_id "
            "WHERE d.voided_by IS NULL AND (a.status != 'done' OR a.voided_by IS NOT NULL)"
        ).fetchall()
        twice = self.conn.execute(
            "SELECT d.id, d.occurred_at FROM entries d INDEXED BY entries_by_source "
            "WHERE d.source_id IS NOT NULL AND d.voided_by IS NULL AND EXISTS ("
            "SELECT 1 FROM entries k WHERE k.source_id = d.source_id AND k.voided_by IS NULL "
            "AND (k.occurred_at, k.id) < (d.occurred_at, d.id))"
        ).fetchall()
        for (deposit_id, occurred_at), why, reason in [
            *((row, "unsettled", "its ask is not done") for row in stale),
            *((row, "duplicate", "its ask was done on two devices") for row in twice),
        ]:
            void_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"engage:{why}:{deposit_id}"))
            self._merge_void(
                {"id": void_id, "entry": deposit_id, "voided_at": occurred_at, "reason": reason}
            )
        self.conn.execute(
            f"UPDATE entries {_OPEN_AGAIN} "
            "WHERE status = 'done' AND voided_by IS NULL "
            "AND EXISTS (SELECT 1 FROM entries d WHERE d.source_id = entries.id) "
            "AND NOT EXISTS (SELECT 1 FROM entries d WHERE d.source_id = entries.id "
            "AND d.voided_by IS NULL)"
        )

    def _merge_contact(self, rec: dict[str, Any]) -> tuple[int, bool]:
        by_uid = self._rows("SELECT * FROM contacts WHERE uid = ?", [rec["uid"]])
        found = by_uid or self._rows(
            "SELECT * FROM contacts WHERE name_key = ?", [name_key(rec["name"])]
        )
        if not found:
            new_id = self._insert_contact(
                uid=rec["uid"],
                name=rec["name"],
                kind=rec["kind"],
                circle=rec["circle"],
                tags=rec["tags"],
                note=rec["note"],
                created_at=rec["created_at"],
                org=rec.get("org", ""),
                nickname=rec.get("nickname", ""),
                birthday=rec.get("birthday", ""),
                emails=rec.get("emails", []),
                phones=rec.get("phones", []),
            )
            return new_id, True
        local = found[0]
        mine = {
            **local,
            "tags": json.loads(local["tags"]),
            "emails": json.loads(local["emails"]),
            "phones": json.loads(local["phones"]),
        }

        def rank(r: dict[str, Any]) -> tuple[str, str]:
            # The smaller uid wins; between two versions of the same contact the
            # values decide, so that both devices pick the same one.
            fields = {k: r.get(k) for k in _CONTACT_FIELDS}
            return (r["uid"], json.dumps(fields, sort_keys=True, ensure_ascii=False))

        winner, other = (rec, mine) if rank(rec) < rank(mine) else (mine, rec)

        def union(key: str) -> str:
            first = list(winner.get(key, []))
            return json.dumps(
                first + [v for v in other.get(key, []) if v not in first], ensure_ascii=False
            )

        def pick(key: str) -> str:
            return str(winner.get(key, "") or other.get(key, ""))

        self.conn.execute(
            "UPDATE contacts SET uid = ?, name = ?, name_key = ?, kind = ?, circle = ?, "
            "tags = ?, note = ?, created_at = ?, org = ?, nickname = ?, birthday = ?, "
            "emails = ?, phones = ? WHERE id = ?",
            [
                winner["uid"],
                winner["name"],
                name_key(winner["name"]),
                winner["kind"],
                winner["circle"],
                union("tags"),
                winner["note"],
                min(local["created_at"], rec["created_at"]),
                pick("org"),
                pick("nickname"),
                pick("birthday"),
                union("emails"),
                union("phones"),
                local["id"],
            ],
        )
        return int(local["id"]), False

    def _merge_entry(self, rec: dict[str, Any], uid_to_id: dict[str, int]) -> int:
        row = self.conn.execute(
            "SELECT status, resolved_at FROM entries WHERE id = ?", [rec["id"]]
        ).fetchone()
        if row is not None:
            status, resolved = _settle_merge((row[0], row[1]), (rec["status"], rec["resolved_at"]))
            if (status, resolved) != (row[0], row[1]):
                self.conn.execute(
                    "UPDATE entries SET status = ?, resolved_at = ? WHERE id = ?",
                    [status, resolved, rec["id"]],
                )
            return 0
        if rec["contact"] not in uid_to_id:
            raise InputError(f"entry {rec['id']} names a contact that is not in the import")
        via = rec.get("via")
        if via is not None and via not in uid_to_id:
            raise InputError(f"entry {rec['id']} names a broker that is not in the import")
        self.conn.execute(
            "INSERT INTO entries (id, contact_id, kind, points, occurred_at, logged_at, note, "
            "tags, batch, status, resolved_at, source_id, via_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec["id"],
                uid_to_id[rec["contact"]],
                rec["kind"],
                rec["points"],
                rec["occurred_at"],
                rec["logged_at"],
                rec["note"],
                json.dumps(rec["tags"], ensure_ascii=False),
                rec["batch"],
                rec["status"],
                rec["resolved_at"],
                rec.get("source"),
                uid_to_id[via] if via is not None else None,
            ],
        )
        return 1

    def _merge_void(self, rec: dict[str, Any]) -> int:
        if self.conn.execute("SELECT 1 FROM voids WHERE id = ?", [rec["id"]]).fetchone():
            return 0
        self.conn.execute(
            "INSERT INTO voids (id, entry_id, voided_at, reason) VALUES (?, ?, ?, ?)",
            [rec["id"], rec["entry"], rec["voided_at"], rec["reason"]],
        )
        self.conn.execute(
            "UPDATE entries SET voided_by = ? "
            "WHERE id = ? AND (voided_by IS NULL OR voided_by > ?)",
            [rec["id"], rec["entry"], rec["id"]],
        )
        return 1


_SETTLED_RANK = {None: 0, "open": 0, "declined": 1, "done": 2}
_CONTACT_FIELDS = (
    "name", "kind", "circle", "tags", "note", "created_at",
    "org", "nickname", "birthday", "emails", "phones",
)  # fmt: skip


def _settle_merge(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None]
) -> tuple[str | None, str | None]:
    """Of two states of the same ask: settled beats open; then the earlier settlement."""
    if a[0] in (None, "open"):
        return b if b[0] not in (None, "open") else a
    if b[0] in (None, "open"):
        return a
    return min(a, b, key=lambda s: (s[1] or "", _SETTLED_RANK[s[0]]))
