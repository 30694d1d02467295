"""Reads: entries by id, history, sums over periods, asks, brokers: what reports ask for."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import chain, repeat
from typing import Any

from engage_cli.dates import from_store, to_store
from engage_cli.domain import Ask, Contact, Entry, Sums
from engage_cli.errors import EntryNotFound
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import other_modes
from engage_cli.store.rows import SUMS_SQL, entry_filter, entry_rows


def find_entry(ledger: Ledger, ref: str) -> Entry:
    """An entry by its full id, or by a unique prefix or suffix of at least 6 hex digits."""
    ref = ref.strip().lower()
    found = entry_rows(ledger, "e.id = ?", [ref])
    if not found:
        compact = ref.replace("-", "")
        if len(compact) < 6 or any(ch not in "0123456789abcdef" for ch in compact):
            raise EntryNotFound(ref, "malformed")
        found = entry_rows(
            ledger,
            "replace(e.id, '-', '') LIKE ? OR replace(e.id, '-', '') LIKE ?",
            [compact + "%", "%" + compact],
            "LIMIT 2",
        )
    if not found:
        raise EntryNotFound(ref, "missing")
    if len(found) > 1:
        raise EntryNotFound(ref, "ambiguous")
    return found[0]


def last_batch(
    ledger: Ledger,
) -> list[Entry]:
    """The entries written by the most recent command that still count."""
    row = ledger.conn.execute(
        "SELECT batch FROM entries WHERE voided_by IS NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return []
    return entry_rows(ledger, "e.batch = ? AND e.voided_by IS NULL", [row[0]], "ORDER BY e.id")


def history(
    ledger: Ledger,
    contact: Contact | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[Entry]:
    """Entries newest first (voided ones included, marked)."""
    where, params = entry_filter(contact, since, until)
    tail = "ORDER BY e.occurred_at DESC, e.id DESC"
    if limit:
        tail += f" LIMIT {int(limit)}"
    return entry_rows(ledger, where, params, tail)


# Counts of what a list leaves out stop this far past what it shows: beyond, the list
# says "at least", rather than read every entry (at a million, a 50 MB index from
# disk) for a 50-line answer.
COUNT_UP_TO = 10_000


def _count(ledger: Ledger, where: str, params: list[Any], at_most: int | None) -> int:
    sql = f"SELECT 1 FROM entries e WHERE {where}"
    if at_most is not None:
        sql += f" LIMIT {int(at_most)}"
    return int(ledger.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])


def count_entries(
    ledger: Ledger,
    contact: Contact | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    at_most: int | None = None,
) -> int:
    """How many entries (voided ones included) `history` would list without a limit;
    at most `at_most` of them counted."""
    where, params = entry_filter(contact, since, until)
    return _count(ledger, where, params, at_most)


def totals(ledger: Ledger, contact: Contact, until: datetime) -> tuple[Sums, int]:
    """Points by kind and the live entry count of one contact up to `until`.

    Voided entries count for nothing.
    """
    row = ledger.conn.execute(
        f"SELECT {SUMS_SQL}, count(*) "
        "FROM entries WHERE contact_id = ? AND voided_by IS NULL AND occurred_at <= ?",
        [contact.id, to_store(until)],
    ).fetchone()
    return Sums(float(row[0]), float(row[1]), float(row[2])), int(row[3])


def live_entries(ledger: Ledger, contact: Contact, until: datetime) -> list[Entry]:
    """The entries that count for a contact as of `until`, oldest first."""
    return entry_rows(
        ledger,
        "e.contact_id = ? AND e.voided_by IS NULL AND e.occurred_at <= ?",
        [contact.id, to_store(until)],
        "ORDER BY e.occurred_at, e.id",
    )


def _ask_filters(
    contact: Contact | None,
    open_only: bool,
    until: datetime | None,
    made_by: datetime | None = None,
) -> list[tuple[str, list[Any]]]:
    """The WHERE clauses (on `entries e`) of the asks `asks` lists and `count_asks`
    counts, with their parameters: one clause, or for asks open as of `until` two
    that never share a row (open now; settled after `until`).

    An open ask is found by its status alone: the table's CHECK makes every row
    with a status a withdrawal, and without the kind the partial indexes of open
    asks (by time, by contact) cover the query, so a count reads only them."""
    where = ["e.voided_by IS NULL"]
    params: list[Any] = []
    for moment in (made_by, until):
        if moment is not None:
            where.append("e.occurred_at <= ?")
            params.append(to_store(moment))
    if contact is not None:
        where.append("e.contact_id = ?")
        params.append(contact.id)
    if not open_only:
        return [(" AND ".join(["e.kind = 'withdrawal'", *where]), params)]
    parts = [(" AND ".join(["e.status = 'open'", *where]), params)]
    if until is not None:  # open then: settled after `until`
        # Through the index of settlements: `+` keeps SQLite, which has no statistics
        # on a user's ledger, from walking every entry in time order instead.
        made = [w.replace("e.occurred_at", "+e.occurred_at") for w in where]
        later = ["e.kind = 'withdrawal'", *made, "e.resolved_at > ?"]
        parts.append((" AND ".join(later), [*params, to_store(until)]))
    return parts


def asks(
    ledger: Ledger,
    contact: Contact | None = None,
    open_only: bool = False,
    limit: int | None = None,
    until: datetime | None = None,
    oldest_first: bool = False,
    made_by: datetime | None = None,
) -> list[Ask]:
    """Asks newest first (or oldest first), with the points their completion gave back.

    With `until`, only asks made by then, each with its status as of then
    (settled later means open then). With `made_by`, only asks made by then.
    """
    order = "ASC" if oldest_first else "DESC"
    tail = f"ORDER BY e.occurred_at {order}, e.id {order}"
    tail += f" LIMIT {int(limit)}" if limit else ""
    # Open now through a partial index walked in time order (it stops at the limit).
    parts = _ask_filters(contact, open_only, until, made_by)
    entries = [e for where, params in parts for e in entry_rows(ledger, where, params, tail)]
    if len(parts) > 1:
        entries.sort(key=lambda e: (e.occurred_at, e.id), reverse=not oldest_first)
        entries = entries[:limit] if limit else entries
    returned: dict[str, float] = {}
    if entries:
        marks = ", ".join("?" for _ in entries)
        returned = {
            src: float(pts)
            for src, pts in ledger.conn.execute(
                "SELECT source_id, engage_fsum(points) FROM entries "
                f"WHERE source_id IN ({marks}) AND voided_by IS NULL GROUP BY source_id",
                [e.id for e in entries],
            )
        }
    out = []
    for e in entries:
        if until is not None and e.resolved_at is not None and e.resolved_at > until:
            out.append(Ask(e._replace(status="open", resolved_at=None), 0.0))
        else:
            out.append(Ask(e, returned.get(e.id, 0.0)))
    return out


def _long(start: datetime, end: datetime) -> bool:
    """A period longer than a month: at a million entries, 80,000 of them or more."""
    return end - start > timedelta(days=31)


def via_sums(ledger: Ledger, start: datetime, end: datetime) -> list[tuple[str, int, float, int]]:
    """Connectors in a period: name, entries they brokered, those entries' points, and
    how many of those came after you introduced the broker to that contact (the
    introduction's credit)."""
    # A long period: every brokered entry through their own index (grouped as it is
    # ordered), rather than each entry of the period looked up for its broker.
    index = "INDEXED BY entries_by_via" if _long(start, end) else ""
    rows = ledger.conn.execute(
        "SELECT c.name, count(*), sum(e.points), sum(EXISTS (SELECT 1 FROM entries i "
        "WHERE i.contact_id = e.via_id AND i.intro_with = e.contact_id "
        f"AND i.voided_by IS NULL AND i.occurred_at <= e.occurred_at)) FROM entries e {index} "
        "JOIN contacts c ON c.id = e.via_id "
        "WHERE e.via_id IS NOT NULL AND e.via_id != e.contact_id AND e.voided_by IS NULL "
        "AND e.occurred_at > ? AND e.occurred_at <= ? "
        "GROUP BY e.via_id ORDER BY count(*) DESC, sum(e.points) DESC, c.name_key",
        [to_store(start), to_store(end)],
    )
    return [(name, int(n), float(p), int(k)) for name, n, p, k in rows]


def brokered(ledger: Ledger, contact: Contact, until: datetime, limit: int = 10) -> list[Entry]:
    """Entries this contact brokered, newest first."""
    return entry_rows(
        ledger,
        "e.via_id = ? AND e.contact_id != e.via_id AND e.voided_by IS NULL AND e.occurred_at <= ?",
        [contact.id, to_store(until)],
        f"ORDER BY e.occurred_at DESC LIMIT {int(limit)}",
    )


# A live entry in a period (start < occurred_at <= end), and one of an engagement
# contact (what the ledger's weeks and verdicts are judged on: docs/scoring.md).
_PERIOD = "voided_by IS NULL AND occurred_at > ? AND occurred_at <= ?"
_ENGAGED = "contact_id NOT IN (SELECT id FROM contacts WHERE mode != 'engagement')"


def weekly_sums(
    ledger: Ledger, start: datetime, weeks: int, contact: Contact | None = None
) -> list[Sums]:
    """Points by kind in each of `weeks` consecutive weeks from `start`."""
    where = _PERIOD
    end = start + timedelta(days=7 * weeks)
    params: list[Any] = [int(start.timestamp()), to_store(start), to_store(end)]
    index = ""
    if contact is not None:
        where += " AND contact_id = ?"
        params.append(contact.id)
    else:  # the ledger's weeks are judged on engagement contacts (docs/scoring.md)
        where += f" AND {_ENGAGED}"
        index = "INDEXED BY entries_by_time"
    out = [Sums() for _ in range(weeks)]
    # Whole seconds (strftime('%s')), not julianday: floating-point days put
    # an entry one second after a boundary into the week before.
    sql = (
        "SELECT (CAST(strftime('%s', occurred_at) AS INTEGER) - ? - 1) / 604800, kind, points, "
        f"count(*) FROM entries {index} WHERE {where} GROUP BY 1, 2, 3"
    )
    for week, sums in _counted(ledger.conn.execute(sql, params)).items():
        if 0 <= week < weeks:
            out[week] = sums
    return out


def _counted(rows: Iterable[tuple[Any, str, float, int]]) -> dict[Any, Sums]:
    """Sums by key of rows (key, kind, points, how many entries of them): the exactly
    rounded sum (`math.fsum`, as `engage_fsum`) taken in C over the counts, not
    through a Python aggregate called once per entry."""
    parts: dict[Any, dict[str, list[tuple[float, int]]]] = {}
    for key, kind, points, n in rows:
        parts.setdefault(key, {}).setdefault(kind, []).append((points, n))

    def total(groups: list[tuple[float, int]] | None) -> float:
        return math.fsum(chain.from_iterable(repeat(p, n) for p, n in groups or ()))

    return {
        key: Sums(total(k.get("deposit")), total(k.get("withdrawal")), total(k.get("received")))
        for key, k in parts.items()
    }


# Points that are multiples of 1/1024 (1, 2.5, 0.25: what people type) sum exactly in
# any order (the sums of a period stay far below 2**43), so SQLite's own total()
# gives to the bit what the exactly rounded sum gives; a contact with other points
# in the period is counted by kind and size instead (`_counted`).
_TOTALS = (
    "total(CASE {e}kind WHEN 'deposit' THEN {e}points END), "
    "total(CASE {e}kind WHEN 'withdrawal' THEN {e}points END), "
    "total(CASE {e}kind WHEN 'received' THEN {e}points END), "
    "max({e}points * 1024 != CAST({e}points * 1024 AS INTEGER))"
)
_IN_PERIOD = f"FROM entries INDEXED BY entries_by_time WHERE {_PERIOD}"


def period_sums(ledger: Ledger, start: datetime, end: datetime) -> dict[int, Sums]:
    """Points by kind per contact id for start < occurred_at <= end, exactly rounded
    (in contact order): in one pass of SQLite over the period's entries, a year at 1M
    entries being 100,000 of them."""
    span = [to_store(start), to_store(end)]
    # Over a long period, each contact's entries through their own index, grouped as
    # they come, rather than all of the period's sorted by contact.
    sql = (
        f"SELECT c.id, {_TOTALS.format(e='e.')} "
        "FROM contacts c JOIN entries e INDEXED BY entries_by_contact ON e.contact_id = c.id "
        "WHERE e.voided_by IS NULL AND e.occurred_at > ? AND e.occurred_at <= ? GROUP BY c.id"
        if _long(start, end)
        else f"SELECT contact_id, {_TOTALS.format(e='')} {_IN_PERIOD} GROUP BY contact_id"
    )
    out, inexact = {}, []
    for cid, d, w, r, odd in ledger.conn.execute(sql, span):
        if odd:
            inexact.append(cid)
        else:
            out[cid] = Sums(d, w, r)
    if inexact:
        out.update(
            _counted(
                ledger.conn.execute(
                    f"SELECT contact_id, kind, points, count(*) FROM entries WHERE {_PERIOD} "
                    "AND contact_id IN (SELECT value FROM json_each(?)) "
                    "GROUP BY contact_id, kind, points",
                    [*span, json.dumps(inexact)],
                )
            )
        )
        out = dict(sorted(out.items()))
    return out


def period_total(ledger: Ledger, start: datetime, end: datetime) -> Sums:
    """The points by kind of the engagement contacts' entries for start < occurred_at
    <= end: the sum, in contact order, of their `period_sums` (one row of SQLite when
    every points value in it sums exactly)."""
    d, w, r, odd = ledger.conn.execute(
        f"SELECT {_TOTALS.format(e='')} {_IN_PERIOD} AND {_ENGAGED}",
        [to_store(start), to_store(end)],
    ).fetchone()
    if not odd:
        return Sums(d, w, r)
    others = other_modes(ledger)
    total = Sums()
    for cid, sums in period_sums(ledger, start, end).items():
        if cid not in others:
            total = total.plus(sums)
    return total


def entry_times(ledger: Ledger, since: datetime, until: datetime) -> list[tuple[str, datetime]]:
    """(contact name, when) of every live entry in [since, until]."""
    rows = ledger.conn.execute(
        "SELECT c.name, e.occurred_at FROM entries e INDEXED BY entries_by_time "
        "JOIN contacts c ON c.id = e.contact_id "
        "WHERE e.voided_by IS NULL AND e.occurred_at >= ? AND e.occurred_at <= ?",
        [to_store(since), to_store(until)],
    )
    return [(name, from_store(at)) for name, at in rows]


def count_asks(
    ledger: Ledger,
    contact: Contact | None,
    open_only: bool,
    until: datetime,
    at_most: int | None = None,
) -> int:
    """How many asks `asks` would list without a limit (made by `until`; with
    `open_only`, those open then); at most `at_most` of them counted."""
    found = 0
    for where, params in _ask_filters(contact, open_only, until):
        left = None if at_most is None else at_most - found
        if left is not None and left <= 0:
            break
        found += _count(ledger, where, params, left)
    return found


def count_open_asks(ledger: Ledger, until: datetime) -> int:
    """How many asks made by `until` are open now."""
    row = ledger.conn.execute(
        "SELECT count(*) FROM entries INDEXED BY entries_open_by_time "
        "WHERE status = 'open' AND voided_by IS NULL AND occurred_at <= ?",
        [to_store(until)],
    ).fetchone()
    return int(row[0])


def introductions(ledger: Ledger, contact: Contact, until: datetime) -> list[tuple[str, datetime]]:
    """Whom you introduced this contact to, and when (live introductions by `until`),
    oldest first; a folded contact by the name of the one it went into."""
    # Through the introductions' own index (it covers what is read): not every entry
    # of the contact looked up in the table for the one or two that are introductions.
    rows = ledger.conn.execute(
        "SELECT coalesce(l.name, i.name), min(e.occurred_at) FROM entries e "
        "INDEXED BY entries_by_intro "
        "JOIN contacts i ON i.id = e.intro_with LEFT JOIN contacts l ON l.id = i.folded_into "
        "WHERE e.contact_id = ? AND e.intro_with IS NOT NULL AND e.voided_by IS NULL "
        "AND e.occurred_at <= ? GROUP BY coalesce(l.id, i.id) ORDER BY 2, 1",
        [contact.id, to_store(until)],
    )
    return [(name, from_store(at)) for name, at in rows]


def introduced_before(ledger: Ledger, a: Contact, b: Contact) -> datetime | None:
    """When you last introduced `a` and `b` to each other (a live introduction), if
    ever: through the introductions' index alone."""
    (at,) = ledger.conn.execute(
        "SELECT max(occurred_at) FROM entries WHERE intro_with = ? AND contact_id = ? "
        "AND voided_by IS NULL",
        [b.id, a.id],
    ).fetchone()
    return None if at is None else from_store(at)


def met_through(ledger: Ledger, contact: Contact, until: datetime) -> list[tuple[str, datetime]]:
    """Who brokered entries of this contact (who introduced them to you), and
    when first, oldest first."""
    # Through the brokered entries' own index, as introductions() does.
    rows = ledger.conn.execute(
        "SELECT v.name, min(e.occurred_at) FROM entries e INDEXED BY entries_by_via "
        "JOIN contacts v ON v.id = e.via_id WHERE e.contact_id = ? AND e.via_id IS NOT NULL "
        "AND e.via_id != e.contact_id AND e.voided_by IS NULL "
        "AND e.occurred_at <= ? GROUP BY e.via_id ORDER BY 2, 1",
        [contact.id, to_store(until)],
    )
    return [(name, from_store(at)) for name, at in rows]
