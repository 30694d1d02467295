"""Marks: each contact's state every 30 days, so that a moment in the past costs what now costs.

`state_marks` holds, per contact, the sums (charge, what you gave, what they gave
unasked) and the last contact and last ask at every mark (`scoring.MARK`) from its
first entry to its latest one. A report at a moment before a contact's latest entry
reads the mark at or before that moment and carries it forward over the entries
since (at most 30 days of them): `scoring.at_moment` is the definition, and what is
read here equals it to the last bit (tests/store/test_marks.py).

Writes keep the marks in the same transaction as the entries (`refresh`, from the
mark before the earliest moment a write touched); `rebuild` makes them all again
(bulk loads, the repair of a health check, the migration to schema 6); `wrong`
checks them against a recomputation. Everything here takes the bare connection, so
that the migration can build them.
"""

import itertools
import json
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from engage_cli import scoring
from engage_cli.dates import to_store

# An entry as the marks read it: kind, points, Unix seconds, and the stored moment.
_COLUMNS = "kind, points, CAST(strftime('%s', occurred_at) AS REAL), occurred_at"
Row = tuple[str, float, float, str]


class Mark(NamedTuple):
    at: float
    sums: scoring.Sums
    last_contact: str | None  # stored moments, as in contact_state
    last_ask: str | None


class Past(NamedTuple):
    """A contact's figures at a past moment."""

    sums: scoring.Sums
    last_contact: str | None
    last_ask: str | None


def _stored(at: float) -> str:
    return to_store(datetime.fromtimestamp(at, UTC))


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


def _touch_of(touch: str | None, ask: str | None, row: Row) -> tuple[str | None, str | None]:
    """The last contact and last ask after `row` (asking is not keeping in touch)."""
    if row[0] == "withdrawal":
        return touch, _later(ask, row[3])
    return _later(touch, row[3]), ask


def lasts(
    rows: Iterable[Row], touch: str | None = None, ask: str | None = None
) -> tuple[str | None, str | None]:
    """The last contact and last ask once `rows` are added to `touch` and `ask`."""
    for row in rows:
        touch, ask = _touch_of(touch, ask, row)
    return touch, ask


def impulses_of(rows: Sequence[Row]) -> list[scoring.Impulse]:
    return [scoring.impulse(at, kind, points) for kind, points, at, _ in rows]


def chain(
    rows: Sequence[Row],
    hl: float,
    base: Mark | None = None,
    impulses: Sequence[scoring.Impulse] | None = None,
) -> list[Mark]:
    """The marks of a contact's live entries `rows` (in time order), from `base` on;
    `impulses`: theirs, when the caller has them already."""
    impulses = impulses_of(rows) if impulses is None else impulses
    found = scoring.marks(impulses, hl, (base.at, base.sums) if base else None)
    touch, ask = (base.last_contact, base.last_ask) if base else (None, None)
    out, i = [], 0
    for at, sums in found:
        while i < len(rows) and rows[i][2] <= at:
            touch, ask = _touch_of(touch, ask, rows[i])
            i += 1
        out.append(Mark(at, sums, touch, ask))
    return out


def insert(conn: sqlite3.Connection, cid: int, hl: float, found: Iterable[Mark]) -> None:
    conn.executemany(
        "INSERT INTO state_marks (contact_id, at, half_life_days, charge, gave, received, "
        "last_contact_at, last_ask_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(cid, m.at, hl, *m.sums, m.last_contact, m.last_ask) for m in found],
    )


def _mark(row: Sequence[object]) -> Mark:
    at, charge, gave, received, touch, ask = row
    sums = scoring.Sums(float(charge), float(gave), float(received))  # type: ignore[arg-type]
    return Mark(float(at), sums, touch, ask)  # type: ignore[arg-type]


def refresh(
    conn: sqlite3.Connection, cid: int, hl: float, since: float | None, last: float | None
) -> None:
    """Make a contact's marks agree with its entries again after a write.

    `since`: the earliest moment of an entry the write added or took away (None:
    anything may have changed); `last`: the moment of its latest live entry now
    (None: it has none). Marks before `since` stand: only the later ones are made
    again, carried from the last one that stands.
    """
    base = None
    if since is not None and last is not None:
        before = scoring.mark_before(since)
        before = before - scoring.MARK if before == since else before
        row = conn.execute(
            "SELECT at, charge, gave, received, last_contact_at, last_ask_at, half_life_days "
            "FROM state_marks WHERE contact_id = ? AND at <= ? AND at < ? "
            "ORDER BY at DESC LIMIT 1",
            [cid, before, last],
        ).fetchone()
        if row is not None and row[6] == hl:
            base = _mark(row[:6])
    conn.execute(
        "DELETE FROM state_marks WHERE contact_id = ? AND at > ?",
        [cid, base.at if base else float("-inf")],
    )
    if last is None:
        return
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM entries WHERE contact_id = ? AND voided_by IS NULL "
        "AND occurred_at > ? ORDER BY occurred_at",
        [cid, _stored(base.at) if base else ""],
    ).fetchall()
    insert(conn, cid, hl, chain(rows, hl, base))


