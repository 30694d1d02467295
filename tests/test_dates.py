"""Dates people type: the forms accepted, bare days, periods, and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from tests.helpers import Run, fails, ok

from engage_cli.dates import parse_as_of, parse_occurred, parse_period, parse_when
from engage_cli.errors import InputError

TZ = timezone(timedelta(hours=1))


NOW = datetime(2026, 11, 20, 16, 30, tzinfo=TZ)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected", "date_only"),
    [
        ("now", NOW, False),
        ("today", datetime(2026, 11, 20, tzinfo=TZ), True),
        ("yesterday", datetime(2026, 11, 19, tzinfo=TZ), True),
        ("Yesterday 15:00", datetime(2026, 11, 19, 15, tzinfo=TZ), False),
        ("yesterday at 3pm", datetime(2026, 11, 19, 15, tzinfo=TZ), False),
        ("friday", datetime(2026, 11, 20, tzinfo=TZ), True),
        ("last friday", datetime(2026, 11, 13, tzinfo=TZ), True),
        ("last mon", datetime(2026, 11, 16, tzinfo=TZ), True),
        ("tuesday 9:30", datetime(2026, 11, 17, 9, 30, tzinfo=TZ), False),
        ("3 days ago", datetime(2026, 11, 17, tzinfo=TZ), True),
        ("2 weeks ago", datetime(2026, 11, 6, tzinfo=TZ), True),
        ("2 hours ago", NOW - timedelta(hours=2), False),
        ("an hour ago", NOW - timedelta(hours=1), False),
        ("a week ago", datetime(2026, 11, 13, tzinfo=TZ), True),
        ("last week", datetime(2026, 11, 13, tzinfo=TZ), True),
        ("6 months ago", datetime(2026, 5, 20, tzinfo=TZ), True),
        ("a month ago", datetime(2026, 10, 20, tzinfo=TZ), True),
        ("last month", datetime(2026, 10, 20, tzinfo=TZ), True),
        ("2 years ago", datetime(2024, 11, 20, tzinfo=TZ), True),
        ("last year 10:00", datetime(2025, 11, 20, 10, tzinfo=TZ), False),
        ("this morning", datetime(2026, 11, 20, 9, tzinfo=TZ), False),
        ("this afternoon", datetime(2026, 11, 20, 15, tzinfo=TZ), False),
        ("2026-11-02", datetime(2026, 11, 2), True),
        ("2026-11-02 15:00", datetime(2026, 11, 2, 15), False),
        ("2026-11-02T15:00:00+00:00", datetime(2026, 11, 2, 15, tzinfo=UTC), False),
    ],
)
def test_accepted_forms(text: str, expected: datetime, date_only: bool) -> None:
    when = parse_when(text, NOW)
    if expected.tzinfo is None:  # naive: local time of the machine
        assert when.at.replace(tzinfo=None) == expected
    else:
        assert when.at == expected
    assert when.date_only is date_only


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "someday",
        "2026-02-30",
        "yesterday at 25:00",
        "0001-01-01",
        "13/45/2026",
        "friday the 13th of never",
        "1899-12-31",
        "9 blorps ago",
    ],
)
def test_refused_forms_list_what_is_accepted(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_when(text, NOW)
    assert "accepted:" in err.value.message


def test_occurred_bare_day_is_noon_and_future_is_refused() -> None:
    assert parse_occurred("yesterday", NOW) == datetime(2026, 11, 19, 12, tzinfo=TZ)
    assert parse_occurred("today", NOW) == datetime(2026, 11, 20, 12, tzinfo=TZ)
    morning = datetime(2026, 11, 20, 9, tzinfo=TZ)
    assert parse_occurred("today", morning) == morning  # never in the future
    with pytest.raises(InputError, match="future"):
        parse_occurred("tomorrow", NOW)
    with pytest.raises(InputError, match="future"):
        parse_occurred("2027-01-01", NOW)


def test_as_of_bare_day_is_end_of_day() -> None:
    assert parse_as_of("2026-11-02", NOW).strftime("%H:%M:%S") == "23:59:59"
    assert parse_as_of(None, NOW) == NOW


@pytest.mark.parametrize(
    ("text", "days"),
    [("week", 7), ("month", 30), ("quarter", 91), ("year", 365), ("14d", 14), ("3w", 21)],
)
def test_periods(text: str, days: int) -> None:
    assert parse_period(text) == days


@pytest.mark.parametrize("text", ["0d", "fortnight", "-3d", "w", "99999999d"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(InputError):
        parse_period(text)


# --- through the CLI, in other time zones ---------------------------------------------


def test_explicit_zone_is_honoured(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-02-02 15:00 UTC"))
    (entry,) = run_json("history")
    assert entry["occurred_at"] == "2026-02-02T15:00:00Z"


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_dates_at_the_edge_of_time_fail_cleanly(run: Run) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    for as_of in ("9999-12-31", "0001-01-01"):
        result = run("balance", "--as-of", as_of)
        assert result.exit_code in (0, 1)
        if result.exit_code:
            assert "accepted" in fails(result)


@pytest.mark.usefixtures("new_york")
def test_bare_days_use_the_offset_in_force_that_day(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    # Logged in winter (UTC-5) and in summer (UTC-4): noon local either way.
    ok(run("log", "Ann", "-d", "1", "--on", "2026-01-15"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-07-15"))
    times = sorted(e["occurred_at"] for e in run_json("history"))
    assert times == ["2026-01-15T17:00:00Z", "2026-07-15T16:00:00Z"]
    report = run_json("balance", "--as-of", "2026-07-15")
    assert report["as_of"] == "2026-07-16T03:59:59Z"


def test_a_month_back_from_the_31st_is_the_last_day_of_the_month_before() -> None:
    march = datetime(2026, 3, 31, 16, 0, tzinfo=TZ)
    assert parse_when("1 month ago", march).at.date() == datetime(2026, 2, 28).date()
    assert parse_when("tonight", march).at == datetime(2026, 3, 31, 20, tzinfo=TZ)
    with pytest.raises(InputError, match="in the future"):
        parse_occurred("tonight", march)  # 16:00: tonight has not happened yet


def test_a_due_day_with_a_time_is_that_day_and_a_bad_one_says_what_a_due_date_takes() -> None:
    from datetime import UTC, datetime

    from engage_cli.dates import parse_due
    from engage_cli.errors import InputError

    tuesday = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    assert parse_due("friday 15:00", tuesday).date() == parse_due("friday", tuesday).date()
    assert parse_due("friday", tuesday).date().isoformat() == "2026-12-04"
    assert parse_due("tomorrow 9am", tuesday).date().isoformat() == "2026-12-02"
    assert parse_due("2026-12-24 10:00", tuesday).date().isoformat() == "2026-12-24"
    with pytest.raises(InputError, match="accepted: today, tomorrow, friday, next friday"):
        parse_due("fridya", tuesday)
    with pytest.raises(InputError, match="is in the past"):
        parse_due("2026-11-20", tuesday)
