"""A merge source: another ledger file, read as records, a row at a time (see sync.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from engage_cli.errors import InputError, LedgerError
from engage_cli.store.connection import Ledger
from engage_cli.store.exporting import count_records, export_records
from engage_cli.store.sync import merge_file

Progress = Callable[[int, int], None]

# A merge source is someone else's file: what it may hold, and how long reading it may take.
MAX_READ_SECONDS = 300
SHAPE = {
    "contacts": {
        "id", "uid", "name", "kind", "circle", "tags", "note", "created_at",
        "org", "nickname", "birthday", "emails", "phones",
    },
    "entries": {
        "id", "contact_id", "kind", "points", "occurred_at", "logged_at", "note", "tags",
        "batch", "status", "resolved_at", "source_id", "via_id", "voided_by",
    },
    "voids": {"id", "entry_id", "voided_at", "reason"},
}  # fmt: skip


@contextmanager
def other_ledger_records(
    source: Path, now: datetime | None = None, progress: Progress | None = None
) -> Iterator[Iterator[dict[str, Any]]]:
    """Every record of another ledger file, read-only and validated like an import's,
    as they are read (`progress(done, total)` as they go).

    The other file is opened and its shape checked on entering: if it cannot be
    read, nothing here is created.
    """
    if not source.exists():  # not "start one": it is someone else's file
        raise InputError(f"no file at {source}")
    with Ledger.open(source, create=False, read_only=True) as theirs:
        check_shape(theirs)
        yield _read(theirs, source, now, progress)


def _read(
    theirs: Ledger, source: Path, now: datetime | None, progress: Progress | None
) -> Iterator[dict[str, Any]]:
    from engage_cli.formats.records import validate_records

    deadline = time.monotonic() + MAX_READ_SECONDS
    theirs.conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        # Through the same validation as an import: a merge accepts exactly
        # what an import of the other ledger's export would.
        total = count_records(theirs)
        records = enumerate(export_records(theirs), 1)
        for n, rec in enumerate(validate_records(records, str(source), now), 1):
            if progress is not None and n % 5000 == 0:
                progress(n, total)
            yield rec
        if progress is not None:
            progress(total, total)
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        raise LedgerError(
            f"reading {source} took over {MAX_READ_SECONDS} s; it is not a ledger that "
            "can be merged"
        ) from None
    except (ValueError, TypeError, RecursionError) as exc:  # its JSON columns, say
        raise LedgerError(
            f"{source} holds a record that cannot be read ({type(exc).__name__}); "
            "nothing was merged"
        ) from None


def check_shape(ledger: Ledger) -> None:
    """Refuse a file whose contacts, entries or voids are not plain tables of the
    expected columns: a view there could recurse forever or fill the disk."""
    for table, columns in SHAPE.items():
        row = ledger.conn.execute(
            "SELECT type FROM sqlite_master WHERE name = ? COLLATE NOCASE", [table]
        ).fetchone()
        if row is None or row[0] != "table":
            raise LedgerError(f"{ledger.path} has no {table} table of a ledger; nothing was read")
        info = ledger.conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
        if any(r[6] for r in info):  # generated or hidden: computed on every read
            raise LedgerError(f"{ledger.path}: its {table} table has computed columns")
        have = {r[1] for r in info}
        if not columns <= have:
            missing = ", ".join(sorted(columns - have))
            raise LedgerError(f"{ledger.path}: its {table} table lacks {missing}")


def merge_ledger(
    path: Path,
    source: Path,
    half_life: Callable[[str], float],
    now: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Merge another ledger file into the one at `path`; the other file is only read.

    Its records pass the validation of an import (`now`: see read_records).
    """
    if path.exists() and source.exists() and source.samefile(path):  # before reading it
        raise InputError("that is this ledger; merge another one")
    with other_ledger_records(source, now, progress) as records:
        return merge_file(path, records, half_life, "merge", now)
