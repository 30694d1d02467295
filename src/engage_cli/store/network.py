"""Who is linked to whom, as the ledger knows it: introductions you made, brokered
entries and organisations.

An introduction (its two deposits name each other) links the two contacts.

A link joins two live contacts. A brokered entry makes one: the contact who brokered
it is linked to the contact it was logged for. An organisation makes others:
each person who belongs to it is linked to it, and through it to
everyone else there. Voided entries link nobody, nor do entries after `until`.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from engage_cli.dates import from_store, to_store
from engage_cli.domain import Contact
from engage_cli.store.connection import Ledger

BROKERED = "brokered"  # the other brokered an entry of this contact
MET_THROUGH = "met through"  # this contact brokered an entry of the other
WORKS_AT = "works at"  # the other belongs to this organisation
THEIR_ORG = "their organisation"  # the other is this contact's organisation
SAME_ORG = "same organisation"  # both belong to one organisation
INTRODUCED = "introduced"  # you introduced the two


class Link(NamedTuple):
    """A link from one contact to `other`, why, how often and when last."""

    other: int  # the contact id at the other end
    why: str
    times: int = 1
    last: datetime | None = None
    org: str = ""  # the organisation, for the organisation's links


_VIA = (
    "e.via_id IS NOT NULL AND e.via_id != e.contact_id AND e.voided_by IS NULL "
    "AND e.occurred_at <= ?"
)


def links_of(ledger: Ledger, contact: Contact, until: datetime) -> list[Link]:
    """Every link of `contact` as of `until`, through entries and organisations."""
    at = to_store(until)
    links = [
        Link(other, INTRODUCED, n, from_store(last))
        for other, n, last in ledger.conn.execute(
            # (each read through the index of its kind of entry alone, which covers
            # it, not every entry of the contact looked up in the table)
            "SELECT coalesce(i.folded_into, i.id), count(*), max(e.occurred_at) FROM entries e "
            "INDEXED BY entries_by_intro JOIN contacts i ON i.id = e.intro_with "
            "WHERE e.contact_id = ? AND e.intro_with IS NOT NULL "
            "AND e.voided_by IS NULL AND e.occurred_at <= ? GROUP BY 1",
            [contact.id, at],
        )
    ]
    links += [
        Link(other, BROKERED, n, from_store(last))
        for other, n, last in ledger.conn.execute(
            f"SELECT e.via_id, count(*), max(e.occurred_at) FROM entries e "
            f"INDEXED BY entries_by_via WHERE e.contact_id = ? AND {_VIA} GROUP BY e.via_id",
            [contact.id, at],
        )
    ]
    links += [
        Link(other, MET_THROUGH, n, from_store(last))
        for other, n, last in ledger.conn.execute(
            f"SELECT e.contact_id, count(*), max(e.occurred_at) FROM entries e "
            f"WHERE e.via_id = ? AND {_VIA} GROUP BY e.contact_id",
            [contact.id, at],
        )
    ]
    live = "folded_into IS NULL AND created_at <= ?"
    links += [
        Link(other, WORKS_AT, org=contact.name)
        for (other,) in ledger.conn.execute(
            f"SELECT id FROM contacts WHERE org_id = ? AND {live}", [contact.id, at]
        )
    ]
    if contact.org_id is not None:
        org = ledger.conn.execute(
            f"SELECT id, name FROM contacts WHERE id = ? AND {live}", [contact.org_id, at]
        ).fetchone()
        if org is not None:
            links.append(Link(org[0], THEIR_ORG, org=org[1]))
            links += [
                Link(other, SAME_ORG, org=org[1])
                for (other,) in ledger.conn.execute(
                    f"SELECT id FROM contacts WHERE org_id = ? AND id != ? AND {live}",
                    [contact.org_id, contact.id, at],
                )
            ]
    return [link for link in links if link.other != contact.id]


class Edge(NamedTuple):
    """Two contacts linked: a broker and whom it brokered for, or a person and their
    organisation (`affiliation`)."""

    a: int
    b: int
    kind: str  # BROKERED (a brokered for b), WORKS_AT (a belongs to the organisation b)
    # or INTRODUCED (you introduced a and b)
    times: int


def edges(ledger: Ledger, until: datetime) -> list[Edge]:
    """Every link as of `until`, once each: brokered pairs and affiliations."""
    at = to_store(until)
    # Rows made straight into edges (the kind is a column): tens of thousands at 1M.
    out = list(
        map(
            Edge._make,
            ledger.conn.execute(
                f"SELECT e.via_id, e.contact_id, '{BROKERED}', count(*) FROM entries e "
                f"WHERE {_VIA} GROUP BY e.via_id, e.contact_id",
                [at],
            ),
        )
    )
    out += map(
        Edge._make,
        ledger.conn.execute(
            # Through the introductions' index alone: without statistics SQLite would
            # rather read every entry in contact order for the grouping.
            "SELECT e.contact_id, coalesce(i.folded_into, i.id) AS other, "
            f"'{INTRODUCED}', count(*) FROM entries e INDEXED BY entries_by_intro "
            "JOIN contacts i ON i.id = e.intro_with WHERE e.intro_with IS NOT NULL "
            "AND e.voided_by IS NULL AND e.occurred_at <= ? "
            "GROUP BY 1, 2 HAVING e.contact_id < other",
            [at],
        ),
    )
    out += map(
        Edge._make,
        ledger.conn.execute(
            f"SELECT id, org_id, '{WORKS_AT}', 1 FROM contacts WHERE org_id IS NOT NULL "
            "AND folded_into IS NULL AND created_at <= ?",
            [at],
        ),
    )
    return out
