"""Following through, through the CLI: promise, log --then, kept, dropped, promises,
remember, follow-ups and the agenda (with its calendar).

Due dates must be today or later, so these promises fall due in 2030 and the
reports look at them with fixed --as-of dates then.
"""

from __future__ import annotations

import re
import stat
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Run, decayed, digest, fails, ok

DUE = "2030-05-10"  # a Friday
MADE = "2026-11-20"


@pytest.fixture
def promised(run: Run) -> Run:
    """Ann (close circle) with a coffee and a promise due DUE; Bo with nothing yet."""
    ok(run("add", "Ann Lee", "--circle", "close", "--on", "2026-10-01"))
    ok(run("add", "Bo Chen", "--on", "2026-10-01"))
    ok(run("log", "Ann Lee", "-d", "2", "-m", "coffee", "--on", MADE))
    ok(run("promise", "Ann Lee", "send the paper", "--by", DUE, "--on", MADE))
    return run


def _one(run_json: Any, *args: str) -> dict[str, Any]:
    found = run_json("promises", *args)["promises"]
    assert len(found) == 1, found
    return found[0]  # type: ignore[no-any-return]


def _charge(run_json: Any, name: str, as_of: str) -> float:
    return float(run_json("show", name, "--as-of", as_of)["charge"])


# --- promises made ----------------------------------------


def test_a_promise_is_listed_with_its_short_id_due_day_and_state(
    promised: Run, run_json: Any
) -> None:
    p = _one(run_json, "--as-of", "2030-05-01")
    assert p["contact"] == "Ann Lee" and p["what"] == "send the paper"
    assert p["due_at"] == "2030-05-10T23:59:59Z" and p["state"] == "open"
    assert re.fullmatch(r"[0-9a-f]{8}", p["short_id"]) and p["id"].endswith(p["short_id"])
    assert p["overdue_days"] is None and p["weight"] == 0
    text = ok(promised("promises", "Ann Lee", "--as-of", "2030-05-01")).stdout
    assert p["short_id"] in text and "2030-05-10" in text and "open" in text
    # As of before it was made, it does not exist yet.
    assert run_json("promises", "--as-of", "2026-11-01")["promises"] == []


def test_a_due_date_in_the_past_is_refused_and_nothing_is_stored(
    promised: Run, db_path: Path
) -> None:
    before = digest(db_path)
    msg = fails(promised("promise", "Ann Lee", "call her", "--by", "2020-01-01"))
    assert "in the past" in msg and "--by" in msg
    msg = fails(promised("log", "Ann Lee", "-d", "1", "--then", "x", "--by", "2020-01-01"))
    assert "in the past" in msg
    assert digest(db_path) == before


def test_only_by_and_follow_up_may_be_in_the_future(promised: Run, db_path: Path) -> None:
    before = digest(db_path)
    msg = fails(promised("log", "Ann Lee", "-d", "1", "--on", "2031-01-01"))
    assert "is in the future" in msg and "only --by (a promise's due date)" in msg
    assert "--by" in fails(promised("log", "Ann Lee", "-d", "1", "--by", DUE), code=2)
    assert "--withdrawal" in fails(
        promised("log", "Ann Lee", "-d", "1", "--follow-up", DUE), code=2
    )
    assert digest(db_path) == before


def test_log_then_makes_a_promise_to_each_contact_of_the_log(promised: Run, run_json: Any) -> None:
    out = ok(promised("log", "Ann Lee", "Bo Chen", "-d", "1", "--on", "2026-11-25",
                      "--then", "share the slides", "--by", "2030-05-12")).stdout  # fmt: skip
    assert out.count("promised ") == 2 and "share the slides, due 2030-05-12" in out
    found = run_json("promises", "--as-of", "2030-05-01")["promises"]
    slides = [p for p in found if p["what"] == "share the slides"]
    assert {p["contact"] for p in slides} == {"Ann Lee", "Bo Chen"}
    assert all(p["made_at"] == "2026-11-25T12:00:00Z" for p in slides)


