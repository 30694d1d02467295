"""Files and text from other people: each threat of docs/reliability.md, through the real CLI.

Each test names the threat it proves a defence against. Where nothing may
change, the ledger's content (its SQL dump) is compared before and after;
where time or memory could run away, the command runs in a process of its
own with a wall limit and a memory limit, never a timing assertion.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Run, complete, converse, digest, doctor, engage, fails, ok, read_only

ESC, BEL, CSI = "\x1b", "\x07", "\x9b"
# A clipboard write (OSC 52), a hyperlink (OSC 8), a screen clear, a C1 CSI and a
# right-to-left override: what a calendar invite or a shared vCard could carry.
HOSTILE = f"{ESC}]52;c;aGk={BEL}{ESC}]8;;http://x{ESC}\\link{ESC}[2J{CSI}31m\u202eevil"


def dump(db: Path) -> list[str]:
    """The ledger's content, whatever its file's bytes (WAL, page layout)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def run_limited(args: list[str], db: Path, *, seconds: int = 60, memory_mb: int = 1536) -> Any:
    """engage ARGS in a process of its own, killed past `seconds` or `memory_mb` of memory."""

    def limit() -> None:
        size = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return subprocess.run(
        [sys.executable, "-m", "engage_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=limit,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TZ": "UTC"},
    )


# --- 1. an output path never destroys the ledger -------------------------------------


def test_export_never_writes_onto_the_ledger_its_files_or_a_database(
    filled: Run, db_path: Path, tmp_path: Path
) -> None:
    before = dump(db_path)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.close()
    other_before = digest(other)
    link = tmp_path / "innocent.jsonl"
    link.symlink_to(db_path)
    backups = db_path.parent / "backups"
    backups.mkdir()
    targets = [
        db_path,
        link,
        db_path.with_name("ledger.db-wal"),
        db_path.with_name("ledger.db-shm"),
        db_path.with_name("ledger.db.v1.bak"),
        backups / "ledger-1.db",
        other,
        tmp_path / "data" / ".." / "data" / "ledger.db",
    ]
    for target in targets:
        for fmt in ("jsonl", "csv"):
            fails(filled("export", "-f", fmt, "-o", str(target), "--force"))
    assert dump(db_path) == before
    assert digest(other) == other_before
    assert not db_path.with_name("ledger.db.v1.bak").exists()
    assert list(backups.iterdir()) == []


def test_export_replaces_an_existing_file_only_when_asked(filled: Run, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    out.write_text("my notes, not an export")
    assert "add --force" in fails(filled("export", "-o", str(out)))
    assert out.read_text() == "my notes, not an export"
    ok(filled("export", "-o", str(out), "--force"))
    assert out.read_text().startswith('{"exported_at"')
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".export")) == []


# --- 2. one gate: the inbox stores only what log would ----------------------------------


def _invite(tmp_path: Path, title: str) -> Path:
    ics = tmp_path / "invite.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        f"DTSTART:20261110T100000Z\r\nSUMMARY:Ann Lee {title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    return ics


def test_inbox_log_stores_a_calendar_title_only_as_log_would(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    engage(db, "add", "Ann Lee", "--on", "2026-01-01")
    ics = _invite(tmp_path, "\x00" + "x" * 50_000)
    window = ["--since", "2026-11-01", "--as-of", "2026-11-20"]
    code, seen = converse(db, ["inbox", "--ics", str(ics), *window, "--log"], [("Ann Lee", "1")])
    assert code == 0, seen
    (entry,) = json.loads(engage(db, "history", "--json").stdout)
    assert "\x00" not in entry["note"] and len(entry["note"]) <= 200
    # ... so every device can still import this ledger's export.
    exported = engage(db, "export").stdout
    (tmp_path / "e.jsonl").write_text(exported)
    engage(tmp_path / "other.db", "import", "ledger", str(tmp_path / "e.jsonl"))


def test_doctor_finds_and_repairs_text_an_import_would_refuse(
    filled: Run, db_path: Path, tmp_path: Path
) -> None:
    """What an older version let in (a NUL note, a 50k-character one) breaks every import."""
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE entries SET note = 'a' || char(0) || 'b' WHERE kind = 'deposit'")
    conn.execute("UPDATE entries SET note = ? WHERE kind = 'received'", ["y" * 50_000])
    conn.commit()
    conn.close()
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    assert "line" in fails(filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out)))
    report = doctor(db_path)
    assert not report["ok"] and report["checks"]["records"]
    assert "damaged" in fails(filled("log", "Ann Lee", "-d", "1"))  # no write meanwhile
    ok(filled("doctor", "--repair"))
    assert doctor(db_path)["ok"]
    ok(filled("export", "-o", str(out), "--force"))
    ok(filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out)))
    ok(filled("log", "Ann Lee", "-d", "1"))


