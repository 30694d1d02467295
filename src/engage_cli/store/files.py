"""The ledger's file on disk: what may be opened, created owner-only, and copied.

Checks run before SQLite touches a path, so that a directory, an empty file or
another program's data is refused with nothing changed.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from engage_cli.errors import InputError, LedgerError, NotALedger, OutputExists

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


def private_folders(folder: Path) -> None:
    """Make `folder` and every missing folder above it, each owner-only (0700)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for d in reversed(missing):
        d.mkdir(mode=0o700)
        os.chmod(d, 0o700)


def create_file(path: Path) -> None:
    """Create the ledger file owner-only (0600) and any missing directory 0700."""
    p = path.parent
    while not p.exists():
        p = p.parent
    if not p.is_dir():
        raise LedgerError(f"cannot create {path}: {p} is not a directory")
    try:
        private_folders(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
    except FileExistsError:
        return
    except OSError as exc:
        raise LedgerError(f"cannot create {path}: {exc.strerror or exc}") from None


def backup_name(path: Path, version: int) -> Path:
    """`ledger.db.v1.bak`, or `ledger.db.v1.2.bak`... when an earlier one is kept there."""
    return _backups(path, version)[1]


def latest_backup(path: Path, version: int) -> Path | None:
    """The newest backup made before migrating from schema `version`, if any."""
    return _backups(path, version)[0]


def _backups(path: Path, version: int) -> tuple[Path | None, Path]:
    """(the newest existing backup of schema `version`, the name of the next one)."""
    n, last = 1, None
    while True:
        suffix = f".v{version}.bak" if n == 1 else f".v{version}.{n}.bak"
        target = path.with_name(path.name + suffix)
        if not target.exists():
            return last, target
        last, n = target, n + 1


def read_uri(path: Path, mode: str = "immutable=1") -> str:
    """The SQLite URI that opens `path` only to read it (immutable: no locks, no -shm)."""
    from urllib.request import pathname2url

    return f"file:{pathname2url(str(path))}?{mode}"


def same_content(a: sqlite3.Connection, b: Path) -> bool:
    """Whether the database at `b` holds what `a` holds: the same schema version and
    the same rows, by count and newest id of each table (a backup of this state)."""

    def fingerprint(conn: sqlite3.Connection) -> list[object]:
        out: list[object] = [conn.execute("PRAGMA user_version").fetchone()[0]]
        for table, key in (("contacts", "id"), ("entries", "id"), ("voids", "id")):
            out += conn.execute(f"SELECT count(*), max({key}) FROM {table}").fetchone()
        return out

    try:
        other = sqlite3.connect(read_uri(b), uri=True)
        try:
            return fingerprint(a) == fingerprint(other)
        finally:
            other.close()
    except sqlite3.Error:
        return False


def new_file(path: Path, ledger: Path) -> Path:
    """Where a new file (a backup) may be made: nothing there yet, not a symbolic link,
    and not a name the ledger's own files use (its -journal would be taken for one)."""
    target = path.expanduser()
    if target.exists() or target.is_symlink():
        raise InputError(f"{target} already exists; choose another path")
    if _is_ours(target.resolve(), ledger.expanduser().resolve(), backups=False):
        raise InputError(f"{target} is a name of the ledger's own files; choose another path")
    return target


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
        remove_database(target)  # a failed copy leaves nothing: no half file, no -wal
        raise
    dest.close()
    return target


def remove_database(path: Path) -> None:
    """Remove a database file and the files SQLite keeps beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@contextmanager
def created_or_removed(path: Path) -> Iterator[None]:
    """A ledger that a failure inside leaves as it found it: created there, removed."""
    real = path.expanduser().resolve()
    existed = real.exists()
    try:
        yield
    except BaseException:
        if not existed:
            remove_database(real)
        raise


def _is_ours(real: Path, ledger: Path, backups: bool = True) -> bool:
    """Whether `real` is the ledger, one of SQLite's files beside it, or one of its
    backups (those in backups/ beside it only with `backups`)."""
    if real.parent == ledger.parent and real.name.startswith(ledger.name):
        rest = real.name[len(ledger.name) :]
        return rest in ("", "-wal", "-shm", "-journal", DAMAGED) or rest.endswith(".bak")
    return backups and real.parent == ledger.parent / "backups"


def output_target(path: Path, ledger: Path, force: bool) -> Path | None:
    """Where a report or export may be written, or None to write straight into a
    pipe or terminal (`/dev/stdout`). Refused, with nothing written: a symbolic
    link (never written through), the ledger and the files beside it, any
    SQLite database, and an existing file unless `force`."""
    import stat

    target = path.expanduser()
    real = target.resolve()
    try:
        mode = target.stat().st_mode  # what a link leads to (a pipe has no path)
    except OSError:
        mode = 0
    stream = stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)  # a pipe or a terminal
    if target.is_symlink() and not stream:
        # /dev/stdout is a link to the terminal or pipe: written straight into. A link
        # to a file is refused: it could point at anything.
        raise InputError(f"{target} is a symbolic link; give the path of the file itself")
    if stream:
        return None  # nothing there to destroy
    if _is_ours(real, ledger.expanduser().resolve()):
        raise InputError(f"{target} is the ledger or one of its own files; choose another path")
    if not real.exists():
        return real
    if real.is_dir():
        raise InputError(f"{target} is a directory; give a file path")
    if not real.is_file():
        raise InputError(f"{target} is a device, not a file; nothing was written")
    try:
        with real.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if header == SQLITE_HEADER:
        raise InputError(f"{target} is a SQLite database; it is never written over")
    if not force:
        raise OutputExists(target)
    return real


def write_private(path: Path, chunks: Iterator[str], ledger: Path, force: bool = False) -> None:
    """Write a file owner-only (0600), atomically, where `output_target` allows.

    The text goes to a temporary file in the same directory, is flushed to
    disk, and takes the target's name in one rename: a reader never sees half
    of it, and a failure leaves the old file as it was.
    """
    import tempfile

    real = output_target(path, ledger, force)
    if real is None:
        with open(path.expanduser(), "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    folder = real.parent
    if not folder.is_dir():
        raise InputError(f"{folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            os.fchmod(fh.fileno(), 0o600)
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_backup_path(ledger: Path, stamp: str) -> Path:
    """Where a backup goes by default: backups/ beside the ledger, named by the time."""
    folder = ledger.parent / "backups"
    if folder.exists() and not folder.is_dir():
        raise LedgerError(f"{folder} is a file, so backups cannot go there; choose another path")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"cannot create {folder}: {exc.strerror or exc}") from None
    target = folder / f"{ledger.stem}-{stamp}.db"
    n = 1
    while target.exists():  # two backups in one second
        n += 1
        target = folder / f"{ledger.stem}-{stamp}-{n}.db"
    return target


# The largest file read (an address book with photos can be tens of MB).
MAX_INPUT_BYTES = 100 * 1024 * 1024


def open_input(path: Path) -> tuple[BinaryIO, int]:
    """A file people point us at, opened to read (bytes), and its size.

    Only regular files: a FIFO or a device (`/dev/urandom`) would hang or never end.
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
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        fh = os.fdopen(fd, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the check
        fh.close()
        raise InputError(f"{path} is not a regular file; give the path of a file")
    return fh, info.st_size


def read_input(path: Path, utf8_only: bool = False) -> tuple[str, str]:
    """A file people point us at, as text, and the encoding it was read in.

    Only regular files (`open_input`), of at most MAX_INPUT_BYTES. UTF-8 (with or
    without a byte-order mark) first; a file that is not UTF-8 is read as
    Windows-1252 (what older address-book exports write, a superset of Latin-1),
    unless `utf8_only`.
    """
    fh, size = open_input(path)
    with fh:
        if size > MAX_INPUT_BYTES:
            raise InputError(
                f"{path} is {size / 2**20:.0f} MiB; files of at most "
                f"{MAX_INPUT_BYTES // 2**20} MiB are read"
            )
        try:
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
    return data.decode("cp1252", errors="replace"), "Windows-1252"


# The longest line of a file read a line at a time (an export's record is far shorter).
MAX_LINE_BYTES = 1 << 20


def input_lines(path: Path, progress: Callable[[int, int], None] | None = None) -> Iterator[str]:
    """The lines of a UTF-8 file people point us at (a regular file, any size), one at
    a time, each at most MAX_LINE_BYTES; `progress(bytes read, size)` as it goes.
    The checks of `open_input` are made on the first line asked for."""
    fh, size = open_input(path)
    done = 0
    with fh:
        for n in itertools.count(1):
            try:
                raw = fh.readline(MAX_LINE_BYTES + 1)
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
            if not raw:
                break
            if len(raw) > MAX_LINE_BYTES:
                raise InputError(
                    f"{path} line {n} is over {MAX_LINE_BYTES // 2**20} MiB; no record is"
                )
            try:
                yield raw.decode("utf-8-sig" if n == 1 else "utf-8").removesuffix("\n")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"cannot read {path}: not UTF-8 ({exc.reason} at byte {done + exc.start})"
                ) from None
            done += len(raw)
            if progress is not None and n % 5000 == 0:
                progress(done, size)
    if progress is not None:
        progress(done, max(size, done))


def tighten(path: Path) -> None:
    """Make an existing ledger and SQLite's files beside it owner-only (0600).

    Ledgers made before they were created 0600, or copied with a wide umask,
    are narrowed on the next open; only files this user owns are touched.
    """
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = p.stat()
            if info.st_mode & 0o077 and info.st_uid == os.getuid():
                os.chmod(p, 0o600)
        except OSError:
            continue


def private_copy(path: Path, beside: list[Path]) -> Path:
    """Copy a database and the files beside it (its -wal) into a new owner-only
    directory; return the directory. The caller removes it (`remove_tree`)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="engage-read-"))
    try:
        for source in (path, *beside):
            target = folder / source.name
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
    except OSError as exc:
        remove_tree(folder)
        raise LedgerError(f"cannot read {path}: {exc.strerror or exc}") from None
    return folder


DEMO_MARK = ".engage-demo"  # in the folder of the demo ledger: what a new demo may replace


def fresh_demo(path: Path) -> None:
    """Make room for a new demo ledger at `path`: its folder is made owner-only,
    and an earlier demo there is removed, but only one this folder's mark says is a
    demo (anything else there is someone's, and is refused)."""
    from engage_cli.errors import LedgerError

    folder = path.parent
    mark = folder / DEMO_MARK
    if path.exists() and not mark.exists():
        raise LedgerError(f"{path} already exists and is not a demo; nothing was changed")
    private_folders(folder)
    remove_database(path)
    mark.touch(mode=0o600)


def remove_tree(folder: Path | None) -> None:
    if folder is not None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


# Beside a ledger the health check found damaged: what it found, until a check finds
# nothing. Writes are refused while it is there (Ledger.transaction).
DAMAGED = ".damaged"


def damage_note(ledger: Path) -> str | None:
    """What the last health check found wrong with `ledger`, or None when nothing."""
    try:
        return ledger.with_name(ledger.name + DAMAGED).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError:
        return "a damage note that cannot be read"


def note_damage(ledger: Path, problems: list[str]) -> None:
    """Write down (or, with no problems, remove) what a health check found."""
    note = ledger.with_name(ledger.name + DAMAGED)
    if not problems:
        note.unlink(missing_ok=True)
        return
    try:
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(", ".join(problems) + "\n")
    except OSError:
        pass  # read-only media: nothing can be written there anyway


def holds_our_agenda(path: Path) -> bool:
    """Whether `path` is a plain file holding an agenda calendar of ours (so that
    writing the agenda again may replace it)."""
    from engage_cli.formats.calendar import is_agenda_text

    target = path.expanduser()
    if target.is_symlink() or not target.is_file():
        return False
    try:
        with target.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return is_agenda_text(head)