def test_due_dates_read_like_people_say_them() -> None:
    from datetime import datetime

    from engage_cli.dates import parse_day

    wed = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    assert str(parse_day("next friday", wed)) == "2026-11-20"
    assert str(parse_day("friday", wed, ahead=True)) == "2026-11-20"
    assert str(parse_day("next wednesday", wed)) == "2026-11-25"
    assert str(parse_day("in 3 days", wed)) == "2026-11-21"
    assert str(parse_day("2 weeks", wed)) == "2026-12-02"
    assert str(parse_day("next month", wed)) == "2026-12-18"
    assert str(parse_day("tomorrow", wed)) == "2026-11-19"
    assert str(parse_day("2027-04-12", wed)) == "2027-04-12"


# --- kept and dropped ----------------------------------------


def test_kept_logs_the_policy_deposit_and_only_once(
    promised: Run, run_json: Any, db_path: Path
) -> None:
    pid = _one(run_json)["short_id"]
    out = ok(promised("kept", pid, "--on", "2026-11-28")).stdout
    assert out.startswith(f"kept Ann Lee: send the paper, due 2030-05-10  [{pid}]")
    deposit = run_json("history", "Ann Lee")[0]
    assert deposit["kind"] == "deposit" and deposit["points"] == 1.0
    assert deposit["note"] == "promise kept: send the paper" and deposit["tags"] == ["promise"]
    assert _one(run_json)["state"] == "kept"
    before = digest(db_path)
    assert fails(promised("kept", pid)) == (
        f"engage: error: promise {pid} is already kept; nothing was changed"
    )
    assert "already kept" in fails(promised("dropped", pid))
    assert digest(db_path) == before


def test_kept_takes_its_points_and_dropped_gives_none(promised: Run, run_json: Any) -> None:
    ok(promised("promise", "Bo Chen", "a lead", "--by", DUE, "--on", MADE))
    ann, bo = (p["short_id"] for p in run_json("promises")["promises"])
    ok(promised("kept", ann, "-d", "3", "--on", "2026-11-28"))
    assert run_json("history", "Ann Lee")[0]["points"] == 3.0
    out = ok(promised("dropped", bo)).stdout
    assert out.startswith("dropped Bo Chen: a lead")
    assert run_json("history", "Bo Chen") == []
    assert "already dropped" in fails(promised("kept", bo))


def test_an_unknown_promise_id_suggests_the_closest(promised: Run, run_json: Any) -> None:
    pid = _one(run_json)["short_id"]
    near = pid[:-1] + ("0" if pid[-1] != "0" else "1")
    msg = fails(promised("kept", near))
    assert msg.startswith(f"engage: error: no promise '{near}'; did you mean {pid}?")
    assert "`engage promises`" in msg
    assert "no promise 'nope'" in fails(promised("dropped", "nope"))


def test_a_promise_cannot_be_kept_before_it_was_made(promised: Run, run_json: Any) -> None:
    pid = _one(run_json)["short_id"]
    assert "cannot be settled before" in fails(promised("kept", pid, "--on", "2026-11-01"))


# --- what an overdue promise weighs -----------------------------------------------------------


def test_an_overdue_promise_weighs_after_the_grace_like_a_small_ask(
    promised: Run, run_json: Any
) -> None:
    # Before the due day and during the three days of grace: nothing but the coffee.
    base = {d: _charge(run_json, "Ann Lee", d) for d in ("2030-05-09", "2030-05-12")}
    assert all(v > 0 for v in base.values())
    # From the end of the grace on, -1 decaying with the close circle's 60-day half-life.
    at = "2030-05-20"
    p = _one(run_json, "--as-of", at)
    age = 20 - 10 - 3  # the end of May 20 is 7 days after the end of May 13
    assert p["weight"] == pytest.approx(-decayed(1, age, 60))
    assert p["overdue_days"] == pytest.approx(10.0)
    explained = run_json("explain", "Ann Lee", "--as-of", at)
    (line,) = explained["promises"]
    assert line["contribution"] == pytest.approx(p["weight"])
    entries = sum(e["contribution"] for e in explained["entries"])
    assert explained["charge"] == pytest.approx(entries + p["weight"])
    # Everywhere a charge is read: show, contacts, balance, who-neglected.
    assert _charge(run_json, "Ann Lee", at) == pytest.approx(explained["charge"])
    listed = {c["name"]: c for c in run_json("contacts", "--as-of", at)}
    assert listed["Ann Lee"]["charge"] == pytest.approx(explained["charge"])
    text = ok(promised("explain", "Ann Lee", "--as-of", at)).stdout
    assert "promise" in text and "overdue" in text


