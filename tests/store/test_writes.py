"""What writes leave in the ledger: entries are never deleted, odd names are stored exactly.

SQL only ever receives parameters, so names with quotes, SQL, `%`, `_`, backslashes,
emoji, right-to-left and combining characters are stored and found as typed.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.helpers import Run, ok

from engage_cli.domain import NewEntry
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.queries import last_batch
from engage_cli.store.writes import add_contact, log_entries, void_entries

POLICY = Policy()


START = datetime(2020, 1, 1, tzinfo=UTC)


def test_entries_are_never_deleted(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    with Ledger.open(path, create=True) as ledger:
        with ledger.transaction():
            ann = add_contact(ledger, ContactIn(name="Ann"), START, 120)
            log_entries(
                ledger, [NewEntry(ann, "deposit", 1, START, "", [])], START, POLICY.half_life
            )
        with ledger.transaction():
            void_entries(ledger, last_batch(ledger), START, "oops", POLICY.half_life)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM voids").fetchone()[0] == 1
    (voided_by, void_id) = conn.execute(
        "SELECT e.voided_by, v.id FROM entries e JOIN voids v ON v.entry_id = e.id"
    ).fetchone()
    assert voided_by == void_id


ODD_NAMES = [
    "O'Brien",
    'Ann "the fixer" Lee',
    "Ann; DROP TABLE contacts; --",
    "100% Ann",
    "Ann_Lee",
    "C:\\Users\\ann",
    "' OR 1=1 --",
    "Zoë 🚀 Müller",
    "مريم الحسن",
    "Zoe\u0301",  # combining acute accent: stored as NFC "Zoé"
    "李小龙",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_stored_and_found_exactly(run: Run, run_json, name: str) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", name, "--on", "2026-01-01"))
    ok(run("log", name, "-d", "1", "--on", "2026-02-01", "-m", name))
    stored = unicodedata.normalize("NFC", name)
    assert [c["name"] for c in run_json("contacts")] == [stored]
    assert run_json("show", stored)["name"] == stored
    (entry,) = run_json("history", name)
    assert entry["note"] == stored and entry["contact"] == stored


def test_a_newline_in_a_name_becomes_a_space(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann\nLee"))
    assert [c["name"] for c in run_json("contacts")] == ["Ann Lee"]
