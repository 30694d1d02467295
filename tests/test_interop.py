"""Export, import and merge: lossless, idempotent, and the same in either order."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import Run, fails, ok

from engage_cli import domain
from engage_cli.domain import NewEntry
from engage_cli.errors import InputError
from engage_cli.formats.records import read_records
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store import schema as schema_module
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import find_contact, list_contacts
from engage_cli.store.health import check_ledger
from engage_cli.store.queries import asks as list_asks
from engage_cli.store.queries import history
from engage_cli.store.state import facts, verify_state
from engage_cli.store.sync import export_records, merge_records
from engage_cli.store.writes import add_contact, log_entries, settle_ask, void_entries

POLICY = Policy()
START = datetime(2025, 1, 1, tzinfo=UTC)
NOW = START + timedelta(days=800)
NAMES = ["Ann", "ann", "Bob", "Cy", "Dee"]  # "Ann" and "ann" are one person on two devices

op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.sampled_from(["inner", "wide"])),
    st.tuples(
        st.just("log"),
        st.integers(0, 9),
        st.sampled_from(["deposit", "withdrawal", "received"]),
        st.sampled_from([0.5, 1.0, 3.0]),
        st.integers(0, 700),
    ),
    st.tuples(st.just("void"), st.integers(0, 30)),
    st.tuples(st.just("settle"), st.integers(0, 30), st.sampled_from(["done", "declined"])),
)


def build(path: Path, ops: list[tuple[Any, ...]]) -> Ledger:
    ledger = Ledger.open(path, create=True)
    for o in ops:
        with ledger.transaction():
            people = list_contacts(ledger)
            if o[0] == "add":
                if find_contact(ledger, o[1]) is None:
                    new = ContactIn(name=o[1], circle=o[2], tags=[o[2][0]])
                    add_contact(ledger, new, START, POLICY.half_life(o[2]))
            elif o[0] == "log" and people:
                _, who, kind, pts, day = o
                at = START + timedelta(days=day)
                entry = NewEntry(people[who % len(people)], kind, pts, at, f"n{day}", [])
                log_entries(ledger, [entry], NOW, POLICY.half_life)
            elif o[0] == "void":
                live = [e for e in history(ledger) if e.voided_by is None]
                if live:
                    void_entries(ledger, [live[o[1] % len(live)]], NOW, "", POLICY.half_life)
            elif o[0] == "settle":
                asks = [a.entry for a in list_asks(ledger, open_only=True)]
                if asks:
                    ask = asks[o[1] % len(asks)]
                    at = ask.occurred_at + timedelta(days=1)
                    settle_ask(ledger, ask, o[2], at, NOW, POLICY.synergy, POLICY.half_life)
    return ledger


def records(ledger: Ledger) -> list[dict[str, Any]]:
    """An export as JSON text would carry it, validated as an import reads it."""
    lines = [json.dumps(r) for r in export_records(ledger)]
    return list(read_records(lines, "test"))


def merge(into: Ledger, other: Ledger) -> None:
    recs = records(other)
    with into.transaction():
        merge_records(into, recs, POLICY.half_life)


def charges(ledger: Ledger) -> dict[str, float]:
    return {f.contact.name: f.charge for f in facts(ledger, NOW, POLICY.half_life)}


SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(st.lists(op, max_size=25))
def test_export_import_round_trip_is_lossless(tmp_path: Path, ops: list[tuple[Any, ...]]) -> None:
    key = uuid.uuid4().hex
    with (
        build(tmp_path / f"a{key}.db", ops) as a,
        Ledger.open(tmp_path / f"c{key}.db", create=True) as copy,
    ):
        merge(copy, a)
        assert records(copy) == records(a)
        assert charges(copy) == pytest.approx(charges(a))
        assert verify_state(copy, POLICY.half_life, tolerance=1e-9) == []


@SETTINGS
@given(st.lists(op, max_size=20), st.lists(op, max_size=20))
def test_merging_is_commutative_and_idempotent(
    tmp_path: Path, ops_a: list[tuple[Any, ...]], ops_b: list[tuple[Any, ...]]
) -> None:
    key = uuid.uuid4().hex
    with build(tmp_path / f"a{key}.db", ops_a) as a, build(tmp_path / f"b{key}.db", ops_b) as b:
        # Each device takes in the other's export (B's merge sees A as it was).
        a0_path = a.backup(tmp_path / f"a0{key}.db")
        merge(a, b)
        with Ledger.open(a0_path, create=False) as a0:
            merge(b, a0)
        assert records(a) == records(b)
        assert charges(a) == pytest.approx(charges(b))
        before = records(a)
        merge(a, b)  # again: nothing changes
        merge(a, a)
        assert records(a) == before
        for ledger in (a, b):
            problems = check_ledger(ledger, POLICY.half_life)
            assert not any(problems.values()), problems


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


# --- through the CLI -------------------------------------------------------------------


@pytest.fixture
def filled(run: Run) -> Run:
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "design", "--on", "2026-01-01"))
    ok(run("log", "Ann Lee", "-d", "2", "-m", 'coffee, "quoted"; done', "--on", "2026-02-01"))
    ok(run("log", "Bob", "--new", "-w", "3", "--via", "Ann Lee", "--on", "2026-02-02"))
    ok(run("log", "Ann Lee", "-r", "1", "--on", "2026-02-03"))
    ok(run("log", "Ann Lee", "-d", "9", "--on", "2026-02-04"))
    ok(run("undo", "--yes"))
    return run


def test_cli_export_import_and_merge(filled: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "laptop.jsonl"
    ok(filled("export", "-o", str(out)))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["type"] == "engage" and header["format"] == 1
    assert header["schema_version"] == 1  # records unchanged: engages of schema 1 import it
    assert [json.loads(x)["type"] for x in lines[1:]].count("entry") == 4
    assert ok(filled("export")).stdout.splitlines()[1:] == lines[1:]  # stable
    desktop = tmp_path / "desktop.db"
    first = ok(filled("--db", str(desktop), "import", "ledger", str(out))).stdout
    assert "4 entries added" in first and "1 voids added" in first
    again = ok(filled("--db", str(desktop), "import", "ledger", str(out))).stdout
    assert "0 entries added" in again
    assert ok(filled("--db", str(desktop), "export")).stdout.splitlines()[1:] == lines[1:]
    same = run_json("balance", "--as-of", "2026-02-10", "--all")
    there = json.loads(
        ok(
            filled("--db", str(desktop), "balance", "--as-of", "2026-02-10", "--all", "--json")
        ).stdout
    )
    assert rounded(same) == rounded(there)  # the same numbers, to floating-point noise
    ok(filled("log", "Cy", "--new", "-d", "1", "--on", "2026-02-05"))
    assert (
        "1 entries added"
        in ok(filled("--db", str(desktop), "merge", str(tmp_path / "data" / "ledger.db"))).stdout
    )
    assert "this ledger" in fails(filled("merge", str(tmp_path / "data" / "ledger.db")))


def test_csv_export_is_flat_and_complete(filled: Run) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ok(filled("export", "--format", "csv")).stdout)))
    assert len(rows) == 4
    assert rows[0]["note"] == 'coffee, "quoted"; done'
    assert {r["kind"] for r in rows} == {"deposit", "withdrawal", "received"}
    bob = next(r for r in rows if r["contact"] == "Bob")
    assert (bob["status"], bob["via"]) == ("open", "Ann Lee")
    assert [r["voided"] for r in rows].count("true") == 1
    assert "--format" in fails(filled("export", "--format", "xml"), code=2)


HEADER = json.dumps(
    {"type": "engage", "format": 1, "schema_version": 1, "exported_at": "2026-01-01T00:00:00Z"}
)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "not an engage export"),
        (HEADER + "\nnot json\n", "line 2: not JSON"),
        (HEADER + '\n{"type": "entry"}\n', "line 2: "),
        (HEADER + '\n{"type": "alien"}\n', "line 2"),
        (HEADER + '\n{"type": "void", "id": "x", "entry": "y"}\n', "line 2"),
    ],
)
def test_bad_import_files_change_nothing(
    filled: Run, db_path: Path, tmp_path: Path, content: str, words: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    sqlite3.connect(db_path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    assert words in fails(filled("import", "ledger", str(bad)))
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert "no file" in fails(filled("import", "ledger", str(tmp_path / "missing.jsonl")))


# --- views, completion -------------------------------------------------------------------


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


def test_shell_completion_offers_contact_names(filled: Run, db_path: Path) -> None:
    import os
    import subprocess
    import sys

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "ENGAGE_DB": str(db_path),
            "_ENGAGE_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        script = Path(sys.executable).with_name("engage")  # the installed console script
        out = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=False)
        return [line for line in out.stdout.splitlines() if line]

    assert complete("engage show an") == ["ann\\ Lee"]  # as typed, then the rest, escaped
    assert complete("engage log Ann b") == ["bob"]
    assert complete("engage log Ann B") == ["Bob"]
    assert complete("engage show zz") == []


def test_merge_only_reads_the_other_ledger(
    filled: Run, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.db"
    ok(filled("--db", str(other), "add", "Zoe", "--on", "2026-01-01"))
    sqlite3.connect(other).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    assert "1 contacts added" in ok(filled("merge", str(other))).stdout
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before

    NEXT = domain.SCHEMA_VERSION + 1
    # As if this engage had a newer schema: the other file is read, never migrated.
    monkeypatch.setattr(domain, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(schema_module.MIGRATIONS, NEXT, "CREATE TABLE later (x);")
    assert "1 contacts matched" in ok(filled("merge", str(other))).stdout
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    # A file older than the records engage can read is refused, still unchanged.
    monkeypatch.setattr(domain, "RECORDS_SINCE", NEXT)
    assert "older engage" in fails(filled("merge", str(other)))
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before


def test_an_engage_of_schema_1_imports_the_exports_of_this_one(
    filled: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new.jsonl"
    ok(filled("export", "-o", str(out)))

    # The check an engage of schema 1 makes of a header: schema_version <= 1.
    monkeypatch.setattr(domain, "SCHEMA_VERSION", 1)
    records = list(read_records(out.read_text().splitlines(), str(out)))
    assert [r["type"] for r in records].count("entry") == 4
    monkeypatch.setattr(domain, "SCHEMA_VERSION", 0)  # and it is a real check
    with pytest.raises(InputError, match="newer engage"):
        list(read_records(out.read_text().splitlines(), str(out)))


def test_a_new_device_starts_by_merging_a_ledger_of_an_older_engage(
    run: Run, run_json: Any, tmp_path: Path, db_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "ledger-v1.db", old)
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    ok(run("merge", str(old)))
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before  # still schema 1
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 1
    assert len(run_json("history", "--limit", "0")) == 6
    ok(run("doctor"))


def test_a_merge_that_cannot_read_the_other_file_creates_nothing(
    run: Run, tmp_path: Path, db_path: Path
) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a ledger")
    fails(run("merge", str(text)))
    assert "no file at" in fails(run("merge", str(tmp_path / "missing.db")))
    assert not db_path.exists() and not db_path.parent.exists()


# --- found in review ---------------------------------------------------------------------


def test_impossible_times_in_an_import_are_refused(filled: Run, tmp_path: Path) -> None:
    lines = ok(filled("export")).stdout.splitlines()
    entry = next(json.loads(x) for x in lines if '"type": "entry"' in x)
    entry["id"] = entry["id"][:-4] + "ffff"
    entry["occurred_at"] = "2026-13-45T99:99:99Z"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(entry)]) + "\n")
    assert "not a real moment" in fails(filled("import", "ledger", str(bad)))
    ok(filled("doctor"))


def test_devices_that_enrich_the_same_contact_converge(run: Run, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    card = tmp_path / "ann.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\nEND:VCARD\r\n"
    )
    ok(run("--db", a, "import", "contacts", str(card)))
    ok(run("--db", a, "export", "-o", str(tmp_path / "a0.jsonl")))
    ok(run("--db", b, "import", "ledger", str(tmp_path / "a0.jsonl")))
    for db, org, mail in ((a, "Acme", "ann@a.example"), (b, "Beta", "ann@b.example")):
        card.write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\n"
            f"EMAIL:{mail}\r\nORG:{org}\r\nEND:VCARD\r\n"
        )
        ok(run("--db", db, "import", "contacts", str(card)))
    ok(run("--db", a, "merge", b))
    ok(run("--db", b, "merge", a))
    assert (
        ok(run("--db", a, "export")).stdout.splitlines()[1:]
        == ok(run("--db", b, "export")).stdout.splitlines()[1:]
    )


def _settled_on_two_devices(run: Run, tmp_path: Path, on_p: str, on_q: str) -> tuple[str, str]:
    """Ledgers p and q sharing one ask, settled as `on_p` on p (later), `on_q` on q, synced."""
    p, q = str(tmp_path / "p.db"), str(tmp_path / "q.db")
    ok(run("--db", p, "add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("--db", p, "log", "Ann Lee", "-w", "4", "--on", "2026-11-01"))
    ok(run("--db", q, "merge", p))
    ask = json.loads(ok(run("--db", p, "asks", "--json")).stdout)[0]["id"]
    ok(run("--db", p, on_p, ask, "--on", "2026-11-06 10:00"))
    ok(run("--db", q, on_q, ask, "--on", "2026-11-05 10:00"))  # earlier: it wins
    ok(run("--db", p, "merge", q))
    ok(run("--db", q, "merge", p))
    return p, q


def test_done_on_one_device_declined_on_the_other(run: Run, tmp_path: Path) -> None:
    p, q = _settled_on_two_devices(run, tmp_path, "done", "declined")
    for db in (p, q):
        (state,) = json.loads(ok(run("--db", db, "asks", "--json")).stdout)
        assert state["status"] == "declined"
        live = [
            e
            for e in json.loads(ok(run("--db", db, "history", "--json")).stdout)
            if not e["voided"]
        ]
        assert [e["kind"] for e in live] == ["withdrawal"]  # the give-back is voided
    assert (
        ok(run("--db", p, "export")).stdout.splitlines()[1:]
        == ok(run("--db", q, "export")).stdout.splitlines()[1:]
    )


def test_an_ask_done_on_both_devices_gives_back_once(run: Run, tmp_path: Path) -> None:
    p, q = _settled_on_two_devices(run, tmp_path, "done", "done")
    for db in (p, q):
        (state,) = json.loads(ok(run("--db", db, "asks", "--json")).stdout)
        assert state["status"] == "done" and state["resolved_at"] == "2026-11-05T10:00:00Z"
        live = [
            e
            for e in json.loads(ok(run("--db", db, "history", "--json")).stdout)
            if not e["voided"] and e["kind"] == "deposit"
        ]
        assert [(e["points"], e["occurred_at"]) for e in live] == [(2.0, "2026-11-05T10:00:00Z")]
        ok(run("--db", db, "doctor"))
    assert (
        ok(run("--db", p, "export")).stdout.splitlines()[1:]
        == ok(run("--db", q, "export")).stdout.splitlines()[1:]
    )


def test_a_reopen_survives_a_sync(run: Run, tmp_path: Path) -> None:
    r1, r2 = str(tmp_path / "r1.db"), str(tmp_path / "r2.db")
    ok(run("--db", r1, "add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("--db", r1, "log", "Ann Lee", "-w", "3", "--on", "2026-11-01"))
    ask = json.loads(ok(run("--db", r1, "asks", "--json")).stdout)[0]["id"]
    ok(run("--db", r1, "done", ask, "--on", "2026-11-02"))
    ok(run("--db", r2, "merge", r1))
    ok(run("--db", r1, "reopen", ask))
    ok(run("--db", r2, "merge", r1))
    ok(run("--db", r1, "merge", r2))
    for db in (r1, r2):
        (state,) = json.loads(ok(run("--db", db, "asks", "--json")).stdout)
        assert state["status"] == "open"
        ok(run("--db", db, "doctor"))


def test_export_writes_through_symlinks(filled: Run, tmp_path: Path) -> None:
    real = tmp_path / "sync" / "laptop.jsonl"
    real.parent.mkdir()
    real.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    ok(filled("export", "-o", str(link)))
    assert link.is_symlink() and real.read_text().startswith('{"exported_at"')
