"""The weekly review and its parts, through the CLI: balance, who-neglected, trend, review."""

from __future__ import annotations

import math

import pytest
from tests.helpers import AS_OF, Run, decayed, fails, ok

from engage_cli import scoring

AS_OF_ISO = "2026-11-20T23:59:59Z"


# --- balance -------------------------------------------------------------------------


def test_balance_json_contract(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    report = run_json("balance", "--as-of", AS_OF)
    assert report["as_of"] == AS_OF_ISO
    assert report["period"]["end"] == AS_OF_ISO
    assert report["period"]["start"] == "2026-11-13T23:59:59Z"
    assert report["deposits"] == 2
    assert report["withdrawals"] == 4
    assert report["ratio"] == pytest.approx(0.5)
    assert report["verdict"] == "all task"
    assert report["previous"]["deposits"] == 1
    assert report["previous"]["withdrawals"] == 0
    assert report["previous"]["ratio"] is None
    assert report["previous"]["verdict"] == "light"  # one point in all: too little to judge
    assert report["rolling"]["verdict"] == "all task"  # 28 days: 3 deposited, 4 asked
    assert (report["rolling"]["deposits"], report["rolling"]["withdrawals"]) == (3, 4)
    assert report["left_out"]["deposits"] == 0
    by_name = {c["name"]: c for c in report["contacts"]}
    assert set(by_name) == {"Ann Lee", "Bob Stone"}  # only active ones by default
    for c in report["contacts"]:
        assert set(c) >= {
            "name",
            "circle",
            "charge",
            "deposits",
            "withdrawals",
            "last_contact",
            "status",
        }
    ann = by_name["Ann Lee"]
    age_d = (2 * 86400 + 13 * 3600 + 59 * 60 + 59) / 86400
    age_w = (4 * 86400 + 14 * 3600 + 59 * 60 + 59) / 86400
    assert ann["charge"] == pytest.approx(decayed(2, age_d, 60) - decayed(1, age_w, 60))
    assert ann["last_contact"] == "2026-11-18T10:00:00Z"
    assert ann["status"] == "healthy"
    assert by_name["Bob Stone"]["status"] == "overdrawn"
    assert by_name["Bob Stone"]["charge"] < 0


def test_balance_all_lists_every_contact(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    names = {c["name"] for c in run_json("balance", "--as-of", AS_OF, "--all")["contacts"]}
    assert names == {"Ann Lee", "Bob Stone", "Cy Young", "Dee Park"}


def test_balance_lists_the_most_active_up_to_its_limit_and_says_how_many_more(
    week: Run, run_json
) -> None:  # type: ignore[no-untyped-def]
    report = run_json("balance", "--as-of", AS_OF, "-n", "1")
    assert len(report["contacts"]) == 1 and report["contacts_more"] == 1
    whole = run_json("balance", "--as-of", AS_OF, "-n", "0")
    assert report["contacts"][0] == whole["contacts"][0]  # the most active comes first
    assert (whole["deposits"], whole["withdrawals"]) == (report["deposits"], report["withdrawals"])
    assert whole["contacts_more"] == 0 and len(whole["contacts"]) == 2
    text = ok(week("balance", "--as-of", AS_OF, "-n", "1")).stdout
    assert "… 1 more (--limit 0 shows all)" in text
    first = report["contacts"][0]["name"]
    other = ({"Ann Lee", "Bob Stone"} - {first}).pop()
    listed = text.split("… 1 more")[0]
    assert first in listed and other not in listed
    # --all lists every contact unless a limit is given
    assert len(run_json("balance", "--as-of", AS_OF, "--all")["contacts"]) == 4
    assert len(run_json("balance", "--as-of", AS_OF, "--all", "-n", "3")["contacts"]) == 3


def test_balance_cold_contact(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    report = run_json("balance", "--as-of", "2026-11-30", "--all")
    cy = next(c for c in report["contacts"] if c["name"] == "Cy Young")
    assert cy["status"] == "cold"  # inner circle, 20 days without contact, cadence 7


def test_balance_idle_and_periods(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    assert run_json("balance", "--as-of", "2026-10-01")["verdict"] == "idle"
    month = run_json("balance", "--as-of", AS_OF, "--period", "month")
    assert month["period"]["days"] == 30
    assert month["deposits"] == 3
    assert run_json("balance", "--as-of", AS_OF, "--period", "2w")["period"]["days"] == 14
    long = run_json("balance", "--as-of", AS_OF, "--period", "200d")
    assert long["deposits"] == 4


def test_as_of_ignores_later_entries(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    early = run_json("balance", "--as-of", "2026-11-16 12:00", "--all")
    ann = next(c for c in early["contacts"] if c["name"] == "Ann Lee")
    assert ann["charge"] == pytest.approx(-decayed(1, 3 / 24, 60))
    assert ann["last_contact"] is None  # asking is not keeping in touch
    assert ann["last_ask"] == "2026-11-16T09:00:00Z"


def test_balance_human_output(week: Run) -> None:
    out = ok(week("balance", "--as-of", AS_OF)).stdout
    assert "all task" in out
    assert "Ann Lee" in out and "Bob Stone" in out
    assert "overdrawn" in out


@pytest.mark.parametrize("by", ["circle", "tag", "kind", "sector", "org"])
def test_balance_by_group(people: Run, run_json, by: str) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "2", "--on", "2026-11-19"))
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-18"))
    report = run_json("balance", "--as-of", AS_OF, "--by", by)
    groups = {g["name"]: g for g in report["groups"]}
    if by == "tag":  # Bob is tagged investor and design: he counts in both
        assert groups["design"]["contacts"] == 2
        assert (groups["design"]["deposits"], groups["design"]["withdrawals"]) == (2, 3)
        assert groups["investor"]["withdrawals"] == 3
        assert groups["(no tag)"]["contacts"] == 1
    else:
        assert sum(g["deposits"] for g in groups.values()) == report["deposits"]
        assert sum(g["withdrawals"] for g in groups.values()) == report["withdrawals"]
        assert sum(g["contacts"] for g in groups.values()) == 3
    assert "By " + by in ok(people("balance", "--as-of", AS_OF, "--by", by)).stdout
    assert "--by" in fails(people("balance", "--by", "bogus"), code=2)


def test_charges_are_explained_by_the_history(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    """Every charge in balance equals the decayed sum of that contact's entries."""
    from datetime import datetime

    half_life = {"inner": 30, "close": 60, "active": 120, "wide": 240}
    as_of = datetime.fromisoformat("2026-11-25T08:00:00+00:00")
    report = run_json("balance", "--as-of", "2026-11-25 08:00", "--all")
    entries = run_json("history", "--limit", "0")
    for c in report["contacts"]:
        total = 0.0
        for e in entries:
            if e["contact"] != c["name"] or e["voided"]:
                continue
            at = datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00"))
            sign = 1 if e["kind"] == "deposit" else -1
            total += sign * decayed(
                e["points"], (as_of - at).total_seconds() / 86400, half_life[c["circle"]]
            )
        assert math.isclose(c["charge"], total, rel_tol=1e-9, abs_tol=1e-9)


def test_back_dated_entry_changes_reports_consistently(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    before = run_json("balance", "--as-of", AS_OF, "--all")
    ok(week("log", "Cy Young", "-d", "4", "--on", "2026-09-01"))
    after = run_json("balance", "--as-of", AS_OF, "--all")
    cy_before = next(c for c in before["contacts"] if c["name"] == "Cy Young")
    cy_after = next(c for c in after["contacts"] if c["name"] == "Cy Young")
    assert cy_after["charge"] == pytest.approx(
        cy_before["charge"] + decayed(4, 80.5 - 1 / 86400, 30)
    )
    assert cy_after["last_contact"] == cy_before["last_contact"]


def test_no_ledger_for_reports_is_clear(run: Run) -> None:
    assert "no ledger" in fails(run("balance", "--as-of", AS_OF))


# --- who-neglected (reconnect) -------------------------------------------------------


def test_who_neglected_ranks_and_suggests(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    report = run_json("who-neglected", "--as-of", "2026-12-20")
    names = [c["name"] for c in report["contacts"]]
    # Bob is overdrawn (his ask of 11-17, 141 days since his last deposit: asking is not
    # keeping in touch): give before asking again comes first. Then the most overdue: Cy
    # (inner, 40 days vs 7), Ann (close, 32 vs 30); Dee (wide, 80 vs 365) is not due.
    assert names == ["Bob Stone", "Cy Young", "Ann Lee"]
    cy = report["contacts"][1]
    assert report["contacts"][0]["suggestion"].startswith("give before asking again")
    assert cy["cadence_days"] == 7
    assert cy["days_since"] == pytest.approx(40.5, abs=0.01)
    assert "Cy Young" in cy["suggestion"]
    assert set(cy) >= {"name", "circle", "days_since", "cadence_days", "charge", "suggestion"}
    assert report["as_of"] == "2026-12-20T23:59:59Z"
    assert 1 <= len(report["prompts"]) <= 2
    assert all(p["question"].endswith("?") and p["why"] for p in report["prompts"])
    everyone = run_json("who-neglected", "--as-of", "2026-12-20", "--all")["contacts"]
    assert [c["name"] for c in everyone][-1] == "Dee Park" and len(everyone) == 4


def test_who_neglected_limit_circle_and_alias(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    assert len(run_json("who-neglected", "--as-of", AS_OF, "--limit", "1")["contacts"]) == 1
    wide = run_json("who-neglected", "--as-of", AS_OF, "--circle", "wide")
    assert wide["contacts"] == []  # Dee is not due for a long while: nobody is listed
    assert wide["next_due"]["name"] == "Dee Park"
    assert (
        "nobody is overdue; next due: Dee Park in"
        in ok(week("who-neglected", "--as-of", AS_OF, "--circle", "wide")).stdout
    )
    assert run_json("reconnect", "--as-of", AS_OF) == run_json("who-neglected", "--as-of", AS_OF)
    out = ok(week("who-neglected", "--as-of", AS_OF)).stdout
    assert "Who haven't you considered recently" in out


def test_never_contacted_counts_from_when_added(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "New Person", "--circle", "inner", "--on", "2026-01-01 00:00"))
    report = run_json("who-neglected", "--as-of", "2026-01-31 00:00")
    (row,) = report["contacts"]
    assert row["contacted"] is False
    assert row["days_since"] == 30
    assert row["overdue_days"] == 23
    # Before it was added, it is not in any report.
    assert run_json("who-neglected", "--as-of", "2025-12-31")["contacts"] == []
    assert run_json("contacts", "--as-of", "2025-12-31") == []


# --- reciprocity: thank first, in every report ---------------------------------------


def test_received_is_tracked_not_charged(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Cy Young", "-r", "3", "--on", "2026-11-15", "-m", "reviewed my deck"))
    assert run_json("explain", "Cy Young", "--as-of", AS_OF)["charge"] == 0
    profile = run_json("show", "Cy Young", "--as-of", AS_OF)
    assert profile["received_total"] == 3 and profile["deposits_total"] == 0
    assert profile["reciprocity"] == scoring.THANK_FIRST
    assert profile["last_contact"] == "2026-11-15T12:00:00Z"
    assert profile["gave"] == 0 and profile["received"] == 3
    assert profile["gave_decayed"] == 0 and 2.5 < profile["received_decayed"] < 3
    text = ok(people("show", "Cy Young", "--as-of", AS_OF)).stdout
    assert "exchange      you gave 0.0, they gave 2." in text and "thank first:" in text
    report = run_json("balance", "--as-of", AS_OF)
    assert report["received"] == 3
    assert report["thank_first"] == ["Cy Young"]
    neglect = run_json("who-neglected", "--as-of", AS_OF)["contacts"]
    assert neglect[0]["name"] == "Cy Young" and neglect[0]["thank_first"]
    assert "thank" in neglect[0]["suggestion"]
    # Giving back at least half clears the flag.
    ok(people("log", "Cy Young", "-d", "1.5", "--on", "2026-11-16"))
    assert run_json("balance", "--as-of", AS_OF)["thank_first"] == []


def test_thank_first_fades_and_agrees_everywhere(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Cy Young", "-r", "5", "--on", "2025-06-01"))  # long faded by AS_OF
    ok(people("log", "Cy Young", "-d", "1", "--on", "2026-11-10"))
    assert run_json("show", "Cy Young", "--as-of", AS_OF)["reciprocity"] is None
    assert run_json("balance", "--as-of", AS_OF)["thank_first"] == []
    assert not run_json("who-neglected", "--as-of", AS_OF)["contacts"][0]["thank_first"]
    # Back then (before the latest entry: computed from the entries, not the running state).
    then = "2025-07-01"
    assert run_json("show", "Cy Young", "--as-of", then)["reciprocity"] == "thank first"
    assert run_json("balance", "--as-of", then)["thank_first"] == ["Cy Young"]
    top = run_json("who-neglected", "--as-of", then)["contacts"][0]
    assert top["name"] == "Cy Young" and top["thank_first"]
    shown = run_json("show", "Cy Young", "--as-of", then)
    assert shown["received"] == 5 and shown["gave"] == 0
    assert 0 < shown["received_decayed"] < 5  # a month old: partly faded
    for row in run_json("contacts"):
        assert "received" not in row and "thank_first" not in row  # period figures: balance


# --- trend and review ----------------------------------------------------------------


def test_trend_weeks_add_up_to_the_balance(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "2", "--on", "2026-11-19"))
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-12"))
    ok(people("log", "Cy Young", "-d", "1", "-r", "2", "--on", "2026-11-01"))
    ok(people("log", "Cy Young", "-d", "9", "--on", "2026-10-01"))  # outside the window
    weeks = run_json("trend", "--weeks", "3", "--as-of", AS_OF)
    assert [w["start"] for w in weeks] == [
        "2026-10-30T23:59:59Z",
        "2026-11-06T23:59:59Z",
        "2026-11-13T23:59:59Z",
    ]
    assert [(w["deposits"], w["withdrawals"], w["verdict"]) for w in weeks] == [
        (1.0, 0.0, "light"),  # under three points: too little to judge
        (0.0, 3.0, "all task"),
        (2.0, 0.0, "light"),
    ]
    assert weeks[0]["received"] == 2.0
    whole = run_json("balance", "--period", "3w", "--as-of", AS_OF)
    assert sum(w["deposits"] for w in weeks) == whole["deposits"]
    assert sum(w["withdrawals"] for w in weeks) == whole["withdrawals"]
    mine = run_json("trend", "Cy Young", "--weeks", "3", "--as-of", AS_OF)
    assert [w["deposits"] for w in mine] == [1.0, 0.0, 0.0]
    assert "week of" in ok(people("trend", "--as-of", AS_OF)).stdout


def test_trend_weeks_start_exactly_at_their_boundary(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "7", "--on", "2026-11-14 00:00"))  # 1 s into the last week
    weeks = run_json("trend", "--weeks", "2", "--as-of", AS_OF)
    assert [w["deposits"] for w in weeks] == [0.0, 7.0]
    assert run_json("balance", "--as-of", AS_OF)["deposits"] == 7.0
    out = ok(people("trend", "--weeks", "1", "--as-of", AS_OF)).stdout
    assert "2026-11-14" in out  # labelled by its first whole day


def test_review_is_the_whole_weekly_review(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "2", "--on", "2026-10-01", "-m", "a reference"))
    ok(people("log", "Ann Lee", "-d", "1", "--on", "2026-11-19"))
    report = run_json("review", "--as-of", AS_OF)
    assert report["balance"]["deposits"] == 1
    assert len(report["trend"]) == 8
    assert [a["note"] for a in report["open_asks"]] == ["a reference"]
    # Who is due: Bob, overdrawn, first (give before asking again), and Cy, never in touch;
    # Ann was seen yesterday and is not suggested.
    due = report["reconnect"]["contacts"]
    assert [c["name"] for c in due] == ["Bob Stone", "Cy Young"]
    assert due[0]["suggestion"].startswith("give before asking again")
    out = ok(people("review", "--as-of", AS_OF)).stdout
    for part in ("Balance", "The last eight weeks", "Open asks getting old", "Reflect"):
        assert part in out
