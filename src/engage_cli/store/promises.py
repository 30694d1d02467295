"""Promises and remembered days read back: listed, found, and what weighs on a charge.

A promise belongs to the contact it was made for; a fold moves it with the
contact (read through `folded_into`). Keeping one logs a deposit linked to it;
dropping one lets it go. An open promise past its due day and the grace weighs
on its contact's charge: that weight is computed from this table whenever a
charge is read (`overdue`), never stored (docs/scoring.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from engage_cli.dates import from_store, to_store
from engage_cli.domain import Contact, Dated, Promise, Written
from engage_cli.errors import PromiseNotFound
from engage_cli.ids import short
from engage_cli.scoring import PromiseRule
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import opt_time

# A promise's row, with the name of the live contact that holds it (a fold moves it).
_SELECT = (
    "SELECT p.id, c.name, c.id, p.what, p.due_at, p.made_at, p.state, p.settled_at, "
    "p.entry_id, p.batch FROM promises p "
    "JOIN contacts o ON o.id = p.contact_id "
    "JOIN contacts c ON c.id = coalesce(o.folded_into, o.id) "
)


def _promise(row: Sequence[Any], as_of: datetime | None = None) -> Promise:
    pid, name, cid, what, due, made, state, settled, entry, batch = row
    if as_of is not None and settled is not None and settled > to_store(as_of):
        state, settled, entry = "open", None, None  # settled after the moment asked for
    return Promise(
        pid, name, cid, what, opt_time(due), from_store(made), state, opt_time(settled), entry,
        batch,
    )  # fmt: skip


def get_promise(ledger: Ledger, pid: str) -> Promise:
    row = ledger.conn.execute(_SELECT + "WHERE p.id = ?", [pid]).fetchone()
    if row is None:
        raise PromiseNotFound(short(pid), [])
    return _promise(row)


def find_promise(ledger: Ledger, ref: str) -> Promise:
    """A promise by its full id or a unique prefix or suffix of at least 6 hex digits;
    unknown: the error names the closest short ids."""
    ref = ref.strip().lower()
    row = ledger.conn.execute(_SELECT + "WHERE p.id = ?", [ref]).fetchone()
    if row is not None:
        return _promise(row)
    compact = ref.replace("-", "")
    rows: list[Any] = []
    if len(compact) >= 6 and all(ch in "0123456789abcdef" for ch in compact):
        rows = ledger.conn.execute(
            _SELECT + "WHERE replace(p.id, '-', '') LIKE ? OR replace(p.id, '-', '') LIKE ? "
            "LIMIT 2",
            [compact + "%", "%" + compact],
        ).fetchall()
    if len(rows) == 1:
        return _promise(rows[0])
    import difflib

    ids = [short(r[0]) for r in ledger.conn.execute("SELECT id FROM promises")]
    if len(rows) > 1:
        close = [short(r[0]) for r in rows]
    else:
        close = difflib.get_close_matches(compact[-8:], ids, n=3, cutoff=0.5)
    raise PromiseNotFound(ref, close)


def list_promises(
    ledger: Ledger,
    as_of: datetime,
    contact: Contact | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
) -> list[Promise]:
    """Promises made by `as_of` (as they stood then), by due day (none last), then made;
    `overdue_only`: those open then and due before it."""
    where = "p.made_at <= ?"
    params: list[Any] = [to_store(as_of)]
    if overdue_only:
        where += " AND p.due_at < ? AND (p.state = 'open' OR p.settled_at > ?)"
        params += [to_store(as_of), to_store(as_of)]
    if contact is not None:
        where += " AND c.id = ?"
        params.append(contact.id)
    rows = ledger.conn.execute(
        _SELECT + f"WHERE {where} ORDER BY p.due_at IS NULL, p.due_at, p.made_at, p.id", params
    ).fetchall()
    found = [_promise(r, as_of) for r in rows]
    return [p for p in found if p.state == "open"] if open_only else found


def open_due(
    ledger: Ledger,
    as_of: datetime,
    until: datetime,
    since: datetime | None = None,
    limit: int = 0,
) -> list[Promise]:
    """Promises open at `as_of` and due by `until` (from `since`, when given), soonest
    due first: the first `limit` of them (0: all)."""
    due = "p.due_at <= ?" + (" AND p.due_at >= ?" if since is not None else "")
    bounds = [to_store(until)] + ([to_store(since)] if since is not None else [])
    at = to_store(as_of)
    sql = (
        _SELECT
        + f"WHERE p.state = 'open' AND {due} AND p.made_at <= ? UNION ALL "
        + _SELECT
        + f"WHERE p.state != 'open' AND p.settled_at > ? AND {due} "
        "AND p.made_at <= ? ORDER BY 5, 1"
    )
    params: list[Any] = [*bounds, at, at, *bounds, at]
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [_promise(r, as_of) for r in ledger.conn.execute(sql, params)]


def count_open_due(ledger: Ledger, as_of: datetime, until: datetime) -> int:
    """How many promises open at `as_of` are due by `until`."""
    at = to_store(as_of)
    row = ledger.conn.execute(
        "SELECT (SELECT count(*) FROM promises WHERE state = 'open' AND due_at <= ? "
        "AND made_at <= ?) + (SELECT count(*) FROM promises WHERE state != 'open' "
        "AND settled_at > ? AND due_at <= ? AND made_at <= ?)",
        [to_store(until), at, at, to_store(until), at],
    ).fetchone()
    return int(row[0])


def overdue(
    ledger: Ledger, as_of: datetime, grace_days: float, contact_ids: Sequence[int] | None = None
) -> dict[int, list[Promise]]:
    """Open promises (as of `as_of`) whose due moment plus the grace has passed, by the
    live contact that holds them: what weighs on charges then."""
    from datetime import timedelta

    start = to_store(as_of - timedelta(days=grace_days))
    sql = (
        _SELECT + "WHERE p.due_at IS NOT NULL AND p.due_at <= ? AND p.made_at <= ? "
        "AND (p.state = 'open' OR p.settled_at > ?)"
    )
    params: list[Any] = [start, to_store(as_of), to_store(as_of)]
    if contact_ids is not None:  # their promises, and those of contacts folded into them
        sql += (
            " AND p.contact_id IN (SELECT x.id FROM contacts x "
            "WHERE coalesce(x.folded_into, x.id) IN (SELECT value FROM json_each(?)))"
        )
        params.append(json.dumps(list(contact_ids)))
    out: dict[int, list[Promise]] = {}
    for row in ledger.conn.execute(sql, params):
        p = _promise(row, as_of)
        out.setdefault(p.contact_id, []).append(p)
    return out


def weighing(
    ledger: Ledger, since: datetime, until: datetime, grace_days: float
) -> dict[int, list[tuple[float, float, float | None]]]:
    """Every promise that may weigh on a charge at some moment from `since` to `until`
    (due by `until` less the grace, made by then, not settled by `since`), as
    scoring.promise_weight reads it: (due, made, settled or None), by the live contact
    that holds it. What `overdue` finds at each of many moments, read once."""
    from datetime import timedelta

    rows = ledger.conn.execute(
        "SELECT coalesce(o.folded_into, o.id), p.due_at, p.made_at, p.settled_at "
        "FROM promises p JOIN contacts o ON o.id = p.contact_id "
        "WHERE p.due_at IS NOT NULL AND p.due_at <= ? AND p.made_at <= ? "
        "AND (p.settled_at IS NULL OR p.settled_at > ?)",
        [to_store(until - timedelta(days=grace_days)), to_store(until), to_store(since)],
    )
    out: dict[int, list[tuple[float, float, float | None]]] = {}
    for cid, due, made, settled in rows:
        at = from_store(settled).timestamp() if settled is not None else None
        out.setdefault(int(cid), []).append(
            (from_store(due).timestamp(), from_store(made).timestamp(), at)
        )
    return out


def remembered(ledger: Ledger, contact_ids: Sequence[int] | None = None) -> list[Dated]:
    """Every remembered day, with the live contact that holds it."""
    sql = (
        "SELECT d.id, c.name, c.id, d.kind, d.what, d.day FROM dates d "
        "JOIN contacts o ON o.id = d.contact_id "
        "JOIN contacts c ON c.id = coalesce(o.folded_into, o.id) "
        "WHERE c.archived_at IS NULL"
    )
    params: list[Any] = []
    if contact_ids is not None:
        sql += " AND c.id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(contact_ids)))
    return [Dated(*r) for r in ledger.conn.execute(sql + " ORDER BY d.day, d.id", params)]


def has_date(ledger: Ledger, contact_id: int, kind: str, day: str) -> bool:
    found = ledger.conn.execute(
        "SELECT 1 FROM dates WHERE contact_id = ? AND kind = ? AND day = ?", [contact_id, kind, day]
    ).fetchone()
    return found is not None


# An ask open at a moment with a follow-up by another: open now (through the index
# entries_follow_up; +: not by entries_open_by_time), or settled after the moment
# (through entries_followed).
_FOLLOW_UPS = (
    "e.follow_up_at IS NOT NULL AND e.status = 'open' AND e.voided_by IS NULL "
    "AND e.follow_up_at <= ? AND +e.occurred_at <= ?",
    "e.resolved_at > ? AND e.follow_up_at IS NOT NULL AND e.follow_up_at <= ? "
    "AND e.voided_by IS NULL AND e.occurred_at <= ?",
)


def follow_ups(
    ledger: Ledger,
    as_of: datetime,
    until: datetime,
    since: datetime | None = None,
    limit: int = 0,
) -> list[tuple[Any, datetime]]:
    """Asks open at `as_of` with a follow-up day by `until` (from `since`, when given):
    (the ask, its follow-up), soonest first; the first `limit` of them (0: all)."""
    from engage_cli.store.rows import entry_rows

    at, by = to_store(as_of), to_store(until)
    extra, more = ("", []) if since is None else (" AND e.follow_up_at >= ?", [to_store(since)])
    tail = f"ORDER BY e.follow_up_at, e.id LIMIT {int(limit)}" if limit else ""
    now, settled = _FOLLOW_UPS
    asks = entry_rows(ledger, now + extra, [by, at, *more], tail) + entry_rows(
        ledger, settled + extra, [at, by, at, *more], tail
    )
    moments = dict(
        ledger.conn.execute(
            "SELECT id, follow_up_at FROM entries WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([a.id for a in asks])],
        ).fetchall()
    )
    found = sorted(((a, from_store(moments[a.id])) for a in asks), key=lambda x: (x[1], x[0].id))
    return found[:limit] if limit else found


def count_follow_ups(ledger: Ledger, as_of: datetime, until: datetime) -> int:
    """How many asks open at `as_of` have a follow-up day by `until` (what `follow_ups`
    lists): those open now and made by then, and those settled since, each counted from
    the index entries_followed alone, which covers it."""
    at, by = to_store(as_of), to_store(until)
    now, settled = _FOLLOW_UPS
    count = "SELECT count(*) FROM entries e INDEXED BY entries_followed WHERE"
    row = ledger.conn.execute(
        f"SELECT ({count} {now}) + ({count} {settled})", [by, at, at, by, at]
    ).fetchone()
    return int(row[0])


def circles(ledger: Ledger) -> dict[int, str]:
    """Every contact's circle, by id."""
    return dict(ledger.conn.execute("SELECT id, circle FROM contacts").fetchall())


