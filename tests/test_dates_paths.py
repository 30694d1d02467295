"""Dates people type, and where the ledger lives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from engage_cli.dates import parse_as_of, parse_occurred, parse_period, parse_when
from engage_cli.errors import InputError
from engage_cli.paths import ledger_path

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


def test_ledger_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ENGAGE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert ledger_path() == tmp_path / "xdg" / "engage" / "ledger.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ledger_path() == tmp_path / "home" / ".local" / "share" / "engage" / "ledger.db"
    monkeypatch.setenv("ENGAGE_DB", str(tmp_path / "env.db"))
    assert ledger_path() == tmp_path / "env.db"
    assert ledger_path(str(tmp_path / "opt.db")) == tmp_path / "opt.db"
