"""Moving data in and out, through the CLI: export, import ledger, import contacts, merge,
inbox."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import CONTACTS, FIXTURES, ICS, WINDOW, Run, by_name, fails, ok

from engage_cli import domain
from engage_cli.store import schema as schema_module

# --- export, import ledger, merge ----------------------------------------------------


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def test_cli_export_import_and_merge(filled: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "laptop.jsonl"
    ok(filled("export", "-o", str(out)))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["type"] == "engage" and header["format"] == 1
    assert (
        header["schema_version"] == 5
    )  # promises and follow-ups: an engage of schema 5 reads them
    assert [json.loads(x)["type"] for x in lines[1:]].count("entry") == 4
    assert ok(filled("export")).stdout.splitlines()[1:] == lines[1:]  # stable
    desktop = tmp_path / "desktop.db"
    first = ok(filled("--db", str(desktop), "import", "ledger", str(out))).stdout
    assert "4 entries added" in first and "1 void added" in first
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
        "1 entry added"
        in ok(filled("--db", str(desktop), "merge", str(tmp_path / "data" / "ledger.db"))).stdout
    )
    assert "this ledger" in fails(filled("merge", str(tmp_path / "data" / "ledger.db")))


def test_merge_only_reads_the_other_ledger(
    filled: Run, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.db"
    ok(filled("--db", str(other), "add", "Zoe", "--on", "2026-01-01"))
    sqlite3.connect(other).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    assert "1 contact added" in ok(filled("merge", str(other))).stdout
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before

    NEXT = domain.SCHEMA_VERSION + 1
    # As if this engage had a newer schema: the other file is read, never migrated.
    monkeypatch.setattr(domain, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(schema_module.MIGRATIONS, NEXT, "CREATE TABLE later (x);")
    assert "1 contact matched" in ok(filled("merge", str(other))).stdout
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    # A file older than the records engage can read is refused, still unchanged.
    monkeypatch.setattr(domain, "READS_SINCE", NEXT)
    assert "older engage" in fails(filled("merge", str(other)))
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before


def test_a_new_device_starts_by_merging_a_ledger_of_an_older_engage(
    run: Run, run_json: Any, tmp_path: Path, db_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "ledger-v1.db", old)
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


# --- import contacts -----------------------------------------------------------------


def test_reimport_changes_nothing(run: Run, db_path: Path) -> None:
    ok(run("import", "contacts", str(CONTACTS / "varied.vcf")))
    before = ok(run("export")).stdout.splitlines()[1:]
    out = ok(run("import", "contacts", str(CONTACTS / "varied.vcf"))).stdout
    assert "0 added, 0 updated, 6 unchanged" in out
    assert ok(run("export")).stdout.splitlines()[1:] == before


def test_matches_by_email_then_by_name(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Annie Lee", "--circle", "close"))  # another name: only the email can match
    ok(run("import", "contacts", str(CONTACTS / "varied.vcf")))  # Ann Lee, ann@example.org
    ok(run("add", "Jonas Berg", "--circle", "inner", "-m", "ex-colleague"))
    out = ok(run("import", "contacts", str(CONTACTS / "google.csv"))).stdout
    assert "updated  Jonas Berg" in out
    jonas = run_json("show", "Jonas Berg")
    assert (jonas["circle"], jonas["note"]) == ("inner", "ex-colleague")  # never overwritten
    assert jonas["emails"] == ["jonas@logistics.example", "jonas.berg@mail.example"]
    # Ann Lee's card matched nobody by email the first time, so she was added;
    # a card with her email under another name now updates her instead.
    card = FIXTURES / "ann-again.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A. Lee\r\nEMAIL:ANN@example.org\r\n"
                    "TEL:+1 555 0199\r\nEND:VCARD\r\n")  # fmt: skip
    try:
        assert (
            "updated  A. Lee  ('Ann Lee' (by email): phones)"
            in ok(run("import", "contacts", str(card))).stdout
        )
    finally:
        card.unlink()
    assert "A. Lee" not in by_name(run_json)


def test_dry_run_writes_nothing(run: Run, db_path: Path) -> None:
    out = ok(run("import", "contacts", str(CONTACTS / "varied.vcf"), "--dry-run")).stdout
    assert "would import" in out and "6 to add" in out and "would add Ann Lee" in out
    assert not db_path.exists()
    ok(run("add", "Ann Lee"))
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    out = ok(run("import", "contacts", str(CONTACTS / "varied.vcf"), "--dry-run", "--json")).stdout
    assert '"updated": 1' in out
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


# --- inbox ---------------------------------------------------------------------------


def test_the_suggested_command_clears_the_inbox(attendees: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    import shlex

    first = run_json("inbox", "--ics", ICS, *WINDOW)[0]
    ok(attendees(*shlex.split(first["command"])[1:]))
    after = run_json("inbox", "--ics", ICS, *WINDOW)
    assert first["start"] not in [r["start"] for r in after]
    assert len(after) == 7


def test_inbox_text_and_errors(attendees: Run, tmp_path: Path) -> None:
    out = ok(attendees("inbox", "--ics", ICS, *WINDOW)).stdout
    assert "8 meetings with contacts and no entry that day" in out  # 10-12 not logged here
    assert "engage log 'Bob Stone' -d 1 --on 2026-10-14" in out
    quiet = ok(attendees("inbox", "--ics", ICS, "--since", "2026-11-17", "--as-of", "2026-11-20"))
    assert "nothing to log" in quiet.stdout
    assert "must be before" in fails(attendees("inbox", "--ics", ICS, "--since", "2099-01-01"))
    text = tmp_path / "notes.ics"
    text.write_text("hello")
    assert "not an iCalendar file" in fails(attendees("inbox", "--ics", str(text)))
    assert "no file" in fails(attendees("inbox", "--ics", str(tmp_path / "none.ics")))
    assert "terminal" in fails(attendees("inbox", "--ics", ICS, "--log"), code=2)
