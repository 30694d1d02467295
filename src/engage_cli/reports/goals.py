"""Shared goals: the list, and one goal's review.

A goal's review answers the essays' questions about collaboration toward a
shared goal: who takes part, from which sectors (and which sectors it names but
has not heard from), what was invested in it and what was asked for it (with
the balance's verdict), which asks are still open and for how long (follow
through: an ask open past `follow_through_days` is flagged), and when it last
moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import from_store, iso
from engage_cli.domain import Goal, Sums
from engage_cli.policy import Policy
from engage_cli.reports.lines import ContactLine, Totals, known, line_of, total_of
from engage_cli.store import goals, state
from engage_cli.store.connection import Ledger

NO_SECTOR = "(no sector)"


def _status(goal: Goal, as_of: datetime) -> str:
    if as_of < goal.created_at:
        return "not added yet"
    if goal.closed_at is not None and goal.closed_at <= as_of:
        return goal.outcome or "closed"
    return "open"


class GoalLine(NamedTuple):
    goal: Goal
    status: str
    contacts: int
    deposits: float
    withdrawals: float
    open_asks: int
    last: datetime | None

    def to_json(self) -> dict[str, Any]:
        g = self.goal
        return {
            "name": g.name,
            "why": g.why,
            "sectors": list(g.sectors),
            "status": self.status,
            "added": iso(g.created_at),
            "closed": iso(g.closed_at),
            "contacts": self.contacts,
            "deposits": self.deposits,
            "withdrawals": self.withdrawals,
            "open_asks": self.open_asks,
            "last_activity": iso(self.last),
        }


class GoalList(NamedTuple):
    as_of: datetime
    lines: tuple[GoalLine, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [line.to_json() for line in self.lines]


def goal_list(ledger: Ledger, as_of: datetime) -> GoalList:
    """Every goal added by `as_of`, open ones first, with what served it."""
    sums = goals.goal_sums(ledger, as_of)
    lines = []
    for g in goals.list_goals(ledger):
        if g.created_at > as_of:
            continue
        n, dep, wd, still, last = sums.get(g.id, (0, 0.0, 0.0, 0, ""))
        at = from_store(last) if last else None
        lines.append(GoalLine(g, _status(g, as_of), n, dep, wd, still, at))
    lines.sort(key=lambda x: (x.status != "open", x.goal.name.casefold()))
    return GoalList(as_of, tuple(lines))


class OpenAsk(NamedTuple):
    id: str
    contact: str
    points: float
    age_days: float
    note: str
    late: bool  # open past follow_through_days

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "contact": self.contact,
            "points": self.points,
            "age_days": round(self.age_days, 3),
            "note": self.note,
            "overdue": self.late,
        }


class GoalReview(NamedTuple):
    as_of: datetime
    goal: Goal
    status: str
    by_sector: tuple[tuple[str, tuple[ContactLine, ...]], ...]
    totals: Totals  # what was invested in it and asked for it, with the verdict
    open_asks: tuple[OpenAsk, ...]
    unheard: tuple[str, ...]  # sectors it names that no participant is from
    last: datetime | None
    follow_through_days: float
    people_more: tuple[tuple[str, int], ...] = ()  # per sector, participants past the limit
    asks_more: int = 0  # open asks past the limit

    def to_json(self) -> dict[str, Any]:
        t = self.totals
        return {
            "as_of": iso(self.as_of),
            "name": self.goal.name,
            "why": self.goal.why,
            "sectors": list(self.goal.sectors),
            "status": self.status,
            "added": iso(self.goal.created_at),
            "participants": [
                {**line.to_json(period=False), "sector": sector}
                for sector, lines in self.by_sector
                for line in lines
            ],
            "deposits": t.deposits,
            "withdrawals": t.withdrawals,
            "ratio": t.ratio,
            "verdict": t.verdict,
            "open_asks": [a.to_json() for a in self.open_asks],
            "follow_through_days": self.follow_through_days,
            "unheard": list(self.unheard),
            "last_activity": iso(self.last),
            "participants_more": dict(self.people_more),
            "open_asks_more": self.asks_more,
        }


# Participants shown per sector (the warmest) and open asks (the oldest) unless a
# limit says otherwise.
LIMIT = 10


def goal_review(
    ledger: Ledger, policy: Policy, name: str, as_of: datetime, limit: int = LIMIT
) -> GoalReview:
    """One goal as of `as_of`: its participants by sector with their charges (the
    warmest `limit` of each, 0: all), what served it and its verdict, its open asks
    and their age (the oldest `limit`), the sectors not heard; the rest counted."""
    goal = goals.find_goal(ledger, name)
    people = goals.goal_people(ledger, goal, as_of)
    facts = state.facts(ledger, as_of, policy.half_life, people, promises=policy.promise_rule)
    sectors: dict[str, list[ContactLine]] = {}
    for f in facts:
        if known(f, as_of):
            line = line_of(f, as_of, policy, Sums())
            sectors.setdefault(f.contact.sector or NO_SECTOR, []).append(line)
    by_sector = tuple(
        (s, tuple(sorted(lines, key=lambda x: (-scoring.shown(x.charge), x.name.casefold()))))
        for s, lines in sorted(sectors.items(), key=lambda kv: (kv[0] == NO_SECTOR, kv[0]))
    )
    more = tuple((s, len(lines) - limit) for s, lines in by_sector if limit and len(lines) > limit)
    if limit:
        by_sector = tuple((s, lines[:limit]) for s, lines in by_sector)
    dep, wd, rec, last = goals.goal_totals(ledger, goal, as_of)
    totals = total_of(Sums(dep, wd, rec), goal.created_at, as_of, policy)
    found, count = goals.goal_open_asks(ledger, goal, as_of, limit)
    asks = []
    for ask_id, contact, points, made, note in found:
        age = (as_of - made).total_seconds() / scoring.DAY
        asks.append(OpenAsk(ask_id, contact, points, age, note, age > policy.follow_through_days))
    heard = set(sectors)
    unheard = tuple(s for s in goal.sectors if s not in heard)
    return GoalReview(
        as_of,
        goal,
        _status(goal, as_of),
        by_sector,
        totals,
        tuple(asks),
        unheard,
        last,
        policy.follow_through_days,
        more,
        count - len(asks),
    )