def live_people(ledger: Ledger, as_of: datetime) -> list[tuple[int, str, str, str | None]]:
    """(id, name, uid, birthday) of every contact live and not archived at `as_of`."""
    from engage_cli.store.contacts import LIVE

    return [
        (int(r[0]), r[1], r[2], r[3])
        for r in ledger.conn.execute(
            f"SELECT id, name, uid, birthday FROM contacts WHERE {LIVE} "
            "AND NOT (archived_at IS NOT NULL AND archived_at <= ?) ORDER BY name_key",
            [to_store(as_of)],
        )
    ]


def weighed(
    ledger: Ledger,
    wrote: Sequence[Written],
    now: datetime,
    half_life: Callable[[str], float],
    rule: PromiseRule,
) -> list[Written]:
    """Entries just written, each with its contact's charge now including what overdue
    promises weigh (as every report shows it)."""
    if not wrote:
        return list(wrote)
    ids = dict(
        ledger.conn.execute(
            "SELECT id, contact_id FROM entries WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([w.entry.id for w in wrote])],
        ).fetchall()
    )
    late = overdue(ledger, now, rule.grace_days, sorted(set(ids.values())))
    if not late:
        return list(wrote)
    circles = dict(
        ledger.conn.execute(
            "SELECT id, circle FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(late))],
        ).fetchall()
    )
    t = now.timestamp()
    out = []
    for w in wrote:
        cid = ids[w.entry.id]
        weight = [p.weight(t, half_life(circles[cid]), rule) for p in late.get(cid, [])]
        out.append(w._replace(charge_after=math.fsum([w.charge_after, *weight])))
    return out
