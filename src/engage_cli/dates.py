"""Dates people type ("yesterday", "last friday", "2026-11-02 15:00") and how engage stores them.

Stored times are UTC strings of one fixed width (`2026-11-02T14:00:00Z`), so they
sort as text and SQLite's date functions read them. People see local time.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from engage_cli.errors import InputError

STORE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip

_RELATIVE = re.compile(
    r"^(?P<day>today|yesterday|tomorrow|last\s+(?P<span>week|month|year)"
    r"|(?:last\s+)?(?P<wd>[a-z]+)"
    r"|(?P<n>\d+)\s*(?P<unit>d|days?|w|weeks?|mo|months?|y|years?)\s+ago)"
    r"(?:\s+(?:at\s+)?(?P<time>.+))?$"
)
# Parts of today, at a usual hour: "this morning" is 9:00.
_PARTS = {"this morning": 9, "this afternoon": 15, "this evening": 20, "tonight": 20}
_ONE = re.compile(r"^(?:a|an|one)\s+(?=(?:day|week|month|year|hour|minute)s?\s+ago)")
_AGO_TIME = re.compile(r"^(?P<n>\d+)\s*(?P<unit>m|mins?|minutes?|h|hours?)\s+ago$")

# A day written with slashes: 03/04/2026 is 3 April in most of the world and March 4
# in the US. `date_order()` says which this person means ("dmy", "mdy", or "" when the
# config does not say); the command layer sets it to read the config.
_SLASHED = re.compile(r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})(?P<rest>\s.*)?$")


def _no_order() -> str:
    return ""


date_order: Callable[[], str] = _no_order

# The earliest moment engage accepts: older dates are almost surely typos.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


class When(NamedTuple):
    """A parsed moment, and whether the person gave only a day (no time of day)."""

    at: datetime  # timezone-aware
    date_only: bool


def local_now() -> datetime:
    return datetime.now().astimezone()


def _bad(text: str, why: str = "") -> InputError:
    reason = f" ({why})" if why else ""
    return InputError(
        f"cannot read the date {text!r}{reason}; accepted: now, today, yesterday 15:00, "
        "last friday, 3 days ago, 6 months ago, 2026-11-02, 2026-11-02 15:00"
    )


def _is_local(at: datetime) -> bool:
    """Whether an aware moment carries this machine's local offset."""
    return at.tzinfo is not None and at.utcoffset() == at.astimezone().utcoffset()


def _localize(naive: datetime, now: datetime) -> datetime:
    """Attach the zone in force on that day (summer or winter time), not today's offset."""
    if _is_local(now):
        return naive.astimezone()
    return naive.replace(tzinfo=now.tzinfo)


def _at_day(day: date, now: datetime) -> datetime:
    return _localize(datetime.combine(day, time(0, 0)), now)


def _time_on(day: date, text: str, original: str, now: datetime) -> datetime:
    """Apply a time of day ("15:00", "3pm") to a day, refusing anything that is not a time."""
    from dateutil import parser

    base = datetime.combine(day, time(0, 0))
    try:
        first = parser.parse(text, default=base)
        second = parser.parse(text, default=base + timedelta(days=1))
    except (ValueError, OverflowError) as exc:
        raise _bad(original, str(exc)) from None
    if first.date() != day or second.date() != day + timedelta(days=1):
        raise _bad(original, "expected a time of day after the day")
    return _localize(first, now)


def _relative(text: str, original: str, now: datetime) -> When | None:
    text = _ONE.sub("1 ", text)  # "a week ago" is "1 week ago"
    if text in _PARTS:
        at = _localize(datetime.combine(now.date(), time(_PARTS[text], 0)), now)
        return When(at, date_only=False)
    m = _AGO_TIME.match(text)
    if m:
        n = int(m["n"])
        if n > 10_000_000:
            raise _bad(original, "too far in the past")
        delta = timedelta(hours=n) if m["unit"].startswith("h") else timedelta(minutes=n)
        return When(now - delta, date_only=False)
    m = _RELATIVE.match(text)
    if not m:
        return None
    today = now.date()
    word = m["day"]
    if word == "today":
        day = today
    elif word == "yesterday":
        day = today - timedelta(days=1)
    elif word == "tomorrow":
        day = today + timedelta(days=1)
    elif m["span"] is not None:
        day = _back(today, 1, m["span"], original)
    elif m["n"] is not None:
        n = int(m["n"])
        if n > 100_000:
            raise _bad(original, "too far in the past")
        day = _back(today, n, m["unit"], original)
    elif m["wd"] in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[m["wd"]]) % 7
        if word.startswith("last") and back == 0:
            back = 7
        day = today - timedelta(days=back)
    else:
        return None
    if m["time"]:
        return When(_time_on(day, m["time"], original, now), date_only=False)
    return When(_at_day(day, now), date_only=True)


