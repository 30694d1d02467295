"""Bulk loads: the entries' indexes set aside and built again leave the schema as it was."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engage_cli.errors import InputError
from engage_cli.formats.records import read_records
from engage_cli.policy import Policy
from engage_cli.store import bulk, sync
from engage_cli.store.connection import Ledger

POLICY = Policy()


def _id(n: int) -> str:
    return str(uuid.UUID(int=n))


def _records(entries: int, start: int = 0, bad_at: int | None = None) -> list[str]:
    lines = [
        {"type": "engage", "format": 1, "schema_version": 6, "exported_at": "2026-01-01T00:00:00Z"},
        {
            "type": "contact", "uid": _id(1), "name": "Ann", "kind": "person",
            "circle": "wide", "tags": [], "note": "", "created_at": "2025-01-01T00:00:00Z",
        },
    ]  # fmt: skip
    for n in range(start, start + entries):
        ask = n % 3 == 0
        lines.append(
            {
                "type": "entry", "id": _id(10_000 + n), "contact": _id(1),
                "kind": "withdrawal" if ask else "deposit", "points": 1.0 if n != bad_at else 0.0,
                "occurred_at": "2025-06-01T00:00:00Z", "logged_at": "2025-06-01T00:00:00Z",
                "note": f"coffee {n}", "tags": [], "batch": _id(10_000 + n),
                "status": "open" if ask else None, "resolved_at": None,
                "source": None, "via": None,
            }
        )  # fmt: skip
    return [json.dumps(line) for line in lines]


def _schema(path: Path) -> list[tuple[Any, ...]]:
    with Ledger.open(path, create=False) as ledger:
        return ledger.conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()


def _load(path: Path, lines: list[str]) -> dict[str, int]:
    return sync.merge_file(path, read_records(lines, "test"), POLICY.half_life)


@pytest.fixture
def set_aside(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Small batches and a low threshold; yields the entries added when the indexes went."""
    monkeypatch.setattr(sync, "BATCH", 10)
    monkeypatch.setattr(bulk, "SET_ASIDE_AFTER", 25)
    seen: list[int] = []
    real = bulk.Load._set_aside

    def spy(self: bulk.Load) -> None:
        seen.append(self.count)
        real(self)

    monkeypatch.setattr(bulk.Load, "_set_aside", spy)
    yield seen


def test_a_large_load_builds_the_indexes_again_as_they_were(
    tmp_path: Path, set_aside: list[int]
) -> None:
    empty, db = tmp_path / "empty.db", tmp_path / "ledger.db"
    Ledger.open(empty, create=True).close()
    counts = _load(db, _records(100))
    assert counts["entries added"] == 100
    assert set_aside == [30]  # past 25 new entries, with none before: set aside once
    assert _schema(db) == _schema(empty)
    with Ledger.open(db, create=False) as ledger:
        conn = ledger.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        opened = conn.execute(
            "SELECT count(*) FROM entries INDEXED BY entries_open_asks "
            "WHERE status = 'open' AND voided_by IS NULL AND contact_id = 1"
        ).fetchone()[0]
        assert opened == 34
        found = conn.execute(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'coffee'"
        ).fetchone()[0]
        assert found == 100


def test_a_load_refused_after_the_indexes_went_leaves_the_ledger_as_it_was(
    tmp_path: Path, set_aside: list[int]
) -> None:
    db = tmp_path / "ledger.db"
    _load(db, _records(20))
    before = _schema(db)
    with pytest.raises(InputError, match="points"):
        _load(db, _records(100, start=20, bad_at=90))
    assert set_aside == [30]  # the indexes had gone when the bad record came
    assert _schema(db) == before
    with Ledger.open(db, create=False) as ledger:
        assert ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 20
        assert ledger.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_load_small_against_the_ledger_keeps_its_indexes(
    tmp_path: Path, set_aside: list[int]
) -> None:
    db = tmp_path / "ledger.db"
    _load(db, _records(60))
    set_aside.clear()
    before = _schema(db)
    assert _load(db, _records(40, start=60))["entries added"] == 40
    assert set_aside == []  # 40 new entries beside 60: kept up as they came
    assert _schema(db) == before
