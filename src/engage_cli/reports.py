"""Reports: load facts from the ledger, score them, and shape them for rendering.

Each report is a named tuple with `to_json()`, the stable machine-readable
form documented in README; the terminal rendering reads the same object.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import iso
from engage_cli.ledger import Ask, Contact, Entry, Facts, Ledger, Sums
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


def _thank_first(facts: Facts) -> bool:
    """They gave unasked and got less than half back (both decayed like the charge)."""
    return scoring.reciprocity(facts.gave, facts.received) is not None


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
    received: float = 0.0
    thank_first: bool = False

    def to_json(self, period: bool = True) -> dict[str, Any]:
        """The line's JSON; `period=False` leaves out the figures only a balance has."""
        out = {
            "name": self.name,
            "kind": self.kind,
            "circle": self.circle,
            "tags": self.tags,
            "charge": self.charge,
            "deposits": self.deposits,
            "withdrawals": self.withdrawals,
            "received": self.received,
            "last_contact": iso(self.last_contact),
            "days_since": round(self.days_since, 3),
            "status": self.status,
            "thank_first": self.thank_first,
        }
        if not period:
            for key in ("deposits", "withdrawals", "received", "thank_first"):
                del out[key]
        return out


def _line(
    facts: Facts, as_of: datetime, policy: Policy, sums: Sums, thank: bool = False
) -> ContactLine:
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
        deposits=sums.deposits,
        withdrawals=sums.withdrawals,
        received=sums.received,
        thank_first=thank,
    )


class Totals(NamedTuple):
    start: datetime
    end: datetime
    deposits: float
    withdrawals: float
    received: float
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
            "received": self.received,
            "ratio": self.ratio,
            "verdict": self.verdict,
        }


def _total(sums: Sums, start: datetime, end: datetime, policy: Policy) -> Totals:
    v = scoring.verdict(
        sums.deposits, sums.withdrawals, policy.engaged_min_ratio, policy.engaged_max_ratio
    )
    return Totals(start, end, sums.deposits, sums.withdrawals, sums.received, v)


def _sum_all(sums: dict[int, Sums]) -> Sums:
    total = Sums()
    for s in sums.values():
        total = total.plus(s)
    return total


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

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "entries": self.entries, "points": self.points}


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
            "status_counts": self.status_counts,
            "contacts": [c.to_json() for c in self.contacts],
            "connectors": [c.to_json() for c in self.connectors],
            "thank_first": self.thank_first,
        }
        if self.by:
            out["by"] = self.by
            out["groups"] = [g.to_json() for g in self.groups]
        return out


_STATUS_ORDER = {scoring.OVERDRAWN: 0, scoring.COLD: 1, scoring.UNTAPPED: 2, scoring.HEALTHY: 3}
GROUPINGS = ("circle", "tag", "kind")


