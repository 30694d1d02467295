"""Past meetings from an iCalendar file, matched to contacts (the `engage inbox`).

icalendar parses the file; recurring-ical-events expands recurrences the way
calendar apps show them (RRULE, RDATE, EXDATE, moved occurrences, time zones).
Pure: text and contacts in, meetings out; nothing here touches the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from engage_cli.vocab import name_key


class Person(NamedTuple):
    """What matching needs to know about a contact."""

    name: str
    emails: tuple[str, ...]


class Meeting(NamedTuple):
    start: datetime  # aware, local; all-day events at noon
    all_day: bool
    title: str
    contact: str
    why: str  # "attendee email", "attendee name" or "title"


def _aware(value: date | datetime) -> tuple[datetime, bool]:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the wall clock wherever you are
            return value.astimezone(), False
        return value.astimezone(), False
    return datetime.combine(value, time(12, 0)).astimezone(), True


def _attendees(event: Any) -> list[tuple[str, str]]:
    """(email, common name) of every attendee and the organiser."""
    found = []
    for key in ("ATTENDEE", "ORGANIZER"):
        values = event.get(key)
        if values is None:
            continue
        for v in values if isinstance(values, list) else [values]:
            email = str(v).strip()
            email = re.sub(r"(?i)^mailto:", "", email).strip().lower()
            cn = str(getattr(v, "params", {}).get("CN", "")).strip()
            found.append((email, cn))
    return found


def _title_mentions(title: str, name: str) -> bool:
    """A whole-word, any-case mention of a name of at least two words (or 5 letters)."""
    key = name_key(name)
    if " " not in key and len(key) < 5:
        return False  # "Jo" or "Ann" alone would match too much
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", name_key(title)) is not None


def read_meetings(
    text: str, people: Sequence[Person], since: datetime, until: datetime
) -> list[Meeting]:
    """Every occurrence between `since` and `until` matched to each contact it involves."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(text)
    # An event without a start cannot be placed on a day (and would stop the
    # expansion of the whole calendar): leave it out.
    calendar.subcomponents = [
        c for c in calendar.subcomponents if not (c.name == "VEVENT" and c.get("DTSTART") is None)
    ]
    by_email: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for p in people:
        by_key[name_key(p.name)] = p.name
        for e in p.emails:
            by_email.setdefault(e.lower(), p.name)
    out: list[Meeting] = []
    for event in recurring_ical_events.of(calendar).between(since, until):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if event.get("DTSTART") is None:
            continue  # an event with no start cannot be placed on a day
        start, all_day = _aware(event.decoded("DTSTART"))
        if not since <= start <= until:
            continue
        title = " ".join(str(event.get("SUMMARY", "")).split()) or "(no title)"
        matched: dict[str, str] = {}
        for email, cn in _attendees(event):
            if email in by_email:
                matched.setdefault(by_email[email], "attendee email")
            elif cn and name_key(cn) in by_key:
                matched.setdefault(by_key[name_key(cn)], "attendee name")
        for p in people:
            if p.name not in matched and _title_mentions(title, p.name):
                matched[p.name] = "title"
        out += [Meeting(start, all_day, title, name, why) for name, why in matched.items()]
    out.sort(key=lambda m: (m.start, name_key(m.contact)))
    return out


def day_bounds(at: datetime) -> tuple[datetime, datetime]:
    """The local day around `at`, as [start, end)."""
    start = datetime.combine(at.date(), time(0, 0)).astimezone()
    end = datetime.combine(at.date() + timedelta(days=1), time(0, 0)).astimezone()
    return start, end
