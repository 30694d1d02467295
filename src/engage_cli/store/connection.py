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

from engage_cli.errors import LedgerError, NoLedger
from engage_cli.store import files, schema

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000


class Ledger:
    """An open ledger. Use `Ledger.open(...)` and close it (it is a context manager)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._db: Database | None = None

    @classmethod
    def open(cls, path: Path, *, create: bool, read_only: bool = False) -> Ledger:
        """Open the ledger at `path`; with `create`, make it (0600) when it is missing.

        An open without `create` of a missing ledger creates nothing; with
        `read_only`, SQLite itself refuses every write (and no migration runs).
        """
        existed = path.exists()
        if existed:
            files.check_file(path)
        elif not create:
            raise NoLedger(path)
        else:
            files.create_file(path)
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

    def _prepare(self, fresh: bool, create: bool, read_only: bool) -> None:
        conn = self.conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            old = schema.needs_migration(conn, self.path, fresh, create, read_only)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path} is not a usable SQLite database ({exc})") from None
        try:
            conn.execute("SELECT exp(0)")
        except sqlite3.OperationalError:
            conn.create_function("exp", 1, math.exp, deterministic=True)
        if old is None:
            return
        try:
            schema.migrate(conn, self._backup_before_migration)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot set up the ledger at {self.path}: {exc}") from None

    def _backup_before_migration(self, version: int) -> None:
        # Through a second connection: a connection holding the write lock
        # cannot be the source of a backup, another one can still read.
        reader = sqlite3.connect(str(self.path))
        try:
            files.copy_database(reader, files.backup_name(self.path, version))
        finally:
            reader.close()

    def backup(self, target: Path) -> Path:
        """Copy the ledger to a new owner-only file at `target` (never overwritten)."""
        return files.copy_database(self.conn, target)

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
    def transaction(self, rollback: bool = False) -> Iterator[None]:
        """One write transaction; the write lock is taken up front (BEGIN IMMEDIATE).

        With `rollback`, everything done inside is undone at the end: a dry run
        that went through every check a real one does.
        """
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("ROLLBACK" if rollback else "COMMIT")

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query as dicts keyed by column name."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
