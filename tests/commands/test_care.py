"""Looking after the ledger and engage itself, through the CLI: doctor, backup, config, demo."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import AS_OF, Run, digest, fails, ok

# --- doctor --------------------------------------------------------------------------


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


# --- backup --------------------------------------------------------------------------


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


def test_default_backups_never_collide(people: Run, db_path: Path) -> None:
    ok(people("backup"))
    ok(people("backup"))
    assert len(list((db_path.parent / "backups").iterdir())) == 2


def test_backups_folder_that_is_a_file(people: Run, db_path: Path) -> None:
    (db_path.parent / "backups").write_text("not a folder")
    assert "is a file" in fails(people("backup"))


# --- config: the policy, from a TOML file --------------------------------------------


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("ENGAGE_CONFIG", str(path))
    return path


def test_config_changes_reports_consistently(people: Run, run_json, config: Path) -> None:  # type: ignore[no-untyped-def]
    config.write_text("")
    ok(people("log", "Ann Lee", "-d", "4", "--on", "2026-11-10 00:00"))
    as_of = "2026-11-20 00:00"

    def ann(rows: list[dict[str, Any]]) -> float:
        return float(next(r["charge"] for r in rows if r["name"] == "Ann Lee"))

    assert ann(run_json("contacts", "--as-of", as_of)) == pytest.approx(4 * 2 ** (-10 / 60))
    config.write_text("[circles.close]\nhalf_life_days = 10\ncadence_days = 3\n")
    for charge in (
        ann(run_json("contacts", "--as-of", as_of)),
        run_json("explain", "Ann Lee", "--as-of", as_of)["charge"],
        ann(run_json("balance", "--as-of", as_of, "--all")["contacts"]),
    ):
        assert charge == pytest.approx(2.0)
    # an entry written under the new policy keeps every number consistent
    ok(people("log", "Ann Lee", "-d", "1", "--on", "2026-11-10 00:00"))
    assert run_json("explain", "Ann Lee", "--as-of", as_of)["charge"] == pytest.approx(2.5)
    assert ann(run_json("contacts", "--as-of", as_of)) == pytest.approx(2.5)
    ok(people("doctor"))
    shown = run_json("config", "show")
    assert shown["values"]["circles.close.half_life_days"] == {"value": 10, "from": str(config)}
    assert shown["values"]["circles.inner.half_life_days"] == {"value": 30, "from": "default"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("circels = 1\n", "circels: unknown key; accepted here: period, synergy"),
        ("[circles.close]\nhalf_life = 3\n", "circles.close.half_life: unknown key; accepted"),
        ("[circles.close]\nhalf_life_days = -3\n", "circles.close.half_life_days: "),
        ("[circles.closest]\nhalf_life_days = 3\n", "circles are inner, close, active, wide"),
        ("synergy = 2\n", "synergy: "),
        ("reciprocity_days = 365\n", "reciprocity_days: no longer used: what you gave"),
        ("period = 'fortnight'\n", "period"),
        ("[verdict]\nengaged_min_ratio = 9\nengaged_max_ratio = 2\n", "must not exceed"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_invalid_config_is_one_clear_line(people: Run, config: Path, text: str, words: str) -> None:
    config.write_text(text)
    msg = fails(people("balance"))
    assert words in msg
    assert str(config) in msg


def test_config_path_and_missing_file(run: Run, config: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert ok(run("config", "path")).stdout.strip() == str(config)
    assert "no config file" in fails(run("config", "show"))
    monkeypatch.delenv("ENGAGE_CONFIG")
    out = ok(run("config", "show")).stdout
    assert "all defaults" in out and "circles.inner.half_life_days" in out


# --- demo ----------------------------------------------------------------------------


def test_demo_builds_a_throwaway_ledger_and_shows_the_review(run: Run, db_path: Path) -> None:
    result = ok(run("demo", "--as-of", AS_OF))
    assert "Balance" in result.stdout and "verdict" in result.stdout
    assert "Who to reconnect with" in result.stdout
    assert not db_path.exists()  # never the user's ledger
    path = result.stderr.split("Demo ledger: ")[1].split()[0]
    demo_db = Path(path)
    assert demo_db.exists() and str(demo_db) != str(db_path)
    contacts = json.loads(ok(run("--db", path, "contacts", "--json")).stdout)
    assert len(contacts) >= 12
    assert {c["circle"] for c in contacts} == {"inner", "close", "active", "wide"}


def test_the_first_write_says_where_the_ledger_is(run: Run, db_path: Path) -> None:
    first = ok(run("add", "Ann", "--on", "2026-01-01"))
    assert first.stderr == f"engage: started a new ledger at {db_path.resolve()}\n"
    assert ok(run("add", "Bob", "--on", "2026-01-01")).stderr == ""  # once
    assert ok(run("config", "path", "--ledger")).stdout.strip() == str(db_path.resolve())


def test_each_demo_replaces_the_last_and_leaves_nothing_else(run: Run, tmp_path: Path) -> None:
    import os
    import tempfile

    cache = Path(os.environ["XDG_CACHE_HOME"])
    temporary = set(Path(tempfile.gettempdir()).iterdir())
    first = ok(run("demo", "--as-of", AS_OF)).stderr.split("Demo ledger: ")[1].split()[0]
    second = ok(run("demo", "--as-of", AS_OF)).stderr.split("Demo ledger: ")[1].split()[0]
    assert first == second == str(cache / "engage" / "demo" / "ledger.db")
    assert set(Path(tempfile.gettempdir()).iterdir()) <= temporary  # no new folder each run
    assert (Path(first).parent.stat().st_mode & 0o777) == 0o700
    entries = json.loads(ok(run("--db", first, "history", "--limit", "0", "--json")).stdout)
    assert len({e["id"] for e in entries}) == len(entries)  # one demo, not two stacked


def test_the_demo_never_replaces_a_ledger_that_is_not_a_demo(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mine = tmp_path / "cache" / "engage" / "demo" / "ledger.db"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"someone's file")
    assert "is not a demo" in fails(run("demo", "--as-of", AS_OF))
    assert mine.read_bytes() == b"someone's file"


def test_an_upgrade_says_so_once_and_where_the_old_ledger_is(run: Run, tmp_path: Path) -> None:
    import shutil

    from tests.helpers import FIXTURES

    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "ledger-v1.db", old)
    first = ok(run("--db", str(old), "contacts"))
    assert first.stderr.startswith(f"engage: upgraded {old} from schema 1 to ")
    assert f"the ledger as it was: {old}.v1.bak" in first.stderr
    assert (tmp_path / "old.db.v1.bak").exists()
    assert ok(run("--db", str(old), "contacts")).stderr == ""
