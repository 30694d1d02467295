"""Derived state: each contact's charge as of its latest entry, kept beside the entries.

`contact_state` holds, per contact, the charge and the exchange (what you
gave, what they gave unasked) decayed to the anchor (its latest entry), so
that reports cost O(contacts): exponential decay is memoryless (scoring.State).
Writes keep it in the same transaction (in SQLite, with the marks of marks.py);
`rebuild_state` recomputes it all, and `verify_state` checks it, in one pass over
the entries in contact order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from engage_cli import scoring
from engage_cli.dates import from_store, to_store
from engage_cli.domain import Contact, Facts
from engage_cli.store import marks
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import count_contacts, list_contacts
from engage_cli.store.rows import opt_time

# Unix seconds of a stored moment (whole seconds: exactly what Python reads from it).
_SECONDS = "CAST(strftime('%s', {}) AS REAL)"
# A contact's last contact and last ask over the rows of `{e}entries`: asking is not
# keeping in touch, so the last contact is the latest entry that is not an ask.
_LAST_CONTACT_AND_ASK = (
    "max(CASE WHEN {e}kind != 'withdrawal' THEN {e}occurred_at END), "
    "max(CASE {e}kind WHEN 'withdrawal' THEN {e}occurred_at END)"
)


def half_lives_sql(
    circles: Iterable[str], half_life: Callable[[str], float]
) -> tuple[str, list[Any]]:
    """A `WITH hl(circle, half_life)` clause for `circles`, and its parameters."""
    params: list[Any] = []
    for circle in circles:
        params += [circle, half_life(circle)]
    values = ", ".join("(?, ?)" for _ in range(len(params) // 2))
    return f"WITH hl(circle, half_life) AS (VALUES {values})", params


def live_impulses(ledger: Ledger, contact_id: int) -> list[scoring.Impulse]:
    rows = ledger.conn.execute(
        "SELECT kind, points, occurred_at FROM entries WHERE contact_id = ? AND voided_by IS NULL",
        [contact_id],
    )
    return [scoring.impulse(from_store(at).timestamp(), kind, pts) for kind, pts, at in rows]


def recompute_state(
    ledger: Ledger, contact_id: int, half_life: float, since: float | None = None
) -> scoring.State:
    """Rebuild one contact's derived state from its entries and store it, with its marks.

    In one pass of SQLite over the contact's entries, through the exactly rounded
    aggregate (the same sums `scoring.rebuild` makes: `verify_state` checks it).
    `since`: the earliest moment (Unix seconds) of an entry the caller added or
    voided, when it was one such change; the marks before it stand.
    """
    found, anchor, last_contact, last_ask = ledger.conn.execute(
        f"SELECT engage_decayed(kind, points, {_SECONDS.format('occurred_at')}, "
        f"(SELECT {_SECONDS.format('max(occurred_at)')} FROM entries "
        "WHERE contact_id = :c AND voided_by IS NULL), :hl), "
        f"{_SECONDS.format('max(occurred_at)')}, {_LAST_CONTACT_AND_ASK.format(e='')} "
        "FROM entries WHERE contact_id = :c AND voided_by IS NULL",
        {"c": contact_id, "hl": half_life},
    ).fetchone()
    state = scoring.State()
    if anchor is not None:
        charge, gave, received = json.loads(found)
        state = scoring.State(charge, anchor, gave, received)
    save_state(ledger, contact_id, half_life, state, last_contact, last_ask)
    marks.refresh(ledger.conn, contact_id, half_life, since, anchor)
    return state


def rebuild_state(ledger: Ledger, half_life: Callable[[str], float]) -> int:
    """Recompute every contact's derived state and marks from its entries; return the count.

    One pass over the live entries in contact order (the covering `entries_by_contact`),
    a contact at a time in memory: its state is `scoring.rebuild` of its entries, the
    same exactly rounded sums each write makes in SQLite, and its marks `marks.chain`.
    The caller holds the transaction. Used after bulk loads and by the repair of a
    health check.
    """
    conn = ledger.conn
    circles = dict(conn.execute("SELECT id, circle FROM contacts").fetchall())
    conn.execute("DELETE FROM contact_state")
    conn.execute("DELETE FROM state_marks")
    rows: list[tuple[Any, ...]] = []
    for cid, found in marks.by_contact(conn):
        if cid not in circles:
            continue
        hl = half_life(circles.pop(cid))
        state, touch, ask, impulses = _state_of(found, hl)
        rows.append((cid, hl, state.anchor, state.charge, touch, ask, state.gave, state.received))
        marks.insert(conn, cid, hl, marks.chain(found, hl, impulses=impulses))
    rows += [(cid, half_life(c), None, 0.0, None, None, 0.0, 0.0) for cid, c in circles.items()]
    conn.executemany(
        "INSERT INTO contact_state (contact_id, half_life_days, anchor, charge, "
        "last_contact_at, last_ask_at, gave, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return count_contacts(ledger)


def _state_of(
    found: Sequence[marks.Row], hl: float
) -> tuple[scoring.State, str | None, str | None, list[scoring.Impulse]]:
    """A contact's state from its live entries `found` (in time order, at least one),
    its last contact and last ask, and their impulses: what `scoring.rebuild` sums, in
    one pass, each term decayed to the anchor (the latest entry)."""
    impulses = marks.impulses_of(found)
    anchor = found[-1][2]
    sums = scoring.carry(scoring.Sums(), -math.inf, impulses, anchor, hl)
    touch, ask = marks.lasts(found)
    return scoring.State(sums.charge, anchor, sums.gave, sums.received), touch, ask, impulses


# Beyond this many contacts one pass over every entry is quicker than one per contact.
REBUILD_OVER = 500


def refresh_contacts(ledger: Ledger, ids: Iterable[int], half_life: Callable[[str], float]) -> None:
    """Recompute the derived state and marks of the contacts `ids` that still exist (all
    of it, in one pass, when they are many); the caller holds the transaction."""
    wanted = sorted(set(ids))
    if len(wanted) > REBUILD_OVER:
        rebuild_state(ledger, half_life)
        return
    circles = dict(
        ledger.conn.execute(
            "SELECT id, circle FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(wanted)],
        ).fetchall()
    )
    for cid in wanted:
        if cid in circles:
            recompute_state(ledger, cid, half_life(circles[cid]))


def save_state(
    ledger: Ledger,
    contact_id: int,
    half_life: float,
    state: scoring.State,
    last_contact: str | None,
    last_ask: str | None,
) -> None:
    ledger.conn.execute(
        "INSERT OR REPLACE INTO contact_state (contact_id, half_life_days, anchor, charge, "
        "last_contact_at, last_ask_at, gave, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            contact_id,
            half_life,
            state.anchor,
            state.charge,
            last_contact,
            last_ask,
            state.gave,
            state.received,
        ],
    )


def facts(
    ledger: Ledger,
    as_of: datetime,
    half_life: Callable[[str], float],
    contacts: Sequence[Contact] | None = None,
    *,
    promises: scoring.PromiseRule | None,
) -> list[Facts]:
    """Every contact's charge, last contact, last ask and exchange as of `as_of`.

    `promises`: the rule by which promises overdue at `as_of` weigh on the charge
    (scoring.promise_weight), read from the promises table: O(promises overdue);
    None only where the charge of the entries alone is meant (a check of the derived
    state). Required, so that no report forgets it: every charge a report shows has it.

    From the derived state for each contact whose latest entry is at or before
    `as_of` (the usual case: O(contacts)); from the marks for those with entries
    after it (a mark and at most 30 days of entries each: docs/scoring.md); from
    their entries for those whose state is kept for another half-life.
    """
    chosen = list(contacts) if contacts is not None else list_contacts(ledger, as_of=as_of)
    if not chosen:
        return []
    out = _facts_at(ledger, [as_of], half_life, chosen, contacts is not None)[0]
    if promises is not None:
        out = with_promises(ledger, out, as_of, half_life, promises, contacts is not None)
    return out


def facts_at(
    ledger: Ledger,
    moments: Sequence[datetime],
    half_life: Callable[[str], float],
    contacts: Sequence[Contact],
) -> list[list[Facts]]:
    """`facts(ledger, m, half_life, contacts, promises=None)` at each of `moments`: the
    derived state, the marks and the entries read once for all of them."""
    return _facts_at(ledger, moments, half_life, list(contacts), True) if contacts else []


def _facts_at(
    ledger: Ledger,
    moments: Sequence[datetime],
    half_life: Callable[[str], float],
    chosen: list[Contact],
    some: bool,
) -> list[list[Facts]]:
    """The facts of `chosen` at each of `moments`, without what promises weigh; `some`:
    `chosen` may be fewer than every contact, so only their rows are read."""
    sql = (
        "SELECT contact_id, half_life_days, anchor, charge, last_contact_at, last_ask_at, "
        "gave, received FROM contact_state"
    )
    args: list[Any] = []
    if some:  # only the rows asked for: one for `show`, not every one
        sql += " WHERE contact_id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps([c.id for c in chosen]))
    states = {row[0]: row[1:] for row in ledger.conn.execute(sql, args)}
    kept = [c for c in chosen if c.id in states and states[c.id][0] == half_life(c.circle)]
    aheads = [
        {c.id: states[c.id][0] for c in kept if states[c.id][1] is not None and states[c.id][1] > t}
        for t in (m.timestamp() for m in moments)
    ]
    thens = _from_marks(ledger, aheads, moments)
    fresh = {c.id for c in kept}
    times = _Times()
    kept_states = {
        cid: (hl, scoring.State(charge, anchor, gave, received), times(touch), times(ask))
        for cid, (hl, anchor, charge, touch, ask, gave, received) in states.items()
    }
    out = []
    for as_of, ahead, then in zip(moments, aheads, thens, strict=True):
        stale = [c for c in chosen if c.id not in fresh or (c.id in ahead and c.id not in then)]
        slow = facts_from_entries(ledger, stale, as_of, half_life) if stale else {}
        t = as_of.timestamp()
        row = []
        for c in chosen:
            if c.id in slow:
                row.append(slow[c.id])
            elif c.id in then:
                sums, touch, ask = then[c.id]
                row.append(
                    Facts(c, sums.charge, times(touch), times(ask), sums.gave, sums.received)
                )
            else:  # the derived state carried to the moment
                hl, kept_state, last_touch, last_ask = kept_states[c.id]
                now = kept_state.projected(t, hl)
                row.append(Facts(c, now.charge, last_touch, last_ask, now.gave, now.received))
        out.append(row)
    return out


class _Times(dict[str, datetime]):
    """Stored moments read once each (many contacts share a mark's, many moments a
    contact's)."""

    def __call__(self, text: str | None) -> datetime | None:
        if text is None:
            return None
        found = self.get(text)
        if found is None:
            found = self[text] = from_store(text)
        return found


def _from_marks(
    ledger: Ledger, aheads: Sequence[dict[int, float]], moments: Sequence[datetime]
) -> list[dict[int, marks.Past]]:
    """The figures at each of `moments` of contacts with entries after it, from their
    marks: none from an older ledger read as it is (it has no marks: those come from
    the entries)."""
    if (
        not any(aheads)
        or not ledger.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state_marks'"
        ).fetchone()
    ):
        return [{} for _ in moments]
    return marks.at_moments(ledger.conn, aheads, moments)


