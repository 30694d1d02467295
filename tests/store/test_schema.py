"""The schema: a fixture per released schema, migrations, ledgers of newer engages, views.

See docs/reliability.md for the promises and what is not promised.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import FIXTURES, Run, digest, doctor, engage, fails, ok

from engage_cli import domain
from engage_cli.errors import LedgerError
from engage_cli.store import schema as schema_module
from engage_cli.store.connection import Ledger

NEXT = domain.SCHEMA_VERSION + 1  # a schema from the future, for migration tests


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


def test_the_schema_5_ledger_migrates_to_6_and_builds_its_marks(run: Run, db_path: Path) -> None:
    """A schema 5 ledger gains the marks, built from its entries after a backup: the same
    marks, to the bit, as writes keep; its reports at past moments read the same."""
    ok(run("add", "Ann Lee", "--on", "2025-01-01", "--circle", "close"))
    for month in range(1, 11):
        ok(
            run(
                "log", "Ann Lee", "-d", str(month % 4 + 1), "-w", "1", "--on", f"2025-{month:02}-09"
            )
        )
    past = ("show", "Ann Lee", "--as-of", "2025-06-20", "--json")
    shown = ok(run(*past)).stdout
    conn = sqlite3.connect(db_path)
    kept = conn.execute("SELECT * FROM state_marks ORDER BY 1, 2").fetchall()
    assert len(kept) == 10  # every 30 days from 2025-01-12 to 2025-10-09, the last entry
    conn.execute("DROP TABLE state_marks")  # the shape schema 5 had
    conn.execute("DROP INDEX entries_followed")  # (and schema 6)
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    assert doctor(db_path)["ok"]  # migrates, after a backup
    assert db_path.with_name(db_path.name + ".v5.bak").exists()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == domain.SCHEMA_VERSION
    assert conn.execute("SELECT * FROM state_marks ORDER BY 1, 2").fetchall() == kept
    conn.close()
    assert engage(db_path, *past).stdout == shown


# What schema 7 changed, as schema 6 had it.
_SCHEMA_6_SHAPES = """
CREATE TABLE marks_by_contact AS SELECT * FROM state_marks;
DROP TABLE state_marks;
CREATE TABLE state_marks (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    at REAL NOT NULL,
    half_life_days REAL NOT NULL,
    charge REAL NOT NULL,
    gave REAL NOT NULL,
    received REAL NOT NULL,
    last_contact_at TEXT,
    last_ask_at TEXT,
    PRIMARY KEY (contact_id, at)
) WITHOUT ROWID;
INSERT INTO state_marks SELECT * FROM marks_by_contact;
DROP TABLE marks_by_contact;
DROP INDEX entries_by_goal;
CREATE INDEX entries_by_goal ON entries (goal_id, occurred_at) WHERE goal_id IS NOT NULL;
DROP INDEX entries_followed;
"""


def test_the_schema_6_ledger_migrates_to_7_its_marks_by_moment_and_goals_by_index(
    run: Run, run_json: Any, db_path: Path
) -> None:
    """Schema 7 keeps the marks by moment (what a past moment reads lies together) and
    makes the index of the entries that serve a goal cover what the goals and a goal's
    review read: the same marks and the same answers."""
    ok(run("add", "Ann Lee", "--on", "2025-01-01"))
    ok(run("add", "Bo Chen", "--on", "2025-01-01"))
    ok(run("goal", "add", "Food hub", "--on", "2025-01-02"))
    ok(run("log", "Ann Lee", "-d", "2", "--goal", "Food hub", "--on", "2025-02-01"))
    ok(run("log", "Bo Chen", "-w", "1", "--goal", "Food hub", "--on", "2025-03-01"))
    for month in range(4, 9):
        ok(run("log", "Ann Lee", "-d", "1", "-w", "1", "--on", f"2025-{month:02}-10"))
    # an ask open on the 25th, settled since, with its follow-up in that agenda's days
    ok(run("log", "Bo Chen", "-w", "1", "--follow-up", "2027-01-05", "--on", "2026-11-20"))
    ok(run("done", run_json("asks", "Bo Chen")[0]["id"][-8:], "--on", "2026-11-28"))
    reads = [("goals", "--json"), ("goal", "show", "Food hub", "--as-of", "2025-06-01", "--json"),
             ("balance", "--as-of", "2025-05-20", "--json"),
             ("agenda", "--as-of", "2026-11-25", "--days", "60", "--json")]  # fmt: skip
    shown = [ok(run(*r)).stdout for r in reads]
    conn = sqlite3.connect(db_path)
    kept = conn.execute("SELECT * FROM state_marks ORDER BY contact_id, at").fetchall()
    assert len(kept) >= 6
    for stmt in schema_module.statements(_SCHEMA_6_SHAPES):
        conn.execute(stmt)
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    assert doctor(db_path)["ok"]  # migrates, after a backup
    assert db_path.with_name(db_path.name + ".v6.bak").exists()
    assert [engage(db_path, *r).stdout for r in reads] == shown
    assert any(i["kind"] == "follow-up" for i in json.loads(shown[-1])["items"])
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    assert conn.execute("SELECT * FROM state_marks ORDER BY contact_id, at").fetchall() == kept
    by_moment = conn.execute("EXPLAIN QUERY PLAN SELECT * FROM state_marks WHERE at = 0").fetchall()
    assert "PRIMARY KEY (at=?)" in " ".join(str(r[3]) for r in by_moment)
    plan = " ".join(
        str(row[3])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(DISTINCT contact_id), sum(points), "
            "max(occurred_at), sum(status = 'open' OR resolved_at > '2025') FROM entries "
            "WHERE goal_id = 1 AND voided_by IS NULL AND occurred_at <= '2026' AND kind = 'deposit'"
        )
    )
    conn.close()
    assert "COVERING INDEX entries_by_goal" in plan


def _as_schema_1(db: Path) -> None:
    """Turn a ledger back into the shape schema 1 had (what migration 2 starts from):
    a new file made by migration 1, with the ledger's rows in its columns."""
    done = sqlite3.connect(db)
    done.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the file itself
    done.close()
    old = db.with_name("newer.db")
    db.rename(old)
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    for stmt in schema_module.statements(schema_module.SCHEMA_V1):
        conn.execute(stmt)
    conn.execute("ATTACH DATABASE ? AS newer", [str(old)])
    for table in ("contacts", "entries", "voids", "contact_state"):
        cols = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM newer.{table}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.execute("DETACH DATABASE newer")
    conn.close()
    old.unlink()


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


