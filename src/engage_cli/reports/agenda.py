"""Follow-through: the promises list and the agenda (what is due soon, each with one action)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from engage_cli.dates import end_of_day, iso
from engage_cli.domain import Promise
from engage_cli.ids import short
from engage_cli.policy import Policy
from engage_cli.store import promises as store
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact

DAY = 86_400.0


class PromiseLine(NamedTuple):
    promise: Promise
    overdue_days: float | None  # days past its due moment, when it is open and past it
    weight: float  # what it weighs on the charge now (0 or negative)

    def to_json(self) -> dict[str, Any]:
        p = self.promise
        return {
            "id": p.id,
            "short_id": short(p.id),
            "contact": p.contact,
            "what": p.what,
            "due_at": iso(p.due_at),
            "made_at": iso(p.made_at),
            "state": p.state,
            "settled_at": iso(p.settled_at),
            "overdue_days": self.overdue_days,
            "weight": self.weight,
        }


class PromiseList(NamedTuple):
    as_of: datetime
    lines: list[PromiseLine]
    overdue_only: bool = False
    total: int = 0  # how many there are without the limit

    def to_json(self) -> dict[str, Any]:
        return {"as_of": iso(self.as_of), "promises": [line.to_json() for line in self.lines]}


def promise_list(
    ledger: Ledger,
    policy: Policy,
    name: str | None,
    overdue_only: bool,
    as_of: datetime,
    limit: int = 0,
) -> PromiseList:
    """Promises made by `as_of` (as they stood then), soonest due first; at most
    `limit` (0: all): the open ones first (the most overdue first), then the latest
    due of the kept and dropped."""
    contact = get_contact(ledger, name) if name is not None else None
    t = as_of.timestamp()
    rule = policy.promise_rule
    lines = []
    circles = store.circles(ledger)
    for p in store.list_promises(ledger, as_of, contact, overdue_only=overdue_only):
        late = None
        if p.state == "open" and p.due_at is not None and p.due_at < as_of:
            late = (t - p.due_at.timestamp()) / DAY
        if overdue_only and late is None:
            continue
        hl = policy.half_life(circles.get(p.contact_id, "active"))
        lines.append(PromiseLine(p, late, p.weight(t, hl, rule)))
    if limit and len(lines) > limit:
        order = sorted(range(len(lines)), key=lambda i: (lines[i].promise.state != "open",
                       i if lines[i].promise.state == "open" else -i))  # fmt: skip
        kept = set(order[:limit])
        return PromiseList(as_of, [x for i, x in enumerate(lines) if i in kept], overdue_only,
                           len(lines))  # fmt: skip
    return PromiseList(as_of, lines, overdue_only, len(lines))


# --- the agenda -----------------------------------------------------------------------


class Item(NamedTuple):
    """One thing on the agenda: on which day, what kind, for whom, and what to do."""

    day: date
    kind: str  # promise, follow-up, birthday, remember, anniversary, due
    contact: str
    what: str  # people's text: a promise, an ask's note, a remembered day
    ref: str  # the id it comes from (a promise, an ask, a remembered day, a contact's uid)
    action: str
    overdue: bool = False

    @property
    def uid(self) -> str:
        """A stable calendar UID: the same item gets the same one on every export."""
        key = self.ref
        if self.kind in ("birthday", "remember", "anniversary"):
            key = f"{self.ref}-{self.day.year}"
        return f"{self.kind}-{key}@engage"

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "kind": self.kind,
            "contact": self.contact,
            "what": self.what,
            "id": self.ref,
            "action": self.action,
            "overdue": self.overdue,
        }


class Agenda(NamedTuple):
    as_of: datetime
    days: int
    items: list[Item]  # the window's, and the first of those overdue (MAX_OVERDUE)
    already_due: int = 0  # contacts overdue before the window (who-neglected lists them)
    overdue_more: int = 0  # overdue promises and follow-ups past those in `items`
    more: int = 0  # the window's items past those in `items` (a review's agenda is short)

    @property
    def end(self) -> date:
        return self.as_of.date() + timedelta(days=self.days)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "days": self.days,
            "start": self.as_of.date().isoformat(),
            "end": self.end.isoformat(),
            "items": [i.to_json() for i in self.items],
            "overdue_more": self.overdue_more,
            "more": self.more,
            "contacts_already_due": self.already_due,
        }


_ORDER = {"promise": 0, "follow-up": 1, "birthday": 2, "anniversary": 3, "remember": 4, "due": 5}
# Overdue promises and follow-ups on the agenda, the oldest first (`engage promises
# --overdue` and `engage asks --open` list every one); the rest are counted.
MAX_OVERDUE = 10


def _key(i: Item) -> tuple[date, int, str, str]:
    return (i.day, _ORDER[i.kind], i.contact.casefold(), i.ref)


def agenda(
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    days: int,
    ranked: Sequence[Any],
    limit: int = 0,
) -> Agenda:
    """What is due from `as_of` to the end of `days` days on: promises (and the oldest
    MAX_OVERDUE of those and the follow-ups overdue, counting the rest), follow-ups of
    open asks, birthdays and remembered days, and contacts whose cadence comes due
    (from `ranked`, the neglect ranking of every contact, reports.weekly.NeglectLine);
    ordered by day, each with one suggested action; `limit`: at most that many of the
    window's, the earliest (0: all), the rest counted."""
    today = as_of.date()
    last = today + timedelta(days=days)
    start = datetime.combine(today, time(), as_of.tzinfo)  # before it: overdue
    items = _dated(ledger, as_of, end_of_day(last, as_of), start)
    late, more = _overdue(ledger, as_of, start, MAX_OVERDUE)
    live = store.live_people(ledger, as_of)
    items += _birthdays(live, today, last)
    items += _remembered(ledger, {p[0] for p in live}, today, last)
    due, already = _becoming_due(ranked, as_of, days, {p[1]: p[2] for p in live})
    items += due
    items.sort(key=_key)
    shown = items[:limit] if limit else items
    return Agenda(as_of, days, late + shown, already, more, len(items) - len(shown))


