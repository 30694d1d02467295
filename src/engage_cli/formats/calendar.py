"""Past meetings from an iCalendar file, matched to contacts (the `engage inbox`).

icalendar parses the file; recurring-ical-events expands recurrences the way
calendar apps show them (RRULE, RDATE, EXDATE, moved occurrences, time zones).
Pure: text and contacts in, meetings out; nothing here touches the ledger.
"""

from __future__ import annotations

import contextlib
import heapq
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from engage_cli.domain import name_key


class Person(NamedTuple):
    """What matching needs to know about a contact."""

    name: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other names that find them (aliases, folded duplicates)


class Meeting(NamedTuple):
    start: datetime  # aware, local; all-day events at noon
    all_day: bool
    title: str
    contact: str
    why: str  # "attendee email", "attendee name" or "title"


def _aware(value: date | datetime) -> tuple[datetime, bool]:
    if isinstance(value, datetime):
        # Floating (naive) times are the wall clock wherever you are: astimezone
        # reads them as local time; aware ones are converted to it.
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


def _mention(name: str) -> str | None:
    """The name_key whose whole-word mention in a title's name_key names this contact, if
    it is distinctive: at least two words (or 5 letters), as "Jo" or "Ann" alone would
    match too much."""
    key = name_key(name)
    if " " not in key and len(key) < 5:
        return None
    return key


_WORD = re.compile(r"\w+")


def _by_first_word(mentions: Sequence[tuple[str, str]]) -> dict[str, list[int]]:
    """The mentions (by index) under the first word of each: a whole-word mention of
    "ann lee" has "ann" among the title's words, so only those are looked for in it
    (a mention that does not begin with a letter or digit, under "", always is)."""
    out: dict[str, list[int]] = {}
    for i, (_, key) in enumerate(mentions):
        first = _WORD.match(key)
        out.setdefault(first.group() if first else "", []).append(i)
    return out


def _mentioned(key: str, title_key: str, found: dict[str, re.Pattern[str]]) -> bool:
    """Whether `key` is in `title_key` as whole words: looked for as plain text first, in
    C, and only on a hit through a pattern (compiled once, kept in `found`)."""
    if key not in title_key:
        return False
    if key not in found:
        found[key] = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)")
    return found[key].search(title_key) is not None


# Bounds on the work a calendar can ask for: a rule such as FREQ=SECONDLY makes
# millions of occurrences from a few bytes. Past these, occurrences are left
# out and the caller is told.
MAX_EVENTS = 100_000  # VEVENTs in one file
MAX_PER_EVENT = 1_000  # occurrences of one event (one UID) in the window
MAX_OCCURRENCES = 10_000  # occurrences of all events in the window
MAX_SECONDS = 10  # of expanding recurrences, in all
EARLIEST_YEAR = 1900  # a series that starts before this is not expanded


_EVENT = re.compile(r"^BEGIN:VEVENT", re.I | re.M)


class Meetings(NamedTuple):
    meetings: list[Meeting]
    notices: list[str]  # what was left out, and why


class _OutOfTime(Exception):
    pass


@contextlib.contextmanager
def _budget(seconds: float) -> Iterator[None]:
    """Raise _OutOfTime inside the block after `seconds` of wall time (POSIX, main thread)."""
    import signal
    import threading

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _expandable(component: Any, notices: list[str]) -> bool:
    """Whether an event can be expanded in bounded work; the others are left out, said."""
    if component.name != "VEVENT":
        return True
    if component.get("DTSTART") is None:
        return False  # cannot be placed on a day, and would stop the whole expansion
    title = _title(str(component.get("SUMMARY", "")))[:60]
    start = component.decoded("DTSTART")
    rule = component.get("RRULE")
    if rule is None:
        return True
    if start.year < EARLIEST_YEAR:
        notices.append(f"left out {title!r}: it repeats from before {EARLIEST_YEAR}")
        return False
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    fine = rule.get("BYSECOND") is not None or len(rule.get("BYMINUTE") or []) > 4
    if freq in ("SECONDLY", "MINUTELY") or fine:
        notices.append(f"left out {title!r}: it repeats more often than every hour")
        return False
    return True


MAX_TITLE = 200


def _title(summary: str) -> str:
    """A meeting's title as one line of text: control characters dropped, whitespace
    collapsed, at most MAX_TITLE characters (an invite's title is anyone's text)."""
    text = "".join(ch for ch in summary if ch.isprintable() or ch.isspace())
    text = " ".join(text.split())
    if len(text) > MAX_TITLE:
        text = text[: MAX_TITLE - 1].rstrip() + "…"
    return text or "(no title)"


