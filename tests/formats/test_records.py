"""The export format: JSONL records and a flat CSV, and how an import checks every record."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from tests.helpers import Run, fails, ok

from engage_cli import domain
from engage_cli.errors import InputError
from engage_cli.formats.records import read_records


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


def test_impossible_times_in_an_import_are_refused(filled: Run, tmp_path: Path) -> None:
    lines = ok(filled("export")).stdout.splitlines()
    entry = next(json.loads(x) for x in lines if '"type": "entry"' in x)
    entry["id"] = entry["id"][:-4] + "ffff"
    entry["occurred_at"] = "2026-13-45T99:99:99Z"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(entry)]) + "\n")
    assert "not a real moment" in fails(filled("import", "ledger", str(bad)))
    ok(filled("doctor"))


def test_an_older_engage_refuses_the_exports_of_this_one_cleanly(
    filled: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new.jsonl"
    ok(filled("export", "-o", str(out)))

    # Promises and follow-ups are records an engage before schema 5 cannot read: its check
    # of the header (schema_version <= its schema) refuses the file, naming the upgrade.
    monkeypatch.setattr(domain, "SCHEMA_VERSION", 4)
    with pytest.raises(InputError, match=r"newer engage .*upgrade engage"):
        list(read_records(out.read_text().splitlines(), str(out)))
    monkeypatch.setattr(domain, "SCHEMA_VERSION", 5)
    records = list(read_records(out.read_text().splitlines(), str(out)))
    assert [r["type"] for r in records].count("entry") == 4


def test_exports_of_schema_1_still_import(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    header = {"type": "engage", "format": 1, "schema_version": 1,
              "exported_at": "2026-03-01T00:00:00Z"}  # fmt: skip
    contact = {"type": "contact", "uid": "0190a3f0-0000-7000-8000-000000000001",
               "name": "Ann", "kind": "person", "circle": "close", "tags": [], "note": "",
               "created_at": "2026-01-01T00:00:00Z", "org": "", "nickname": "",
               "birthday": "", "emails": [], "phones": []}  # fmt: skip
    old.write_text(json.dumps(header) + "\n" + json.dumps(contact) + "\n")
    records = list(read_records(old.read_text().splitlines(), str(old)))
    assert records[1]["sector"] == "" and records[1]["aliases"] == []


def test_an_import_keeps_one_of_two_emails_that_differ_in_case(filled: Run, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    next(r for r in lines if r["type"] == "contact")["emails"] = ["Ann@X.org", "ann@x.org"]
    out.write_text("".join(json.dumps(r) + "\n" for r in lines))
    other = tmp_path / "b.db"
    ok(filled("--db", str(other), "import", "ledger", str(out)))
    shown = json.loads(ok(filled("--db", str(other), "show", "Ann Lee", "--json")).stdout)
    assert shown["emails"] == ["ann@x.org"]
