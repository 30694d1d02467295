"""The web around the user: warm paths to someone, and the network at a glance.

A warm path to a contact is a contact of yours linked to them (store/network.py:
a brokered entry, an organisation) whom you could ask for an introduction; the
warmest first: the highest charge (as printed), then the most recent contact.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import fmt_local, iso
from engage_cli.domain import Contact, Facts, Sums
from engage_cli.formats.graph import Line, Node
from engage_cli.inputs import SECTORS
from engage_cli.policy import Policy
from engage_cli.reports.lines import ContactLine, known, line_of
from engage_cli.store import network, state
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact, list_contacts
from engage_cli.store.network import Edge, Link

ACTIVE_DAYS = 90  # a relationship is active when it had contact in this many days
LINKS = 1000  # links the JSON of the network lists, the strongest first (--links 0: all)
NO_SECTOR = "(no sector)"


def reason(link: Link, target: str) -> str:
    """Why a contact is a path to `target`, in words."""
    when = fmt_local(link.last, False) if link.last else ""
    if link.why == network.BROKERED:
        if link.times == 1:
            return f"brokered your entry with {target} on {when}"
        return f"brokered {link.times} of your entries with {target}, last on {when}"
    if link.why == network.MET_THROUGH:
        if link.times == 1:
            return f"you met through {target} on {when}"
        return f"you met through {target} {link.times} times, last on {when}"
    if link.why == network.INTRODUCED:
        return f"you introduced them to {target} on {when}"
    if link.why == network.WORKS_AT:
        return f"works at {link.org}"
    if link.why == network.THEIR_ORG:
        return f"{target} works there"
    return f"works at {link.org}, like {target}"


class Path(NamedTuple):
    line: ContactLine  # the contact who could introduce you, as of the moment
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.line.to_json(period=False), "reasons": list(self.reasons)}


class Paths(NamedTuple):
    as_of: datetime
    target: ContactLine
    paths: tuple[Path, ...]
    total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "target": self.target.to_json(period=False),
            "paths": [p.to_json() for p in self.paths],
            "total": self.total,
        }


def warm_paths(
    ledger: Ledger, policy: Policy, name: str, as_of: datetime, limit: int = 10
) -> Paths:
    """Who could introduce you to `name` (a person or an organisation), warmest first."""
    target = get_contact(ledger, name)
    by_other: dict[int, list[Link]] = {}
    for link in network.links_of(ledger, target, as_of):
        by_other.setdefault(link.other, []).append(link)
    others = [c for c in list_contacts(ledger, as_of=as_of) if c.id in by_other]
    facts = state.facts(
        ledger, as_of, policy.half_life, [target, *others], promises=policy.promise_rule
    )
    lines = {f.contact.id: line_of(f, as_of, policy, Sums()) for f in facts}
    found = [
        Path(lines[f.contact.id], tuple(reason(k, target.name) for k in by_other[f.contact.id]))
        for f in facts
        if f.contact.id != target.id and known(f, as_of)
    ]
    found.sort(key=lambda p: (-scoring.shown(p.line.charge), p.line.days_since, p.line.name))
    chosen = found[:limit] if limit > 0 else found
    return Paths(as_of, lines[target.id], tuple(chosen), len(found))


class Sector(NamedTuple):
    name: str
    contacts: int
    active: int  # with contact in the last ACTIVE_DAYS days
    charge: float

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "contacts": self.contacts,
            "active": self.active,
            "charge": self.charge,
        }


class Bridge(NamedTuple):
    name: str
    sectors: tuple[str, ...]  # the sectors its links reach, its own included
    charge: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sectors": list(self.sectors), "charge": self.charge}


class Network(NamedTuple):
    as_of: datetime
    sectors: tuple[Sector, ...]
    unheard: tuple[str, ...]  # sectors with no active relationship
    bridges: tuple[Bridge, ...]
    connectors: tuple[tuple[str, int], ...]  # who brokered most entries, and how many
    contacts: tuple[Contact, ...]  # the graph: contacts with a link, and the links
    edges: tuple[Edge, ...]
    links: int = LINKS  # how many links the JSON lists, the strongest first (0: all)

    def to_json(self) -> dict[str, Any]:
        names = {c.id: c.name for c in self.contacts}
        listed: Sequence[Edge] = self.edges
        if self.links and len(self.edges) > self.links:
            listed = heapq.nsmallest(
                self.links,
                self.edges,
                key=lambda e: (-e.times, names[e.a].casefold(), names[e.b].casefold(), e.kind),
            )
        return {
            "as_of": iso(self.as_of),
            "active_days": ACTIVE_DAYS,
            "sectors": [s.to_json() for s in self.sectors],
            "unheard": list(self.unheard),
            "bridges": [b.to_json() for b in self.bridges],
            "connectors": [{"name": n, "entries": k} for n, k in self.connectors],
            "links": [
                {"from": names[e.a], "to": names[e.b], "kind": e.kind, "count": e.times}
                for e in listed
            ],
            "links_more": len(self.edges) - len(listed),
        }


def _active(f: Facts, as_of: datetime) -> bool:
    return f.last_contact is not None and f.last_contact > as_of - timedelta(days=ACTIVE_DAYS)


def web(
    ledger: Ledger, policy: Policy, as_of: datetime, limit: int = 10, links: int = LINKS
) -> Network:
    """Relationships per sector, the sectors not heard, the bridges between sectors,
    the top connectors, and the graph of links (contacts archived by then left out;
    `links`: how many of them the JSON lists, the strongest first, 0: all)."""
    every = state.facts(ledger, as_of, policy.half_life, promises=policy.promise_rule)
    facts = [f for f in every if known(f, as_of)]
    by_id = {f.contact.id: f for f in facts}
    groups: dict[str, list[Facts]] = {s: [] for s in (*SECTORS, NO_SECTOR)}
    for f in facts:
        groups[f.contact.sector or NO_SECTOR].append(f)
    sectors = tuple(
        Sector(
            name,
            len(members),
            sum(1 for f in members if _active(f, as_of)),
            math.fsum(f.charge for f in members),
        )
        for name, members in groups.items()
        if members or name != NO_SECTOR
    )
    unheard = tuple(s.name for s in sectors if s.name != NO_SECTOR and not s.active)
    edges = tuple(e for e in network.edges(ledger, as_of) if e.a in by_id and e.b in by_id)
    # Tens of thousands of links at 1M entries: one pass, each end's sector looked up once.
    sector = {cid: f.contact.sector for cid, f in by_id.items()}
    reach: dict[int, set[str]] = {}
    brokered: dict[int, int] = {}
    for a, b, kind, times in edges:
        if a in reach:
            reach[a].add(sector[b])
        else:
            reach[a] = {sector[b]}
        if b in reach:
            reach[b].add(sector[a])
        else:
            reach[b] = {sector[a]}
        if kind == network.BROKERED:
            brokered[a] = brokered.get(a, 0) + times
    bridges = []
    for cid, reached in reach.items():
        own = by_id[cid]
        spanned = tuple(sorted((reached | {own.contact.sector}) - {""}))
        if len(spanned) >= 2:
            bridges.append(Bridge(own.contact.name, spanned, own.charge))
    bridges.sort(key=lambda b: (-len(b.sectors), -scoring.shown(b.charge), b.name.casefold()))
    connectors = sorted(
        ((by_id[cid].contact.name, n) for cid, n in brokered.items()),
        key=lambda c: (-c[1], c[0].casefold()),
    )
    linked = reach.keys()  # every contact at one end of a link
    return Network(
        as_of,
        sectors,
        unheard,
        tuple(bridges[:limit] if limit > 0 else bridges),
        tuple(connectors[:5]),
        tuple(by_id[i].contact for i in sorted(linked)),
        edges,
        links,
    )


def graph(n: Network) -> tuple[list[Node], list[Line]]:
    """The network's contacts and links as a graph to write (formats/graph.py)."""
    nodes = [Node(c.id, c.name, c.kind, c.sector) for c in n.contacts]
    lines = [
        Line(e.a, e.b, e.kind == network.WORKS_AT, e.times, e.kind == network.INTRODUCED)
        for e in n.edges
    ]
    return nodes, lines