def read_meetings(
    text: str, people: Sequence[Person], since: datetime, until: datetime
) -> Meetings:
    """Every occurrence between `since` and `until` matched to each contact it involves.

    Occurrences are expanded lazily in time order and bounded (MAX_EVENTS,
    MAX_PER_EVENT, MAX_OCCURRENCES, MAX_SECONDS, sub-hourly and pre-1900 series
    left out); what the bounds left out is said in `notices`.
    """
    import icalendar

    events = sum(1 for _ in _EVENT.finditer(text))  # counted without an upper-case copy
    if events > MAX_EVENTS:
        raise ValueError(f"it holds {events:,} events; at most {MAX_EVENTS:,} are read")
    calendar = icalendar.Calendar.from_ical(text)
    notices: list[str] = []
    calendar.subcomponents = [c for c in calendar.subcomponents if _expandable(c, notices)]
    by_email: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for p in people:
        by_key[name_key(p.name)] = p.name
        for e in p.emails:
            by_email.setdefault(e.lower(), p.name)
    for p in people:
        for alias in p.aliases:
            by_key.setdefault(name_key(alias), p.name)
    # Read once, not once per event: a calendar has many events, a ledger many contacts.
    patterns: dict[str, re.Pattern[str]] = {}
    mentions = [
        (p.name, m)
        for p in people
        for said in (p.name, *p.aliases)
        if (m := _mention(said)) is not None
    ]
    by_word = _by_first_word(mentions)
    out: list[Meeting] = []
    for event, start, all_day in _occurrences(calendar, since, until, notices):
        title = _title(str(event.get("SUMMARY", "")))
        matched: dict[str, str] = {}
        for email, cn in _attendees(event):
            if email in by_email:
                matched.setdefault(by_email[email], "attendee email")
            elif cn and name_key(cn) in by_key:
                matched.setdefault(by_key[name_key(cn)], "attendee name")
        title_key = name_key(title)
        words = set(_WORD.findall(title_key))
        maybe = sorted({i for w in words | {""} for i in by_word.get(w, ())})
        for name, mention in (mentions[i] for i in maybe):
            if name not in matched and _mentioned(mention, title_key, patterns):
                matched[name] = "title"
        out += [Meeting(start, all_day, title, name, why) for name, why in matched.items()]
    out.sort(key=lambda m: (m.start, name_key(m.contact)))
    return Meetings(out, notices)


def _start(event: Any) -> datetime:
    return _aware(event.decoded("DTSTART"))[0]


def _singles(calendar: Any) -> list[tuple[datetime, Any]]:
    """The events that happen once (no RRULE or RDATE, not an occurrence moved, their
    UID their own), taken out of `calendar` and sorted by start: placed by DTSTART
    alone, as the expansion would place them, instead of being looked at again in
    each of its windows."""
    uids = Counter(str(c.get("UID", "")) for c in calendar.subcomponents)
    singles, rest = [], []
    for c in calendar.subcomponents:
        once = c.name == "VEVENT" and all(c.get(k) is None for k in _REPEATS)
        if once and uids[str(c.get("UID", ""))] == 1 and _placed(c):
            singles.append((_start(c), c))
        else:  # (a start that cannot be read stays with the expansion, which says so)
            rest.append(c)
    calendar.subcomponents = rest
    singles.sort(key=lambda s: s[0])
    return singles


_REPEATS = ("RRULE", "RDATE", "RECURRENCE-ID")


def _placed(event: Any) -> bool:
    """Whether the event's start reads as a day or a moment."""
    try:
        return isinstance(event.decoded("DTSTART"), date)
    except (ValueError, TypeError, KeyError):
        return False


def _after(singles: list[tuple[datetime, Any]], since: datetime) -> Iterator[Any]:
    """The single events that start at or after `since`, in time order."""
    return (event for at, event in singles[bisect_left(singles, since, key=lambda s: s[0]) :])