def with_promises(
    ledger: Ledger,
    found: list[Facts],
    as_of: datetime,
    half_life: Callable[[str], float],
    rule: scoring.PromiseRule,
    some: bool,
) -> list[Facts]:
    """The facts with what promises overdue at `as_of` weigh added to each charge."""
    from engage_cli.store.promises import overdue

    late = overdue(ledger, as_of, rule.grace_days, [f.contact.id for f in found] if some else None)
    if not late:
        return found
    t = as_of.timestamp()
    return [
        f._replace(
            charge=math.fsum(
                [f.charge]
                + [p.weight(t, half_life(f.contact.circle), rule) for p in late[f.contact.id]]
            )
        )
        if f.contact.id in late
        else f
        for f in found
    ]


def facts_from_entries(
    ledger: Ledger, chosen: Sequence[Contact], as_of: datetime, half_life: Callable[[str], float]
) -> dict[int, Facts]:
    """Facts of `chosen` contacts as of `as_of`, aggregated from their entries."""
    half_lives, params = half_lives_sql(sorted({c.circle for c in chosen}), half_life)
    params += [as_of.timestamp(), to_store(as_of)]
    only = ""
    if len(chosen) < count_contacts(ledger):
        # Through entries_by_contact: the cost follows these contacts' entries.
        only = "AND e.contact_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps([c.id for c in chosen]))
    sql = f"""
        {half_lives}
        SELECT e.contact_id,
               engage_decayed(e.kind, e.points, {_SECONDS.format("e.occurred_at")}, ?,
                              hl.half_life),
               {_LAST_CONTACT_AND_ASK.format(e="e.")}
        FROM entries e
        JOIN contacts c ON c.id = e.contact_id
        JOIN hl ON hl.circle = c.circle
        WHERE e.voided_by IS NULL AND e.occurred_at <= ? {only}
        GROUP BY e.contact_id
    """
    found = {
        cid: (*json.loads(sums), touch, ask)
        for cid, sums, touch, ask in ledger.conn.execute(sql, params)
    }
    out = {}
    for c in chosen:
        charge, gave, received, last_contact, last_ask = found.get(
            c.id, (0.0, 0.0, 0.0, None, None)
        )
        out[c.id] = Facts(
            c,
            float(charge or 0.0),
            opt_time(last_contact),
            opt_time(last_ask),
            float(gave or 0.0),
            float(received or 0.0),
        )
    return out


