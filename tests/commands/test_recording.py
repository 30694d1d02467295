"""Recording what happened, through the CLI: add, log, undo, void, done, declined, reopen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import AS_OF, Run, decayed, digest, fails, ok

# --- add and log -------------------------------------------------------------------


def test_duplicate_name_is_refused_case_insensitively(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann Lee"))
    before = digest(db_path)
    msg = fails(run("add", "  ann   LEE "))
    assert "already exists" in msg
    assert digest(db_path) == before


def test_log_deposit_and_withdrawal_in_one_call(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann Lee"))
    result = ok(
        run("log", "ann lee", "-d", "2", "-w", "1", "-m", "coffee", "--on", "2026-11-02 15:00")
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert "deposit" in lines[0] and "+2" in lines[0] and "Ann Lee" in lines[0]
    assert "withdrawal" in lines[1] and "-1" in lines[1]
    charges = [float(line.split("charge ")[1].split()[0]) for line in lines]
    assert 0 < charges[1] < charges[0] <= 2  # charge now, after each entry
    entries = run_json("history")
    assert {(e["kind"], e["points"]) for e in entries} == {("deposit", 2.0), ("withdrawal", 1.0)}
    assert all(e["occurred_at"] == "2026-11-02T15:00:00Z" for e in entries)
    assert all(e["contact"] == "Ann Lee" and e["note"] == "coffee" for e in entries)
    assert len({e["id"] for e in entries}) == 2


def test_log_several_names_logs_each(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    for name in ("Ann", "Bob", "Cy"):
        ok(run("add", name))
    ok(run("log", "Ann", "Bob", "Cy", "-d", "1", "--on", "2026-11-03", "-t", "meetup"))
    entries = run_json("history")
    assert sorted(e["contact"] for e in entries) == ["Ann", "Bob", "Cy"]
    assert all(e["tags"] == ["meetup"] for e in entries)
    # a bare day is logged at noon
    assert all(e["occurred_at"] == "2026-11-03T12:00:00Z" for e in entries)


def test_unknown_contact_suggests_close_names_and_changes_nothing(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann Lee"))
    ok(run("add", "Anna Karenina"))
    before = digest(db_path)
    msg = fails(run("log", "Anne Lee", "-d", "1"))
    assert "Ann Lee" in msg
    msg = fails(run("log", "ann", "-d", "1"))
    assert "Ann Lee" in msg and "Anna Karenina" in msg
    assert digest(db_path) == before


def test_new_creates_unknown_contact_on_the_spot(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    result = ok(run("log", "Ann", "Zed", "-d", "1", "--new", "--on", "2026-11-01"))
    assert "added contact Zed" in result.stderr
    assert sorted(c["name"] for c in run_json("contacts")) == ["Ann", "Zed"]


def test_multi_name_log_with_one_unknown_writes_nothing(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    fails(run("log", "Ann", "Nobody", "-d", "1"))
    assert run_json("history") == []


def test_same_name_in_any_case_logs_once(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    out = ok(run("log", "Zed", "zed", " ZED ", "-d", "1", "--new")).stdout
    assert out.count("logged") == 1
    assert [c["name"] for c in run_json("contacts")] == ["Zed"]


def test_via_records_the_broker(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-d", "2", "--via", "ann lee", "--on", "2026-11-18"))
    ok(people("log", "Cy Young", "-w", "1", "--via", "Ann Lee", "--on", "2026-11-19"))
    report = run_json("balance", "--as-of", AS_OF)
    assert report["connectors"] == [
        {"name": "Ann Lee", "entries": 2, "points": 3.0, "introduced": 0}
    ]
    brokered = run_json("show", "Ann Lee", "--as-of", AS_OF)["brokered"]
    assert [e["contact"] for e in brokered] == ["Cy Young", "Bob Stone"]
    assert all(e["via"] == "Ann Lee" for e in run_json("history"))
    assert "own" in fails(people("log", "Ann Lee", "-d", "1", "--via", "Ann Lee"))
    assert "did you mean" in fails(people("log", "Bob Stone", "-d", "1", "--via", "Ann Le"))


# --- undo and void -----------------------------------------------------------------


def test_undo_voids_the_last_log_and_keeps_it_in_history(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    ok(run("add", "Bob"))
    ok(run("log", "Ann", "-d", "3", "--on", "2026-11-01"))
    ok(run("log", "Ann", "Bob", "-w", "2", "--on", "2026-11-02"))
    result = ok(run("undo", "--yes"))
    assert "voided 2 entries" in result.stdout
    entries = run_json("history")
    assert len(entries) == 3
    assert sorted(e["voided"] for e in entries) == [False, True, True]
    show = run_json("show", "Ann", "--as-of", "2026-11-02")
    assert show["charge"] == pytest.approx(3 * 2 ** (-(1.5) / 120))
    # undo again reaches the earlier log
    ok(run("undo", "--yes"))
    assert all(e["voided"] for e in run_json("history"))
    # then the adds: a contact whose voided entries stay in the history stays too, archived
    assert "archived Bob" in ok(run("undo", "--yes")).stdout
    assert "archived Ann" in ok(run("undo", "--yes")).stdout
    assert run_json("contacts") == []
    assert "nothing to undo" in fails(run("undo", "--yes"))


def test_undo_asks_and_can_be_declined(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-11-01"))
    result = run("undo", input="n\n")
    assert result.exit_code == 0 and "nothing was undone" in result.stdout
    assert not run_json("history")[0]["voided"]
    ok(run("undo", input="y\n"))
    assert run_json("history")[0]["voided"]


def test_void_by_short_id(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-11-01"))
    ok(run("log", "Ann", "-w", "2", "--on", "2026-11-02"))
    target = next(e for e in run_json("history") if e["kind"] == "withdrawal")
    short = target["id"].replace("-", "")[-8:]
    ok(run("void", short, "--reason", "wrong person"))
    fails(run("void", short))  # already voided
    show = run_json("show", "Ann", "--as-of", "2026-11-02")
    assert show["charge"] > 0
    assert show["withdrawals_total"] == 0


# --- asks have a life: done, declined, reopen ----------------------------------------


def only_ask(run_json: Any) -> dict[str, Any]:
    (ask,) = run_json("asks")
    return ask  # type: ignore[no-any-return]


def test_an_ask_done_gives_half_back_at_completion(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "4", "--on", "2026-11-01 10:00", "-m", "intro to a fund"))
    ask = only_ask(run_json)
    assert (ask["status"], ask["points"], ask["contact"]) == ("open", 4.0, "Bob Stone")
    assert ask["occurred_at"] == "2026-11-01T10:00:00Z"
    out = ok(people("done", ask["id"][-8:], "--on", "2026-11-05 10:00")).stdout
    assert "+2" in out
    ask = only_ask(run_json)
    assert ask["status"] == "done" and ask["returned"] == 2.0
    assert ask["resolved_at"] == "2026-11-05T10:00:00Z"
    gift = [e for e in run_json("history") if e["kind"] == "deposit"]
    assert [(g["points"], g["occurred_at"], g["source"]) for g in gift] == [
        (2.0, "2026-11-05T10:00:00Z", ask["id"])
    ]
    charge = run_json("explain", "Bob Stone", "--as-of", AS_OF)["charge"]
    age_ask = (19 * 86400 + 13 * 3600 + 59 * 60 + 59) / 86400
    age_gift = (15 * 86400 + 13 * 3600 + 59 * 60 + 59) / 86400
    assert charge == pytest.approx(decayed(-4, age_ask, 120) + decayed(2, age_gift, 120))


def test_a_declined_ask_costs_what_it_cost(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-01"))
    before = run_json("explain", "Bob Stone", "--as-of", AS_OF)["charge"]
    ask = only_ask(run_json)
    ok(people("declined", ask["id"]))
    assert only_ask(run_json)["status"] == "declined"
    assert run_json("explain", "Bob Stone", "--as-of", AS_OF)["charge"] == before
    assert len(run_json("history")) == 1


def test_settling_twice_is_refused_and_reopen_takes_the_gift_back(
    people: Run, run_json, db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-01"))
    ask_id = only_ask(run_json)["id"]
    ok(people("done", ask_id))
    assert "already done" in fails(people("declined", ask_id))
    ok(people("reopen", ask_id))
    assert only_ask(run_json)["status"] == "open"
    live = [e for e in run_json("history") if not e["voided"]]
    assert [e["kind"] for e in live] == ["withdrawal"]
    ok(people("doctor"))


def test_undo_of_a_done_reopens_the_ask(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-01"))
    ask_id = only_ask(run_json)["id"]
    ok(people("done", ask_id))
    ok(people("undo", "--yes"))
    assert only_ask(run_json)["status"] == "open"
    assert run_json("asks", "--open")[0]["id"] == ask_id


@pytest.mark.parametrize(
    ("setup", "args", "words"),
    [
        (["log", "Ann Lee", "-d", "1"], ["done", "{id}"], "not an ask"),
        (
            ["log", "Ann Lee", "-w", "1", "--on", "2026-11-10"],
            ["done", "{id}", "--on", "2026-11-01"],
            "before",
        ),
        (["log", "Ann Lee", "-w", "1"], ["done", "{id}", "--on", "tomorrow"], "future"),
        (["log", "Ann Lee", "-w", "1"], ["reopen", "{id}"], "not a settled ask"),
    ],
)  # fmt: skip
def test_bad_settlements_change_nothing(
    people: Run, run_json, db_path: Path, setup: list[str], args: list[str], words: str
) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    ok(people(*setup))
    entry_id = run_json("history")[0]["id"]
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    assert words in fails(people(*[a.replace("{id}", entry_id) for a in args]))
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_voiding_a_done_ask_voids_what_it_gave_back(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-12 15:00"))
    ask_id = only_ask(run_json)["id"]
    ok(people("done", ask_id, "--on", "2026-11-18"))
    ok(people("void", ask_id))
    assert run_json("explain", "Bob Stone", "--as-of", AS_OF) == {
        **run_json("explain", "Bob Stone", "--as-of", AS_OF),
        "charge": 0.0,
        "entries": [],
    }
    assert "voided" in fails(people("reopen", ask_id))
    ok(people("doctor"))


def test_undo_after_declined_reopens_the_ask(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "2", "--on", "2026-11-15"))
    ask_id = only_ask(run_json)["id"]
    ok(people("declined", ask_id, "--on", "2026-11-16"))
    assert "open again" in ok(people("undo", "--yes")).stdout
    ask = only_ask(run_json)
    assert ask["status"] == "open"
    assert not run_json("history")[0]["voided"]


def test_a_settlement_before_its_ask_names_a_moment_after_it(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-w", "1", "--on", "2026-11-17 12:00"))
    ask = run_json("history")[0]["id"]
    msg = fails(run("declined", ask, "--on", "2026-11-10"))
    assert "made 2026-11-17 12:00" in msg and "bare day" in msg and "'2026-11-17 13:00'" in msg
    msg = fails(run("declined", ask, "--on", "2026-11-17 11:00"))
    assert "bare day" not in msg  # a time was given


def test_why_an_entry_was_voided_is_in_the_history(run: Run, run_json, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "100")
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "1", "-m", "coffee", "--on", "2026-11-01"))
    (entry,) = run_json("history")
    ok(run("void", entry["id"][-8:], "--reason", "wrong person"))
    (voided,) = run_json("history")
    assert voided["voided"] and voided["void_reason"] == "wrong person"
    out = ok(run("history")).stdout
    assert "[voided: wrong person]  coffee" in out
    assert "voided: wrong person" in ok(run("show", "Ann")).stdout


def test_a_slash_date_that_could_be_either_is_refused(run: Run, run_json, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    before = digest(db_path)
    line = fails(run("log", "Ann", "-d", "1", "--on", "03/04/2026"))
    assert "could be 3 Apr or 4 Mar" in line and 'date_order = "dmy"' in line
    assert digest(db_path) == before
    ok(run("log", "Ann", "-d", "1", "--on", "13/04/2026 15:00"))  # only one reading
    ok(run("log", "Ann", "-d", "1", "--on", "04/25/26"))
    assert [e["occurred_at"] for e in run_json("history")] == [
        "2026-04-25T12:00:00Z",
        "2026-04-13T15:00:00Z",
    ]


@pytest.mark.parametrize(("order", "day"), [("dmy", "2026-04-03"), ("mdy", "2026-03-04")])
def test_date_order_says_how_slash_dates_read(run: Run, run_json, order: str, day: str) -> None:  # type: ignore[no-untyped-def]
    import os

    config = Path(os.environ["XDG_CONFIG_HOME"]) / "engage" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'date_order = "{order}"\n')
    try:
        ok(run("add", "Ann", "--on", "2026-01-01"))
        ok(run("log", "Ann", "-d", "1", "--on", "03/04/2026"))
        (entry,) = run_json("history")
        assert entry["occurred_at"] == f"{day}T12:00:00Z"
        assert "date_order                       " + order in ok(run("config", "show")).stdout
    finally:
        config.unlink()


def test_a_date_before_the_contact_was_added_is_said(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    typo = ok(run("log", "Ann Lee", "-d", "1", "--on", "2016-11-20"))
    assert typo.stderr.strip() == (
        "note: 2016-11-20 is before Ann Lee was added (2026-01-01); `engage undo` if a typo"
    )
    assert len(run_json("history")) == 1  # logged all the same
    assert ok(run("log", "Ann Lee", "-d", "1", "--on", "2026-03-01")).stderr == ""
    ok(run("add", "Bo", "--on", "2020-01-01"))
    old = ok(run("log", "Bo", "-d", "1", "--on", "2021-01-01")).stderr.strip()
    assert old == "note: 2021-01-01 is more than 2 years ago; `engage undo` if a typo"
    fresh = ok(run("log", "Cy", "--new", "-d", "1", "--on", "2026-02-01")).stderr
    assert "note:" not in fresh  # a contact added by this log is added at the entry


def test_a_name_that_differs_only_in_accents_is_pointed_out(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "José Lisboa", "--on", "2026-01-01"))
    twin = ok(run("add", "Jose Lisboa", "--on", "2026-01-01"))
    assert " ".join(twin.stderr.split()) == (
        "note: José Lisboa differs only in accents; one person? "
        "engage fold 'Jose Lisboa' 'José Lisboa'"
    )
    assert all(len(line) <= 80 for line in twin.stderr.splitlines())
    assert ok(run("add", "Josefa Lisboa", "--on", "2026-01-01")).stderr == ""
    assert len(run_json("contacts")) == 3  # a notice, not a refusal: two people may be both


def test_undo_after_a_void_brings_the_entry_back(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "1", "-w", "2", "-m", "coffee + ask", "--on", "2026-11-01"))
    ok(run("log", "Ann", "-d", "3", "--on", "2026-11-02"))
    ask = next(e for e in run_json("history") if e["kind"] == "withdrawal")
    ok(run("done", ask["id"][-8:], "--on", "2026-11-03"))  # gave 1 back
    before = run_json("show", "Ann", "--as-of", AS_OF)
    said = ok(run("void", ask["id"][-8:], "--reason", "oops")).stdout
    assert "`engage undo` brings it back" in said
    voided = run_json("show", "Ann", "--as-of", AS_OF)
    assert voided["charge"] != before["charge"]  # the ask and what it gave back: gone
    undone = ok(run("undo", "--yes")).stdout
    assert undone.startswith("The last action voided 1 entry:") and "coffee + ask" in undone
    after = run_json("show", "Ann", "--as-of", AS_OF)
    assert after["charge"] == before["charge"]
    assert not any(e["voided"] for e in run_json("history"))  # the deposit of the log stays
    assert [a["status"] for a in run_json("asks")] == ["done"]
    again = ok(run("undo", "--yes")).stdout  # further back: the done, not the void again
    assert again.startswith("The last change marked this ask done")