def _occurrences(
    calendar: Any, since: datetime, until: datetime, notices: list[str]
) -> Iterator[tuple[Any, datetime, bool]]:
    """(event, start, all day) of each occurrence in [since, until] that is not cancelled,
    within the bounds; what they cut is added to `notices`."""
    import recurring_ical_events

    singles = _singles(calendar)
    per_event: dict[str, int] = {}
    found: list[tuple[Any, datetime, bool]] = []
    done: set[tuple[str, datetime]] = set()  # occurrences seen, across restarts
    # All-day events start at noon here but at midnight in the expansion's order.
    stop = until + timedelta(days=2)
    resume: datetime | None = since
    seen = 0
    try:
        with _budget(MAX_SECONDS):
            while resume is not None:
                start_over, resume = resume, None
                expanded = recurring_ical_events.of(calendar).after(start_over)
                for event in heapq.merge(expanded, _after(singles, start_over), key=_start):
                    start, all_day = _aware(event.decoded("DTSTART"))
                    uid = str(event.get("UID", "")) or f"#{id(event)}"
                    if start > stop:
                        break
                    if (uid, start) in done:  # seen before a restart
                        continue
                    done.add((uid, start))
                    seen += 1
                    if seen > MAX_OCCURRENCES:
                        notices.append(
                            f"stopped after {MAX_OCCURRENCES:,} occurrences; give a shorter "
                            "--since to see the rest"
                        )
                        break
                    per_event[uid] = per_event.get(uid, 0) + 1
                    if per_event[uid] > MAX_PER_EVENT:
                        # Expand the rest of the calendar without this series, from here.
                        calendar.subcomponents = [
                            c for c in calendar.subcomponents if str(c.get("UID", "")) != uid
                        ]
                        resume = start
                        break
                    cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
                    if is_ours(event):  # engage's own agenda: not a meeting to log
                        continue
                    if not cancelled and since <= start <= until:
                        found.append((event, start, all_day))
    except _OutOfTime:
        notices.append(f"stopped after {MAX_SECONDS} s of expanding recurrences")
    for uid, n in per_event.items():
        if n > MAX_PER_EVENT:
            notices.append(
                f"an event that repeats over {MAX_PER_EVENT:,} times in the window "
                f"(UID {uid[:40]}): only its first {MAX_PER_EVENT:,} occurrences are listed"
            )
    yield from found


# --- the agenda as a calendar -----------------------------------------------------------

PRODID = "-//engage//agenda//EN"
MARK = "X-ENGAGE-ITEM"  # on every event engage writes: the inbox never offers them as meetings


class Event(NamedTuple):
    """One all-day event of the agenda's calendar."""

    uid: str
    day: date
    summary: str
    description: str
    kind: str


def agenda_calendar(events: Sequence[Event], stamp: datetime, alarm_hour: int = 9) -> str:
    """The events as an iCalendar text (RFC 5545): all-day events with stable UIDs, each
    with a reminder at `alarm_hour` on its day, marked as engage's own. Written here
    (a handful of properties, escaped and folded as RFC 5545 says) rather than through
    icalendar, which takes a second for ten thousand events."""
    from datetime import UTC

    at = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    trigger = f"PT{alarm_hour}H" if alarm_hour else "P0D"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}",
             "X-WR-CALNAME:engage agenda"]  # fmt: skip
    for e in events:
        summary = _text(e.summary)
        lines += ["BEGIN:VEVENT", f"SUMMARY:{summary}", f"DTSTART;VALUE=DATE:{e.day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{e.day + timedelta(days=1):%Y%m%d}", f"DTSTAMP:{at}",
                  f"UID:{_text(e.uid)}"]  # fmt: skip
        if e.description:
            lines.append(f"DESCRIPTION:{_text(e.description)}")
        lines += ["TRANSP:TRANSPARENT", f"{MARK}:{_text(e.kind)}", "BEGIN:VALARM",
                  "ACTION:DISPLAY", f"DESCRIPTION:{summary}", f"TRIGGER:{trigger}",
                  "END:VALARM", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, line breaks."""
    return (
        value.replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,")
        .replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n")
    )  # fmt: skip


def _fold(line: str, limit: int = 75) -> str:
    """A content line folded under `limit` octets a line (RFC 5545 3.1), never right
    after a backslash, so that an escape stays whole."""
    if len(line) < limit and line.isascii():
        return line
    parts: list[str] = []
    now: list[str] = []
    size = 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if now and size + n >= limit:
            carry = [now.pop()] if len(now) > 1 and now[-1] in "\\^" else []
            parts.append("".join(now))
            now, size = carry, sum(len(c.encode("utf-8")) for c in carry)
        now.append(ch)
        size += n
    parts.append("".join(now))
    return "\r\n ".join(parts)


def is_ours(event: Any) -> bool:
    """Whether an event is one engage wrote (an agenda exported to a calendar)."""
    return event.get(MARK) is not None or str(event.get("UID", "")).endswith("@engage")


def is_agenda_text(head: str) -> bool:
    """Whether the start of a file is an agenda calendar engage wrote."""
    return head.lstrip("\ufeff").startswith("BEGIN:VCALENDAR") and f"PRODID:{PRODID}" in head