# --- 3. terminal escape injection -----------------------------------------------------


def _hostile_ledger(run: Run, tmp_path: Path) -> None:
    card = tmp_path / "card.vcf"
    card.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nORG:{HOSTILE}\r\nNICKNAME:{HOSTILE}\r\n"
        "END:VCARD\r\n",
        encoding="utf-8",
    )
    ok(run("import", "contacts", str(card)))
    ok(run("log", "Ann Lee", "-d", "1", "-m", HOSTILE, "--on", "2026-11-10"))
    ok(run("log", "Ann Lee", "-w", "1", "-m", HOSTILE, "-t", "x", "--on", "2026-11-11"))


def _clean(text: str) -> None:
    for bad in (ESC, BEL, CSI, "\u202e"):
        assert bad not in text, repr(text)


def test_no_command_prints_an_escape_sequence_from_peoples_text(run: Run, tmp_path: Path) -> None:
    _hostile_ledger(run, tmp_path)
    ics = _invite(tmp_path, HOSTILE)
    for args in (
        ["history"],
        ["show", "Ann Lee", "--as-of", "2026-11-20"],
        ["asks", "--as-of", "2026-11-20"],
        ["review", "--as-of", "2026-11-20"],
        ["balance", "--as-of", "2026-11-15", "--all"],
        ["explain", "Ann Lee", "--as-of", "2026-11-20"],
        ["inbox", "--ics", str(ics), "--since", "2026-11-01", "--as-of", "2026-11-20"],
        ["log", "Ann Lee", "-d", "1", "-m", HOSTILE],
        ["undo", "--yes"],
    ):
        result = ok(run(*args))
        _clean(result.stdout)
        _clean(result.stderr)
    assert "\u241b]52" in ok(run("history")).stdout  # shown, as a visible stand-in
    _clean(fails(run("log", "Ann Lee", "-d", "1", "--via", HOSTILE)))


def test_on_a_terminal_only_engage_colours_reach_it(
    tmp_path: Path, run: Run, db_path: Path
) -> None:
    _hostile_ledger(run, tmp_path)
    for args in (["history"], ["show", "Ann Lee", "--as-of", "2026-11-20"]):
        code, seen = converse(db_path, args, [])
        assert code == 0, seen
        assert f"{ESC}]" not in seen and f"{ESC}[2J" not in seen and BEL not in seen
        assert CSI not in seen and "\u202e" not in seen


def test_names_refuse_invisible_and_direction_characters(run: Run) -> None:
    for name in ("Ann\u200bLee", "Ann\u202eLee", "Ann\u2066Lee", "\ufeffAnn"):
        assert "invisible" in fails(run("add", name))
    ok(run("add", "Zoë Ann\u200dLee"))  # a joiner is part of how some names are written


# --- 4. spreadsheet formulas ---------------------------------------------------------


def test_csv_export_neutralises_formulas(run: Run, tmp_path: Path) -> None:
    ok(run("add", "@Ann", "--on", "2026-01-01"))
    ok(run("log", "@Ann", "-d", "1", "-m", '=HYPERLINK("http://x")', "-t", "+t"))
    ok(run("log", "@Ann", "-d", "1", "-m", "-2+3"))
    out = tmp_path / "e.csv"
    ok(run("export", "-f", "csv", "-o", str(out)))
    import csv

    rows = list(csv.DictReader(out.open()))
    notes = sorted(r["note"] for r in rows)
    assert notes == ["'-2+3", '\'=HYPERLINK("http://x")']
    assert {r["contact"] for r in rows} == {"'@Ann"}
    assert "'+t" in {r["tags"] for r in rows}
    exported = ok(run("export")).stdout  # JSONL stays exact
    assert '"note": "=HYPERLINK' in exported


