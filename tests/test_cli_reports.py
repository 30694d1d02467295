"""The weekly review, the neglect ranking and the other reports, through the real CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import Run, fails, ok

AS_OF = "2026-11-20"
AS_OF_ISO = "2026-11-20T23:59:59Z"


def decayed(points: float, age_days: float, half_life: float) -> float:
    return points * 2 ** (-age_days / half_life)


@pytest.fixture
def week(run: Run) -> Run:
    """A small ledger: a week of meetings before AS_OF, and older history."""
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "design", "--on", "2026-10-01"))
    ok(run("add", "Bob Stone", "--circle", "active", "--tag", "investor", "--on", "2026-10-01"))
    ok(run("add", "Cy Young", "--circle", "inner", "--on", "2026-10-01"))
    ok(run("add", "Dee Park", "--circle", "wide", "--kind", "org", "--on", "2026-10-01"))
    ok(run("log", "Ann Lee", "-d", "2", "--on", "2026-11-18 10:00", "-m", "coffee"))
    ok(run("log", "Bob Stone", "-w", "3", "--on", "2026-11-17 09:00", "-m", "asked for intro"))
    ok(run("log", "Ann Lee", "-w", "1", "--on", "2026-11-16 09:00"))
    # the previous week
    ok(run("log", "Cy Young", "-d", "1", "--on", "2026-11-10 12:00"))
    # long ago
    ok(run("log", "Bob Stone", "-d", "1", "--on", "2026-08-01 12:00"))
    return run


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
    assert report["previous"]["verdict"] == "all relationship"
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
    assert ann["last_contact"] == "2026-11-16T09:00:00Z"


def test_balance_human_output(week: Run) -> None:
    out = ok(week("balance", "--as-of", AS_OF)).stdout
    assert "all task" in out
    assert "Ann Lee" in out and "Bob Stone" in out
    assert "overdrawn" in out


def test_who_neglected_ranks_and_suggests(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    report = run_json("who-neglected", "--as-of", "2026-12-20")
    names = [c["name"] for c in report["contacts"]]
    # Cy (inner, 40 days vs 7) is most overdue; Ann (close, 32 vs 30) next
    assert names[0] == "Cy Young"
    assert names[1] == "Ann Lee"
    cy = report["contacts"][0]
    assert cy["cadence_days"] == 7
    assert cy["days_since"] == pytest.approx(40.5, abs=0.01)
    assert "Cy Young" in cy["suggestion"]
    assert set(cy) >= {"name", "circle", "days_since", "cadence_days", "charge", "suggestion"}
    assert report["as_of"] == "2026-12-20T23:59:59Z"
    assert len(report["prompts"]) >= 2


def test_who_neglected_limit_circle_and_alias(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    assert len(run_json("who-neglected", "--as-of", AS_OF, "--limit", "2")["contacts"]) == 2
    only = run_json("who-neglected", "--as-of", AS_OF, "--circle", "wide")["contacts"]
    assert [c["name"] for c in only] == ["Dee Park"]
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


def test_history_filters(week: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    assert len(run_json("history")) == 5
    ann = run_json("history", "Ann Lee")
    assert [e["occurred_at"] for e in ann] == ["2026-11-18T10:00:00Z", "2026-11-16T09:00:00Z"]
    recent = run_json("history", "--since", "2026-11-16")
    assert len(recent) == 3
    assert len(run_json("history", "--limit", "2")) == 2


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


def test_demo_builds_a_throwaway_ledger_and_shows_the_review(run: Run, db_path: Path) -> None:
    result = ok(run("demo", "--as-of", AS_OF))
    assert "Balance" in result.stdout and "verdict" in result.stdout
    assert "Who to reconnect with" in result.stdout
    assert not db_path.exists()  # never the user's ledger
    path = result.stderr.split("Demo ledger: ")[1].split()[0]
    demo_db = Path(path)
    assert demo_db.exists() and str(demo_db) != str(db_path)
    contacts = json.loads(ok(run("--db", path, "contacts", "--json")).stdout)
    assert len(contacts) >= 12
    assert {c["circle"] for c in contacts} == {"inner", "close", "active", "wide"}


def test_global_db_option_beats_environment(run: Run, tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "other.db"
    ok(run("--db", str(other), "add", "Ann"))
    assert other.exists() and not db_path.exists()
    fails(run("show", "Ann"))


def test_python_dash_m_works(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "engage_cli", "--db", str(tmp_path / "l.db"), "add", "Ann"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "added Ann" in proc.stdout


def test_no_ledger_for_reports_is_clear(run: Run) -> None:
    assert "no ledger" in fails(run("balance", "--as-of", AS_OF))
