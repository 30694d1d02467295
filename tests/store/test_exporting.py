"""The export read in chunks of rows writes what its records write, on a real ledger."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.helpers import Run, ok

from engage_cli.formats import jsonl
from engage_cli.formats.flat import csv_lines
from engage_cli.store.connection import Ledger
from engage_cli.store.exporting import export_lines, export_records, flat_entries, flat_records


def _varied(run: Run) -> None:
    ok(run("log", "Ann Lee", "-d", "1.5", "-m", "café \u202e naïve", "--tag", "a", "--tag", "b"))
    ok(run("log", "Cy", "--new", "-d", "0.1", "-m", "=SUM(A1)", "--tag", "=x"))
    ok(run("log", "Bob", "-r", "2", "--tag", "a"))
    ok(run("fold", "Cy", "Ann Lee"))


def test_the_export_in_chunks_is_the_export_of_its_records(
    filled: Run, db_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _varied(filled)
    monkeypatch.setattr("engage_cli.store.exporting.CHUNK", 2)  # chunks end mid-kind
    with Ledger.open(db_path, create=False) as ledger:
        chunks = list(export_lines(ledger, "2026-03-01T00:00:00Z"))
        expected = "".join(jsonl.jsonl_lines(export_records(ledger), "2026-03-01T00:00:00Z"))
    assert len(chunks) > 3
    assert "".join(chunks) == expected
    assert "\\u202e" in expected and "café" in expected  # escaped where it must be


def test_the_flat_export_names_folded_contacts_and_neutralises_formulas(
    filled: Run, db_path: Path
) -> None:
    _varied(filled)
    with Ledger.open(db_path, create=False) as ledger:
        text = "".join(csv_lines(flat_records(ledger), flat_entries(ledger)))
    rows = list(csv.DictReader(io.StringIO(text)))
    by_note = {r["note"]: r for r in rows}
    assert by_note["'=SUM(A1)"]["contact"] == "Ann Lee"  # folded into Ann Lee
    assert by_note["'=SUM(A1)"]["tags"] == "'=x"
    assert by_note["café \u202e naïve"]["tags"] == "a;b"
    assert by_note["café \u202e naïve"]["points"] == "1.5"
    assert sum(r["voided"] == "true" for r in rows) == 1  # the undone log of 9
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