def verify_state(
    ledger: Ledger, half_life: Callable[[str], float], tolerance: float = 1e-6
) -> list[str]:
    """Names of contacts whose derived state, or any bit of their marks, differs from a
    recomputation: one pass over the entries in contact order, as `rebuild_state` makes.

    A state kept for another half-life than today's is checked for the one it was kept
    for (it is recomputed on use)."""
    conn = ledger.conn
    stored = {
        int(r[0]): r[1:]
        for r in conn.execute(
            "SELECT contact_id, half_life_days, anchor, charge, last_contact_at, last_ask_at, "
            "gave, received FROM contact_state"
        )
    }
    off: set[int] = set()
    seen: set[int] = set()
    for cid, found in marks.by_contact(conn):
        seen.add(cid)
        if (row := stored.get(cid)) is None:
            off.add(cid)
            continue
        expected, touch, ask, impulses = _state_of(found, row[0])
        if (
            not _same(scoring.State(row[2], row[1], row[5], row[6]), expected, row[0], tolerance)
            or (row[3], row[4]) != (touch, ask)
            or marks.differ(conn, cid, row[0], found, impulses)
        ):
            off.add(cid)
    off |= {cid for cid, row in stored.items() if cid not in seen and row[1] is not None}
    off |= marks.strays(conn, seen)
    return [c.name for c in list_contacts(ledger, archived=None) if c.id in off]


def _same(stored: scoring.State, expected: scoring.State, hl: float, tolerance: float) -> bool:
    """Whether two states agree once carried to the same moment, within `tolerance`."""
    if stored.anchor is None:
        return expected.anchor is None
    probe = max(stored.anchor, expected.anchor or 0.0, 0.0)
    now, then = stored.projected(probe, hl), expected.projected(probe, hl)
    return all(
        math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)
        for a, b in zip(now[:1] + now[2:], then[:1] + then[2:], strict=True)
    )
