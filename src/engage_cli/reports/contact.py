"""One contact: the profile `show` prints, the entries behind a charge, readiness for an ask."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import iso
from engage_cli.domain import Change, Contact, Entry, Promise, Sums
from engage_cli.policy import Policy
from engage_cli.reports.lines import AskLine, ContactLine, ask_lines, entry_json, known, line_of
from engage_cli.store import queries, state
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact, list_contacts
from engage_cli.store.edits import contact_history, org_name
from engage_cli.store.folds import folded_names


class ContactList(NamedTuple):
    lines: list[ContactLine]
    total: int = 0  # how many there are without the limit

    def to_json(self) -> list[dict[str, Any]]:
        return [line.to_json(period=False) for line in self.lines]


def contact_lines(
    ledger: Ledger,
    policy: Policy,
    as_of: datetime,
    circle: str | None,
    tag: str | None,
    archived: bool = False,
    sector: str | None = None,
    org: str | None = None,
    limit: int = 0,
) -> ContactList:
    """Every contact known by `as_of` (of a circle, with a tag, of a sector, at an
    organisation), with its charge then; those not archived by then, or
    (`archived`) those that were."""
    at = get_contact(ledger, org) if org is not None else None
    contacts = list_contacts(
        ledger, circle=circle, tag=tag, archived=archived, as_of=as_of, sector=sector, org=at
    )
    lines = [
        line_of(f, as_of, policy, Sums())
        for f in state.facts(
            ledger, as_of, policy.half_life, contacts, promises=policy.promise_rule
        )
        if known(f, as_of)
    ]
    return ContactList(lines[:limit] if limit else lines, len(lines))


def _contact(ledger: Ledger, who: Contact | str) -> Contact:
    return who if isinstance(who, Contact) else get_contact(ledger, who)


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
    organisation: str | None
    folded: list[str]  # names of contacts folded into this one
    folded_emails: list[str]  # and their emails (they find this one)
    changes: list[tuple[datetime, Change]]  # its edits, oldest first
    # An organisation's people (edit --org) and, with them, its rollup: its own
    # charge and all-time points plus its people's.
    people: tuple[ContactLine, ...] = ()
    together: tuple[float, Sums] | None = None
    introduced: tuple[tuple[str, datetime], ...] = ()  # whom you introduced them to
    met_through: tuple[tuple[str, datetime], ...] = ()  # who brokered entries of theirs

    def to_json(self) -> dict[str, Any]:
        c = self.contact
        together = None
        if self.together is not None:
            charge, t = self.together
            together = {
                "charge": charge,
                "deposits": t.deposits,
                "withdrawals": t.withdrawals,
                "received": t.received,
            }
        return {
            "introduced": [{"name": n, "at": iso(at)} for n, at in self.introduced],
            "met_through": [{"name": n, "at": iso(at)} for n, at in self.met_through],
            "people": [p.to_json(period=False) for p in self.people],
            "together": together,
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
            "organisation": self.organisation,
            "sector": c.sector,
            "mode": c.mode,
            "last_ask": iso(self.line.last_ask),
            "aliases": [*c.aliases, *self.folded],
            "folded_emails": self.folded_emails,
            "archived": iso(c.archived_at) if c.archived_at else None,
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
            "changes": [
                {"at": iso(at), "field": ch.field, "before": ch.before, "after": ch.after}
                for at, ch in self.changes
            ],
        }


def profile(
    ledger: Ledger, policy: Policy, who: Contact | str, as_of: datetime, recent: int = 10
) -> Profile:
    contact = _contact(ledger, who)
    facts = state.facts(ledger, as_of, policy.half_life, [contact], promises=policy.promise_rule)[0]
    totals, live = queries.totals(ledger, contact, as_of)
    folded = folded_names(ledger, contact)
    people, together = _people(ledger, policy, contact, as_of, facts.charge, totals)
    return Profile(
        introduced=tuple(queries.introductions(ledger, contact, as_of)),
        met_through=tuple(queries.met_through(ledger, contact, as_of)),
        people=people,
        together=together,
        contact=contact,
        line=line_of(facts, as_of, policy, Sums()),
        cadence_days=policy.cadence(contact.circle),
        half_life_days=policy.half_life(contact.circle),
        totals=totals,
        entries=queries.history(ledger, contact, until=as_of, limit=recent),
        entry_count=queries.count_entries(ledger, contact, until=as_of),
        live_count=live,
        open_asks=ask_lines(queries.asks(ledger, contact, open_only=True, until=as_of), as_of),
        brokered=queries.brokered(ledger, contact, as_of),
        reciprocity=scoring.reciprocity(facts.gave, facts.received),
        exchange=(facts.gave, facts.received),
        organisation=org_name(ledger, contact),
        folded=folded[0],
        folded_emails=folded[1],
        changes=contact_history(ledger, contact, as_of),
    )


def _people(
    ledger: Ledger, policy: Policy, org: Contact, as_of: datetime, charge: float, own: Sums
) -> tuple[tuple[ContactLine, ...], tuple[float, Sums] | None]:
    """An organisation's people known by `as_of`, warmest first, and its rollup:
    its own charge and points plus theirs (None for a contact nobody belongs to)."""
    members = list_contacts(ledger, org=org, as_of=as_of)
    if not members and org.kind != "org":
        return (), None
    lines = []
    total = own
    for f in state.facts(ledger, as_of, policy.half_life, members, promises=policy.promise_rule):
        if known(f, as_of):
            lines.append(line_of(f, as_of, policy, Sums()))
            total = total.plus(queries.totals(ledger, f.contact, as_of)[0])
    lines.sort(key=lambda line: (-line.charge, line.name.casefold()))
    return tuple(lines), (math.fsum([charge, *(line.charge for line in lines)]), total)


class Explanation(NamedTuple):
    contact: Contact
    as_of: datetime
    half_life_days: float
    charge: float
    rows: list[tuple[Entry, scoring.Part]]
    promises: tuple[tuple[Promise, float], ...] = ()  # overdue, and what each weighs
    grace_days: float = 0.0
    more: tuple[int, float] = (0, 0.0)  # entries the limit left out, and what they add up to

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.contact.name,
            "as_of": iso(self.as_of),
            "half_life_days": self.half_life_days,
            "charge": self.charge,
            "promises": [
                {
                    "id": p.id,
                    "what": p.what,
                    "due_at": iso(p.due_at),
                    "weighs_from_days_after_due": self.grace_days,
                    "contribution": weight,
                }
                for p, weight in self.promises
            ],
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
            "more": {"entries": self.more[0], "contribution": self.more[1]},
        }


def explain(
    ledger: Ledger, policy: Policy, who: Contact | str, as_of: datetime, limit: int = 0
) -> Explanation:
    """Every entry behind a contact's charge, and every overdue promise weighing on it;
    the contributions sum to the charge. With a `limit` past which there are more, the
    `limit` entries that weigh most (oldest first), and the rest summed in `more`."""
    import math

    from engage_cli.store import contributions
    from engage_cli.store.promises import overdue

    contact = _contact(ledger, who)
    hl = policy.half_life(contact.circle)
    t = as_of.timestamp()
    counted = contributions.counted(ledger, contact.id, as_of)
    every = scoring.explain([scoring.impulse(at, k, pts) for _, at, k, pts in counted], t, hl)
    more = (0, 0.0)
    if limit and len(counted) > limit:
        order = sorted(range(len(counted)), key=lambda i: (-abs(every[i].contribution), -i))
        top = set(order[:limit])
        entries = contributions.entries_at(ledger, [counted[i][0] for i in sorted(top)])
        rest = [p.contribution for i, p in enumerate(every) if i not in top]
        more = (len(rest), math.fsum(rest))
    else:
        entries = queries.live_entries(ledger, contact, as_of)
    parts = scoring.explain([e.impulse for e in entries], t, hl)
    rule = policy.promise_rule
    late = overdue(ledger, as_of, rule.grace_days, [contact.id]).get(contact.id, [])
    weights = tuple((p, p.weight(t, hl, rule)) for p in late)
    charge = math.fsum([p.contribution for p in every] + [w for _, w in weights])
    return Explanation(
        contact, as_of, hl, charge, list(zip(entries, parts, strict=True)), weights,
        rule.grace_days, more,
    )  # fmt: skip


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
    ledger: Ledger, policy: Policy, who: Contact | str, points: float, as_of: datetime
) -> CanAsk:
    contact = _contact(ledger, who)
    facts = state.facts(ledger, as_of, policy.half_life, [contact], promises=policy.promise_rule)[0]
    return CanAsk(
        contact.name, scoring.can_ask(facts.charge, points, policy.ask_reserve), policy.ask_reserve
    )