def _dated(
    ledger: Ledger, as_of: datetime, until: datetime, since: datetime | None, limit: int = 0
) -> list[Item]:
    """Promises and follow-ups due by `until` (from `since`): the first `limit` of each."""
    today = as_of.date()
    items = []
    for p in store.open_due(ledger, as_of, until, since, limit):
        assert p.due_at is not None
        day = p.due_at.astimezone(as_of.tzinfo).date()
        late = day < today
        act = f"do it, then `engage kept {short(p.id)}`"
        if late:
            act = f"overdue: do it now (`engage kept {short(p.id)}`) or say so and drop it"
        items.append(Item(day, "promise", p.contact, p.what, p.id, act, late))
    for ask, at in store.follow_ups(ledger, as_of, until, since, limit):
        day = at.astimezone(as_of.tzinfo).date()
        act = f"check back with {ask.contact} on the ask; `engage done {short(ask.id)}` once it is"
        items.append(Item(day, "follow-up", ask.contact, ask.note, ask.id, act, day < today))
    return items


def _overdue(
    ledger: Ledger, as_of: datetime, start: datetime, limit: int
) -> tuple[list[Item], int]:
    """The first `limit` promises and follow-ups due before `start` (in the agenda's
    order), and how many more there are. Only what is shown is read: the first `limit`
    of each kind say by which day the first `limit` of all fall, then that day's whole."""
    before = start - timedelta(seconds=1)  # stored times are whole seconds
    total = store.count_open_due(ledger, as_of, before) + store.count_follow_ups(
        ledger, as_of, before
    )
    if not total:
        return [], 0
    found = sorted(_dated(ledger, as_of, before, None, limit), key=_key)
    if total > len(found):
        day = found[limit - 1].day
        by = datetime.combine(day + timedelta(days=1), time(), as_of.tzinfo)
        found = sorted(_dated(ledger, as_of, min(by, start) - timedelta(seconds=1), None), key=_key)
    return found[:limit], total - min(limit, total)


def on_year(month: int, day: int, year: int) -> date:
    """A yearly day in `year`; Feb 29 falls on Feb 28 when the year has none."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def _yearly(value: str, first: date, last: date) -> list[tuple[date, int | None]]:
    """The days in [first, last] a stored day (1985-04-12 or --04-12) comes back on, with
    the year it started (None when not known)."""
    import re

    m = re.fullmatch(r"(?:(\d{4})|-)-(\d{2})-(\d{2})", value)
    if not m:
        return []
    year = int(m[1]) if m[1] else None
    month, mday = int(m[2]), int(m[3])
    out = []
    for y in range(first.year, last.year + 1):
        try:
            when = on_year(month, mday, y)
        except ValueError:
            return []
        if first <= when <= last and (year is None or y >= year):
            out.append((when, year))
    return out


def _birthdays(live: list[tuple[int, str, str, str | None]], first: date, last: date) -> list[Item]:
    items = []
    for _, name, uid, birthday in live:
        if not birthday:
            continue
        for when, born in _yearly(birthday, first, last):
            turns = f" ({when.year - born})" if born else ""
            act = f"wish {name} a happy birthday{turns}: a call or a note, with no ask"
            items.append(Item(when, "birthday", name, "", uid, act))
    return items


def _remembered(ledger: Ledger, ids: set[int], first: date, last: date) -> list[Item]:
    items = []
    for d in store.remembered(ledger):
        if d.contact_id not in ids:
            continue
        if d.kind == "anniversary":
            for when, _ in _yearly(d.day, first, last):
                act = f"mark the day with {d.contact}: a note, a call"
                items.append(Item(when, "anniversary", d.contact, d.what, d.id, act))
            continue
        when = date.fromisoformat(d.day)
        if first <= when <= last:
            act = f"ask {d.contact} about it, or wish them well"
            items.append(Item(when, "remember", d.contact, d.what, d.id, act))
    return items


def _becoming_due(
    ranked: Sequence[Any], as_of: datetime, days: int, uids: dict[str, str]
) -> tuple[list[Item], int]:
    """Contacts whose cadence comes due in the window (from the neglect ranking's
    figures), and how many were due already; `uids`: live contacts' by name."""
    items, already = [], 0
    for line in ranked:
        r = line.row
        left = r.cadence_days - r.days_since
        if left < 0:
            already += 1
            continue
        if left > days or r.name not in uids:
            continue
        when = (as_of + timedelta(days=left)).date()
        items.append(Item(when, "due", r.name, "", uids[r.name], line.suggestion))
    return items, already


_TITLES = {
    "promise": "Promise to {name}",
    "follow-up": "Follow up with {name}",
    "birthday": "{name}'s birthday",
    "remember": "Remember: {name}",
    "anniversary": "Anniversary: {name}",
    "due": "Reach out to {name}",
}


def calendar_events(a: Agenda, with_notes: bool) -> list[Any]:
    """The agenda's items as calendar events; people's notes (what was promised, an
    ask's note, a remembered day's text) only `with_notes`."""
    from engage_cli.formats.calendar import Event

    events = []
    for i in a.items:
        title = _TITLES[i.kind].format(name=i.contact)
        if with_notes and i.what:
            title += f": {i.what}"
        events.append(Event(i.uid, max(i.day, a.as_of.date()), title, i.action, i.kind))
    return events
