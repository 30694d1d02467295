"""The weekly review: the balance of a period, who is going cold, the trend, all of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from engage_cli import questions, scoring
from engage_cli.dates import iso
from engage_cli.domain import Contact, Facts, Sums
from engage_cli.policy import Policy
from engage_cli.reports.agenda import Agenda, agenda
from engage_cli.reports.lines import (
    AskLine,
    ContactLine,
    Totals,
    ask_lines,
    days_since,
    known,
    line_of,
    status_of,
    sum_all,
    thank_first,
    total_of,
)
from engage_cli.store import queries, state
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact, list_contacts, other_modes


class Group(NamedTuple):
    """A rollup of contacts by circle, tag or kind over the period."""

    name: str
    contacts: int
    charge: float
    totals: Totals

    def to_json(self) -> dict[str, Any]:
        t = self.totals
        return {
            "name": self.name,
            "contacts": self.contacts,
            "charge": self.charge,
            "deposits": t.deposits,
            "withdrawals": t.withdrawals,
            "received": t.received,
            "ratio": t.ratio,
            "verdict": t.verdict,
        }


class Connector(NamedTuple):
    name: str
    entries: int
    points: float
    introduced: int = 0  # of those entries, how many came after you introduced the two

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "entries": self.entries,
            "points": self.points,
            "introduced": self.introduced,
        }


class Balance(NamedTuple):
    as_of: datetime
    period_days: int
    current: Totals
    previous: Totals
    contacts: list[ContactLine]
    status_counts: dict[str, int]
    hidden: int
    connectors: list[Connector]
    thank_first: list[str]
    by: str | None = None
    groups: tuple[Group, ...] = ()
    rolling: Totals | None = None  # the last `rolling_days`, for a verdict that holds
    left_out: Sums = Sums()  # the period's points of personal and transactional contacts
    more: int = 0  # contacts in the period past the limit, not listed

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": iso(self.as_of),
            "period": {
                "start": iso(self.current.start),
                "end": iso(self.current.end),
                "days": self.period_days,
            },
            "deposits": self.current.deposits,
            "withdrawals": self.current.withdrawals,
            "received": self.current.received,
            "ratio": self.current.ratio,
            "verdict": self.current.verdict,
            "previous": self.previous.to_json(),
            "rolling": self.rolling.to_json() if self.rolling else None,
            "left_out": {
                "modes": ["personal", "transactional"],
                "deposits": self.left_out.deposits,
                "withdrawals": self.left_out.withdrawals,
                "received": self.left_out.received,
            },
            "status_counts": self.status_counts,
            "contacts": [c.to_json() for c in self.contacts],
            "contacts_more": self.more,
            "connectors": [c.to_json() for c in self.connectors],
            "thank_first": self.thank_first,
        }
        if self.by:
            out["by"] = self.by
            out["groups"] = [g.to_json() for g in self.groups]
        return out


_STATUS_ORDER = {scoring.OVERDRAWN: 0, scoring.COLD: 1, scoring.UNTAPPED: 2, scoring.HEALTHY: 3}
GROUPINGS = ("circle", "tag", "kind", "sector", "org")
BALANCE_LIMIT = 50  # contacts a balance lists unless told otherwise, the most active first


def _group_keys(line: ContactLine, contact: Contact, by: str, orgs: dict[int, str]) -> list[str]:
    """The groups a contact counts in: its tags; its circle, kind or sector; its
    organisation (an organisation counts in its own group, with its people)."""
    if by == "tag":
        return line.tags or ["(no tag)"]
    if by == "sector":
        return [contact.sector or "(no sector)"]
    if by == "org":
        if contact.org_id is not None and contact.org_id in orgs:
            return [orgs[contact.org_id]]
        return [contact.name] if contact.kind == "org" else ["(no organisation)"]
    return [line.circle if by == "circle" else line.kind]


def _groups(
    lines: list[tuple[ContactLine, Sums, Contact]],
    by: str,
    start: datetime,
    end: datetime,
    policy: Policy,
) -> list[Group]:
    orgs = {c.id: c.name for _, _, c in lines if c.kind == "org"}
    members: dict[str, list[tuple[ContactLine, Sums]]] = {}
    for line, sums, contact in lines:
        for key in _group_keys(line, contact, by, orgs):
            members.setdefault(key, []).append((line, sums))
    out = []
    for name, items in members.items():
        total = Sums()
        for line, s in items:
            if line.mode == scoring.ENGAGEMENT:  # verdicts count engagement contacts only
                total = total.plus(s)
        charge = sum(line.charge for line, _ in items)
        out.append(Group(name, len(items), charge, total_of(total, start, end, policy)))
    out.sort(key=lambda g: (-(g.totals.deposits + g.totals.withdrawals), g.name))
    return out


def balance(
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    period_days: int,
    show_all: bool = False,
    by: str | None = None,
    facts: Sequence[Facts] | None = None,
    limit: int = BALANCE_LIMIT,
) -> Balance:
    """The weekly review: totals for the period and the one before, and the contacts in it.

    `facts`: every contact's facts as of `as_of`, when the caller has them already.
    `limit`: at most this many contacts listed, the most active first (0: all); the
    totals, counts and groups are of every one.
    """
    start = as_of - timedelta(days=period_days)
    before = start - timedelta(days=period_days)
    sums = queries.period_sums(ledger, start, as_of)
    rolling_start = as_of - timedelta(days=policy.rolling_days)
    others = other_modes(ledger)  # verdicts count engagement contacts only

    def engaged(by_contact: dict[int, Sums]) -> Sums:
        return sum_all({c: s for c, s in by_contact.items() if c not in others})

    if facts is None:
        facts = state.facts(ledger, as_of, policy.half_life, promises=policy.promise_rule)
    pairs = []
    for f in facts:
        if known(f, as_of):
            period = sums.get(f.contact.id, Sums())
            pairs.append((line_of(f, as_of, policy, period, thank_first(f)), period, f.contact))
    lines = [line for line, _, _ in pairs]
    counts = {s: 0 for s in _STATUS_ORDER}
    for line in lines:
        counts[line.status] += 1
    shown = [
        line
        for line in lines
        if show_all
        or line.deposits
        or line.withdrawals
        or line.received
        or line.status == scoring.OVERDRAWN
    ]
    shown.sort(key=lambda c: (-(c.deposits + c.withdrawals), c.charge, c.name.casefold()))
    more = max(0, len(shown) - limit) if limit else 0
    return Balance(
        as_of=as_of,
        period_days=period_days,
        current=total_of(engaged(sums), start, as_of, policy),
        previous=total_of(queries.period_total(ledger, before, start), before, start, policy),
        contacts=shown[:limit] if limit else shown,
        status_counts=counts,
        hidden=len(lines) - len(shown),
        connectors=[Connector(*row) for row in queries.via_sums(ledger, start, as_of)[:5]],
        thank_first=sorted((line.name for line in lines if line.thank_first), key=str.casefold),
        by=by,
        groups=tuple(_groups(pairs, by, start, as_of, policy)) if by else (),
        rolling=total_of(
            queries.period_total(ledger, rolling_start, as_of), rolling_start, as_of, policy
        ),
        left_out=sum_all({c: s for c, s in sums.items() if c in others}),
        more=more,
    )


class NeglectLine(NamedTuple):
    row: scoring.Neglect
    suggestion: str

    def to_json(self) -> dict[str, Any]:
        r = self.row
        return {
            "name": r.name,
            "kind": r.kind,
            "circle": r.circle,
            "days_since": round(r.days_since, 3),
            "cadence_days": r.cadence_days,
            "overdue_days": round(r.days_since - r.cadence_days, 3),
            "contacted": r.contacted,
            "charge": r.charge,
            "thank_first": r.thank_first,
            "overdrawn": r.overdrawn,
            "suggestion": self.suggestion,
        }


class Neglected(NamedTuple):
    as_of: datetime
    lines: list[NeglectLine]
    total: int  # how many the list holds before the limit (who is due, or everyone)
    prompts: tuple[tuple[str, str], ...] = ()  # (question, why it was chosen)
    next_due: tuple[str, float] | None = None  # nobody due: who is next, in how many days
    everyone: bool = False  # the list is everyone ranked, not only who is due
    horizon_days: float = 0.0  # due: overdue, or due within this many days
    narrowed: bool = False  # only a circle or a sector was looked at

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "contacts": [line.to_json() for line in self.lines],
            "due_within_days": self.horizon_days,
            "everyone": self.everyone,
            "next_due": (
                {"name": self.next_due[0], "in_days": round(self.next_due[1], 3)}
                if self.next_due
                else None
            ),
            "prompts": [{"question": q, "why": why} for q, why in self.prompts],
        }


def neglected(
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    circle: str | None,
    limit: int,
    facts: Sequence[Facts] | None = None,
    everyone: bool = False,
    sector: str | None = None,
) -> Neglected:
    """Who is due: overdue against their circle's cadence or due within
    `policy.due_within_days`, or owed something now (`everyone`: every contact).

    Those who gave you something unasked and got little back come first:
    they are the first people to thank; then the overdrawn, most overdrawn
    first: give before asking again; then the most overdue. Transactional
    contacts are never due.
    `facts`: every contact's facts as of `as_of`, when the caller has them already.
    """
    return neglect_views(ledger, policy, as_of, [(limit, everyone)], facts, circle, sector)[0]


def neglect_views(
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    views: Sequence[tuple[int, bool]],
    facts: Sequence[Facts] | None = None,
    circle: str | None = None,
    sector: str | None = None,
) -> list[Neglected]:
    """`neglected` for each (limit, everyone) of `views`, from one ranking (the review
    shows three to call and its agenda ranks everyone)."""
    narrowed = circle is not None or sector is not None
    if facts is None:
        among = (
            list_contacts(ledger, circle=circle, as_of=as_of, sector=sector) if narrowed else None
        )
        facts = state.facts(ledger, as_of, policy.half_life, among, promises=policy.promise_rule)
    else:
        facts = [
            f
            for f in facts
            if circle in (None, f.contact.circle) and sector in (None, f.contact.sector)
        ]
    rows = [
        scoring.Neglect(
            name=f.contact.name,
            kind=f.contact.kind,
            circle=f.contact.circle,
            charge=f.charge,
            days_since=days_since(f, as_of),
            cadence_days=policy.cadence(f.contact.circle),
            contacted=f.last_contact is not None,
            thank_first=thank_first(f),
            overdrawn=status_of(f, as_of, policy) == scoring.OVERDRAWN,
            mode=f.contact.mode,
        )
        for f in facts
        if known(f, as_of) and f.contact.mode != scoring.TRANSACTIONAL
    ]
    horizon = policy.due_within_days

    def is_due(r: scoring.Neglect) -> bool:
        # Due: overdue or soon, or owed something now (a debt to repay, thanks to give).
        # (within half the cadence when that is shorter: the inner circle is due after
        # half a week, not as soon as it was seen)
        return (
            r.days_since + min(horizon, r.cadence_days / 2) >= r.cadence_days
            or r.overdrawn
            or r.thank_first
        )

    due = [r for r in rows if is_due(r)]
    # Ranked once: who is due keeps, among them, the order of everyone (both sorts
    # are stable and by the rows' own values).
    everyone_ranked = sorted(
        scoring.rank_neglected(rows),
        key=lambda r: (not r.thank_first, not r.overdrawn, r.charge if r.overdrawn else 0.0),
    )
    next_due = None  # nobody due: every contact is later, and the soonest is named
    if not due and rows:
        soonest = min(rows, key=lambda r: (r.cadence_days - r.days_since, r.name.casefold()))
        next_due = (soonest.name, soonest.cadence_days - soonest.days_since)
    signals = questions.Signals(
        due=len(due),
        never=sum(1 for r in rows if not r.contacted),
        overdrawn=sum(1 for r in rows if r.overdrawn),
        thank_first=sum(1 for r in rows if r.thank_first),
        open_asks=queries.count_open_asks(ledger, as_of),
    )
    prompts = tuple(questions.prompts(signals))
    out = []
    for limit, everyone in views:
        ranked = everyone_ranked if everyone else [r for r in everyone_ranked if is_due(r)]
        chosen = ranked[:limit] if limit > 0 else ranked
        out.append(
            Neglected(
                as_of,
                [NeglectLine(r, scoring.suggestion(r)) for r in chosen],
                len(ranked),
                prompts,
                next_due,
                everyone,
                horizon,
                narrowed,
            )
        )
    return out


class Week(NamedTuple):
    start: datetime
    end: datetime
    totals: Totals

    def to_json(self) -> dict[str, Any]:
        t = self.totals
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "deposits": t.deposits,
            "withdrawals": t.withdrawals,
            "received": t.received,
            "verdict": t.verdict,
        }


def trend(
    ledger: Ledger, policy: Policy, as_of: datetime, weeks: int, contact: Contact | None = None
) -> list[Week]:
    """The last `weeks` weeks ending at `as_of`, oldest first."""
    start = as_of - timedelta(days=7 * weeks)
    sums = queries.weekly_sums(ledger, start, weeks, contact)
    out = []
    for i, s in enumerate(sums):
        a, b = start + timedelta(days=7 * i), start + timedelta(days=7 * (i + 1))
        out.append(Week(a, b, total_of(s, a, b, policy)))
    return out


class Trend(NamedTuple):
    weeks: list[Week]
    contact: Contact | None

    @property
    def title(self) -> str:
        return "Weekly trend" + (f" for {self.contact.name}" if self.contact else "")

    def to_json(self) -> list[dict[str, Any]]:
        return [w.to_json() for w in self.weeks]


def trend_report(
    ledger: Ledger, policy: Policy, as_of: datetime, weeks: int, name: str | None
) -> Trend:
    """The weekly trend of the whole ledger, or of the contact called `name`."""
    contact = get_contact(ledger, name) if name else None
    return Trend(trend(ledger, policy, as_of, weeks, contact), contact)


class Review(NamedTuple):
    balance: Balance
    weeks: list[Week]
    old_asks: list[AskLine]
    neglected: Neglected
    agenda: Agenda | None = None  # the week ahead

    def to_json(self) -> dict[str, Any]:
        return {
            "balance": self.balance.to_json(),
            "trend": [w.to_json() for w in self.weeks],
            "open_asks": [a.to_json() for a in self.old_asks],
            "reconnect": self.neglected.to_json(),
            "agenda": self.agenda.to_json() if self.agenda else None,
        }


def agenda_of(
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    days: int = 7,
    facts: Sequence[Facts] | None = None,
    limit: int = 0,
    ranked: Neglected | None = None,
) -> Agenda:
    """The agenda (reports/agenda.py) of the `days` from `as_of`, with who becomes due
    from `ranked`, the neglect ranking of every contact (made here when not given;
    `limit`: at most that many of the window's items, 0: all)."""
    if ranked is None:
        ranked = neglected(ledger, policy, as_of, None, 0, facts=facts, everyone=True)
    return agenda(ledger, policy, as_of, days, ranked.lines, limit)


# The week ahead in a review: its first items (engage agenda lists every one).
REVIEW_AGENDA = 15


def review(ledger: Ledger, policy: Policy, as_of: datetime, old_days: float = 14) -> Review:
    """The whole weekly review: balance, eight weeks of trend, old open asks, three to
    call, and the week ahead."""
    made_by = as_of - timedelta(days=old_days)
    old_asks = queries.asks(
        ledger, open_only=True, until=as_of, oldest_first=True, limit=5, made_by=made_by
    )
    old = ask_lines(old_asks, as_of)
    # for the balance and the three to call
    facts = state.facts(ledger, as_of, policy.half_life, promises=policy.promise_rule)
    to_call, everyone = neglect_views(ledger, policy, as_of, [(3, False), (0, True)], facts)
    return Review(
        balance=balance(ledger, policy, as_of, policy.period_days, facts=facts),
        weeks=trend(ledger, policy, as_of, 8),
        old_asks=old,
        neglected=to_call,
        agenda=agenda_of(ledger, policy, as_of, 7, facts, REVIEW_AGENDA, everyone),
    )
