"""The model's rules about real relationships, through the CLI: forgiven debts, asks that
are not keeping in touch, modes, verdicts that hold, who is due, win or lose."""

from __future__ import annotations

from typing import Any

import pytest
from tests.helpers import Run, fails, ok


def _status(run_json: Any, name: str, as_of: str) -> str:
    status: str = run_json("show", name, "--as-of", as_of)["status"]
    return status


def test_an_overdrawn_contact_is_forgiven_once_nothing_was_asked_for_half_a_year(
    run: Run, run_json: Any
) -> None:
    ok(run("add", "Bob", "--on", "2026-01-01"))
    ok(run("log", "Bob", "-w", "5", "--on", "2026-01-10"))
    ok(run("log", "Bob", "-d", "1", "--on", "2026-06-01"))  # in touch, still in debt
    assert _status(run_json, "Bob", "2026-06-02") == "overdrawn"
    assert run_json("show", "Bob", "--as-of", "2026-07-10")["charge"] < -0.5
    assert _status(run_json, "Bob", "2026-07-10") != "overdrawn"  # 181 days since the ask
    ok(run("log", "Bob", "-w", "1", "--on", "2026-07-11"))  # a new ask: the debt counts again
    assert _status(run_json, "Bob", "2026-07-12") == "overdrawn"


def test_asking_is_not_keeping_in_touch(run: Run, run_json: Any) -> None:
    ok(run("add", "Bob", "--circle", "close", "--on", "2026-01-01"))
    ok(run("log", "Bob", "-d", "2", "--on", "2026-02-01"))
    for day in ("2026-03-01", "2026-03-10", "2026-03-20"):
        ok(run("log", "Bob", "-w", "0.5", "--on", day))
    shown = run_json("show", "Bob", "--as-of", "2026-03-21")
    assert shown["last_contact"] == "2026-02-01T12:00:00Z"
    assert shown["last_ask"] == "2026-03-20T12:00:00Z"
    assert shown["status"] == "cold"  # 48 days without contact, cadence 30
    due = run_json("who-neglected", "--as-of", "2026-03-21")["contacts"]
    assert [c["name"] for c in due] == ["Bob"]
    assert (
        "last ask      2026-03-20 12:00" in ok(run("show", "Bob", "--as-of", "2026-03-21")).stdout
    )


def test_modes_friends_are_not_projects_and_exchanges_are_not_cold(run: Run, run_json: Any) -> None:
    ok(run("add", "Mum", "--circle", "inner", "--mode", "personal", "--on", "2026-01-01"))
    ok(run("add", "Plumber", "--circle", "close", "--mode", "transactional", "--on", "2026-01-01"))
    ok(run("add", "Ann", "--circle", "inner", "--on", "2026-01-01"))
    for week in range(1, 9):
        day = f"2026-{1 + week // 4:02d}-{1 + (week % 4) * 7:02d}"
        ok(run("log", "Mum", "Ann", "-d", "3", "--on", day))
    ok(run("log", "Plumber", "-w", "2", "--on", "2026-01-05"))
    as_of = "2026-03-01"
    assert _status(run_json, "Mum", as_of) == "healthy"  # charged, never asked: a friend
    assert _status(run_json, "Ann", as_of) == "untapped"  # the same, for work: potential
    assert _status(run_json, "Plumber", "2026-12-01") != "cold"
    listed = {c["name"]: c["mode"] for c in run_json("contacts", "--as-of", as_of)}
    assert listed == {"Ann": "engagement", "Mum": "personal", "Plumber": "transactional"}
    due = [
        c["name"] for c in run_json("who-neglected", "--as-of", "2026-12-01", "--all")["contacts"]
    ]
    assert "Plumber" not in due and "Mum" in due
    mum = run_json("who-neglected", "--as-of", "2026-12-01")["contacts"]
    assert "just to hear how they are" in next(c for c in mum if c["name"] == "Mum")["suggestion"]
    # The verdict counts engagement contacts only, and says what it left out.
    week = run_json("balance", "--as-of", "2026-02-23")
    assert (week["deposits"], week["left_out"]["deposits"]) == (3, 3)
    said = ok(run("balance", "--as-of", "2026-02-23")).stdout
    assert "(left out of the verdict, personal and transactional: 3 given, 0 asked)" in said
    ok(run("edit", "Mum", "--mode", "engagement"))
    assert run_json("show", "Mum")["mode"] == "engagement"
    assert "mode" in fails(run("edit", "Mum", "--mode", "friendly"))
    assert "--mode is engagement, personal or transactional" in fails(
        run("add", "Zed", "--mode", "friendly"), 2
    )


