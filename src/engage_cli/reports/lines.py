"""The pieces reports share: a contact's line, a period's totals, an ask, an entry.

Each shape is a named tuple with `to_json()`, the stable machine-readable form
documented in README; the terminal rendering reads the same object.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import iso
from engage_cli.domain import Ask, Entry, Facts, Sums
from engage_cli.policy import Policy


def days_since(facts: Facts, as_of: datetime) -> float:
    since = facts.last_contact or facts.contact.created_at
    return max(0.0, (as_of - since).total_seconds() / scoring.DAY)


def known(facts: Facts, as_of: datetime) -> bool:
    """Whether the contact existed as of `as_of`: added by then, or with an entry by then."""
    return (
        facts.contact.created_at <= as_of
        or facts.last_contact is not None
        or facts.last_ask is not None
    )


def status_of(facts: Facts, as_of: datetime, policy: Policy) -> str:
    days_since_ask = (
        None if facts.last_ask is None else (as_of - facts.last_ask).total_seconds() / scoring.DAY
    )
    return scoring.status(
        facts.charge,
        days_since(facts, as_of),
        policy.cadence(facts.contact.circle),
        days_since_ask,
        policy.untapped_charge,
        policy.untapped_days,
        facts.contact.mode,
        policy.overdrawn_below,
        policy.forgive_after_days,
    )


def thank_first(facts: Facts) -> bool:
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
    last_ask: datetime | None = None
    mode: str = "engagement"

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
            "last_ask": iso(self.last_ask),
            "mode": self.mode,
            "days_since": round(self.days_since, 3),
            "status": self.status,
            "thank_first": self.thank_first,
        }
        if not period:
            for key in ("deposits", "withdrawals", "received", "thank_first"):
                del out[key]
        return out


def line_of(
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
        days_since=days_since(facts, as_of),
        status=status_of(facts, as_of, policy),
        deposits=sums.deposits,
        withdrawals=sums.withdrawals,
        received=sums.received,
        thank_first=thank,
        last_ask=facts.last_ask,
        mode=c.mode,
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


def total_of(sums: Sums, start: datetime, end: datetime, policy: Policy) -> Totals:
    v = scoring.verdict(
        sums.deposits,
        sums.withdrawals,
        policy.engaged_min_ratio,
        policy.engaged_max_ratio,
        policy.verdict_min_points,
    )
    return Totals(start, end, sums.deposits, sums.withdrawals, sums.received, v)


def sum_all(sums: dict[int, Sums]) -> Sums:
    total = Sums()
    for s in sums.values():
        total = total.plus(s)
    return total


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
        "void_reason": e.void_reason,
        "batch": e.batch,
        "status": e.status,
        "via": e.via,
        "intro": e.intro,
        "goal": e.goal,
        "source": e.source_id,
    }