# --- ledgers of a newer engage --------------------------------------------------------


def test_ledger_from_a_newer_engage_is_refused(v1_ledger: Path, run: Run) -> None:
    conn = sqlite3.connect(v1_ledger)
    conn.execute(f"PRAGMA user_version = {NEXT}")
    conn.close()
    before = digest(v1_ledger)
    assert "upgrade engage" in fails(run("--db", str(v1_ledger), "balance"))
    assert digest(v1_ledger) == before


def test_newer_schema_is_refused(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann"))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    msg = fails(run("balance"))
    assert "newer engage" in msg


# --- views, for reading the ledger with other tools -----------------------------------


def test_views_match_the_reports(filled: Run, run_json, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = run_json("balance", "--all")
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    view = {r["name"]: dict(r) for r in conn.execute("SELECT * FROM contact_summary")}
    assert set(view) == {c["name"] for c in report["contacts"]}
    for c in report["contacts"]:
        assert view[c["name"]]["charge"] == pytest.approx(c["charge"], rel=1e-6, abs=1e-9)
        assert view[c["name"]]["last_contact"] == c["last_contact"]
        shown = run_json("show", c["name"])
        for side in ("gave", "received"):
            assert view[c["name"]][side] == pytest.approx(
                shown[f"{side}_decayed"], rel=1e-6, abs=1e-9
            )
    assert view["Ann Lee"]["received"] > 0 and view["Ann Lee"]["gave"] > 0
    live = conn.execute("SELECT count(*), sum(points) FROM live_entries").fetchone()
    history = [e for e in run_json("history") if not e["voided"]]
    assert tuple(live) == (len(history), sum(e["points"] for e in history))
    (ask,) = conn.execute("SELECT contact, points FROM open_asks").fetchall()
    assert tuple(ask) == ("Bob", 3.0)
    conn.close()


def test_the_schema_4_ledger_migrates_to_5_cleanly(tmp_path: Path) -> None:
    """The released schema 4 ledger gains promises, remembered days and follow-ups; a
    backup of it is kept; what it held reads the same; the new actions journal."""
    db = tmp_path / "ledger.db"
    shutil.copyfile(FIXTURES / "ledger-v4.db", db)
    before = json.loads(engage(db, "export").stdout.split("\n", 1)[1].split("\n")[0])
    report = doctor(db)  # migrates, after a backup
    assert report["ok"], report
    backup = db.with_name("ledger.db.v4.bak")
    assert backup.exists() and stat.S_IMODE(backup.stat().st_mode) == 0o600
    with Ledger.open(db, create=False) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == domain.SCHEMA_VERSION
        tables = {r[0] for r in ledger.conn.execute("SELECT name FROM sqlite_master")}
        assert {"promises", "dates", "promises_open_by_due", "entries_follow_up"} <= tables
        cols = {r[1] for r in ledger.conn.execute("PRAGMA table_info(entries)")}
        assert "follow_up_at" in cols
        assert ledger.conn.execute("SELECT count(*) FROM actions").fetchone()[0] >= 1
    engage(db, "promise", "Ann Lee", "send the notes", "--by", "2030-01-01")
    engage(db, "remember", "Bob Stone", "his talk", "--on", "2030-02-01")
    assert doctor(db)["ok"]
    assert "a day of Bob Stone: his talk" in engage(db, "undo", "--yes").stdout
    assert "a promise to Ann Lee: send the notes" in engage(db, "undo", "--yes").stdout
    after = json.loads(engage(db, "export").stdout.split("\n", 1)[1].split("\n")[0])
    assert after == before


@pytest.mark.parametrize("version", [5, 6, 7])
def test_an_older_engage_refuses_the_newer_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    from engage_cli.errors import NewerLedger

    db = tmp_path / "ledger.db"
    shutil.copyfile(FIXTURES / f"ledger-v{version}.db", db)
    before = digest(db)
    monkeypatch.setattr(domain, "SCHEMA_VERSION", version - 1)
    with pytest.raises(NewerLedger):
        Ledger.open(db, create=False)
    assert digest(db) == before