def test_keeping_or_dropping_takes_the_weight_away_but_not_from_the_past(
    promised: Run, run_json: Any
) -> None:
    late = _charge(run_json, "Ann Lee", "2030-06-01")
    ok(promised("promise", "Ann Lee", "second", "--by", DUE, "--on", MADE))
    two = _charge(run_json, "Ann Lee", "2030-06-01")
    assert two < late
    first, second = (p["short_id"] for p in run_json("promises")["promises"])
    ok(promised("dropped", second, "--on", "2026-11-30"))
    assert _charge(run_json, "Ann Lee", "2030-06-01") == pytest.approx(late)
    ok(promised("kept", first, "--on", "2026-11-30"))
    after = run_json("explain", "Ann Lee", "--as-of", "2030-06-01")
    assert after["promises"] == []
    assert after["charge"] == pytest.approx(sum(e["contribution"] for e in after["entries"]))


# --- follow-ups and remembered days -----------------------------------------------------


def test_a_follow_up_shows_in_the_agenda_until_the_ask_is_settled(
    promised: Run, run_json: Any
) -> None:
    out = ok(promised("log", "Bo Chen", "-w", "2", "-m", "a review", "--on", "2026-11-25",
                      "--follow-up", "2030-05-08")).stdout  # fmt: skip
    ask = re.search(r"\[([0-9a-f]{8})\]", out)[1]  # type: ignore[index]
    items = run_json("agenda", "--as-of", "2030-05-06")["items"]
    (follow,) = [i for i in items if i["kind"] == "follow-up"]
    assert follow["day"] == "2030-05-08" and follow["contact"] == "Bo Chen"
    assert ask in follow["action"] and follow["what"] == "a review"
    # Past its day it stays, overdue, until the ask is done.
    later = run_json("agenda", "--as-of", "2030-05-20")["items"]
    assert [i["overdue"] for i in later if i["kind"] == "follow-up"] == [True]
    ok(promised("done", ask, "--on", "2026-11-30"))
    assert all(
        i["kind"] != "follow-up" for i in run_json("agenda", "--as-of", "2030-05-06")["items"]
    )


def test_remember_keeps_a_day_for_the_agenda(promised: Run, run_json: Any) -> None:
    out = ok(promised("remember", "Ann Lee", "her talk at PyCon", "--on", "2030-05-11")).stdout
    assert out.strip() == "remembered Ann Lee: her talk at PyCon, 2030-05-11"
    items = run_json("agenda", "--as-of", "2030-05-06")["items"]
    (talk,) = [i for i in items if i["kind"] == "remember"]
    assert talk["day"] == "2030-05-11" and talk["what"] == "her talk at PyCon"
    assert "no contact named" in fails(promised("remember", "Nobody", "x", "--on", "2030-05-11"))


# --- the agenda ----------------------------------------


def test_the_agenda_orders_the_week_by_day_with_one_action_each(
    promised: Run, run_json: Any
) -> None:
    ok(promised("edit", "Ann Lee", "--birthday", "1985-05-12"))
    ok(promised("log", "Bo Chen", "-d", "1", "--on", "2026-11-25"))
    a = run_json("agenda", "--as-of", "2030-05-07")
    assert a["start"] == "2030-05-07" and a["end"] == "2030-05-14" and a["days"] == 7
    kinds = [(i["day"], i["kind"], i["contact"]) for i in a["items"]]
    assert kinds == [("2030-05-10", "promise", "Ann Lee"), ("2030-05-12", "birthday", "Ann Lee")]
    assert all(i["action"] for i in a["items"])
    assert "(45)" in a["items"][1]["action"]
    assert a["contacts_already_due"] == 2  # nobody heard from since 2026
    # --days widens the window; an overdue promise stays until kept.
    assert len(run_json("agenda", "--as-of", "2030-05-07", "--days", "0")["items"]) == 0
    late = run_json("agenda", "--as-of", "2030-06-01")["items"]
    assert [(i["kind"], i["overdue"]) for i in late] == [("promise", True)]