# --- 5. and 6. privacy, and --db is a path ------------------------------------------------


def test_a_dangling_symlink_at_the_ledger_path_makes_an_owner_only_ledger(
    run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "real" / "ledger.db"
    target.parent.mkdir()
    link = tmp_path / "ledger.db"
    link.symlink_to(target)
    old = os.umask(0o022)
    try:
        ok(run("--db", str(link), "add", "Ann"))
        ok(run("--db", str(link), "log", "Ann", "-d", "1"))
    finally:
        os.umask(old)
    assert link.is_symlink()
    for p in target.parent.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_an_existing_wide_ledger_is_narrowed_to_owner_only(ledger: Path, run: Run) -> None:
    ledger.chmod(0o644)
    ok(run("balance"))
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600


def test_db_is_a_file_path_never_an_sqlite_uri(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE app (x)").connection.close()
    before = digest(other)
    ok(run("--db", "file:other.db", "add", "Ann"))
    assert digest(other) == before
    assert (tmp_path / "file:other.db").is_file()
    ok(run("--db", "file:mem.db?mode=memory", "add", "Bob"))
    names = [
        c["name"]
        for c in json.loads(ok(run("--db", "file:mem.db?mode=memory", "contacts", "--json")).stdout)
    ]
    assert names == ["Bob"]  # stored in a real file of that name, not in memory


# --- 7. bounded work on any input ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("DTSTART:20260101T000000Z\r\nRRULE:FREQ=SECONDLY", "more often than every hour"),
        ("DTSTART:19700101T000000Z\r\nRRULE:FREQ=SECONDLY", "more often than every hour"),
        ("DTSTART:20200101T000000Z\r\nRRULE:FREQ=DAILY;BYSECOND=0,1,2", "every hour"),
        ("DTSTART:00010101T000000Z\r\nRRULE:FREQ=DAILY", "from before 1900"),
        ("DTSTART:20260101T000000Z\r\nRRULE:FREQ=HOURLY", "only its first 1,000"),
    ],
)
def test_recurrences_are_bounded(tmp_path: Path, rule: str, says: str) -> None:
    db = tmp_path / "ledger.db"
    engage(db, "add", "Ann Lee", "--on", "2025-01-01")
    ics = tmp_path / "storm.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        f"{rule}\r\nSUMMARY:Ann Lee sync\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260301T100000Z\r\nSUMMARY:Ann Lee lunch\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = run_limited(
        ["inbox", "--ics", str(ics), "--since", "2026-02-01", "--as-of", "2026-06-01", "--json"],
        db,
    )
    assert result.returncode == 0, result.stderr
    assert says in result.stderr
    titles = [m["title"] for m in json.loads(result.stdout)]
    assert "Ann Lee lunch" in titles  # the rest of the calendar is still read
    assert len(titles) <= 1001


def test_a_calendar_of_too_many_events_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    engage(db, "add", "Ann Lee", "--on", "2025-01-01")
    event = "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260301T100000Z\r\nEND:VEVENT\r\n"
    ics = tmp_path / "many.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + event * 100_001 + "END:VCALENDAR\r\n")
    result = run_limited(["inbox", "--ics", str(ics)], db, seconds=60)
    assert result.returncode == 1 and "at most 100,000" in result.stderr


def test_a_vcard_with_a_huge_photo_is_read_in_bounded_time_and_memory(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    card = tmp_path / "photo.vcf"
    folded = "\r\n ".join(["QUFB" * 18] * 700_000)  # a 50 MB photo, folded at 74 columns
    card.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nPHOTO;ENCODING=b:{folded}\r\nEND:VCARD\r\n"
    )
    result = run_limited(["import", "contacts", str(card)], db, memory_mb=2048)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout


