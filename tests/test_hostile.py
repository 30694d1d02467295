"""Hostile input is refused cleanly, and what is legitimately odd is stored exactly.

Every refusal: one line on stderr, exit 1 (2 for usage errors), no traceback,
and the ledger file byte-for-byte unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import Run, fails, ok
from typer.testing import CliRunner

from engage_cli.commands import app


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ledger(run: Run, db_path: Path) -> Path:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "2", "--on", "2026-02-01"))
    return db_path


ODD_NAMES = [
    "O'Brien",
    'Ann "the fixer" Lee',
    "Ann; DROP TABLE contacts; --",
    "100% Ann",
    "Ann_Lee",
    "C:\\Users\\ann",
    "' OR 1=1 --",
    "Zoë 🚀 Müller",
    "مريم الحسن",
    "Zoe\u0301",  # combining acute accent: stored as NFC "Zoé"
    "李小龙",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_stored_and_found_exactly(run: Run, run_json, name: str) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", name, "--on", "2026-01-01"))
    ok(run("log", name, "-d", "1", "--on", "2026-02-01", "-m", name))
    stored = unicodedata.normalize("NFC", name)
    assert [c["name"] for c in run_json("contacts")] == [stored]
    assert run_json("show", stored)["name"] == stored
    (entry,) = run_json("history", name)
    assert entry["note"] == stored and entry["contact"] == stored


def test_a_newline_in_a_name_becomes_a_space(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann\nLee"))
    assert [c["name"] for c in run_json("contacts")] == ["Ann Lee"]


BAD = [
    # names
    (["add", "Ann\x00Lee"], 1, "control"),
    (["add", "x" * 10_000], 1, "at most"),
    (["add", ""], 1, "empty"),
    (["log", "Ann\x00", "-d", "1"], 1, "control"),
    (["add", "ann"], 1, "already exists"),
    # notes and tags
    (["log", "Ann", "-d", "1", "-m", "x" * 1_000_000], 1, "at most"),
    (["log", "Ann", "-d", "1", "-m", "a\x00b"], 1, "NUL"),
    (["log", "Ann", "-d", "1", "-t", ""], 1, "tag"),
    # points
    (["log", "Ann", "-d", "0"], 1, "greater than 0"),
    (["log", "Ann", "-d", "-1"], 1, "greater than 0"),
    (["log", "Ann", "-d", "1e309"], 1, "finite"),
    (["log", "Ann", "-d", "nan"], 1, "finite"),
    (["log", "Ann", "-d", "inf"], 1, "finite"),
    (["log", "Ann", "-w", "1,5"], 1, "dot"),
    (["log", "Ann", "-d", ""], 1, "number"),
    (["log", "Ann", "-d", "lots"], 1, "number"),
    (["log", "Ann", "-d", "101"], 1, "at most"),
    (["log", "Ann"], 2, "deposit"),
    # dates
    (["log", "Ann", "-d", "1", "--on", "2026-02-30"], 1, "accepted"),
    (["log", "Ann", "-d", "1", "--on", "yesterday at 25:00"], 1, "accepted"),
    (["log", "Ann", "-d", "1", "--on", "tomorrow"], 1, "future"),
    (["log", "Ann", "-d", "1", "--on", "0001-01-01"], 1, "1900"),
    (["log", "Ann", "-d", "1", "--on", "9999-12-31"], 1, "future"),
    (["log", "Ann", "-d", "1", "--on", "the day after never"], 1, "accepted"),
    (["balance", "--as-of", "2026-13-01"], 1, "accepted"),
    (["balance", "--period", "fortnight"], 1, "period"),
    (["history", "--since", "soon"], 1, "accepted"),
    # lookups
    (["log", "Anne", "-d", "1"], 1, "did you mean 'Ann'"),
    (["show", "Nobody"], 1, "no contact"),
    (["void", "zzzz"], 1, "no entry"),
    (["void", "'; DROP TABLE entries; --"], 1, "no entry"),
    (["history", "--limit", "-1"], 2, "limit"),
    (["balance", "--bogus"], 2, "bogus"),
    (["frobnicate"], 2, "frobnicate"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=lambda v: repr(v)[:40])
def test_bad_input_is_refused_and_changes_nothing(
    run: Run, ledger: Path, args: list[str], code: int, words: str
) -> None:
    before = digest(ledger)
    assert words in fails(run(*args), code=code)
    assert digest(ledger) == before


# --- --db pointing at things that are not ledgers ----------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` unwritable, even for root (whom file modes do not stop)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            path.chmod(mode)


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


def test_missing_directory_tree(run: Run, tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c" / "ledger.db"
    assert "no ledger" in fails(run("--db", str(deep), "balance"))
    assert not (tmp_path / "a").exists()
    ok(run("--db", str(deep), "add", "Ann"))  # a first write creates the tree, owner-only
    assert (tmp_path / "a").stat().st_mode & 0o077 == 0


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


# --- a fuzz of whole command lines --------------------------------------------------

COMMANDS = [
    "add", "log", "balance", "who-neglected", "reconnect", "contacts", "show",
    "history", "undo", "void", "doctor", "backup",
]  # fmt: skip
TOKENS = st.sampled_from(
    [
        "Ann", "Bob", "ann", "Zoë", "", " ", "-d", "-w", "-m", "-t", "--on", "--as-of",
        "--period", "--since", "--limit", "-n", "--json", "--all", "--new", "--yes",
        "--circle", "--kind", "--tag", "--repair", "inner", "wide", "org", "1", "2.5", "0",
        "-1", "nan", "1e309", "yesterday", "2026-02-30", "3 days ago", "last friday",
        "tomorrow", "week", "13d", "abcdef12", "'; --", "%", "\\", "[red]x[/]", "\x00",
    ]
)  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS),
    args=st.lists(st.one_of(TOKENS, st.text(max_size=12)), max_size=6),
)
def test_fuzzed_command_lines_never_crash(
    tmp_path_factory: pytest.TempPathFactory, command: str, args: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "ledger.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "ledger-v1.db", db)
    if command == "backup" and args:
        args = [str(folder / "b.db"), *args[1:]]
    runner = CliRunner()
    env = {"ENGAGE_DB": str(db), "TZ": "UTC"}
    result = runner.invoke(app, [command, *args], env=env, input="")
    assert result.exit_code in (0, 1, 2), (command, args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, (command, args, result.stderr)
    after = runner.invoke(app, ["doctor", "--json"], env=env)
    assert after.exit_code == 0, after.output
