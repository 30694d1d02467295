"""Looking things up, through the CLI: contacts, show, history, asks, can-ask, explain."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import AS_OF, Run, fails, ok

# --- contacts, show, history -------------------------------------------------------


def test_contacts_json_and_filters(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    rows = run_json("contacts", "--as-of", AS_OF)
    assert [r["name"] for r in rows] == ["Ann Lee", "Bob Stone", "Cy Young", "Dee Park"]
    for r in rows:
        assert set(r) >= {"name", "kind", "circle", "tags", "charge", "last_contact"}
    assert [r["name"] for r in run_json("contacts", "--tag", "investor")] == ["Bob Stone"]
    assert [r["name"] for r in run_json("contacts", "--circle", "inner")] == ["Cy Young"]
    dee = next(r for r in rows if r["name"] == "Dee Park")
    assert dee["kind"] == "org" and dee["last_contact"] is None and dee["charge"] == 0


def test_show_profile(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    p = run_json("show", "bob stone", "--as-of", AS_OF)
    assert p["name"] == "Bob Stone"
    assert p["deposits_total"] == 1 and p["withdrawals_total"] == 3
    assert [e["kind"] for e in p["recent"]] == ["withdrawal", "deposit"]
    out = ok(week("show", "Bob Stone", "--as-of", AS_OF)).stdout
    assert "Bob Stone" in out and "asked for intro" in out


def test_show_as_of_counts_only_what_counted_then(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "2", "--on", "2026-01-10"))
    ok(run("log", "Ann", "-w", "1", "--on", "2026-02-10"))
    ok(run("log", "Ann", "-d", "5", "--on", "2026-03-10"))
    ok(run("undo", "--yes"))
    then = run_json("show", "Ann", "--as-of", "2026-02-01")
    assert (then["deposits_total"], then["withdrawals_total"], then["entry_count"]) == (2, 0, 1)
    later = run_json("show", "Ann", "--as-of", "2026-04-01")
    assert (later["deposits_total"], later["withdrawals_total"], later["entry_count"]) == (2, 1, 2)
    assert "--limit 0" not in ok(run("show", "Ann")).stdout


def test_history_filters(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    assert len(run_json("history")) == 5
    ann = run_json("history", "Ann Lee")
    assert [e["occurred_at"] for e in ann] == ["2026-11-18T10:00:00Z", "2026-11-16T09:00:00Z"]
    recent = run_json("history", "--since", "2026-11-16")
    assert len(recent) == 3
    assert len(run_json("history", "--limit", "2")) == 2


def test_history_since_with_limit_reports_the_total(run: Run) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    for day in range(1, 6):
        ok(run("log", "Ann", "-d", "1", "--on", f"2026-02-0{day}"))
    out = ok(run("history", "--since", "2026-02-02", "--limit", "2")).stdout
    assert "showing 2 of 4" in out


@pytest.mark.parametrize("name", ["[/]", "[red]Ann[/red]", "Ann :smile:", "[bold]x"])
def test_names_print_as_typed_not_as_markup(run: Run, name: str) -> None:
    ok(run("add", name, "-m", "[/] note", "--tag", "[x]"))
    ok(run("log", name, "-d", "1", "-m", "[i]y[/i]"))
    for cmd in (["contacts"], ["balance"], ["who-neglected"], ["history"], ["show", name]):
        out = ok(run(*cmd)).stdout
        assert name in out, cmd
    assert "[/] note" in ok(run("show", name)).stdout
    assert "[i]y[/i]" in ok(run("history")).stdout


# --- asks ----------------------------------------------------------------------------


def test_asks_filter_and_json_contract(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "2", "--on", "2026-10-01"))
    ok(people("log", "Ann Lee", "-w", "1", "--on", "2026-11-01"))
    ok(people("declined", run_json("asks", "Ann Lee")[0]["id"], "--on", "2026-11-02"))
    rows = run_json("asks", "--as-of", AS_OF)
    assert [r["contact"] for r in rows] == ["Ann Lee", "Bob Stone"]  # newest first
    for r in rows:
        assert {"id", "contact", "points", "status", "occurred_at", "age_days"} <= set(r)
    assert [r["contact"] for r in run_json("asks", "--open")] == ["Bob Stone"]
    assert run_json("asks", "--open", "--as-of", AS_OF)[0]["age_days"] == pytest.approx(
        50.5 - 1 / 86400
    )


def test_asks_as_of_the_past(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-w", "1", "--on", "2026-11-01"))
    ok(people("log", "Ann Lee", "-w", "2", "--on", "2026-11-19"))
    first = run_json("asks", "--as-of", "2026-11-01")[-1]["id"]
    ok(people("done", first, "--on", "2026-11-15"))
    then = run_json("asks", "--as-of", "2026-11-10")
    assert [(a["points"], a["status"]) for a in then] == [(1.0, "open")]
    assert run_json("show", "Ann Lee", "--as-of", "2026-11-10")["open_asks"][0]["points"] == 1.0
    assert [a["points"] for a in run_json("asks", "--open", "--as-of", AS_OF)] == [2.0]


# --- can-ask -------------------------------------------------------------------------


def test_can_ask_json_contract(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "5", "--on", "2026-11-20 12:00"))
    ready = run_json("can-ask", "Ann Lee", "--points", "2", "--as-of", "2026-11-20 12:00")
    assert ready == {
        "name": "Ann Lee",
        "ready": True,
        "charge": 5.0,
        "points": 2.0,
        "after": 3.0,
        "suggested_deposit": 0.0,
    }
    not_yet = run_json("can-ask", "Ann Lee", "--points", "5", "--as-of", "2026-11-20 12:00")
    assert not_yet["ready"] is False
    assert not_yet["after"] == 0.0
    assert not_yet["suggested_deposit"] == pytest.approx(5 * 1.25 - 5)
    assert "not yet" in ok(people("can-ask", "Ann Lee", "-p", "5")).stdout
    fails(people("can-ask", "Ann Lee", "--points", "0"))


def test_can_ask_advice_is_always_enough(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    at = "2026-11-20 12:00"
    ok(people("log", "Ann Lee", "-d", "2", "--on", at))
    out = ok(people("can-ask", "Ann Lee", "--points", "2.03", "--as-of", at)).stdout
    assert "at least 0.6 points" in out and "-0.0" not in out  # 0.5375 needed
    ok(people("log", "Ann Lee", "-d", "0.6", "--on", at))
    assert run_json("can-ask", "Ann Lee", "--points", "2.03", "--as-of", at)["ready"] is True


# --- explain -------------------------------------------------------------------------


def test_explain_json_contract(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "2", "--on", "2026-11-10 00:00"))
    ok(people("log", "Ann Lee", "-w", "1", "--on", "2026-11-15 00:00"))
    x = run_json("explain", "Ann Lee", "--as-of", "2026-11-20 00:00")
    assert [(e["kind"], e["points"], e["age_days"]) for e in x["entries"]] == [
        ("deposit", 2.0, 10.0),
        ("withdrawal", 1.0, 5.0),
    ]
    for e in x["entries"]:
        assert {"id", "occurred_at", "factor", "contribution"} <= set(e)
        assert e["factor"] == pytest.approx(2 ** (-e["age_days"] / 60))
    assert x["charge"] == pytest.approx(2 * 2 ** (-10 / 60) - 2 ** (-5 / 60))
    contacts = {c["name"]: c for c in run_json("contacts", "--as-of", "2026-11-20 00:00")}
    assert contacts["Ann Lee"]["charge"] == pytest.approx(x["charge"], abs=1e-12)


def test_explain_shows_those_that_weigh_most_and_sums_the_rest(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    for day, points in ((1, "1"), (2, "5"), (3, "1"), (4, "4"), (5, "1")):
        ok(people("log", "Ann Lee", "-d", points, "--on", f"2026-11-{day:02} 00:00"))
    every = run_json("explain", "Ann Lee", "--as-of", "2026-11-20 00:00", "-n", "0")
    x = run_json("explain", "Ann Lee", "--as-of", "2026-11-20 00:00", "-n", "2")
    assert [e["points"] for e in x["entries"]] == [5.0, 4.0]  # oldest first
    assert x["more"]["entries"] == 3 and every["more"] == {"entries": 0, "contribution": 0.0}
    assert x["charge"] == every["charge"]
    shown = [e["contribution"] for e in x["entries"]]
    assert math.fsum([*shown, x["more"]["contribution"]]) == pytest.approx(x["charge"], abs=1e-12)
    out = ok(people("explain", "Ann Lee", "--as-of", "2026-11-20 00:00", "--limit", "2")).stdout
    assert "3 more" in out and "… 3 more (--limit 0 shows all)" in out
    assert len(run_json("explain", "Ann Lee", "--as-of", "2026-11-20 00:00")["entries"]) == 5


# --- search ---------------------------------------------------------------------------


@pytest.fixture
def notes(run: Run) -> Run:
    ok(run("add", "José Lisboa", "--on", "2026-01-01", "-m", "met in Porto", "-t", "travel"))
    ok(run("add", "Ann Lee", "--on", "2026-01-01", "--tag", "design"))
    ok(
        run(
            "log",
            "Ann Lee",
            "-d",
            "2",
            "-m",
            "she is moving to Lisbon in May",
            "--on",
            "2026-11-01",
            "-t",
            "family",
        )
    )
    ok(
        run(
            "log", "Ann Lee", "-w", "1", "-m", "asked about the Lisbon office", "--on", "2026-11-03"
        )
    )
    ok(
        run(
            "log",
            "José Lisboa",
            "-d",
            "1",
            "-m",
            "his daughter starts university",
            "--on",
            "2026-10-01",
        )
    )
    return run


def test_search_finds_an_entry_by_a_word_of_its_note(notes: Run, run_json: Any) -> None:
    found = run_json("search", "university")
    assert [e["note"] for e in found["entries"]] == ["his daughter starts university"]
    assert found["entries"][0]["contact"] == "José Lisboa" and found["contacts"] == []


def test_search_folds_accents_and_finds_contacts_first(notes: Run, run_json: Any) -> None:
    found = run_json("search", "jose")
    assert [c["name"] for c in found["contacts"]] == ["José Lisboa"]
    assert [c["match"] for c in run_json("search", "porto")["contacts"]] == ["met in Porto"]


def test_search_by_prefix_phrase_and_filters(notes: Run, run_json: Any) -> None:
    notes_of = lambda *args: sorted(e["note"] for e in run_json("search", *args)["entries"])  # noqa: E731
    assert notes_of("lisb*") == ["asked about the Lisbon office", "she is moving to Lisbon in May"]
    assert notes_of('"moving to Lisbon"') == ["she is moving to Lisbon in May"]
    assert notes_of("lisbon", "--kind", "withdrawal") == ["asked about the Lisbon office"]
    assert notes_of("lisbon", "--tag", "family") == ["she is moving to Lisbon in May"]
    assert notes_of("lisbon", "--since", "2026-11-02") == ["asked about the Lisbon office"]
    assert notes_of("lisbon", "--contact", "José Lisboa") == []
    assert len(run_json("search", "lisb*", "--limit", "1")["entries"]) == 1


def test_search_never_finds_a_voided_note_unless_asked(notes: Run, run_json: Any) -> None:
    ok(notes("log", "Ann Lee", "-d", "1", "-m", "a secret plan", "--on", "2026-11-05"))
    ok(notes("undo", "--yes"))
    assert run_json("search", "secret")["entries"] == []
    assert "nothing matches" in ok(notes("search", "secret")).stdout
    (hit,) = run_json("search", "secret", "--voided")["entries"]
    assert hit["voided"] is True


@pytest.mark.parametrize("query", ['"unclosed', "AND OR", "note:x OR", "*"])
def test_a_search_the_index_cannot_read_is_one_clear_line(notes: Run, query: str) -> None:
    assert "cannot read the search" in fails(notes("search", query))


def test_search_highlights_the_words_and_escapes_the_rest(notes: Run, db_path: Path) -> None:
    ok(notes("log", "Ann Lee", "-d", "1", "-m", "Lisbon \x1b]52;c;aGk=\x07 again"))
    out = ok(notes("search", "lisbon")).stdout
    assert "\x1b" not in out and "\x07" not in out and "\ue000" not in out
    assert "Lisbon ␛]52" in out


def test_search_finds_what_a_merge_brought_in(notes: Run, tmp_path: Path, run_json: Any) -> None:
    other = tmp_path / "other.db"
    ok(notes("--db", str(other), "add", "Zoe", "--on", "2026-01-01"))
    ok(notes("--db", str(other), "log", "Zoe", "-d", "1", "-m", "a kayak trip in Norway"))
    ok(notes("merge", str(other)))
    assert [e["contact"] for e in run_json("search", "kayak")["entries"]] == ["Zoe"]


def test_doctor_checks_and_rebuilds_the_search_index(notes: Run, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)  # another program takes a note out of the index
    conn.execute(
        "INSERT INTO entries_fts (entries_fts, rowid, note, tags) SELECT 'delete', rowid, "
        "note, tags FROM entries WHERE kind = 'withdrawal'"
    )
    conn.commit()
    conn.close()
    assert json.loads(notes("search", "office", "--json").stdout)["entries"] == []
    report = json.loads(notes("doctor", "--json").stdout)
    assert report["checks"]["search index"]
    ok(notes("doctor", "--repair"))
    found = json.loads(ok(notes("search", "office", "--json")).stdout)
    assert [e["note"] for e in found["entries"]] == ["asked about the Lisbon office"]


def test_search_by_column_asks_the_index_that_has_it(notes: Run, run_json: Any) -> None:
    assert [c["match"] for c in run_json("search", "tags:travel")["contacts"]] == ["tags: travel"]
    assert run_json("search", "org:acme") == {"query": "org:acme", "contacts": [], "entries": []}
    assert [e["note"] for e in run_json("search", "note:university")["entries"]] == [
        "his daughter starts university"
    ]
    assert "no such column" in fails(notes("search", "bogus:x"))


def test_on_a_terminal_tables_fit_its_width(run: Run, db_path: Path) -> None:
    from tests.helpers import converse

    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    long_note = "a long note about everything we talked about at the conference " * 3
    ok(run("log", "Ann Lee", "-d", "1", "-m", long_note, "--on", "2026-11-01"))
    for args in (["history"], ["search", "conference"], ["asks"]):
        code, seen = converse(db_path, args, [], columns=80)
        assert code == 0, seen
        plain = re.sub(r"\x1b\[[0-9;]*m", "", seen)  # engage's own colours take no room
        lines = [line.rstrip("\r") for line in plain.splitlines() if line.strip()]
        assert all(len(line) <= 80 for line in lines), lines
    assert "…" in converse(db_path, ["history"], [], columns=80)[1]
    piped = ok(run("history")).stdout  # piped with no COLUMNS: 80 columns too
    assert long_note.strip() not in piped and "…" in piped
    assert all(len(line) <= 80 for line in piped.splitlines())


def test_piped_tables_fit_columns_when_it_is_set(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    note = "a long note about the conference " * 4
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("log", "Ann Lee", "-d", "1", "-m", note))
    monkeypatch.setenv("COLUMNS", "66")
    for args in (["history"], ["search", "conference"], ["contacts"]):
        lines = ok(run(*args)).stdout.splitlines()
        assert lines and all(len(line) <= 66 for line in lines), lines
    monkeypatch.setenv("COLUMNS", "300")  # a wide terminal's worth: nothing is cut
    assert note.strip() in ok(run("history")).stdout


def test_asks_and_contacts_say_how_many_more_there_are(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    for i in range(4):
        ok(run("add", f"P{i}", "--on", "2026-01-01"))
        ok(run("log", f"P{i}", "-w", "1", "--on", f"2026-11-0{i + 1}"))
    ok(run("done", run_json("asks")[0]["id"][-8:], "--on", "2026-11-10"))
    out = ok(run("asks", "--limit", "2", "--as-of", "2026-11-20")).stdout
    assert out.count(" open ") + out.count(" done") == 2 and "… 2 more (--limit 0 shows all)" in out
    opened = ok(run("asks", "--open", "-n", "2", "--as-of", "2026-11-20")).stdout
    assert "… 1 more" in opened  # 3 open: 2 shown
    then = ok(run("asks", "--open", "-n", "1", "--as-of", "2026-11-05")).stdout
    assert "… 3 more" in then  # all 4 were open on the 5th (the done one too)
    assert len(run_json("asks", "--limit", "0")) == 4
    assert "more" not in ok(run("asks")).stdout
    listed = ok(run("contacts", "-n", "3")).stdout
    assert "P2" in listed and "P3" not in listed and "… 1 more (--limit 0 shows all)" in listed
    assert len(run_json("contacts")) == 4


def test_contacts_lists_a_hundred_by_default_and_says_how_many_more(
    run: Run,
    run_json,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    cards = tmp_path / "cards.vcf"
    cards.write_text(
        "".join(f"BEGIN:VCARD\nVERSION:3.0\nFN:P{i:03d}\nEND:VCARD\n" for i in range(102))
    )
    ok(run("import", "contacts", str(cards)))
    listed = ok(run("contacts")).stdout
    assert "P099" in listed and "P100" not in listed and "… 2 more (--limit 0 shows all)" in listed
    assert len(run_json("contacts")) == 100 and len(run_json("contacts", "-n", "0")) == 102


def test_long_lists_count_what_they_leave_out_up_to_a_bound(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past queries.COUNT_UP_TO the count stops: "at least", not every entry read."""
    from engage_cli.store import queries

    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    for day in range(1, 13):
        ok(run("log", "Ann Lee", "-w", "1", "-d", "1", "--on", f"2026-10-{day:02d}"))
    assert "showing 3 of 24;" in ok(run("history", "-n", "3")).stdout
    assert "… 9 more (--limit 0 shows all)" in ok(run("asks", "-n", "3")).stdout
    monkeypatch.setattr(queries, "COUNT_UP_TO", 5)  # counted up to 5 past those shown
    assert "showing 3 of at least 8;" in ok(run("history", "-n", "3")).stdout
    assert "… at least 5 more (--limit 0 shows all)" in ok(run("asks", "-n", "3")).stdout
    assert "showing 6 of at least 11;" in ok(run("history", "-n", "6")).stdout  # limit > bound
    assert "… 3 more (--limit 0 shows all)" in ok(run("asks", "-n", "9")).stdout  # 12 < 9 + 5