def test_a_light_week_is_not_judged_and_the_rolling_verdict_holds(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "4", "-w", "2", "--on", "2026-11-02"))
    ok(run("log", "Ann", "-w", "1", "--on", "2026-11-19"))
    week = run_json("balance", "--as-of", "2026-11-20")
    assert week["verdict"] == "light"  # one point asked, nothing else: too little
    assert week["rolling"]["verdict"] == "engaged"  # the month: 4 given, 3 asked
    out = ok(run("balance", "--as-of", "2026-11-20")).stdout
    assert "too little logged to judge" in out and "28 days" in out


def test_done_with_a_failed_outcome_still_gives_something_back(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-w", "4", "--on", "2026-11-01"))
    (ask,) = run_json("history")
    said = ok(run("done", ask["id"][-8:], "--on", "2026-11-05", "--outcome", "failed")).stdout
    assert "logged deposit    +1" in said  # 0.25 of 4
    gift = next(e for e in run_json("history") if e["kind"] == "deposit")
    assert gift["note"].startswith("ask done together, though it failed")
    ok(run("undo", "--yes"))
    ok(run("redo", "--yes"))  # done again as it was done: failed, a quarter back
    live = [e for e in run_json("history") if not e["voided"] and e["kind"] == "deposit"]
    assert [e["points"] for e in live] == [1.0]
    assert "--outcome is succeeded or failed" in fails(
        run("done", ask["id"][-8:], "--outcome", "meh"), 2
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [("overdrawn_below", "1.5"), ("forgive_after_days", "30"), ("due_within_days", "0")],
)
def test_the_new_numbers_are_in_the_config(
    run: Run, run_json: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"{key} = {value}\n")
    monkeypatch.setenv("ENGAGE_CONFIG", str(config))
    shown = run_json("config", "show")["values"][key]
    assert shown == {"value": float(value), "from": str(config)}


def test_someone_just_seen_is_not_due_even_in_the_inner_circle(run: Run, run_json: Any) -> None:
    ok(run("add", "Maya", "--circle", "inner", "--on", "2026-01-01"))
    ok(run("log", "Maya", "-d", "1", "--on", "2026-11-20 20:00"))
    assert run_json("who-neglected", "--as-of", "2026-11-20 23:00")["contacts"] == []
    later = run_json("who-neglected", "--as-of", "2026-11-24 23:00")["contacts"]  # half a week
    assert [c["name"] for c in later] == ["Maya"] and later[0]["overdrawn"] is False


def test_trend_and_groups_judge_engagement_contacts_only(run: Run, run_json: Any) -> None:
    ok(run("add", "Mum", "--circle", "inner", "--mode", "personal", "--tag", "family",
           "--on", "2026-01-01"))  # fmt: skip
    ok(run("add", "Ann", "--on", "2026-01-01"))
    for day in ("2026-11-02", "2026-11-09", "2026-11-16"):
        ok(run("log", "Mum", "-d", "3", "--on", day))
    ok(run("log", "Ann", "-d", "2", "-w", "2", "--on", "2026-11-17"))
    weeks = run_json("trend", "--weeks", "3", "--as-of", "2026-11-20")
    assert [w["deposits"] for w in weeks] == [0, 0, 2]  # Mum's weekly calls are not engagement
    assert weeks[-1]["verdict"] == "engaged"
    assert [
        w["deposits"] for w in run_json("trend", "Mum", "--weeks", "3", "--as-of", "2026-11-20")
    ] == [3, 3, 3]
    groups = {
        g["name"]: g for g in run_json("balance", "--by", "tag", "--as-of", "2026-11-20")["groups"]
    }
    assert groups["family"]["verdict"] == "idle"
