"""The files engage touches: owner-only, never overwritten when they are not a ledger,
never created by a command that fails, and refused cleanly when unusable.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from tests.helpers import Run, digest, fails, ok, read_only

# --- owner-only ----------------------------------------------------------------------


def test_add_creates_owner_only_ledger_and_directory(run: Run, db_path: Path) -> None:
    assert not db_path.exists()
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "Design", "-m", "met at PyCon"))
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    row = conn.execute("SELECT name, circle, tags, note FROM contacts").fetchone()
    assert row == ("Ann Lee", "close", '["design"]', "met at PyCon")


def test_files_are_owner_only(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1"))
    for path in db_path.parent.iterdir():  # the ledger and SQLite's -wal and -shm files
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_missing_directory_tree(run: Run, tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c" / "ledger.db"
    assert "no ledger" in fails(run("--db", str(deep), "balance"))
    assert not (tmp_path / "a").exists()
    ok(run("--db", str(deep), "add", "Ann"))  # a first write creates the tree, owner-only
    assert (tmp_path / "a").stat().st_mode & 0o077 == 0


def test_export_never_writes_through_a_symlink(filled: Run, tmp_path: Path) -> None:
    """A link is refused, never followed nor replaced: it could point at anything."""
    real = tmp_path / "sync" / "laptop.jsonl"
    real.parent.mkdir()
    real.write_text("kept")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    assert "symbolic link" in fails(filled("export", "-o", str(link), "--force"))
    assert link.is_symlink() and real.read_text() == "kept"
    ok(filled("export", "-o", str(real), "--force"))  # the file itself, replaced when asked
    assert real.read_text().startswith('{"exported_at"')
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


# --- a command that fails creates nothing ---------------------------------------------


def test_read_only_command_on_missing_ledger_creates_nothing(run: Run, db_path: Path) -> None:
    for cmd in (["balance"], ["who-neglected"], ["contacts"], ["history"], ["show", "Ann"]):
        msg = fails(run(*cmd))
        assert "no ledger" in msg
    assert not db_path.exists()
    assert not db_path.parent.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["undo", "--yes"],
        ["void", "abcdef12"],
        ["log", "Ann", "-d", "1"],
        ["balance"],
        ["history"],
        ["log", "", "-d", "1", "--new"],
        ["log", "Ann", "-d", "0", "--new"],
        ["add", "Ann", "--on", "tomorrow"],
    ],
)
def test_failing_commands_create_no_ledger(run: Run, db_path: Path, args: list[str]) -> None:
    fails(run(*args))
    assert not db_path.exists()
    assert not db_path.parent.exists()


def test_failing_via_creates_no_ledger(run: Run, db_path: Path) -> None:
    assert "Nobody" in fails(run("log", "Zed", "-d", "1", "--new", "--via", "Nobody"))
    assert not db_path.exists()


# --- --db pointing at things that are not ledgers ------------------------------------


def test_db_that_is_a_directory(run: Run, tmp_path: Path) -> None:
    msg = fails(run("--db", str(tmp_path), "add", "Ann"))
    assert "directory" in msg


@pytest.mark.parametrize(
    "content",
    [b"name,points\nAnn,1\n", b"", b"SQLite format 3\x00" + b"\x00" * 50],
)
def test_file_that_is_not_a_ledger_is_never_overwritten(
    run: Run, tmp_path: Path, content: bytes
) -> None:
    target = tmp_path / "notes.db"
    target.write_bytes(content)
    for cmd in (["add", "Ann"], ["balance"], ["log", "Ann", "-d", "1"]):
        fails(run("--db", str(target), *cmd))
    assert target.read_bytes() == content


def test_other_programs_sqlite_database_is_refused(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "other.db"
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = digest(target)
    msg = fails(run("--db", str(target), "add", "Ann"))
    assert "not an engage ledger" in msg
    assert digest(target) == before


def test_read_only_command_leaves_empty_sqlite_file_alone(run: Run, tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "empty.sqlite"
    sqlite3.connect(other).execute("PRAGMA user_version = 0").connection.close()
    other.write_bytes(other.read_bytes() or b"")
    if not other.stat().st_size:  # sqlite writes nothing for an untouched database
        conn = sqlite3.connect(other)
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
        conn.commit()
        conn.close()
    before = digest(other)
    assert "not an engage ledger" in fails(run("--db", str(other), "balance"))
    assert digest(other) == before


@pytest.mark.parametrize(
    "make",
    ["directory", "text", "empty", "foreign", "truncated", "garbage-after-header"],
)
def test_db_that_is_not_a_usable_ledger(run: Run, tmp_path: Path, ledger: Path, make: str) -> None:
    target = tmp_path / "target.db"
    if make == "directory":
        target.mkdir()
    elif make == "text":
        target.write_text("name,points\nAnn,1\n")
    elif make == "empty":
        target.write_bytes(b"")
    elif make == "foreign":
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
        conn.execute("INSERT INTO photos (path) VALUES ('a.jpg')")
        conn.commit()
        conn.close()
    elif make == "truncated":
        sqlite3.connect(ledger).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
        data = ledger.read_bytes()
        target.write_bytes(data[: len(data) // 2])
    else:
        target.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before = None if target.is_dir() else digest(target)
    for args in (["balance"], ["log", "Ann", "-d", "1"], ["add", "Bob"], ["doctor"]):
        result = run("--db", str(target), *args)
        fails(result)
    if before is not None:
        assert digest(target) == before
    if make == "directory":
        assert list(target.iterdir()) == []


# --- read-only files and folders ------------------------------------------------------


def test_read_only_ledger_file(run: Run, ledger: Path) -> None:
    sqlite3.connect(ledger).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    for extra in ledger.parent.glob("ledger.db-*"):
        extra.unlink()
    before = digest(ledger)
    with read_only(ledger):
        result = run("log", "Ann", "-d", "1")
        assert result.exit_code == 1
        assert fails(result)
    assert digest(ledger) == before


def test_read_only_directory(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        msg = fails(run("--db", str(folder / "ledger.db"), "add", "Ann"))
    assert "cannot create" in msg or "read-only" in msg
    assert list(folder.iterdir()) == []