def test_the_agenda_shows_the_oldest_ten_overdue_and_counts_the_rest(
    promised: Run, run_json: Any
) -> None:
    for day in range(1, 12):  # with DUE (the 10th): twelve promises due 1 to 12 May
        if day != 10:
            ok(promised("promise", "Ann Lee", f"task {day}", "--by", f"2030-05-{day:02}",
                        "--on", MADE))  # fmt: skip
    ok(promised("promise", "Ann Lee", "task 12", "--by", "2030-05-12", "--on", MADE))
    for note in ("draft", "slides"):  # two follow-ups on the 3rd, after its promise
        ok(promised("log", "Bo Chen", "-w", "1", "-m", note, "--on", "2026-11-25",
                    "--follow-up", "2030-05-03"))  # fmt: skip
    a = run_json("agenda", "--as-of", "2030-06-01")
    shown = [(i["day"][-2:], i["kind"]) for i in a["items"]]
    assert all(i["overdue"] for i in a["items"])
    assert shown == [("01", "promise"), ("02", "promise"), ("03", "promise"),
                     ("03", "follow-up"), ("03", "follow-up"), ("04", "promise"),
                     ("05", "promise"), ("06", "promise"), ("07", "promise"),
                     ("08", "promise")]  # fmt: skip
    assert a["overdue_more"] == 4
    out = ok(promised("agenda", "--as-of", "2030-06-01")).stdout
    assert out.count("overdue: do it now") == 8 and out.count("check back with") == 2
    assert "… 4 more overdue: `engage promises --overdue`" in out
    assert "Wed 01 May  promise" in out  # a day of this year by its weekday
    later = ok(promised("agenda", "--as-of", "2031-01-10")).stdout
    assert "2030-05-01  promise" in later and "Wed 01 May" not in later  # another year's
    assert run_json("agenda", "--as-of", "2030-05-01")["overdue_more"] == 0


def test_contacts_who_become_due_are_on_the_agenda(run: Run, run_json: Any) -> None:
    ok(run("add", "Cy Young", "--circle", "close", "--on", "2026-10-01"))  # cadence 30 days
    ok(run("log", "Cy Young", "-d", "1", "--on", "2026-11-01"))
    items = run_json("agenda", "--as-of", "2026-11-27")["items"]
    (due,) = items
    assert due["kind"] == "due" and due["contact"] == "Cy Young" and due["day"] == "2026-12-01"
    assert "Cy Young" in due["action"]


def test_a_february_29_birthday_falls_on_february_28_in_other_years(
    run: Run, run_json: Any
) -> None:
    ok(run("add", "Leap Day", "--on", "2026-01-01"))
    ok(run("edit", "Leap Day", "--birthday", "--02-29"))
    items = run_json("agenda", "--as-of", "2027-02-25")["items"]
    assert [(i["day"], i["kind"]) for i in items if i["kind"] == "birthday"] == [
        ("2027-02-28", "birthday")
    ]
    leap = run_json("agenda", "--as-of", "2028-02-25")["items"]
    assert [i["day"] for i in leap if i["kind"] == "birthday"] == ["2028-02-29"]


def test_the_agenda_fits_80_columns_and_is_plain_when_piped(promised: Run) -> None:
    long = "Maximilian Alexander von Hohenzollern-Sigmaringen"
    ok(promised("add", long, "--on", "2026-10-01"))
    ok(promised("promise", long, "review the whole " + "very long " * 12 + "proposal",
                "--by", DUE, "--on", MADE))  # fmt: skip
    out = ok(promised("agenda", "--as-of", "2030-05-07")).stdout
    assert "\x1b[" not in out
    assert all(len(line) <= 80 for line in out.splitlines()), out
    assert "Maximilian Alexan…" in out and "proposal" in out  # cut name; wrapped text, whole


def test_text_from_people_is_shown_safely_in_the_agenda(promised: Run) -> None:
    ok(promised("promise", "Ann Lee", "evil \x1b[31mred", "--by", DUE, "--on", MADE))
    out = ok(promised("agenda", "--as-of", "2030-05-07")).stdout
    assert "\x1b" not in out


# --- the agenda as a calendar ----------------------------------------


def _events(path: Path) -> list[Any]:
    import icalendar

    cal = icalendar.Calendar.from_ical(path.read_text())
    return [c for c in cal.walk("VEVENT")]