def _back(today: date, n: int, unit: str, original: str) -> date:
    """The day `n` days, weeks, months or years before today (months and years by the
    calendar: a month before March 31 is the last day of February)."""
    if unit.startswith("d"):
        return today - timedelta(days=n)
    if unit.startswith("w"):
        return today - timedelta(weeks=n)
    from dateutil.relativedelta import relativedelta

    try:
        if unit.startswith("m"):
            return today - relativedelta(months=n)
        return today - relativedelta(years=n)
    except (ValueError, OverflowError):
        raise _bad(original, "too far in the past") from None


def parse_when(text: str, now: datetime | None = None) -> When:
    """Read a moment as people type it, relative to `now` (aware, local)."""
    now = now or local_now()
    original = text
    spaced = " ".join(text.strip().split())
    text = spaced.lower()
    if not text:
        raise _bad(original, "empty")
    if "\x00" in text:
        raise _bad(original.replace("\x00", ""), "contains a NUL character")
    if text == "now":
        return When(now, date_only=False)
    rel = _relative(text, original, now)
    if rel is not None:
        return _checked(rel, original)
    slashed = _SLASHED.match(text)
    if slashed:
        spaced = _unslashed(slashed, original)

    from dateutil import parser

    a = datetime(2000, 1, 1, 0, 0, 0)
    b = datetime(2000, 1, 1, 12, 34, 56)
    try:
        first = parser.parse(spaced, default=a.replace(year=now.year, month=now.month, day=now.day))
        second = parser.parse(
            spaced, default=b.replace(year=now.year, month=now.month, day=now.day)
        )
    except (ValueError, OverflowError) as exc:
        why = str(exc).split(":")[0]
        raise _bad(original, "" if why.startswith("Unknown string") else why) from None
    if first.year < EARLIEST.year:
        raise _bad(original, "before 1900")
    date_only = first.time() == time(0, 0) and second.time() == b.time()
    at = first
    if first.tzinfo is None:
        try:
            at = _localize(first, now)
        except (OverflowError, ValueError, OSError):
            raise _bad(original, "out of range") from None
    return _checked(When(at, date_only=date_only), original)


def _unslashed(m: re.Match[str], original: str) -> str:
    """A slash date as ISO, read in the configured order; refused when it could be
    either (both parts 12 or under and different) and the config does not say."""
    a, b, year = int(m["a"]), int(m["b"]), m["y"]
    order = date_order()
    if not order:
        if a <= 12 and b <= 12 and a != b:
            raise InputError(
                f"{original!r} could be {a} {_MONTHS[b - 1]} or {b} {_MONTHS[a - 1]}; write "
                f'it as 2026-04-03, or set date_order = "dmy" or "mdy" in the config'
            )
        order = "mdy" if b > 12 else "dmy"
    day, month = (a, b) if order == "dmy" else (b, a)
    if len(year) == 2:
        year = f"20{year}"
    return f"{year}-{month:02d}-{day:02d}{m['rest'] or ''}"


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _checked(when: When, original: str) -> When:
    try:
        utc = when.at.astimezone(UTC)
    except (OverflowError, ValueError, OSError):
        raise _bad(original, "out of range") from None
    if utc < EARLIEST:
        raise _bad(original, "before 1900")
    return when


def parse_occurred(text: str | None, now: datetime | None = None) -> datetime:
    """When something happened: default now; a bare day means noon that day (or now, today).

    A moment in the future is refused.
    """
    now = now or local_now()
    if text is None:
        return now
    when = parse_when(text, now)
    at = when.at
    if when.date_only:
        noon = _on_day(when, now, 12, 0, 0, text)
        at = min(noon, now) if at.date() == now.date() else noon
    if at > now + timedelta(seconds=1):
        raise InputError(
            f"{text!r} is in the future ({fmt_local(at)}); log what has happened: "
            "only --by (a promise's due date) and --follow-up may be"
        )
    return at


_AHEAD = re.compile(
    r"^(?:in\s+)?(?P<n>\d+|a|an|one)\s*(?P<unit>d|days?|w|weeks?|mo|months?|y|years?)$"
)