def _groups(
    lines: list[tuple[ContactLine, Sums]], by: str, start: datetime, end: datetime, policy: Policy
) -> list[Group]:
    members: dict[str, list[tuple[ContactLine, Sums]]] = {}
    for line, sums in lines:
        if by == "tag":
            keys = line.tags or ["(no tag)"]
        else:
            keys = [line.circle if by == "circle" else line.kind]
        for key in keys:
            members.setdefault(key, []).append((line, sums))
    out = []
    for name, items in members.items():
        total = Sums()
        for _, s in items:
            total = total.plus(s)
        charge = sum(line.charge for line, _ in items)
        out.append(Group(name, len(items), charge, _total(total, start, end, policy)))
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
) -> Balance:
    """The weekly review: totals for the period and the one before, and the contacts in it.

    `facts`: every contact's facts as of `as_of`, when the caller has them already.
    """
    start = as_of - timedelta(days=period_days)
    before = start - timedelta(days=period_days)
    sums = ledger.period_sums(start, as_of)
    prev_sums = ledger.period_sums(before, start)
    if facts is None:
        facts = ledger.facts(as_of, policy.half_life)
    pairs = []
    for f in facts:
        if _known(f, as_of):
            period = sums.get(f.contact.id, Sums())
            pairs.append((_line(f, as_of, policy, period, _thank_first(f)), period))
    lines = [line for line, _ in pairs]
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
    return Balance(
        as_of=as_of,
        period_days=period_days,
        current=_total(_sum_all(sums), start, as_of, policy),
        previous=_total(_sum_all(prev_sums), before, start, policy),
        contacts=shown,
        status_counts=counts,
        hidden=len(lines) - len(shown),
        connectors=[Connector(*row) for row in ledger.via_sums(start, as_of)[:5]],
        thank_first=sorted((line.name for line in lines if line.thank_first), key=str.casefold),
        by=by,
        groups=tuple(_groups(pairs, by, start, as_of, policy)) if by else (),
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
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    circle: str | None,
    limit: int,
    facts: Sequence[Facts] | None = None,
) -> Neglected:
    """Contacts ranked by how overdue they are against their circle's cadence.

    Those who gave you something unasked and got little back come first:
    they are the first people to thank. `facts`: every contact's facts as of
    `as_of`, when the caller has them already.
    """
    if facts is None:
        among = ledger.contacts(circle=circle) if circle is not None else None  # None: all
        facts = ledger.facts(as_of, policy.half_life, among)
    elif circle is not None:
        facts = [f for f in facts if f.contact.circle == circle]
    rows = [
        scoring.Neglect(
            name=f.contact.name,
            kind=f.contact.kind,
            circle=f.contact.circle,
            charge=f.charge,
            days_since=_days_since(f, as_of),
            cadence_days=policy.cadence(f.contact.circle),
            contacted=f.last_contact is not None,
            thank_first=_thank_first(f),
        )
        for f in facts
        if _known(f, as_of)
    ]
    ranked = sorted(scoring.rank_neglected(rows), key=lambda r: not r.thank_first)
    chosen = ranked[:limit] if limit > 0 else ranked
    return Neglected(as_of, [NeglectLine(r, scoring.suggestion(r)) for r in chosen], len(ranked))


def contact_lines(
    ledger: Ledger, policy: Policy, as_of: datetime, circle: str | None, tag: str | None
) -> list[ContactLine]:
    contacts = ledger.contacts(circle=circle, tag=tag)
    return [
        _line(f, as_of, policy, Sums())
        for f in ledger.facts(as_of, policy.half_life, contacts)
        if _known(f, as_of)
    ]


class AskLine(NamedTuple):
    entry: Entry
    returned: float
    age_days: float

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "id": e.id,
            "contact": e.contact,
            "points": e.points,
            "status": e.status,
            "occurred_at": iso(e.occurred_at),
            "resolved_at": iso(e.resolved_at),
            "age_days": round(self.age_days, 3),
            "note": e.note,
            "returned": self.returned,
        }


def ask_lines(asks: list[Ask], as_of: datetime) -> list[AskLine]:
    return [
        AskLine(a.entry, a.returned, (as_of - a.entry.occurred_at).total_seconds() / scoring.DAY)
        for a in asks
    ]


class Profile(NamedTuple):
    contact: Contact
    line: ContactLine
    cadence_days: float
    half_life_days: float
    totals: Sums
    entries: list[Entry]
    entry_count: int
    live_count: int
    open_asks: list[AskLine]
    brokered: list[Entry]
    reciprocity: str | None
    exchange: tuple[float, float]  # (you gave, they gave unasked), decayed like the charge

    def to_json(self) -> dict[str, Any]:
        c = self.contact
        return {
            "name": c.name,
            "kind": c.kind,
            "circle": c.circle,
            "tags": c.tags,
            "note": c.note,
            "org": c.org,
            "nickname": c.nickname,
            "birthday": c.birthday,
            "emails": list(c.emails),
            "phones": list(c.phones),
            "added": iso(c.created_at),
            "charge": self.line.charge,
            "status": self.line.status,
            "last_contact": iso(self.line.last_contact),
            "days_since": round(self.line.days_since, 3),
            "cadence_days": self.cadence_days,
            "half_life_days": self.half_life_days,
            "deposits_total": self.totals.deposits,
            "withdrawals_total": self.totals.withdrawals,
            "received_total": self.totals.received,
            "gave": self.totals.deposits,
            "received": self.totals.received,
            "gave_decayed": self.exchange[0],
            "received_decayed": self.exchange[1],
            "reciprocity": self.reciprocity,
            "entry_count": self.live_count,
            "open_asks": [a.to_json() for a in self.open_asks],
            "brokered": [entry_json(e) for e in self.brokered],
            "recent": [entry_json(e) for e in self.entries],
        }