def test_the_agenda_calendar_has_stable_uids_reminders_and_no_notes(
    promised: Run, tmp_path: Path, run_json: Any
) -> None:
    ok(promised("edit", "Ann Lee", "--birthday", "1985-05-12"))
    ics = tmp_path / "agenda.ics"
    ok(promised("agenda", "--as-of", "2030-05-07", "--ics", str(ics)))
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600
    events = _events(ics)
    pid = _one(run_json)["id"]
    uids = sorted(str(e["UID"]) for e in events)
    assert f"promise-{pid}@engage" in uids
    assert any(re.fullmatch(r"birthday-[0-9a-f-]{36}-2030@engage", u) for u in uids)
    for e in events:
        assert e.walk("VALARM"), "every event has a reminder"
        assert "send the paper" not in str(e["SUMMARY"]) + str(e.get("DESCRIPTION", ""))
    assert str(events[0]["DTSTART"].to_ical().decode()) == "20300510"
    # Written again (it is ours): the same events by the same UIDs.
    ok(promised("agenda", "--as-of", "2030-05-07", "--ics", str(ics)))
    assert sorted(str(e["UID"]) for e in _events(ics)) == uids
    ok(promised("agenda", "--as-of", "2030-05-07", "--ics", str(ics), "--with-notes"))
    assert any("send the paper" in str(e["SUMMARY"]) for e in _events(ics))


def test_the_agenda_calendar_escapes_and_folds_peoples_text(promised: Run, tmp_path: Path) -> None:
    what = "the paper, the slides; C:\\docs \\N für Zoë 日本 — and a long tail to fold " * 2
    what = what.strip()
    ok(promised("promise", "Ann Lee", what, "--by", "2030-05-09", "--on", MADE))
    ics = tmp_path / "agenda.ics"
    ok(promised("agenda", "--as-of", "2030-05-07", "--ics", str(ics), "--with-notes"))
    text = ics.read_bytes()
    assert text.endswith(b"END:VCALENDAR\r\n") and b"\n" not in text.replace(b"\r\n", b"")
    assert max(len(line) for line in text.split(b"\r\n")) <= 75  # octets, folded
    summaries = sorted(str(e["SUMMARY"]) for e in _events(ics))
    assert f"Promise to Ann Lee: {what}" in summaries


def test_the_agenda_never_overwrites_a_file_that_is_not_ours(promised: Run, tmp_path: Path) -> None:
    other = tmp_path / "notes.ics"
    other.write_text("my own calendar\n")
    msg = fails(promised("agenda", "--ics", str(other)))
    assert "--force" in msg
    assert other.read_text() == "my own calendar\n"
    ok(promised("agenda", "--ics", str(other), "--force"))
    assert other.read_text().startswith("BEGIN:VCALENDAR")


def test_the_inbox_never_offers_the_agenda_as_meetings(promised: Run, tmp_path: Path) -> None:
    ok(promised("edit", "Ann Lee", "--birthday", "1985-11-24"))
    ok(promised("log", "Bo Chen", "-w", "1", "--on", "2026-11-25", "--follow-up", "2030-01-01"))
    ics = tmp_path / "agenda.ics"
    ok(promised("agenda", "--as-of", "2026-11-20", "--days", "30", "--ics", str(ics)))
    assert _events(ics)
    out = ok(promised("inbox", "--ics", str(ics), "--since", "2026-11-01",
                      "--as-of", "2026-12-31", "--json")).stdout  # fmt: skip
    assert "Ann Lee" not in out and "birthday" not in out.lower()


# --- undo and redo ----------------------------------------


def test_undo_and_redo_cover_every_follow_through_action(promised: Run, run_json: Any) -> None:
    def states() -> list[tuple[str, str]]:
        return [(p["what"], p["state"]) for p in run_json("promises")["promises"]]

    pid = _one(run_json)["short_id"]
    ok(promised("kept", pid, "--on", "2026-11-28"))
    out = ok(promised("undo", "--yes")).stdout
    assert "keeping a promise to Ann Lee: send the paper" in out
    assert states() == [("send the paper", "open")]
    assert all(e["voided"] for e in run_json("history", "Ann Lee") if e["tags"] == ["promise"])
    ok(promised("redo", "--yes"))
    assert states() == [("send the paper", "kept")]
    ok(promised("undo", "--yes"))
    ok(promised("dropped", pid))
    ok(promised("undo", "--yes"))
    assert states() == [("send the paper", "open")]
    ok(promised("undo", "--yes"))  # the promise itself
    assert states() == []
    ok(promised("redo", "--yes"))
    assert states() == [("send the paper", "open")]
    ok(promised("remember", "Ann Lee", "her talk", "--on", "2030-05-11"))
    assert "remembering a day of Ann Lee: her talk" in ok(promised("undo", "--yes")).stdout
    assert not [i for i in run_json("agenda", "--as-of", "2030-05-06")["items"]
                if i["kind"] == "remember"]  # fmt: skip