def test_csv_cells_that_defeat_regular_expressions_and_many_tags(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    spaces = tmp_path / "spaces.csv"
    spaces.write_text("name,email,labels\nAnn," + " " * 240_000 + "x@y.org,a\n")
    result = run_limited(["import", "contacts", str(spaces)], db)
    assert result.returncode == 0, result.stderr
    tags = tmp_path / "tags.csv"
    tags.write_text("name,labels\nBob," + ";".join(f"t{i}" for i in range(100_000)) + "\n")
    result = run_limited(["import", "contacts", str(tags)], db)
    assert result.returncode == 0, result.stderr


def test_a_merge_source_with_a_recursive_view_is_refused(filled: Run, tmp_path: Path) -> None:
    evil = tmp_path / "evil.db"
    conn = sqlite3.connect(evil)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "CREATE VIEW contacts AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
        "FROM r) SELECT x AS id, '' AS uid FROM r"
    )
    conn.execute("CREATE TABLE entries (id)")
    conn.execute("CREATE TABLE voids (id)")
    conn.commit()
    conn.close()
    result = run_limited(["merge", str(evil)], tmp_path / "mine.db")
    assert result.returncode == 1 and "no contacts table" in result.stderr
    assert not (tmp_path / "mine.db").exists()


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_imports_read_regular_files_only(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "pipe.vcf"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/urandom")
    else:
        path = tmp_path
    for args in (
        ["import", "contacts", str(path)],
        ["import", "ledger", str(path)],
        ["inbox", "--ics", str(path)],
    ):
        result = run_limited(args, tmp_path / "l.db", seconds=30)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("engage: error: ") and "file" in result.stderr


# --- 8. read-only media ---------------------------------------------------------------


def _ledger_with_a_live_wal(folder: Path) -> Path:
    """A ledger whose latest entry is only in its -wal, as a crash or a copy leaves it."""
    work = folder.parent / f"{folder.name}-work"
    work.mkdir()
    db = work / "ledger.db"
    engage(db, "add", "Ann", "--on", "2026-01-01")
    holder = sqlite3.connect(db)  # keeps the -wal from being folded back on close
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("SELECT count(*) FROM entries").fetchone()
    engage(db, "log", "Ann", "-d", "2", "--on", "2026-02-01")
    folder.mkdir()
    for name in ("ledger.db", "ledger.db-wal"):
        (folder / name).write_bytes((work / name).read_bytes())
    holder.close()
    assert (folder / "ledger.db-wal").stat().st_size > 0
    return folder / "ledger.db"


def test_reports_export_and_merge_work_from_read_only_media(tmp_path: Path) -> None:
    for with_wal in (False, True):
        folder = tmp_path / f"usb-{with_wal}"
        if with_wal:
            db = _ledger_with_a_live_wal(folder)
        else:
            folder.mkdir()
            db = folder / "ledger.db"
            engage(db, "add", "Ann", "--on", "2026-01-01")
            engage(db, "log", "Ann", "-d", "2", "--on", "2026-02-01")
        names = sorted(p.name for p in folder.iterdir())
        with read_only(folder):
            history = json.loads(engage(db, "history", "--json").stdout)
            assert [e["points"] for e in history] == [2]
            engage(db, "balance", "--as-of", "2026-02-02")
            assert engage(db, "export").stdout.count('"type": "entry"') == 1
            mine = tmp_path / f"mine-{with_wal}.db"
            assert "1 entry added" in engage(mine, "merge", str(db)).stdout
            refused = engage(db, "log", "Ann", "-d", "1", check=False)
            assert refused.returncode == 1
            assert "read-only here; nothing was changed" in refused.stderr
        assert sorted(p.name for p in folder.iterdir()) == names


def test_merging_leaves_nothing_beside_a_writable_source(filled: Run, tmp_path: Path) -> None:
    folder = tmp_path / "other"
    db = _ledger_with_a_live_wal(folder)
    before = {p.name: digest(p) for p in folder.iterdir()}
    ok(filled("merge", str(db)))
    assert {p.name: digest(p) for p in folder.iterdir()} == before


# --- 9. undo takes back this device's own action --------------------------------------------


def test_undo_after_a_merge_takes_back_this_devices_last_action(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    engage(mine, "add", "Ann", "--on", "2026-01-01")
    engage(mine, "log", "Ann", "-d", "1", "-m", "mine", "--on", "2026-02-01")
    engage(theirs, "add", "Bob", "--on", "2026-01-01")
    engage(theirs, "log", "Bob", "-d", "3", "-m", "theirs", "--on", "2026-03-01")
    engage(mine, "merge", str(theirs))  # their entry is newer than mine
    # The merge was this device's last action: undo takes it out, nothing else.
    out = engage(mine, "undo", "--yes").stdout
    assert "merge" in out and "mine" not in out
    assert [e["note"] for e in json.loads(engage(mine, "history", "--json").stdout)] == ["mine"]
    # Then the log before it; never an entry the merge brought in.
    engage(mine, "merge", str(theirs))
    engage(mine, "log", "Ann", "-d", "1", "-m", "mine too", "--on", "2026-02-02")
    out = engage(mine, "undo", "--yes").stdout
    assert "mine too" in out and "theirs" not in out
    live = [
        e["note"] for e in json.loads(engage(mine, "history", "--json").stdout) if not e["voided"]
    ]
    assert sorted(live) == ["mine", "theirs"]


# --- 10. imports accept only what log would ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("occurred_at", "9999-01-01T12:00:00Z", "future"),
        ("occurred_at", "1800-01-01T12:00:00Z", "before 1900"),
        ("points", True, "points"),
        ("points", 1000, "points"),
        ("resolved_at", "2026-01-01T00:00:00Z", "settled before"),
    ],
)
def test_import_refuses_what_log_would(
    filled: Run, db_path: Path, tmp_path: Path, field: str, value: Any, says: str
) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    ask = next(r for r in lines if r.get("kind") == "withdrawal")
    ask[field] = value
    if field == "resolved_at":
        ask["status"] = "done"
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    target = tmp_path / "b.db"
    ok(filled("--db", str(target), "add", "Zed"))
    before = dump(target)
    assert says in fails(filled("--db", str(target), "import", "ledger", str(out)))
    assert dump(target) == before


