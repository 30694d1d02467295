"""Reading a calendar for `engage inbox`: recurrences as calendar apps show them, moved
and excluded occurrences, all-day events, time zones, and attendees matched to contacts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.helpers import ICS, WINDOW, Run, fails, ok


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


def _ics(events: list[tuple[str, str, str]]) -> str:
    """A calendar of (UID, DTSTART, SUMMARY) events; a UID given twice is an event moved."""
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:{start}\r\n"
        f"SUMMARY:{summary}\r\nEND:VEVENT\r\n"
        for uid, start, summary in events
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{body}END:VCALENDAR\r\n"


def test_titles_name_contacts_as_whole_words_whatever_surrounds_them() -> None:
    """Only the mentions whose first word is in a title are looked for in it: every
    title below still finds exactly whom a search of every name finds."""
    from datetime import UTC, datetime

    from engage_cli.domain import name_key
    from engage_cli.formats.calendar import Person, _mention, _mentioned, read_meetings

    people = [Person(n, ()) for n in ("Ann Lee", "Zoë Ólafsdóttir", "Seán O'Brien",
                                      "@dave x", "Jean-Luc Picard", "Leeanne Park")]  # fmt: skip
    titles = ["(Ann Lee) 1:1", "ann-lee sync", "Lunch: ZOË ÓLAFSDÓTTIR", "seán o'brien!",
              "call @dave x", "Jean-Luc Picard/Ann Lee", "Leeanne Parker", "annlee",
              "Ann  Lee", "Jean Luc Picard"]  # fmt: skip
    text = _ics([(f"u{i}", f"202610{i + 1:02d}T090000Z", t) for i, t in enumerate(titles)])
    since, until = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC)
    found = read_meetings(text, people, since, until).meetings
    got = {(m.title, m.contact) for m in found}
    shown = [" ".join(t.split()) for t in titles]  # as a title is shown
    want = {
        (t, p.name)
        for t in shown
        for p in people
        if (key := _mention(p.name)) and _mentioned(key, name_key(t), {})
    }
    assert got == want
    assert ("(Ann Lee) 1:1", "Ann Lee") in got and ("call @dave x", "@dave x") in got
    assert ("Jean-Luc Picard/Ann Lee", "Ann Lee") in got and ("annlee", "Ann Lee") not in got


def test_single_events_and_series_come_out_in_one_time_order() -> None:
    """Events that happen once are placed by their start, beside the occurrences of a
    series and a moved occurrence (which share a UID and stay with the expansion)."""
    from datetime import UTC, datetime

    from engage_cli.formats.calendar import Person, read_meetings

    series = (
        "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:20261005T100000Z\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Ann Lee weekly\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20261001T000000Z\r\nRECURRENCE-ID:20261012T100000Z\r\n"
        "DTSTART:20261013T150000Z\r\nSUMMARY:Ann Lee weekly (moved)\r\nEND:VEVENT\r\n"
    )
    text = _ics([("o1", "20261012T120000Z", "Ann Lee once"), ("o2", "20260901T120000Z",
                  "Ann Lee before"), ("o3", "20261020T090000Z", "Ann Lee later")])  # fmt: skip
    text = text.replace("END:VCALENDAR", series + "END:VCALENDAR")
    since, until = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC)
    found = read_meetings(text, [Person("Ann Lee", ())], since, until).meetings
    assert [(m.start.astimezone(UTC).strftime("%m-%d %H"), m.title) for m in found] == [
        ("10-05 10", "Ann Lee weekly"),
        ("10-12 12", "Ann Lee once"),
        ("10-13 15", "Ann Lee weekly (moved)"),
        ("10-19 10", "Ann Lee weekly"),
        ("10-20 09", "Ann Lee later"),
    ]


def test_a_single_event_whose_start_cannot_be_read_is_one_clear_line(
    run: Run, tmp_path: Path
) -> None:
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    ics = tmp_path / "bad.ics"
    ics.write_text(_ics([("u1", "2026XX01", "Ann Lee")]))
    message = fails(run("inbox", "--ics", str(ics), *WINDOW))
    assert "cannot read the calendar" in message and "Wrong date format 2026XX01" in message
    assert "unexpected" not in message and "Traceback" not in message