def test_undoing_a_log_takes_its_promise_and_follow_up_and_redo_brings_them_back(
    promised: Run, run_json: Any
) -> None:
    ok(promised("log", "Bo Chen", "-w", "1", "--on", "2026-11-25", "--then", "a lead",
                "--by", DUE, "--follow-up", "2030-05-08"))  # fmt: skip
    assert len(run_json("promises")["promises"]) == 2
    said = ok(promised("undo", "--yes")).stdout
    assert "and promised Bo Chen: a lead (taken back with it)" in said
    assert [p["what"] for p in run_json("promises")["promises"]] == ["send the paper"]
    ok(promised("redo", "--yes"))
    assert len(run_json("promises")["promises"]) == 2
    kinds = {i["kind"] for i in run_json("agenda", "--as-of", "2030-05-06")["items"]}
    assert {"promise", "follow-up"} <= kinds


# --- travels ----------------------------------------


def test_promises_days_and_follow_ups_travel_through_export_and_import(
    promised: Run, run_json: Any, tmp_path: Path
) -> None:
    pid = _one(run_json)["short_id"]
    ok(promised("kept", pid, "--on", "2026-11-28"))
    ok(promised("promise", "Bo Chen", "a lead", "--by", DUE, "--on", MADE))
    ok(promised("log", "Bo Chen", "-w", "1", "--on", "2026-11-25", "--follow-up", "2030-05-08"))
    ok(promised("remember", "Ann Lee", "her talk", "--on", "2030-05-11"))
    out = tmp_path / "all.jsonl"
    ok(promised("export", "-o", str(out)))
    before = run_json("agenda", "--as-of", "2030-05-06")
    other = tmp_path / "other.db"
    ok(promised("--db", str(other), "import", "ledger", str(out)))
    again = run_json("--db", str(other), "agenda", "--as-of", "2030-05-06")
    assert again["items"] == before["items"]
    mine = run_json("promises", "--as-of", "2030-05-06")
    assert run_json("--db", str(other), "promises", "--as-of", "2030-05-06") == mine
    assert ok(promised("--db", str(other), "doctor")).exit_code == 0


def test_an_address_books_birthdays_and_anniversaries_reach_the_agenda(
    run: Run, run_json: Any, tmp_path: Path
) -> None:
    vcf = tmp_path / "people.vcf"
    vcf.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dana Reyes\r\nBDAY:19900514\r\n"
        "ANNIVERSARY:20150516\r\nEND:VCARD\r\n"
    )
    ok(run("import", "contacts", str(vcf)))
    ok(run("import", "contacts", str(vcf)))  # again: nothing twice
    items = run_json("agenda", "--as-of", "2030-05-13")["items"]
    assert [(i["day"], i["kind"], i["contact"]) for i in items] == [
        ("2030-05-14", "birthday", "Dana Reyes"),
        ("2030-05-16", "anniversary", "Dana Reyes"),
    ]


def test_the_weekly_review_and_the_demo_include_the_week_ahead(
    promised: Run, run_json: Any
) -> None:
    review = run_json("review", "--as-of", "2030-05-07")
    assert [i["kind"] for i in review["agenda"]["items"]] == ["promise"]
    assert "The week ahead" in ok(promised("review", "--as-of", "2030-05-07")).stdout
    demo = ok(promised("demo")).stdout
    assert "The week ahead" in demo and "Introduce him to Lena" in demo