def test_import_refuses_a_void_reason_log_would_refuse(filled: Run, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    next(r for r in lines if r["type"] == "void")["reason"] = "r" * 20_000
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert "at most" in fails(filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out)))


# --- 11. no stray backups ---------------------------------------------------------------


def test_a_persistent_migration_failure_keeps_one_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    from tests.helpers import FIXTURES

    from engage_cli import domain
    from engage_cli.store import schema

    db = tmp_path / "ledger.db"
    db.write_bytes((FIXTURES / "ledger-v1.db").read_bytes())
    nxt = domain.SCHEMA_VERSION + 1
    monkeypatch.setattr(domain, "SCHEMA_VERSION", nxt)
    monkeypatch.setitem(schema.MIGRATIONS, nxt, "INSERT INTO no_such_table VALUES (1);")
    for _ in range(3):
        assert "cannot set up" in fails(run("--db", str(db), "balance"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.db", "ledger.db.v1.bak"]


def test_a_failed_copy_leaves_nothing_behind(tmp_path: Path) -> None:
    """A backup that fails midway (a full disk) removes its file and SQLite's beside it."""
    from engage_cli.store.files import copy_database

    target = tmp_path / "copy.db"
    kept: list[sqlite3.Connection] = []

    class FailingSource:
        def backup(self, dest: sqlite3.Connection) -> None:
            dest.execute("PRAGMA journal_mode = WAL")
            dest.execute("CREATE TABLE half (x)")
            # Another connection keeps the -wal and -shm from going away on close, as
            # a full disk does (the log cannot be folded back into the file).
            kept.append(sqlite3.connect(target))
            kept[0].execute("SELECT * FROM half").fetchall()
            raise sqlite3.OperationalError("database or disk is full")

    try:
        with pytest.raises(sqlite3.OperationalError):
            copy_database(FailingSource(), target)  # type: ignore[arg-type]
        assert sorted(p.name for p in tmp_path.iterdir()) == []
    finally:
        for conn in kept:
            conn.close()


# --- 12. damaged ledgers, encodings and odd values ---------------------------------------


def test_writes_are_refused_on_a_ledger_doctor_found_damaged(ledger: Path, run: Run) -> None:
    conn = sqlite3.connect(ledger)
    conn.execute("UPDATE contact_state SET charge = 99")
    conn.commit()
    conn.close()
    fails(run("doctor"))
    before = dump(ledger)
    msg = fails(run("log", "Ann", "-d", "1"))
    assert "damaged" in msg and "doctor --repair" in msg
    assert dump(ledger) == before
    ok(run("balance"))  # reading still works
    ok(run("doctor", "--repair"))
    ok(run("log", "Ann", "-d", "1"))


def test_a_windows_1252_address_book_is_read_as_such(
    run: Run, tmp_path: Path, run_json: Any
) -> None:
    book = tmp_path / "outlook.csv"
    book.write_bytes("First Name,Last Name\nZoë,Brontë\n".encode("cp1252"))
    result = ok(run("import", "contacts", str(book)))
    assert "Windows-1252" in result.stderr
    assert [c["name"] for c in run_json("contacts")] == ["Zoë Brontë"]


def test_shell_completion_escapes_glob_characters(run: Run, db_path: Path) -> None:
    ok(run("add", "Star*"))
    assert complete(db_path, "engage show St") == ["Star\\*"]


def test_a_negative_schema_version_is_another_programs_database(tmp_path: Path, run: Run) -> None:
    db = tmp_path / "x.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = -1")
    conn.close()
    assert "another program" in fails(run("--db", str(db), "balance"))


def test_a_csv_cell_too_long_to_read_is_named_by_its_row(run: Run, tmp_path: Path) -> None:
    book = tmp_path / "big.csv"
    book.write_text('name,notes\nAnn,ok\nBob,"' + "x" * 2_000_000 + '"\n')
    assert "row 2" in fails(run("import", "contacts", str(book)))
    long_note = tmp_path / "note.csv"
    long_note.write_text('name,notes\nAnn,"' + "x" * 200_000 + '"\n')
    result = ok(run("import", "contacts", str(long_note)))  # over 128 KB: read, then refused
    assert "skipped" in result.stdout and "unexpected" not in result.output


def test_config_numbers_are_strict(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[circles.inner]\nhalf_life_days = true\n")
    monkeypatch.setenv("ENGAGE_CONFIG", str(config))
    assert "circles.inner.half_life_days" in fails(run("config", "show"))


@pytest.mark.parametrize("points", ["\uff12", "\u0663", "1\u0660"])  # fullwidth, Arabic-Indic
def test_points_are_ascii_digits(ledger: Path, run: Run, points: str) -> None:
    before = dump(ledger)
    assert "number" in fails(run("log", "Ann", "-d", points))
    assert dump(ledger) == before


# --- found by an adversarial pass, kept as regressions --------------------------------------


def test_a_field_that_grows_when_normalised_cannot_block_the_ledger(
    run: Run, db_path: Path
) -> None:
    card = db_path.parent.parent / "nfc.vcf"
    grows = "\ufb2c" * 200  # each becomes three characters once normalised (NFC)
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nfc Person\r\nORG:" + grows + "\r\n"
        "NICKNAME:" + "\u0958" * 200 + "\r\nEND:VCARD\r\n"
    )
    ok(run("import", "contacts", str(card)))
    assert doctor(db_path)["ok"]
    ok(run("log", "Nfc Person", "-d", "1"))


def test_an_import_cannot_settle_a_local_ask_before_it_was_made(
    filled: Run, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    ask = next(r for r in lines if r.get("kind") == "withdrawal")
    ask.update(
        occurred_at="1900-06-01T00:00:00Z",
        logged_at="1900-06-01T00:00:00Z",
        status="done",
        resolved_at="1901-01-01T00:00:00Z",
    )
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    before = dump(db_path)
    assert "before it was made" in fails(filled("import", "ledger", str(out)))
    assert dump(db_path) == before


def test_an_import_whose_entry_changes_kind_or_whose_void_names_nothing_is_refused(
    filled: Run, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    deposit = next(r for r in lines if r.get("kind") == "deposit")
    twisted = [*lines, {**deposit, "kind": "withdrawal", "status": "open"}]
    out.write_text("".join(json.dumps(r) + "\n" for r in twisted))
    before = dump(db_path)
    assert "is a deposit here" in fails(filled("import", "ledger", str(out)))
    void = next(r for r in lines if r["type"] == "void")
    orphan = [
        *lines,
        {
            **void,
            "id": "01234567-89ab-7def-8123-456789abcdef",
            "entry": "01234567-89ab-7def-8123-000000000000",
        },
    ]
    out.write_text("".join(json.dumps(r) + "\n" for r in orphan))
    assert "names an entry" in fails(filled("import", "ledger", str(out)))
    assert dump(db_path) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_export_never_writes_into_a_block_device(filled: Run, tmp_path: Path) -> None:
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    assert "device" in fails(filled("export", "-o", str(node)))


def test_backup_never_takes_a_name_of_the_ledgers_own_files(ledger: Path, run: Run) -> None:
    for suffix in ("-journal", ".damaged", ".v1.bak"):
        target = ledger.with_name(ledger.name + suffix)
        assert "own files" in fails(run("backup", str(target)))
        assert not target.exists()
    ok(run("log", "Ann", "-d", "1"))


def test_a_vcard_cannot_reach_the_terminal_through_the_parsers_log(
    run: Run, tmp_path: Path
) -> None:
    card = tmp_path / "esc.vcf"
    card.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:P Q\r\nX-A;\x1b]52;c;SGk=\x07\x1b[2J"
        b"\xc2\x9b31m\r\nEND:VCARD\r\n"
    )
    result = run_limited(["import", "contacts", str(card)], tmp_path / "l.db")
    _clean(result.stdout)
    _clean(result.stderr)


def test_json_and_csv_show_control_characters_escaped(
    run: Run, tmp_path: Path, db_path: Path
) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "1", "-m", f"{CSI}31m\u202e\x7f{ESC}]52;c;aGk={BEL}"))
    for args in (["history", "--json"], ["show", "Ann", "--json"], ["export"]):
        out = ok(run(*args)).stdout
        _clean(out)
        assert "\x7f" not in out
        assert "\\u009b31m" in out  # escaped, so still exact
    code, seen = converse(db_path, ["export", "-f", "csv"], [])
    assert code == 0, seen
    _clean(seen)


