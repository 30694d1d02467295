"""Adding contacts and logging entries through the real CLI on a real ledger file."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest
from tests.helpers import Run, fails, ok


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def test_duplicate_name_is_refused_case_insensitively(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann Lee"))
    before = _sha(db_path)
    msg = fails(run("add", "  ann   LEE "))
    assert "already exists" in msg
    assert _sha(db_path) == before


def test_log_deposit_and_withdrawal_in_one_call(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann Lee"))
    result = ok(
        run("log", "ann lee", "-d", "2", "-w", "1", "-m", "coffee", "--on", "2026-11-02 15:00")
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert "deposit" in lines[0] and "+2" in lines[0] and "Ann Lee" in lines[0]
    assert "withdrawal" in lines[1] and "-1" in lines[1]
    charges = [float(line.split("charge ")[1].split()[0]) for line in lines]
    assert 0 < charges[1] < charges[0] <= 2  # charge now, after each entry
    entries = run_json("history")
    assert {(e["kind"], e["points"]) for e in entries} == {("deposit", 2.0), ("withdrawal", 1.0)}
    assert all(e["occurred_at"] == "2026-11-02T15:00:00Z" for e in entries)
    assert all(e["contact"] == "Ann Lee" and e["note"] == "coffee" for e in entries)
    assert len({e["id"] for e in entries}) == 2


def test_log_several_names_logs_each(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    for name in ("Ann", "Bob", "Cy"):
        ok(run("add", name))
    ok(run("log", "Ann", "Bob", "Cy", "-d", "1", "--on", "2026-11-03", "-t", "meetup"))
    entries = run_json("history")
    assert sorted(e["contact"] for e in entries) == ["Ann", "Bob", "Cy"]
    assert all(e["tags"] == ["meetup"] for e in entries)
    # a bare day is logged at noon
    assert all(e["occurred_at"] == "2026-11-03T12:00:00Z" for e in entries)


def test_unknown_contact_suggests_close_names_and_changes_nothing(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann Lee"))
    ok(run("add", "Anna Karenina"))
    before = _sha(db_path)
    msg = fails(run("log", "Anne Lee", "-d", "1"))
    assert "Ann Lee" in msg
    msg = fails(run("log", "ann", "-d", "1"))
    assert "Ann Lee" in msg and "Anna Karenina" in msg
    assert _sha(db_path) == before


def test_new_creates_unknown_contact_on_the_spot(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    result = ok(run("log", "Ann", "Zed", "-d", "1", "--new", "--on", "2026-11-01"))
    assert "added contact Zed" in result.stderr
    assert sorted(c["name"] for c in run_json("contacts")) == ["Ann", "Zed"]


def test_multi_name_log_with_one_unknown_writes_nothing(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    fails(run("log", "Ann", "Nobody", "-d", "1"))
    assert run_json("history") == []


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["log", "Ann"], 2, "--deposit"),
        (["log", "Ann", "-d", "0"], 1, "greater than 0"),
        (["log", "Ann", "-d", "-1"], 1, "greater than 0"),
        (["log", "Ann", "-d", "abc"], 1, "must be a number"),
        (["log", "Ann", "-d", "nan"], 1, "finite"),
        (["log", "Ann", "-d", "inf"], 1, "finite"),
        (["log", "Ann", "-d", "1e309"], 1, "finite"),
        (["log", "Ann", "-d", "1,5"], 1, "dot"),
        (["log", "Ann", "-d", ""], 1, "must be a number"),
        (["log", "Ann", "-d", "101"], 1, "at most"),
        (["log", "Ann", "-d", "1", "--on", "the day after never"], 1, "accepted: now, today"),
        (["log", "Ann", "-d", "1", "--on", "2026-02-30"], 1, "accepted"),
        (["log", "Ann", "-d", "1", "--on", "yesterday at 25:00"], 1, "accepted"),
        (["log", "Ann", "-d", "1", "--on", "0001-01-01"], 1, "accepted"),
        (["log", "Ann", "-d", "1", "--on", "2999-01-01"], 1, "future"),
        (["log", "Ann", "-d", "1", "--on", "tomorrow"], 1, "future"),
        (["log", "", "-d", "1"], 1, "empty"),
        (["log", "Ann", "-d", "1", "-m", "x" * 10_001], 1, "at most"),
        (["add", ""], 1, "empty"),
        (["add", "   "], 1, "empty"),
        (["add", "Bad\x00name"], 1, "control"),
        (["add", "x" * 201], 1, "at most"),
        (["add", "Bob", "--circle", "closest"], 2, "circle"),
        (["add", "Bob", "--kind", "robot"], 2, "kind"),
        (["void", "zzzz"], 1, "no entry"),
        (["show", "Nobody"], 1, "no contact"),
        (["history", "Nobody"], 1, "no contact"),
        (["balance", "--period", "fortnight"], 1, "period"),
        (["balance", "--as-of", "someday"], 1, "accepted"),
        (["who-neglected", "--limit", "-1"], 2, "limit"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, db_path: Path, args: list[str], code: int, needle: str
) -> None:
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-11-01"))
    before = _sha(db_path)
    msg = fails(run(*args), code)
    assert needle.lower() in msg.lower()
    assert _sha(db_path) == before


def test_read_only_command_on_missing_ledger_creates_nothing(run: Run, db_path: Path) -> None:
    for cmd in (["balance"], ["who-neglected"], ["contacts"], ["history"], ["show", "Ann"]):
        msg = fails(run(*cmd))
        assert "no ledger" in msg
    assert not db_path.exists()
    assert not db_path.parent.exists()


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
    before = _sha(target)
    msg = fails(run("--db", str(target), "add", "Ann"))
    assert "not an engage ledger" in msg
    assert _sha(target) == before


def test_newer_schema_is_refused(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann"))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    msg = fails(run("balance"))
    assert "newer engage" in msg


def test_undo_voids_the_last_log_and_keeps_it_in_history(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    ok(run("add", "Bob"))
    ok(run("log", "Ann", "-d", "3", "--on", "2026-11-01"))
    ok(run("log", "Ann", "Bob", "-w", "2", "--on", "2026-11-02"))
    result = ok(run("undo", "--yes"))
    assert "voided 2 entries" in result.stdout
    entries = run_json("history")
    assert len(entries) == 3
    assert sorted(e["voided"] for e in entries) == [False, True, True]
    show = run_json("show", "Ann", "--as-of", "2026-11-02")
    assert show["charge"] == pytest.approx(3 * 2 ** (-(1.5) / 120))
    # undo again reaches the earlier log
    ok(run("undo", "--yes"))
    assert all(e["voided"] for e in run_json("history"))
    fails(run("undo", "--yes"))


def test_undo_asks_and_can_be_declined(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-11-01"))
    result = run("undo", input="n\n")
    assert result.exit_code == 1
    assert not run_json("history")[0]["voided"]
    ok(run("undo", input="y\n"))
    assert run_json("history")[0]["voided"]


def test_void_by_short_id(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-11-01"))
    ok(run("log", "Ann", "-w", "2", "--on", "2026-11-02"))
    target = next(e for e in run_json("history") if e["kind"] == "withdrawal")
    short = target["id"].replace("-", "")[-8:]
    ok(run("void", short, "--reason", "wrong person"))
    fails(run("void", short))  # already voided
    show = run_json("show", "Ann", "--as-of", "2026-11-02")
    assert show["charge"] > 0
    assert show["withdrawals_total"] == 0
