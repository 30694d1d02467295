"""Export, import, merge and doctor stream: records in any order, a late bad record, and
the progress bar (on a terminal only, never piped)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from tests.helpers import Run, converse, digest, fails, ok

BAR_WORDS = ("exporting", "importing", "merging", "checking", "━")


def test_records_out_of_an_exports_order_import_as_if_in_it(filled: Run, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    header, *records = out.read_text().splitlines()
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join([header, *reversed(records)]) + "\n")  # voids first
    ordered, mixed = tmp_path / "a.db", tmp_path / "b.db"
    said = ok(filled("--db", str(mixed), "import", "ledger", str(shuffled))).stdout
    assert "4 entries added" in said and "1 void added" in said
    ok(filled("--db", str(ordered), "import", "ledger", str(out)))
    assert (
        ok(filled("--db", str(mixed), "export")).stdout.splitlines()[1:]
        == ok(filled("--db", str(ordered), "export")).stdout.splitlines()[1:]
    )
    assert "import" in ok(filled("--db", str(mixed), "undo", "--yes")).stdout
    assert "0 entries" not in ok(filled("--db", str(mixed), "import", "ledger", str(out))).stdout


def test_a_bad_last_record_stores_nothing_and_leaves_no_new_ledger(
    filled: Run, tmp_path: Path
) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    lines = out.read_text().splitlines()
    last = json.loads(lines[-1])
    last["id"] = "not-a-uuid"
    out.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n")
    target = tmp_path / "new.db"
    assert f"line {len(lines)}" in fails(filled("--db", str(target), "import", "ledger", str(out)))
    assert not target.exists() and not list(tmp_path.glob("new.db*"))


def test_piped_runs_draw_no_progress_bar(
    filled: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENGAGE_PROGRESS_AFTER", "0")  # at once, were it a terminal
    monkeypatch.setenv("CI", "true")
    out = tmp_path / "e.jsonl"
    other = tmp_path / "other.db"
    results = [
        ok(filled("export", "-o", str(out))),
        ok(filled("export", "-f", "csv", "-o", str(tmp_path / "e.csv"))),
        ok(filled("--db", str(other), "import", "ledger", str(out))),
        ok(filled("--db", str(tmp_path / "third.db"), "merge", str(other))),
        ok(filled("doctor")),
    ]
    for result in results:
        assert not any(word in result.stderr for word in BAR_WORDS), result.stderr
        assert "\x1b" not in result.stderr + result.stdout


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


@posix_only
def test_a_terminal_sees_the_bar_and_then_the_same_result(
    filled: Run, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "e.jsonl"
    ok(filled("export", "-o", str(out)))
    piped = ok(filled("--db", str(tmp_path / "piped.db"), "import", "ledger", str(out))).stdout
    monkeypatch.setenv("ENGAGE_PROGRESS_AFTER", "0")
    monkeypatch.setenv("NO_COLOR", "1")
    code, seen = converse(tmp_path / "tty.db", ["import", "ledger", str(out)], [])
    assert code == 0, seen
    assert "importing" in seen
    after = seen[seen.rindex("importing") :]  # the bar is done: then the result, as piped
    assert piped.splitlines()[-1].strip() in after
    code, seen = converse(db_path, ["doctor"], [])
    assert code == 0 and "checking" in seen and "derived state" in seen, seen
    monkeypatch.setenv("ENGAGE_PROGRESS_AFTER", "3600")  # quick work: no bar
    code, seen = converse(db_path, ["doctor"], [])
    assert code == 0 and "checking" not in seen, seen


def test_an_address_book_unreadable_past_its_first_cards_stores_nothing(
    run: Run, db_path: Path, tmp_path: Path
) -> None:
    # Cards are imported as they are read: the row that cannot be read comes after
    # contacts were added, and takes them back with it.
    book = tmp_path / "book.csv"
    rows = [f"Person {n},p{n}@example.org" for n in range(50)]
    book.write_text("Name,E-mail\n" + "\n".join([*rows, '"' + "x" * (1 << 20 | 1) + '",a']) + "\n")
    target = tmp_path / "new.db"
    said = fails(run("--db", str(target), "import", "contacts", str(book)))
    assert "row 51" in said and "cannot be read" in said
    assert not list(tmp_path.glob("new.db*"))
    ok(run("add", "Ann", "--on", "2026-01-01"))
    before = digest(db_path)
    assert "row 51" in fails(run("import", "contacts", str(book)))
    assert digest(db_path) == before
