"""An open ledger: one SQLite connection, its transactions, and how it is opened.

Every store function takes a `Ledger` as its first argument; this class only
holds the connection and what every room needs of it.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engage_cli import domain, scoring
from engage_cli.errors import LedgerDamaged, LedgerError, NoLedger
from engage_cli.store import files, schema

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000
# A file only read is copied with its write-ahead log; SQLite keeps that log to a few
# MB, so a larger one is not copied (it could fill the temporary directory).
MAX_WAL_BYTES = 256 * 2**20


class _CannotWrite(Exception):
    """The ledger exists but cannot be opened for writing: read-only media."""


def _read_only_media(exc: sqlite3.DatabaseError) -> bool:
    """Whether `exc`, raised by the first read of a file that is SQLite, says that
    SQLite may not write beside it (a read-only directory or mount)."""
    text = str(exc)
    return "unable to open" in text or "readonly" in text or "read-only" in text


class Ledger:
    """An open ledger. Use `Ledger.open(...)` and close it (it is a context manager)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, scratch: Path | None = None) -> None:
        self.path = path
        self.conn = conn
        self._db: Database | None = None
        self._scratch = scratch  # a private copy read instead of the file (see _open_unchanged)
        self.read_only = False  # opened so that nothing can be written (_open_unchanged)
        self.upgraded_from: int | None = None  # the schema it was migrated from on opening
        self.backed_up: Path | None = None  # ... and the copy of it as it was

    @classmethod
    def open(cls, path: Path, *, create: bool, read_only: bool = False) -> Ledger:
        """Open the ledger at `path`; with `create`, make it (0600) when it is missing.

        `path` is always taken as a file path, never as an SQLite URI, and a
        symbolic link is followed to the file it names (created 0600 there when
        missing). An open without `create` of a missing ledger creates nothing.
        With `read_only` (another device's ledger, to merge) the file is only
        read: nothing is written into it or left beside it, and a schema whose
        records read the same is accepted as it is. A ledger that cannot be
        opened for writing (read-only media) is opened the same way, for the
        commands that only read it; its writes are then refused by SQLite.
        """
        path = path.expanduser().resolve()  # absolute: "file:..." can never be a URI
        existed = path.exists()
        if existed:
            files.check_file(path)
        elif not create:
            raise NoLedger(path)
        else:
            files.create_file(path)
        if read_only:
            return cls._open_unchanged(path, records_only=True)
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open {path}: {exc}") from None
        ledger = cls(path, conn)
        try:
            ledger._prepare(fresh=not existed, create=create, read_only=False)
        except _CannotWrite:
            conn.close()
            return cls._open_unchanged(path, records_only=False)
        except BaseException:
            conn.close()
            raise
        files.tighten(path)
        return ledger

    @classmethod
    def _open_unchanged(cls, path: Path, records_only: bool) -> Ledger:
        """Open `path` so that nothing is written into it or created beside it.

        Without a write-ahead log beside it the file is opened immutable (no
        locks, no -shm). With one, the file and its log are copied into a
        private directory and the copy is read: a read-only connection would
        need to create -shm beside the file, which read-only media refuse.
        """
        scratch = None
        source = path
        wal = path.with_name(path.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        if wal_size > MAX_WAL_BYTES:
            raise LedgerError(
                f"{path} has a write-ahead log of {wal_size / 2**20:.0f} MiB beside it; open it "
                "once where it can be written, so that the log is folded in"
            )
        if wal_size > 0:
            scratch = files.private_copy(path, [wal])
            source = scratch / path.name
            mode = "mode=ro"
        else:
            mode = "immutable=1"
        try:
            conn = sqlite3.connect(
                files.read_uri(source, mode),
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
            )
        except sqlite3.Error as exc:
            files.remove_tree(scratch)
            raise LedgerError(f"cannot open {path}: {exc}") from None
        ledger = cls(path, conn, scratch)
        ledger.read_only = True
        try:
            ledger._prepare(fresh=False, create=False, read_only=True)
            if not records_only and schema.user_version(conn) != domain.SCHEMA_VERSION:
                raise LedgerError(
                    f"{path} needs an upgrade of its schema, which read-only media do not allow; "
                    "copy it somewhere writable first"
                )
        except BaseException:
            ledger.close()
            raise
        return ledger

    def _prepare(self, fresh: bool, create: bool, read_only: bool) -> None:
        conn = self.conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            old = schema.needs_migration(conn, self.path, fresh, create, read_only)
        except sqlite3.DatabaseError as exc:
            if not read_only and _read_only_media(exc):
                if not create:
                    raise _CannotWrite from None
                raise LedgerError(
                    f"{self.path} is read-only here; nothing was changed (read-only "
                    "media, or a folder that cannot be written)"
                ) from None
            raise LedgerError(f"{self.path} is not a usable SQLite database ({exc})") from None
        try:
            conn.execute("SELECT exp(0)")
        except sqlite3.OperationalError:
            conn.create_function("exp", 1, math.exp, deterministic=True)
        # Exactly rounded sums (math.fsum), so that no figure depends on row order.
        conn.create_aggregate("engage_decayed", 5, scoring.DecayedSums)  # type: ignore[arg-type]
        conn.create_aggregate("engage_fsum", 1, scoring.Fsum)  # type: ignore[arg-type]
        if old is None:
            return
        self.upgraded_from = old if isinstance(old, int) and old > 0 else None  # 0: new
        try:
            schema.migrate(conn, self._backup_before_migration)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot set up the ledger at {self.path}: {exc}") from None

    def _backup_before_migration(self, version: int) -> None:
        # Through a second connection: a connection holding the write lock
        # cannot be the source of a backup, another one can still read.
        # A migration that failed before left its backup: the same state is not
        # backed up again on every later try.
        reader = sqlite3.connect(str(self.path))
        try:
            kept = files.latest_backup(self.path, version)
            if kept is None or not files.same_content(reader, kept):
                kept = files.copy_database(reader, files.backup_name(self.path, version))
            self.backed_up = kept
        finally:
            reader.close()

    def backup(self, target: Path) -> Path:
        """Copy the ledger to a new owner-only file at `target` (never overwritten)."""
        return files.copy_database(self.conn, target)

    def close(self) -> None:
        self.conn.close()
        files.remove_tree(self._scratch)
        self._scratch = None

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
    def transaction(self, rollback: bool = False, repair: bool = False) -> Iterator[None]:
        """One write transaction; the write lock is taken up front (BEGIN IMMEDIATE).

        With `rollback`, everything done inside is undone at the end: a dry run
        that went through every check a real one does. A ledger the health
        check found damaged takes no write but a `repair` (files.damage_note).
        """
        if not repair:
            problems = files.damage_note(self.path)
            if problems is not None:
                raise LedgerDamaged(self.path, problems)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("ROLLBACK" if rollback else "COMMIT")

    def iter_rows(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> Iterator[dict[str, Any]]:
        """The rows of a query as dicts, one at a time (memory bounded by one row)."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row, strict=True))

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query as dicts keyed by column name."""
        return list(self.iter_rows(sql, params))
