"""Reading a calendar for `engage inbox`: recurrences as calendar apps show them, moved
and excluded occurrences, all-day events, time zones, and attendees matched to contacts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.helpers import ICS, WINDOW, Run, ok


def test_inbox_lists_unlogged_meetings_as_calendar_apps_show_them(attendees: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(attendees("log", "Ann Lee", "-d", "1", "--on", "2026-10-12 18:00"))  # that day is logged
    rows = run_json("inbox", "--ics", ICS, *WINDOW)
    got = [(r["start"], r["contact"], r["matched_by"]) for r in rows]
    assert got == [
        ("2026-10-05T10:00:00Z", "Ann Lee", "attendee email"),  # weekly, from 10-05
        ("2026-10-14T12:00:00Z", "Bob Stone", "title"),  # all-day: noon that day
        ("2026-10-21T01:00:00Z", "Cy Young", "attendee name"),  # 21:00 in New York
        ("2026-10-27T14:00:00Z", "Ann Lee", "attendee email"),  # the 10-26 one, moved
        ("2026-11-02T10:00:00Z", "Ann Lee", "attendee email"),
        ("2026-11-09T10:00:00Z", "Ann Lee", "attendee email"),
        ("2026-11-16T10:00:00Z", "Ann Lee", "attendee email"),
    ]  # 10-12 is logged, 10-19 is excluded (EXDATE), the cancelled lunch and the future coffee
    assert rows[1]["all_day"] is True
    assert (
        rows[0]["command"] == "engage log 'Ann Lee' -d 1 --on '2026-10-05 10:00' -m '1:1 catch-up'"
    )


def test_time_zones_move_the_day(attendees: Run, run_json, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        rows = run_json("inbox", "--ics", ICS, *WINDOW)
        late = next(r for r in rows if r["contact"] == "Cy Young")
        assert late["command"].endswith("--on '2026-10-20 21:00' -m 'Late call'")
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_odd_events_and_names(run: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shlex

    ok(run("add", "--on", "2026-01-01", "--", "-Dash Person"))
    ics = tmp_path / "odd.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:no start\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261102T100000Z\r\nSUMMARY:chat\r\n"
        "ATTENDEE;CN=-Dash Person:mailto:dash@example.org\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    (row,) = run_json("inbox", "--ics", str(ics), *WINDOW)
    ok(run(*shlex.split(row["command"])[1:]))  # the suggestion works as printed
    assert run_json("inbox", "--ics", str(ics), *WINDOW) == []


def test_aliases_and_folded_duplicates_find_their_contact(
    run: Run, run_json, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Robert Stone", "--on", "2026-01-01"))
    ok(run("edit", "Robert Stone", "--alias", "Bobby Stone"))
    ok(run("add", "Lisa Chen", "--on", "2026-01-01"))
    ok(run("add", "Lisa Chan", "--on", "2026-01-01"))
    ok(run("edit", "Lisa Chan", "--email", "lisa@example.org"))
    ok(run("fold", "Lisa Chan", "Lisa Chen"))
    ics = tmp_path / "aka.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261102T100000Z\r\nSUMMARY:lunch with Bobby Stone\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261103T100000Z\r\nSUMMARY:chat\r\n"
        "ATTENDEE;CN=L. C.:mailto:lisa@example.org\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    rows = run_json("inbox", "--ics", str(ics), *WINDOW)
    assert [(r["contact"], r["matched_by"]) for r in rows] == [
        ("Robert Stone", "title"),
        ("Lisa Chen", "attendee email"),  # the email of the contact folded into her
    ]