def by_contact(conn: sqlite3.Connection) -> Iterator[tuple[int, list[Row]]]:
    """Every contact's live entries in time order, one contact at a time (streamed)."""
    cursor = conn.execute(
        f"SELECT contact_id, {_COLUMNS} FROM entries WHERE voided_by IS NULL "
        "ORDER BY contact_id, occurred_at"
    )
    for cid, group in itertools.groupby(cursor, key=lambda r: int(r[0])):
        yield cid, [r[1:] for r in group]


def _half_lives(conn: sqlite3.Connection) -> dict[int, float]:
    """The half-life each contact's derived state is kept for: its marks use the same."""
    return {
        int(cid): float(hl)
        for cid, hl in conn.execute("SELECT contact_id, half_life_days FROM contact_state")
    }


def rebuild(conn: sqlite3.Connection) -> None:
    """Make every contact's marks again from its entries, with the half-life its derived
    state is kept for (the caller holds the transaction; contact_state is current)."""
    half_lives = _half_lives(conn)
    conn.execute("DELETE FROM state_marks")
    for cid, rows in by_contact(conn):
        if cid in half_lives:
            insert(conn, cid, half_lives[cid], chain(rows, half_lives[cid]))


def differ(
    conn: sqlite3.Connection,
    cid: int,
    hl: float | None,
    rows: Sequence[Row],
    impulses: Sequence[scoring.Impulse] | None = None,
) -> bool:
    """Whether a contact's stored marks differ, in any bit, from the marks of its live
    entries `rows` for half-life `hl` (None: it has no derived state, so no marks)."""
    stored = conn.execute(
        "SELECT at, half_life_days, charge, gave, received, last_contact_at, last_ask_at "
        "FROM state_marks WHERE contact_id = ? ORDER BY at",
        [cid],
    ).fetchall()
    found = chain(rows, hl, impulses=impulses) if hl is not None else []
    return [tuple(r) for r in stored] != [
        (m.at, hl, *m.sums, m.last_contact, m.last_ask) for m in found
    ]


def strays(conn: sqlite3.Connection, with_entries: set[int]) -> set[int]:
    """Contacts with marks but no live entry."""
    found = conn.execute("SELECT DISTINCT contact_id FROM state_marks").fetchall()
    return {int(r[0]) for r in found} - with_entries


def wrong(conn: sqlite3.Connection) -> list[int]:
    """Ids of contacts whose marks differ, in any bit, from a recomputation."""
    half_lives = _half_lives(conn)
    seen: set[int] = set()
    out = set()
    for cid, rows in by_contact(conn):
        seen.add(cid)
        if differ(conn, cid, half_lives.get(cid), rows):
            out.add(cid)
    return sorted(out | strays(conn, seen))


_BY_TIME_OVER = 20


def at_moments(
    conn: sqlite3.Connection, wanted: Sequence[Mapping[int, float]], moments: Sequence[datetime]
) -> list[dict[int, Past]]:
    """The figures at each of `moments` of the contacts `wanted` at it (id: half-life),
    each of which has an entry after that moment: from the mark at or before it and the
    entries since, the marks and the entries since the earliest of them read once for
    all. A contact whose marks were kept for another half-life is left out."""
    ts = [m.timestamp() for m in moments]
    cs = [scoring.mark_before(t) for t in ts]
    everyone = sorted(set().union(*wanted))
    if not everyone:
        return [{} for _ in moments]
    ids = json.dumps(everyone)
    found = {
        (int(row[0]), row[1]): (row[2], _mark((row[1], *row[3:])))
        for row in conn.execute(
            "SELECT contact_id, at, half_life_days, charge, gave, received, last_contact_at, "
            "last_ask_at FROM state_marks WHERE at IN (SELECT value FROM json_each(?)) "
            "AND contact_id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(set(cs))), ids],
        )
    }
    since: dict[int, list[Row]] = {}
    # Many contacts: the window's entries by time (at most 30 days of them for one
    # moment), not a search of each contact's own.
    by = "INDEXED BY entries_by_time" if len(everyone) > _BY_TIME_OVER else ""
    for cid, *row in conn.execute(
        f"SELECT contact_id, {_COLUMNS} FROM entries {by} WHERE voided_by IS NULL "
        "AND occurred_at > ? AND occurred_at <= ? "
        "AND contact_id IN (SELECT value FROM json_each(?))",
        [_stored(min(cs)), to_store(max(moments)), ids],
    ):
        since.setdefault(int(cid), []).append(tuple(row))
    times = {}
    for cid, rows in since.items():
        rows.sort(key=lambda r: r[3])
        times[cid] = [r[3] for r in rows]
    out = []
    for half_lives, t, c, as_of in zip(wanted, ts, cs, moments, strict=True):
        after, until = _stored(c), to_store(as_of)
        past = {}
        for cid, hl in half_lives.items():
            kept, base = found.get((cid, c), (hl, Mark(c, scoring.Sums(), None, None)))
            if kept != hl:
                continue
            rows, at = since.get(cid, []), times.get(cid, [])
            rows = rows[bisect_right(at, after) : bisect_right(at, until)]
            sums = scoring.carry(base.sums, c, impulses_of(rows), t, hl)
            past[cid] = Past(sums, *lasts(rows, base.last_contact, base.last_ask))
        out.append(past)
    return out
