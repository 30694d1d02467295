"""Several processes on one ledger at once, and processes killed mid-write: nothing lost,
nothing half-done. Real files, real processes.

See docs/reliability.md for the promises and what is not promised.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.helpers import FIXTURES, digest, doctor, engage, fails

from engage_cli.policy import Policy
from engage_cli.store import connection as connection_module
from engage_cli.store.connection import Ledger
from engage_cli.store.state import verify_state


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


# --- migrations and backups while others work -------------------------------------


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
