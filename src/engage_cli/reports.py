"""Reports: load facts from the ledger, score them, and shape them for rendering.

Each report is a named tuple with `to_json()`, the stable machine-readable
form documented in README; the terminal rendering reads the same object.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import iso
from engage_cli.ledger import Contact, Entry, Facts, Ledger
from engage_cli.policy import Policy


def _days_since(facts: Facts, as_of: datetime) -> float:
    since = facts.last_contact or facts.contact.created_at
    return max(0.0, (as_of - since).total_seconds() / scoring.DAY)


def _known(facts: Facts, as_of: datetime) -> bool:
    """Whether the contact existed as of `as_of`: added by then, or with an entry by then."""
    return facts.contact.created_at <= as_of or facts.last_contact is not None


def _status(facts: Facts, as_of: datetime, policy: Policy) -> str:
    days_since_ask = (
        None if facts.last_ask is None else (as_of - facts.last_ask).total_seconds() / scoring.DAY
    )
    return scoring.status(
        facts.charge,
        _days_since(facts, as_of),
        policy.cadence(facts.contact.circle),
        days_since_ask,
        policy.untapped_charge,
        policy.untapped_days,
    )


class ContactLine(NamedTuple):
    name: str
    kind: str
    circle: str
    tags: list[str]
    charge: float
    last_contact: datetime | None
    days_since: float
    status: str
    deposits: float = 0.0
    withdrawals: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "circle": self.circle,
            "tags": self.tags,
            "charge": self.charge,
            "deposits": self.deposits,
            "withdrawals": self.withdrawals,
            "last_contact": iso(self.last_contact),
            "days_since": round(self.days_since, 3),
            "status": self.status,
        }


def _line(facts: Facts, as_of: datetime, policy: Policy, sums: tuple[float, float]) -> ContactLine:
    c = facts.contact
    return ContactLine(
        name=c.name,
        kind=c.kind,
        circle=c.circle,
        tags=c.tags,
        charge=facts.charge,
        last_contact=facts.last_contact,
        days_since=_days_since(facts, as_of),
        status=_status(facts, as_of, policy),
        deposits=sums[0],
        withdrawals=sums[1],
    )


class Totals(NamedTuple):
    start: datetime
    end: datetime
    deposits: float
    withdrawals: float
    verdict: str

    @property
    def ratio(self) -> float | None:
        return scoring.ratio(self.deposits, self.withdrawals)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "deposits": self.deposits,
            "withdrawals": self.withdrawals,
            "ratio": self.ratio,
            "verdict": self.verdict,
        }


def _totals(
    sums: dict[int, tuple[float, float]], start: datetime, end: datetime, policy: Policy
) -> Totals:
    d = float(sum(v[0] for v in sums.values()))
    w = float(sum(v[1] for v in sums.values()))
    v = scoring.verdict(d, w, policy.engaged_min_ratio, policy.engaged_max_ratio)
    return Totals(start, end, d, w, v)


class Balance(NamedTuple):
    as_of: datetime
    period_days: int
    current: Totals
    previous: Totals
    contacts: list[ContactLine]
    status_counts: dict[str, int]
    hidden: int

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "period": {
                "start": iso(self.current.start),
                "end": iso(self.current.end),
                "days": self.period_days,
            },
            "deposits": self.current.deposits,
            "withdrawals": self.current.withdrawals,
            "ratio": self.current.ratio,
            "verdict": self.current.verdict,
            "previous": self.previous.to_json(),
            "status_counts": self.status_counts,
            "contacts": [c.to_json() for c in self.contacts],
        }


_STATUS_ORDER = {scoring.OVERDRAWN: 0, scoring.COLD: 1, scoring.UNTAPPED: 2, scoring.HEALTHY: 3}


def balance(
    ledger: Ledger, policy: Policy, as_of: datetime, period_days: int, show_all: bool = False
) -> Balance:
    """The weekly review: totals for the period and the one before, and the contacts in it."""
    start = as_of - timedelta(days=period_days)
    before = start - timedelta(days=period_days)
    sums = ledger.period_sums(start, as_of)
    prev_sums = ledger.period_sums(before, start)
    lines = [
        _line(f, as_of, policy, sums.get(f.contact.id, (0.0, 0.0)))
        for f in ledger.facts(as_of, policy.half_life)
        if _known(f, as_of)
    ]
    counts = {s: 0 for s in _STATUS_ORDER}
    for line in lines:
        counts[line.status] += 1
    shown = [
        line
        for line in lines
        if show_all or line.deposits or line.withdrawals or line.status == scoring.OVERDRAWN
    ]
    shown.sort(key=lambda c: (-(c.deposits + c.withdrawals), c.charge, c.name.casefold()))
    return Balance(
        as_of=as_of,
        period_days=period_days,
        current=_totals(sums, start, as_of, policy),
        previous=_totals(prev_sums, before, start, policy),
        contacts=shown,
        status_counts=counts,
        hidden=len(lines) - len(shown),
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
            "suggestion": self.suggestion,
        }


class Neglected(NamedTuple):
    as_of: datetime
    lines: list[NeglectLine]
    total: int
    prompts: tuple[str, ...] = scoring.REFLECTION_PROMPTS

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "contacts": [line.to_json() for line in self.lines],
            "prompts": list(self.prompts),
        }


def neglected(
    ledger: Ledger, policy: Policy, as_of: datetime, circle: str | None, limit: int
) -> Neglected:
    """Contacts ranked by how overdue they are against their circle's cadence."""
    contacts = ledger.contacts(circle=circle)
    rows = [
        scoring.Neglect(
            name=f.contact.name,
            kind=f.contact.kind,
            circle=f.contact.circle,
            charge=f.charge,
            days_since=_days_since(f, as_of),
            cadence_days=policy.cadence(f.contact.circle),
            contacted=f.last_contact is not None,
        )
        for f in ledger.facts(as_of, policy.half_life, contacts)
        if _known(f, as_of)
    ]
    ranked = scoring.rank_neglected(rows)
    chosen = ranked[:limit] if limit > 0 else ranked
    return Neglected(as_of, [NeglectLine(r, scoring.suggestion(r)) for r in chosen], len(ranked))