def profile(
    ledger: Ledger, policy: Policy, contact: Contact, as_of: datetime, recent: int = 10
) -> Profile:
    facts = ledger.facts(as_of, policy.half_life, [contact])[0]
    totals, live = ledger.totals(contact, as_of)
    return Profile(
        contact=contact,
        line=_line(facts, as_of, policy, Sums()),
        cadence_days=policy.cadence(contact.circle),
        half_life_days=policy.half_life(contact.circle),
        totals=totals,
        entries=ledger.history(contact, until=as_of, limit=recent),
        entry_count=ledger.count_entries(contact, until=as_of),
        live_count=live,
        open_asks=ask_lines(ledger.asks(contact, open_only=True, until=as_of), as_of),
        brokered=ledger.brokered(contact, as_of),
        reciprocity=scoring.reciprocity(facts.gave, facts.received),
        exchange=(facts.gave, facts.received),
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
        "status": e.status,
        "via": e.via,
        "source": e.source_id,
    }


# --- explain, can-ask, trend ---------------------------------------------------------


class Explanation(NamedTuple):
    contact: Contact
    as_of: datetime
    half_life_days: float
    charge: float
    rows: list[tuple[Entry, scoring.Part]]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.contact.name,
            "as_of": iso(self.as_of),
            "half_life_days": self.half_life_days,
            "charge": self.charge,
            "entries": [
                {
                    "id": e.id,
                    "occurred_at": iso(e.occurred_at),
                    "kind": e.kind,
                    "points": e.points,
                    "age_days": part.age_days,
                    "factor": part.factor,
                    "contribution": part.contribution,
                }
                for e, part in self.rows
            ],
        }


def explain(ledger: Ledger, policy: Policy, contact: Contact, as_of: datetime) -> Explanation:
    """Every entry behind a contact's charge; the contributions sum to the charge."""
    import math

    hl = policy.half_life(contact.circle)
    entries = ledger.live_entries(contact, as_of)
    parts = scoring.explain([e.impulse for e in entries], as_of.timestamp(), hl)
    charge = math.fsum(p.contribution for p in parts)
    return Explanation(contact, as_of, hl, charge, list(zip(entries, parts, strict=True)))


class CanAsk(NamedTuple):
    name: str
    readiness: scoring.Readiness
    reserve: float

    def to_json(self) -> dict[str, Any]:
        r = self.readiness
        return {
            "name": self.name,
            "ready": r.ready,
            "charge": r.charge,
            "points": r.points,
            "after": r.after,
            "suggested_deposit": r.suggested_deposit,
        }


def can_ask(
    ledger: Ledger, policy: Policy, contact: Contact, points: float, as_of: datetime
) -> CanAsk:
    facts = ledger.facts(as_of, policy.half_life, [contact])[0]
    return CanAsk(
        contact.name, scoring.can_ask(facts.charge, points, policy.ask_reserve), policy.ask_reserve
    )


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
    sums = ledger.weekly_sums(start, weeks, contact)
    out = []
    for i, s in enumerate(sums):
        a, b = start + timedelta(days=7 * i), start + timedelta(days=7 * (i + 1))
        out.append(Week(a, b, _total(s, a, b, policy)))
    return out


class Review(NamedTuple):
    balance: Balance
    weeks: list[Week]
    old_asks: list[AskLine]
    neglected: Neglected

    def to_json(self) -> dict[str, Any]:
        return {
            "balance": self.balance.to_json(),
            "trend": [w.to_json() for w in self.weeks],
            "open_asks": [a.to_json() for a in self.old_asks],
            "reconnect": self.neglected.to_json(),
        }


def review(ledger: Ledger, policy: Policy, as_of: datetime, old_days: float = 14) -> Review:
    """The whole weekly review: balance, eight weeks of trend, old open asks, three to call."""
    made_by = as_of - timedelta(days=old_days)
    old_asks = ledger.asks(open_only=True, until=as_of, oldest_first=True, limit=5, made_by=made_by)
    old = ask_lines(old_asks, as_of)
    facts = ledger.facts(as_of, policy.half_life)  # once, for the balance and the three to call
    return Review(
        balance=balance(ledger, policy, as_of, policy.period_days, facts=facts),
        weeks=trend(ledger, policy, as_of, 8),
        old_asks=old,
        neglected=neglected(ledger, policy, as_of, None, 3, facts=facts),
    )