def test_a_merge_source_with_a_computed_column_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "gen.db"
    engage(source, "add", "Ann", "--on", "2026-01-01")
    conn = sqlite3.connect(source)
    conn.execute(
        "ALTER TABLE contacts ADD COLUMN zz TEXT GENERATED ALWAYS AS "
        "(hex(zeroblob(400000000))) VIRTUAL"
    )
    conn.commit()
    conn.close()
    result = run_limited(["merge", str(source)], tmp_path / "mine.db", memory_mb=1024)
    assert result.returncode == 1 and "computed columns" in result.stderr


def test_a_huge_write_ahead_log_beside_a_source_is_not_copied(tmp_path: Path) -> None:
    source = tmp_path / "other.db"
    engage(source, "add", "Ann", "--on", "2026-01-01")
    with open(source.with_name("other.db-wal"), "wb") as fh:
        fh.truncate(300 * 2**20)  # sparse: 300 MiB on paper, nothing on disk
    result = run_limited(["merge", str(source)], tmp_path / "mine.db")
    assert result.returncode == 1 and "write-ahead log" in result.stderr


def test_counts_of_tags_emails_and_columns_are_bounded(filled: Run, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    next(r for r in lines if r.get("kind") == "deposit")["tags"] = [f"t{i}" for i in range(200)]
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert "at most 100 tags" in fails(
        filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out))
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    next(r for r in lines if r["type"] == "contact")["emails"] = [f"{i}@x.org" for i in range(200)]
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert "at most 100 emails" in fails(
        filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out))
    )
    wide = tmp_path / "wide.csv"
    wide.write_text("name,email\nAnn" + "," * 20_000 + "\n")
    assert "columns" in fails(filled("import", "contacts", str(wide)))


