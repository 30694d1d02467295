"""Shared goals, through the real CLI: added, served by logs and introductions,
reviewed, closed, undone, and carried through export and merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Run, digest, fails, ok

AS_OF = "2026-11-20"


@pytest.fixture
def hub(run: Run) -> Run:
    """A goal naming nonprofit and academia; Ann (academia) invested, Bob (no sector)
    was asked, his ask still open after 46 days."""
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("add", "Bob Stone", "--on", "2026-01-01"))
    ok(run("edit", "Ann Lee", "--sector", "academia"))
    ok(run("goal", "add", "Food hub", "--sector", "nonprofit", "--sector", "academia",
           "-m", "a hub by spring", "--on", "2026-09-01"))  # fmt: skip
    ok(run("log", "Ann Lee", "-d", "2", "-m", "workshop", "--goal", "food hub", "--on",
           "2026-10-01"))  # fmt: skip
    ok(run("log", "Bob Stone", "-w", "3", "-m", "a venue", "--goal", "Food hub", "--on",
           "2026-10-05"))  # fmt: skip
    ok(run("log", "Bob Stone", "-d", "5", "--on", "2026-10-07"))  # for no goal
    return run


def as_json(run: Run, *args: str) -> Any:
    return json.loads(ok(run(*args, "--json")).stdout)


def test_a_goal_shows_its_participants_verdict_and_an_overdue_ask(hub: Run) -> None:
    got = as_json(hub, "goal", "show", "food hub", "--as-of", AS_OF)
    assert (got["name"], got["status"], got["why"]) == ("Food hub", "open", "a hub by spring")
    assert [(p["name"], p["sector"]) for p in got["participants"]] == [
        ("Ann Lee", "academia"),
        ("Bob Stone", "(no sector)"),
    ]
    assert (got["deposits"], got["withdrawals"], got["verdict"]) == (2, 3, "all task")
    (ask,) = got["open_asks"]
    assert (ask["contact"], ask["points"], ask["overdue"]) == ("Bob Stone", 3, True)
    assert ask["age_days"] == pytest.approx(46.5, abs=0.01)
    assert got["unheard"] == ["nonprofit"]
    assert got["last_activity"] == "2026-10-05T12:00:00Z"
    bob = next(p for p in got["participants"] if p["name"] == "Bob Stone")
    assert bob["charge"] == as_json(hub, "show", "Bob Stone", "--as-of", AS_OF)["charge"]
    text = ok(hub("goal", "show", "Food hub", "--as-of", AS_OF)).stdout
    assert "follow through" in text and "Voices not heard: nonprofit" in text
    early = as_json(hub, "goal", "show", "Food hub", "--as-of", "2026-10-20")
    assert not early["open_asks"][0]["overdue"]  # 15 days: not yet past 30


def test_a_goal_shows_the_warmest_and_the_oldest_asks_up_to_its_limit(hub: Run) -> None:
    ok(hub("add", "Cy Young", "--on", "2026-01-01"))
    ok(hub("edit", "Cy Young", "--sector", "academia"))
    ok(hub("log", "Cy Young", "-d", "5", "--goal", "Food hub", "--on", "2026-10-02"))
    ok(hub("log", "Cy Young", "-w", "1", "-m", "a room", "--goal", "Food hub", "--on",
           "2026-10-06"))  # fmt: skip
    got = as_json(hub, "goal", "show", "Food hub", "--as-of", AS_OF, "-n", "1")
    assert [(p["name"], p["sector"]) for p in got["participants"]] == [
        ("Cy Young", "academia"),  # the warmer of the two in academia
        ("Bob Stone", "(no sector)"),
    ]
    assert got["participants_more"] == {"academia": 1}
    assert [a["contact"] for a in got["open_asks"]] == ["Bob Stone"]  # the older ask
    assert got["open_asks_more"] == 1
    assert (got["deposits"], got["withdrawals"]) == (7, 4)  # the sums count every entry
    text = ok(hub("goal", "show", "Food hub", "--as-of", AS_OF, "--limit", "1")).stdout
    assert "… 1 more" in text and "Ann Lee" not in text and "a room" not in text
    assert "… 1 more (--limit 0 shows all)" in text
    every = as_json(hub, "goal", "show", "Food hub", "--as-of", AS_OF)
    assert len(every["participants"]) == 3 and len(every["open_asks"]) == 2
    assert every["participants_more"] == {} and every["open_asks_more"] == 0


def test_goals_lists_them_and_an_introduction_serves_one(hub: Run) -> None:
    ok(hub("intro", "Ann Lee", "Bob Stone", "--goal", "Food hub", "--on", "2026-10-06"))
    (line,) = as_json(hub, "goals", "--as-of", AS_OF)
    assert (line["name"], line["contacts"], line["deposits"], line["withdrawals"]) == (
        "Food hub", 2, 4, 3,
    )  # fmt: skip
    assert (line["open_asks"], line["status"]) == (1, "open")
    assert as_json(hub, "goals", "--as-of", "2026-08-01") == []  # not added yet


def test_closing_a_goal_and_undoing_it(hub: Run) -> None:
    ok(hub("goal", "close", "Food hub", "--outcome", "achieved", "--on", "2026-11-19"))
    assert as_json(hub, "goals", "--as-of", AS_OF)[0]["status"] == "achieved"
    assert as_json(hub, "goals", "--as-of", "2026-11-18")[0]["status"] == "open"
    assert "is closed (achieved)" in fails(hub("log", "Ann Lee", "-d", "1", "--goal", "Food hub"))
    assert "already closed" in fails(hub("goal", "close", "Food hub", "--outcome", "dropped"))
    assert "open again" in ok(hub("undo", "--yes")).stdout
    assert as_json(hub, "goals")[0]["status"] == "open"


def test_an_empty_goal_says_nothing_was_logged_for_it_yet(run: Run) -> None:
    ok(run("goal", "add", "Hub"))
    shown = ok(run("goal", "show", "Hub")).stdout
    assert "nothing logged for it yet" in shown
    assert "in this period" not in shown  # a goal has no period


def test_undo_takes_an_added_goal_back(run: Run) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("goal", "add", "Hub"))
    assert "added the goal 'Hub'" in ok(run("undo", "--yes")).stdout
    assert as_json(run, "goals") == []


@pytest.mark.parametrize(
    ("args", "said", "code"),
    [
        (["goal", "show", "Food hubs"], "no goal named 'Food hubs'; did you mean 'Food hub'?", 1),
        (["log", "Ann Lee", "-d", "1", "--goal", "Fod hub"], "did you mean 'Food hub'?", 1),
        (["goal", "add", "food HUB"], "a goal named 'food HUB' already exists", 1),
        (["goal", "add", "Other", "--sector", "media"], "unknown sector 'media'; sectors are", 1),
        (["goal", "close", "Food hub", "--outcome", "won"], "achieved or dropped", 2),
        (["intro", "Ann Lee", "Bob Stone", "--goal", "nope"], "no goal named 'nope'", 1),
    ],
)
def test_bad_goal_input_changes_nothing(
    hub: Run, db_path: Path, args: list[str], said: str, code: int
) -> None:
    before = digest(db_path)
    assert said in fails(hub(*args), code=code)
    assert digest(db_path) == before


def test_goals_travel_and_converge_whichever_merges_first(hub: Run, tmp_path: Path) -> None:
    mine = tmp_path / "mine.jsonl"
    ok(hub("export", "-o", str(mine)))
    other = tmp_path / "other.db"
    # The other device has a goal of the same name (another uid) and one of its own.
    ok(hub("--db", str(other), "add", "Ann Lee", "--on", "2026-01-01"))
    ok(hub("--db", str(other), "goal", "add", "FOOD HUB", "--on", "2026-08-01"))
    ok(hub("--db", str(other), "goal", "add", "Schools", "--on", "2026-08-01"))
    ok(hub("--db", str(other), "log", "Ann Lee", "-d", "1", "--goal", "Schools", "--on",
           "2026-10-02"))  # fmt: skip
    ok(hub("--db", str(other), "goal", "close", "food hub", "--outcome", "dropped",
           "--on", "2026-11-01"))  # fmt: skip
    theirs = tmp_path / "theirs.jsonl"
    ok(hub("--db", str(other), "export", "-o", str(theirs)))
    ok(hub("import", "ledger", str(theirs)))
    ok(hub("--db", str(other), "import", "ledger", str(mine)))

    def goals_of(*db: str) -> Any:
        return json.loads(ok(hub(*db, "goals", "--as-of", AS_OF, "--json")).stdout)

    here, there = goals_of(), goals_of("--db", str(other))
    assert here == there
    assert [(g["name"], g["status"]) for g in here] == [
        ("Schools", "open"),
        ("FOOD HUB", "dropped"),
    ]
    assert next(g for g in here if g["name"] == "FOOD HUB")["added"] == "2026-08-01T12:00:00Z"
    show = as_json(hub, "goal", "show", "Food hub", "--as-of", AS_OF)
    assert [p["name"] for p in show["participants"]] == ["Ann Lee", "Bob Stone"]


def test_redo_of_a_log_keeps_its_goal(hub: Run) -> None:
    ok(hub("log", "Ann Lee", "-d", "4", "--goal", "Food hub", "--on", "2026-11-02"))
    ok(hub("undo", "--yes"))
    assert as_json(hub, "goal", "show", "Food hub", "--as-of", AS_OF)["deposits"] == 2
    ok(hub("redo", "--yes"))
    assert as_json(hub, "goal", "show", "Food hub", "--as-of", AS_OF)["deposits"] == 6
    assert as_json(hub, "history", "Ann Lee")[0]["goal"] == "Food hub"


def test_a_goal_before_it_was_added_is_not_yet_one(hub: Run) -> None:
    assert as_json(hub, "goal", "show", "Food hub", "--as-of", "2026-08-01")["status"] == (
        "not added yet"
    )


def test_merged_goals_keep_the_sectors_both_devices_named(hub: Run, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    ok(hub("--db", str(other), "goal", "add", "Food hub", "--sector", "government"))
    dump = tmp_path / "other.jsonl"
    ok(hub("--db", str(other), "export", "-o", str(dump)))
    ok(hub("import", "ledger", str(dump)))
    got = as_json(hub, "goal", "show", "Food hub", "--as-of", AS_OF)
    assert got["sectors"] == ["nonprofit", "government", "academia"]
