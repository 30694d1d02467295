"""What engage promises about the ledger, each proven on real files with real processes.

See docs/reliability.md for the promises and what is not promised.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Run, fails, ok

from engage_cli import domain
from engage_cli.errors import LedgerError
from engage_cli.policy import Policy
from engage_cli.store import connection as connection_module
from engage_cli.store import schema as schema_module
from engage_cli.store.connection import Ledger
from engage_cli.store.state import verify_state

NEXT = domain.SCHEMA_VERSION + 1  # a schema from the future, for migration tests

FIXTURES = Path(__file__).parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def engage(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENGAGE_DB": str(db), "TZ": "UTC"}
    result = subprocess.run(
        [sys.executable, "-m", "engage_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, result.stderr
    return result


def at_once(argv: list[str], db: Path, n: int = 4) -> list[tuple[int, str, str]]:
    """Run `python ARGV...` in n processes at the same time on one ledger: (exit, out, err)."""
    env = {**os.environ, "ENGAGE_DB": str(db), "TZ": "UTC"}
    procs = [
        subprocess.Popen(
            [sys.executable, *argv],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        results.append((p.returncode, out, err))
    return results


def doctor(db: Path) -> dict[str, Any]:
    result = engage(db, "doctor", "--json", check=False)
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.returncode == (0 if report["ok"] else 1)
    return report


# --- concurrent writers ---------------------------------------------------------

WORKER = """
import os, subprocess, sys
names = sys.argv[1:]
for i in range(50):
    name = names[i % len(names)]
    r = subprocess.run(
        [sys.executable, "-m", "engage_cli", "log", name, "-d", "1", "-m", f"w{os.getpid()}-{i}"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    if r.returncode != 0:
        sys.exit(f"log {i} failed: {r.stderr}")
"""


@pytest.mark.slow
def test_four_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    for name in ("Ann", "Bob"):
        engage(db, "add", name, "--on", "2026-01-01")
    # Every worker writes to both contacts, so they contend for the same rows.
    for code, _, err in at_once(["-c", WORKER, "Ann", "Bob"], db):
        assert code == 0, err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 200
    assert conn.execute("SELECT count(DISTINCT note) FROM entries").fetchone()[0] == 200
    assert conn.execute("SELECT count(DISTINCT batch) FROM entries").fetchone()[0] == 200
    conn.close()
    report = doctor(db)
    assert report["ok"], report
    # Charges equal a recomputation from the entries, contact by contact.
    with Ledger.open(db, create=False) as ledger:
        assert verify_state(ledger, Policy().half_life, tolerance=1e-9) == []


def test_a_writer_that_cannot_get_the_lock_fails_clearly(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "ledger.db"
    engage(db, "add", "Ann")
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    before = digest(db)
    try:
        from typer.testing import CliRunner

        from engage_cli.commands import app

        result = CliRunner().invoke(app, ["--db", str(db), "log", "Ann", "-d", "1"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "busy" in fails(result)
    assert digest(db) == before


# --- crashes ---------------------------------------------------------------------


@pytest.mark.slow
def test_killed_writers_leave_whole_batches_only(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    names = ["Ann", "Bob", "Cy"]
    for name in names:
        engage(db, "add", name, "--on", "2026-01-01")
    env = {**os.environ, "ENGAGE_DB": str(db), "TZ": "UTC"}
    argv = [sys.executable, "-m", "engage_cli", "log", *names, "-d", "1", "-w", "0.5"]
    start = time.perf_counter()
    engage(db, *argv[3:])  # one whole run, to learn how long a run takes here
    took = time.perf_counter() - start
    rng = random.Random(20261122)
    outcomes = {"killed": 0, "finished": 0}
    for _ in range(30):
        proc = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Most kills land late in the run, where the write happens.
        time.sleep(rng.uniform(0.2, 1.2) * took)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.stderr is not None
        proc.stderr.close()
        outcomes["killed" if proc.returncode == -signal.SIGKILL else "finished"] += 1
    assert outcomes["killed"] > 0
    conn = sqlite3.connect(db)
    sizes = [n for (n,) in conn.execute("SELECT count(*) FROM entries GROUP BY batch")]
    conn.close()
    assert sizes and all(n == 6 for n in sizes), sizes  # each batch whole, or absent
    report = doctor(db)
    assert report["ok"], report


# --- migrations --------------------------------------------------------------------


def test_released_ledger_fixture_opens_and_reports(tmp_path: Path) -> None:
    """Each released schema is kept as a fixture; today's engage must read it."""
    fixtures = sorted(FIXTURES.glob("ledger-v*.db"))
    assert len(fixtures) == domain.SCHEMA_VERSION  # one per schema, none forgotten
    profiles = []
    for fixture in fixtures:
        db = tmp_path / fixture.name
        shutil.copyfile(fixture, db)
        report = doctor(db)
        assert report["ok"], (fixture.name, report)
        entries = json.loads(engage(db, "history", "--json", "--limit", "0").stdout)
        assert len(entries) == 6
        balance = json.loads(engage(db, "balance", "--as-of", "2026-03-31", "--json").stdout)
        assert balance["deposits"] == 2 and balance["withdrawals"] == 1
        show = json.loads(engage(db, "show", "Ann Lee", "--as-of", "2026-04-30", "--json").stdout)
        profiles.append({k: show[k] for k in ("charge", "gave", "gave_decayed", "entry_count")})
    # The same commands under every schema: the same numbers once migrated.
    for profile in profiles[1:]:
        assert profile == pytest.approx(profiles[0], rel=1e-9)
    assert profiles[0]["gave"] == 2 and 0 < profiles[0]["gave_decayed"] < 2


def _as_schema_1(db: Path) -> None:
    """Turn a ledger back into the shape schema 1 had (what migration 2 starts from)."""
    v1_view = next(
        stmt
        for stmt in schema_module.statements(schema_module.SCHEMA_V1)
        if "CREATE VIEW contact_summary" in stmt
    )
    conn = sqlite3.connect(db)
    conn.execute("DROP VIEW contact_summary")
    conn.execute("ALTER TABLE contact_state DROP COLUMN gave")
    conn.execute("ALTER TABLE contact_state DROP COLUMN received")
    conn.execute(v1_view)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_migration_2_fills_what_each_side_gave_from_the_entries(
    run: Run, run_json: Any, db_path: Path
) -> None:
    ok(run("add", "Ann Lee", "--on", "2025-01-01", "--circle", "close"))
    ok(run("add", "Bob Stone", "--on", "2025-01-01"))
    ok(run("add", "Cy Young", "--on", "2025-01-01", "--circle", "wide"))
    ok(run("log", "Ann Lee", "-d", "2", "-r", "3", "--on", "2026-03-01"))
    ok(run("log", "Ann Lee", "-r", "4", "--on", "2026-03-20"))
    ok(run("log", "Ann Lee", "-d", "1", "--on", "2026-02-01"))  # back-dated
    ok(run("log", "Bob Stone", "-r", "5", "-w", "1", "--on", "2026-03-10"))
    ok(run("log", "Bob Stone", "-d", "9", "--on", "2026-03-11"))
    ok(run("undo", "--yes"))  # voided: counts for nothing
    ok(run("log", "Cy Young", "-d", "1", "--on", "2026-01-10"))
    names = ("Ann Lee", "Bob Stone", "Cy Young")
    keys = ("charge", "gave", "received", "gave_decayed", "received_decayed")
    before = {n: run_json("show", n, "--as-of", "2026-04-01") for n in names}
    assert before["Bob Stone"]["reciprocity"] == "thank first"
    _as_schema_1(db_path)
    ok(run("doctor"))  # migrates (after a backup), then checks derived state against entries
    assert db_path.with_name("ledger.db.v1.bak").exists()
    for n in names:
        after = run_json("show", n, "--as-of", "2026-04-01")
        assert after["reciprocity"] == before[n]["reciprocity"]
        assert {k: after[k] for k in keys} == pytest.approx(
            {k: before[n][k] for k in keys}, rel=1e-9, abs=1e-12
        )


@pytest.fixture
def v1_ledger(tmp_path: Path) -> Path:
    db = tmp_path / "ledger.db"
    shutil.copyfile(FIXTURES / "ledger-v1.db", db)
    return db


def test_migration_backs_up_then_migrates_in_one_transaction(
    v1_ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(domain, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(
        schema_module.MIGRATIONS, NEXT, "ALTER TABLE contacts ADD COLUMN pronouns TEXT;"
    )
    before = digest(v1_ledger)
    with Ledger.open(v1_ledger, create=False) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == NEXT
        cols = [r[1] for r in ledger.conn.execute("PRAGMA table_info(contacts)")]
        assert "pronouns" in cols
    backup = v1_ledger.with_name("ledger.db.v1.bak")
    assert backup.exists()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 6
    conn.close()
    assert before != digest(v1_ledger)


def test_failed_migration_changes_nothing(v1_ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(
        schema_module.MIGRATIONS,
        NEXT,
        "ALTER TABLE contacts ADD COLUMN pronouns TEXT;\nINSERT INTO no_such_table VALUES (1);",
    )
    before = digest(v1_ledger)
    with pytest.raises(LedgerError, match="cannot set up"):
        Ledger.open(v1_ledger, create=False)
    assert digest(v1_ledger) == before
    conn = sqlite3.connect(v1_ledger)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "pronouns" not in [r[1] for r in conn.execute("PRAGMA table_info(contacts)")]
    conn.close()


@pytest.mark.slow
def test_old_ledger_opened_by_several_processes_at_once_migrates_once(tmp_path: Path) -> None:
    """The first to get the write lock migrates; the others find it done and go on."""
    for attempt in range(3):  # the race is timing-dependent: try it a few times
        db = tmp_path / f"ledger-{attempt}.db"
        shutil.copyfile(FIXTURES / "ledger-v1.db", db)
        for code, out, err in at_once(
            ["-m", "engage_cli", "history", "--json", "--limit", "0"], db
        ):
            assert code == 0, err
            assert len(json.loads(out)) == 6
        assert [b.name for b in tmp_path.glob(f"{db.name}.*.bak")] == [f"{db.name}.v1.bak"]
        assert doctor(db)["ok"]


def test_a_kept_backup_is_never_overwritten_by_a_migration(v1_ledger: Path) -> None:
    earlier = v1_ledger.with_name("ledger.db.v1.bak")
    earlier.write_bytes(b"an earlier backup, kept by its owner")
    with Ledger.open(v1_ledger, create=False) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == domain.SCHEMA_VERSION
    assert earlier.read_bytes() == b"an earlier backup, kept by its owner"
    conn = sqlite3.connect(v1_ledger.with_name("ledger.db.v1.2.bak"))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 6
    conn.close()


def test_ledger_from_a_newer_engage_is_refused(v1_ledger: Path, run: Run) -> None:
    conn = sqlite3.connect(v1_ledger)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    before = digest(v1_ledger)
    assert "upgrade engage" in fails(run("--db", str(v1_ledger), "balance"))
    assert digest(v1_ledger) == before


# --- backups and doctor ---------------------------------------------------------------


@pytest.mark.slow
def test_backup_while_another_process_writes(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    engage(db, "add", "Ann")
    env = {**os.environ, "ENGAGE_DB": str(db)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WORKER, "Ann"], env=env, stdin=subprocess.DEVNULL
    )
    copies = []
    try:
        for i in range(3):
            target = tmp_path / f"copy{i}.db"
            out = engage(db, "backup", str(target)).stdout
            assert "verified" in out
            copies.append(target)
    finally:
        writer.wait(timeout=600)
    assert writer.returncode == 0
    for copy in copies:
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not copy.with_name(copy.name + "-wal").exists()
        assert doctor(copy)["ok"]
    counts = [
        sqlite3.connect(c).execute("SELECT count(*) FROM entries").fetchone()[0] for c in copies
    ]
    assert counts == sorted(counts)


def test_backup_defaults_beside_the_ledger_and_never_overwrites(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1"))
    out = ok(run("backup")).stdout
    (made,) = (db_path.parent / "backups").iterdir()
    assert str(made) in out
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    before = digest(made)
    assert "already exists" in fails(run("backup", str(made)))
    assert digest(made) == before


def test_doctor_finds_and_repairs_derived_state(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "3", "--on", "2026-01-05"))
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE contact_state SET charge = charge + 1")
    conn.commit()
    conn.close()
    entries_before = sqlite3.connect(db_path).execute("SELECT * FROM entries").fetchall()
    assert "derived state" in fails(run("doctor"))
    ok(run("doctor", "--repair"))
    ok(run("doctor"))
    assert sqlite3.connect(db_path).execute("SELECT * FROM entries").fetchall() == entries_before


# --- privacy -----------------------------------------------------------------------------


def test_files_are_owner_only(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1"))
    for path in db_path.parent.iterdir():  # the ledger and SQLite's -wal and -shm files
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_no_network_connection_is_ever_opened(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[object] = []

    class NoSocket(socket.socket):
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args)
            raise AssertionError("engage opened a socket")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", NoSocket)
    for args in (
        ["add", "Ann", "--circle", "close"],
        ["log", "Ann", "Bob", "-d", "2", "-w", "1", "--new", "--on", "yesterday 15:00"],
        ["balance"],
        ["balance", "--json", "--period", "month"],
        ["who-neglected"],
        ["contacts", "--json"],
        ["show", "Ann"],
        ["history"],
        ["undo", "--yes"],
        ["doctor"],
        ["backup", str(tmp_path / "b.db")],
        ["demo", "--as-of", "2026-11-20"],
    ):
        ok(run(*args))
    assert opened == []