def parse_day(text: str, now: datetime | None = None, ahead: bool = False) -> date:
    """A day as people type it, past or future: 2027-04-12, tomorrow, friday, next friday,
    in 3 days, 2 weeks, next week|month. `ahead`: a weekday alone is the next one
    (today if it is today), for a due date; else the last one, as for --on."""
    now = now or local_now()
    text_l = " ".join(text.strip().lower().split())
    today = now.date()
    if ahead:  # a due date is a day: "friday 15:00" is due on friday
        text_l = _TIME_AFTER.sub("", text_l) or text_l
    if text_l in ("next week", "next month", "next year"):
        text_l = "1 " + text_l.split()[1]
    if text_l.startswith("next ") and text_l[5:] in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[text_l[5:]] - today.weekday() - 1) % 7 + 1)
    if ahead and text_l in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[text_l] - today.weekday()) % 7)
    m = _AHEAD.match(text_l)
    if m:
        n = 1 if m["n"] in ("a", "an", "one") else int(m["n"])
        if n > 100_000:
            raise _bad(text, "too far ahead")
        unit = m["unit"]
        if unit.startswith("d"):
            return today + timedelta(days=n)
        if unit.startswith("w"):
            return today + timedelta(weeks=n)
        from dateutil.relativedelta import relativedelta

        try:
            step = relativedelta(months=n) if unit.startswith("m") else relativedelta(years=n)
            return today + step
        except (ValueError, OverflowError):
            raise _bad(text, "too far ahead") from None
    return parse_when(text, now).at.astimezone(now.tzinfo).date()


def end_of_day(day: date, now: datetime | None = None) -> datetime:
    """The last second of a local day (how a due date is stored: due by the end of it)."""
    now = now or local_now()
    return _localize(datetime.combine(day, time(23, 59, 59)), now)


_TIME_AFTER = re.compile(r"\s+(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:am|pm)?$")


def parse_due(text: str, now: datetime | None = None, what: str = "--by") -> datetime:
    """A due date (the end of that day): today or later; a past day is refused."""
    now = now or local_now()
    try:
        day = parse_day(text, now, ahead=True)
    except InputError:
        raise InputError(
            f"cannot read the day {text!r} for {what}; accepted: today, tomorrow, friday, "
            "next friday, in 3 days, next week, 2026-12-24"
        ) from None
    if day < now.date():
        raise InputError(
            f"{what} {text!r} is in the past ({day.isoformat()}); a due date is today or later"
        )
    return end_of_day(day, now)


def parse_as_of(text: str | None, now: datetime | None = None) -> datetime:
    """The moment a report is computed for: default now; a bare day means the end of that day."""
    now = now or local_now()
    if text is None:
        return now
    when = parse_when(text, now)
    if when.date_only:
        return _on_day(when, now, 23, 59, 59, text)
    return when.at


def _on_day(when: When, now: datetime, hour: int, minute: int, second: int, text: str) -> datetime:
    """A time of day on the day `when` names, in the zone in force on that day."""
    try:
        at = when.at.replace(hour=hour, minute=minute, second=second)
        if _is_local(when.at):
            at = _localize(at.replace(tzinfo=None), now)  # local: that day's offset
        at.astimezone(UTC)  # in range
    except (OverflowError, ValueError, OSError):
        raise _bad(text, "out of range") from None
    return at


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The start of a range: a bare day means the start of that day."""
    return parse_when(text, now or local_now()).at


def to_store(at: datetime) -> str:
    """The stored UTC form of an aware moment (seconds precision)."""
    return at.astimezone(UTC).strftime(STORE_FORMAT)


def from_store(text: str) -> datetime:
    """Read a stored time (fromisoformat is C code: ten times faster than strptime)."""
    return datetime.fromisoformat(text)


def fmt_local(at: datetime | None, with_time: bool = True) -> str:
    """A moment as people read it: local time, minutes precision."""
    if at is None:
        return "never"
    local = at.astimezone()
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def iso(at: datetime | None) -> str | None:
    """ISO 8601 in UTC for machine-readable output."""
    return None if at is None else to_store(at)


PERIOD_WORDS = {"week": 7, "month": 30, "quarter": 91, "year": 365}
_PERIOD = re.compile(r"^(?P<n>\d+)\s*(?P<unit>d|w)$")


def parse_period(text: str) -> int:
    """A reporting period in days: week, month, quarter, year, Nd or Nw."""
    t = text.strip().lower()
    if t in PERIOD_WORDS:
        return PERIOD_WORDS[t]
    m = _PERIOD.match(t)
    if m:
        days = int(m["n"]) * (7 if m["unit"] == "w" else 1)
        if 1 <= days <= 36_600:
            return days
    raise InputError(
        f"cannot read the period {text!r}; accepted: week, month, quarter, year, "
        "or a number of days or weeks such as 14d or 6w (1 day to 100 years)"
    )
