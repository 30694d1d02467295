"""Edge cases found in review: each once produced a wrong number, a crash or a stray file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.helpers import Run, fails, ok


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["[/]", "[red]Ann[/red]", "Ann :smile:", "[bold]x"])
def test_names_print_as_typed_not_as_markup(run: Run, name: str) -> None:
    ok(run("add", name, "-m", "[/] note", "--tag", "[x]"))
    ok(run("log", name, "-d", "1", "-m", "[i]y[/i]"))
    for cmd in (["contacts"], ["balance"], ["who-neglected"], ["history"], ["show", name]):
        out = ok(run(*cmd)).stdout
        assert name in out, cmd
    assert "[/] note" in ok(run("show", name)).stdout
    assert "[i]y[/i]" in ok(run("history")).stdout


def test_fully_voided_contact_is_exactly_zero(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "3", "-w", "1.3", "--on", "2026-02-01"))
    ok(run("undo", "--yes"))
    (row,) = run_json("contacts", "--as-of", "2026-03-01")
    assert row["charge"] == 0
    assert row["last_contact"] is None
    assert row["status"] != "overdrawn"
    assert "-0.0" not in ok(run("contacts", "--as-of", "2026-03-01")).stdout


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


def test_empty_db_option_is_a_usage_error(run: Run, db_path: Path) -> None:
    assert "--db" in fails(run("--db", "", "add", "Ann"), code=2)
    assert not db_path.exists()


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


def test_same_name_in_any_case_logs_once(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    out = ok(run("log", "Zed", "zed", " ZED ", "-d", "1", "--new")).stdout
    assert out.count("logged") == 1
    assert [c["name"] for c in run_json("contacts")] == ["Zed"]


def test_show_as_of_counts_only_what_counted_then(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "2", "--on", "2026-01-10"))
    ok(run("log", "Ann", "-w", "1", "--on", "2026-02-10"))
    ok(run("log", "Ann", "-d", "5", "--on", "2026-03-10"))
    ok(run("undo", "--yes"))
    then = run_json("show", "Ann", "--as-of", "2026-02-01")
    assert (then["deposits_total"], then["withdrawals_total"], then["entry_count"]) == (2, 0, 1)
    later = run_json("show", "Ann", "--as-of", "2026-04-01")
    assert (later["deposits_total"], later["withdrawals_total"], later["entry_count"]) == (2, 1, 2)
    assert "--limit 0" not in ok(run("show", "Ann")).stdout


def test_history_since_with_limit_reports_the_total(run: Run) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    for day in range(1, 6):
        ok(run("log", "Ann", "-d", "1", "--on", f"2026-02-0{day}"))
    out = ok(run("history", "--since", "2026-02-02", "--limit", "2")).stdout
    assert "showing 2 of 4" in out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["log", "Ann", "-d", "1_0"], 1, "number"),
        (["log", "Ann", "-d", "1e-300"], 1, "at least"),
        (["log", "Ann", "-d", "1", "-d", "2"], 2, "once"),
        (["log", "Ann", "-d", "1", "--on", "99999999999 hours ago"], 1, "accepted"),
        (["balance", "--period", ""], 1, "period"),
        (["contacts", "--tag", ""], 2, "tag"),
    ],
)
def test_more_bad_input(run: Run, db_path: Path, args: list[str], code: int, words: str) -> None:
    ok(run("add", "Ann"))
    before = digest(db_path)
    assert words in fails(run(*args), code=code)
    assert digest(db_path) == before


def test_explicit_zone_is_honoured(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-02-02 15:00 UTC"))
    (entry,) = run_json("history")
    assert entry["occurred_at"] == "2026-02-02T15:00:00Z"


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_dates_at_the_edge_of_time_fail_cleanly(run: Run) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    for as_of in ("9999-12-31", "0001-01-01"):
        result = run("balance", "--as-of", as_of)
        assert result.exit_code in (0, 1)
        if result.exit_code:
            assert "accepted" in fails(result)


@pytest.mark.usefixtures("new_york")
def test_bare_days_use_the_offset_in_force_that_day(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    # Logged in winter (UTC-5) and in summer (UTC-4): noon local either way.
    ok(run("log", "Ann", "-d", "1", "--on", "2026-01-15"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-07-15"))
    times = sorted(e["occurred_at"] for e in run_json("history"))
    assert times == ["2026-01-15T17:00:00Z", "2026-07-15T16:00:00Z"]
    report = run_json("balance", "--as-of", "2026-07-15")
    assert report["as_of"] == "2026-07-16T03:59:59Z"