def test_an_archived_contact_takes_no_promise_and_no_day(promised: Run, db_path: Path) -> None:
    ok(promised("archive", "Bo Chen"))
    before = digest(db_path)
    assert "unarchive" in fails(promised("promise", "Bo Chen", "x", "--by", DUE))
    assert "unarchive" in fails(promised("remember", "Bo Chen", "x", "--on", DUE))
    assert digest(db_path) == before


def test_undoing_an_import_takes_its_promises_and_days_out(
    promised: Run, run_json: Any, tmp_path: Path
) -> None:
    ok(promised("remember", "Ann Lee", "her talk", "--on", "2030-05-11"))
    out = tmp_path / "all.jsonl"
    ok(promised("export", "-o", str(out)))
    other = str(tmp_path / "other.db")
    ok(promised("--db", other, "add", "Cy Young"))
    said = ok(promised("--db", other, "import", "ledger", str(out))).stdout
    said = " ".join(said.split())  # however the line is wrapped
    assert "1 promise added" in said and "1 date added" in said
    ok(promised("--db", other, "undo", "--yes"))
    assert run_json("--db", other, "promises")["promises"] == []
    assert run_json("--db", other, "agenda", "--as-of", "2030-05-06")["items"] == []
    assert ok(promised("--db", other, "doctor")).exit_code == 0


def test_the_agenda_calendar_on_stdout_writes_no_file(
    promised: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = ok(promised("agenda", "--as-of", "2030-05-07", "--ics", "-")).stdout
    assert out.startswith("BEGIN:VCALENDAR") and "promise-" in out
    assert not (tmp_path / "-").exists()
    assert "give --ics FILE with it" in fails(promised("agenda", "--with-notes"), code=2)


def test_promises_shows_open_ones_first_up_to_the_limit_and_says_how_many_more(
    promised: Run, run_json: Any
) -> None:
    ok(promised("promise", "Bo Chen", "lend the book", "--by", "2030-05-20", "--on", MADE))
    ok(promised("promise", "Bo Chen", "send slides", "--by", "2030-05-01", "--on", MADE))
    slides = _one(run_json, "--as-of", "2030-04-01", "--limit", "1")
    assert slides["what"] == "send slides"  # the soonest due of the open ones
    ok(promised("kept", slides["short_id"], "--on", "2026-11-25"))
    shown = run_json("promises", "--as-of", "2030-05-02", "--limit", "2")["promises"]
    assert [p["what"] for p in shown] == ["send the paper", "lend the book"]  # open, by due
    text = ok(promised("promises", "--as-of", "2030-05-02", "-n", "2")).stdout
    assert "send slides" not in text and "… 1 more (--limit 0 shows all)" in text
    assert len(run_json("promises", "--as-of", "2030-05-02", "--limit", "0")["promises"]) == 3
    assert "more" not in ok(promised("promises", "--as-of", "2030-05-02")).stdout


def test_a_suggested_command_in_the_agenda_is_never_cut_across_lines(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    what = "send the draft of the long report about the river project"
    ok(run("promise", "Ann Lee", what, "--by", "2027-01-10"))
    # From 56 columns the column of actions holds "(`engage kept ID`)" whole.
    for width in range(56, 81):
        monkeypatch.setenv("COLUMNS", str(width))
        shown = ok(run("agenda", "--as-of", "2027-01-20")).stdout
        assert "`engage kept " in shown
        for line in shown.splitlines():
            assert line.count("`") % 2 == 0, (width, line)  # each command whole on its line
            assert len(line) <= width


def test_the_review_lists_the_first_of_a_busy_week_and_counts_the_rest(
    run: Run, run_json: Any
) -> None:
    ok(run("add", "Ann Lee", "--on", "2026-10-01"))
    for i in range(20):
        ok(run("promise", "Ann Lee", f"task {i:02}", "--by", f"2030-05-{8 + i % 6:02}",
               "--on", "2026-10-15"))  # fmt: skip
    week = run_json("agenda", "--as-of", "2030-05-07")
    assert len(week["items"]) == 20 and week["more"] == 0
    review = run_json("review", "--as-of", "2030-05-07")["agenda"]
    assert review["items"] == week["items"][:15] and review["more"] == 5
    text = ok(run("review", "--as-of", "2030-05-07")).stdout
    assert "… 5 more by Tue 14 May: `engage agenda`" in text
    assert "task 02" in text and week["items"][15]["what"] not in text
