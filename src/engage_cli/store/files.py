"""The ledger's file on disk: what may be opened, created owner-only, and copied.

Checks run before SQLite touches a path, so that a directory, an empty file or
another program's data is refused with nothing changed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from engage_cli.errors import InputError, LedgerError, NotALedger

SQLITE_HEADER = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """Refuse anything at `path` that is not a SQLite file, before SQLite can touch it."""
    if path.is_dir():
        raise NotALedger(path, "directory")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except PermissionError:
        raise LedgerError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise LedgerError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not header:
        raise NotALedger(path, "empty file")
    if header != SQLITE_HEADER:
        raise NotALedger(path, "not sqlite")


def create_file(path: Path) -> None:
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


def backup_name(path: Path, version: int) -> Path:
    """`ledger.db.v1.bak`, or `ledger.db.v1.2.bak`... when an earlier one is kept there."""
    n = 1
    while True:
        suffix = f".v{version}.bak" if n == 1 else f".v{version}.{n}.bak"
        target = path.with_name(path.name + suffix)
        if not target.exists():
            return target
        n += 1


def copy_database(source: sqlite3.Connection, target: Path) -> Path:
    """Copy a database with SQLite's online backup API to a new owner-only file.

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
        source.backup(dest)
        # A backup is one self-contained file: no -wal beside it.
        dest.execute("PRAGMA journal_mode = DELETE")
    except BaseException:
        dest.close()
        target.unlink(missing_ok=True)
        raise
    dest.close()
    return target


def write_private(path: Path, chunks: Iterator[str]) -> None:
    """Write a file owner-only (0600), atomically: a reader never sees half of it."""
    import tempfile

    target = path.expanduser()
    if target.is_dir():
        raise InputError(f"{target} is a directory; give a file path")
    if target.exists() and not target.is_file():  # /dev/stdout, a pipe: write straight in
        with open(target, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    target = target.resolve()  # a symlink is followed, never replaced
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_backup_path(ledger: Path, stamp: str) -> Path:
    """Where a backup goes by default: backups/ beside the ledger, named by the time."""
    folder = ledger.parent / "backups"
    if folder.exists() and not folder.is_dir():
        raise LedgerError(f"{folder} is a file; give the backup a PATH")
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / f"{ledger.stem}-{stamp}.db"
    n = 1
    while target.exists():  # two backups in one second
        n += 1
        target = folder / f"{ledger.stem}-{stamp}-{n}.db"
    return target


# The largest file read (an address book with photos can be tens of MB).
MAX_INPUT_BYTES = 100 * 1024 * 1024


def read_input(path: Path, utf8_only: bool = False) -> tuple[str, str]:
    """A file people point us at, as text, and the encoding it was read in.

    Only regular files: a FIFO or a device (`/dev/urandom`) would hang or never
    end. At most MAX_INPUT_BYTES. UTF-8 (with or without a byte-order mark)
    first; a file that is not UTF-8 is read as Windows-1252 (what older
    address-book exports write, a superset of Latin-1), unless `utf8_only`.
    """
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"no file at {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputError(f"{path} is {what}; give the path of a file")
    if info.st_size > MAX_INPUT_BYTES:
        raise InputError(
            f"{path} is {info.st_size / 2**20:.0f} MiB; files of at most "
            f"{MAX_INPUT_BYTES // 2**20} MiB are read"
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the check
                raise InputError(f"{path} is not a regular file; give the path of a file")
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path} grew past {MAX_INPUT_BYTES // 2**20} MiB while read")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if utf8_only:
            raise InputError(
                f"cannot read {path}: not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
    return data.decode("cp1252", errors="replace"), "windows-1252"