def test_every_field_of_a_card_passes_the_gate(run: Run, tmp_path: Path, run_json: Any) -> None:
    card = tmp_path / "c.vcf"
    card.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nBDAY:19\x0080\x1b[2J\r\n"
        b"EMAIL:a\x00b@x.org\r\nTEL:\x00\xc2\x9b123\r\nEND:VCARD\r\n"
    )
    ok(run("import", "contacts", str(card)))
    shown = json.dumps(run_json("show", "Ann Lee"))
    for bad in ("\\u0000", "\\u001b", "\\u009b"):
        assert bad not in shown


def test_a_jsonl_field_log_would_refuse_is_refused(filled: Run, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    next(r for r in lines if r["type"] == "contact")["org"] = "x" * 300
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert "at most 200" in fails(
        filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out))
    )


@pytest.mark.parametrize(
    "line",
    ['{"type": "contact", "n": 1' + "0" * 5000 + "}", "[" * 100_000, '{"note": "x\\ud800y"}'],
)
def test_hostile_json_lines_are_one_clean_error(filled: Run, tmp_path: Path, line: str) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    text = out.read_text().splitlines()
    if "ud800" in line:
        rec = json.loads(text[1])
        rec["note"] = "x\ud800y"
        line = json.dumps(rec)
    out.write_text("\n".join([text[0], line, *text[1:]]) + "\n")
    assert "line 2" in fails(filled("--db", str(tmp_path / "b.db"), "import", "ledger", str(out)))