def contact_lines(
    ledger: Ledger, policy: Policy, as_of: datetime, circle: str | None, tag: str | None
) -> list[ContactLine]:
    contacts = ledger.contacts(circle=circle, tag=tag)
    return [
        _line(f, as_of, policy, (0.0, 0.0))
        for f in ledger.facts(as_of, policy.half_life, contacts)
        if _known(f, as_of)
    ]


class Profile(NamedTuple):
    contact: Contact
    line: ContactLine
    cadence_days: float
    half_life_days: float
    gave: float
    asked: float
    entries: list[Entry]
    entry_count: int
    live_count: int

    def to_json(self) -> dict[str, Any]:
        c = self.contact
        return {
            "name": c.name,
            "kind": c.kind,
            "circle": c.circle,
            "tags": c.tags,
            "note": c.note,
            "added": iso(c.created_at),
            "charge": self.line.charge,
            "status": self.line.status,
            "last_contact": iso(self.line.last_contact),
            "days_since": round(self.line.days_since, 3),
            "cadence_days": self.cadence_days,
            "half_life_days": self.half_life_days,
            "deposits_total": self.gave,
            "withdrawals_total": self.asked,
            "entry_count": self.live_count,
            "recent": [entry_json(e) for e in self.entries],
        }


def profile(
    ledger: Ledger, policy: Policy, contact: Contact, as_of: datetime, recent: int = 10
) -> Profile:
    facts = ledger.facts(as_of, policy.half_life, [contact])[0]
    gave, asked, live = ledger.totals(contact, as_of)
    return Profile(
        contact=contact,
        line=_line(facts, as_of, policy, (0.0, 0.0)),
        cadence_days=policy.cadence(contact.circle),
        half_life_days=policy.half_life(contact.circle),
        gave=gave,
        asked=asked,
        entries=ledger.history(contact, until=as_of, limit=recent),
        entry_count=ledger.count_entries(contact, until=as_of),
        live_count=live,
    )


def entry_json(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "contact": e.contact,
        "kind": e.kind,
        "points": e.points,
        "occurred_at": iso(e.occurred_at),
        "logged_at": iso(e.logged_at),
        "note": e.note,
        "tags": e.tags,
        "voided": e.voided_by is not None,
        "batch": e.batch,
    }