def test_undecodable_arguments_and_narrow_terminals_are_no_crash(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    engage(db, "add", "Ann", "--on", "2026-01-01")
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "engage_cli",
            "--db",
            str(db),
            "log",
            "Ann",
            "-d",
            "1",
            "-m",
            os.fsdecode(b"bad\xff"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
        check=False,
    )
    assert bad.returncode == 1 and "not valid Unicode" in bad.stderr
    engage(db, "log", "Ann", "-d", "1", "-m", f"{ESC}[2J")
    narrow = subprocess.run(
        [sys.executable, "-m", "engage_cli", "--db", str(db), "history"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TZ": "UTC", "PYTHONIOENCODING": "ascii"},
    )
    assert narrow.returncode == 0 and "Traceback" not in narrow.stderr


def test_a_merge_source_with_unreadable_json_columns_is_one_clean_error(tmp_path: Path) -> None:
    source = tmp_path / "other.db"
    engage(source, "add", "Ann", "--on", "2026-01-01")
    conn = sqlite3.connect(source)
    conn.execute("UPDATE contacts SET tags = '[1,'")
    conn.commit()
    conn.close()
    result = run_limited(["merge", str(source)], tmp_path / "mine.db")
    assert result.returncode == 1 and "cannot be read" in result.stderr


def test_fullwidth_and_hidden_formula_starts_are_neutralised(run: Run, tmp_path: Path) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "1", "-m", "\uff1dcmd()"))
    ok(run("log", "Ann", "-d", "1", "-m", "\ufeff=cmd()"))
    out = tmp_path / "e.csv"
    ok(run("export", "-f", "csv", "-o", str(out)))
    import csv

    notes = {r["note"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert all(n.startswith("'") for n in notes), notes


# --- found by a review of the code, kept as regressions ------------------------------------


def test_search_ties_go_to_the_newest_with_the_fast_ranking(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    for day in range(1, 61):  # sixty identical notes: they all rank the same
        month, dom = divmod(day - 1, 28)
        ok(run("log", "Ann", "-d", "1", "-m", "coffee", "--on", f"2026-0{month + 2}-{dom + 1:02d}"))
    found = run_json("search", "coffee", "--limit", "3")["entries"]
    assert [e["occurred_at"][:10] for e in found] == ["2026-04-04", "2026-04-03", "2026-04-02"]


def test_export_writes_to_dev_stdout(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    engage(db, "add", "Ann", "--on", "2026-01-01")
    out = engage(db, "export", "-o", "/dev/stdout").stdout
    assert out.startswith('{"exported_at"')


def test_doctor_on_read_only_media_reports_no_damage(tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    db = folder / "ledger.db"
    engage(db, "add", "Ann", "--on", "2026-01-01")
    engage(db, "log", "Ann", "-d", "1", "--on", "2026-02-01")
    with read_only(folder):
        report = doctor(db)
        assert report["ok"], report
        refused = engage(db, "add", "Bob", check=False)
        assert refused.returncode == 1 and "read-only here; nothing was changed" in refused.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["ledger.db"]


def test_json_escapes_every_format_character() -> None:
    import unicodedata

    from engage_cli.jsonout import dumps

    format_chars = [chr(i) for i in range(0x110000) if unicodedata.category(chr(i)) == "Cf"]
    text = dumps({"note": "".join(format_chars) + "\x7f\x9b"})
    assert all(ch not in text for ch in format_chars) and "\x9b" not in text
    assert json.loads(text)["note"] == "".join(format_chars) + "\x7f\x9b"  # the same text
