"""Shared goals: added, closed, tied to entries, read back, undone, merged.

A goal is its name (any case): its uid is only where it was first added, and a
merge of two goals of one name keeps the smaller uid, the earlier creation and
the fields of the later change.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engage_cli.dates import from_store, to_store
from engage_cli.domain import Goal, closest, name_key
from engage_cli.errors import GoalNotFound, InputError
from engage_cli.ids import uuid7
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import opt_time
from engage_cli.store.writes import journal


def in_order(sectors: Any) -> list[str]:
    """Sectors in the one order they are always listed in (as `inputs.SECTORS`)."""
    from engage_cli.inputs import SECTORS

    return [s for s in SECTORS if s in set(sectors)]


def _goal(row: dict[str, Any]) -> Goal:
    return Goal(
        id=row["id"],
        uid=row["uid"],
        name=row["name"],
        why=row["why"],
        sectors=tuple(json.loads(row["sectors"])),
        created_at=from_store(row["created_at"]),
        closed_at=opt_time(row["closed_at"]),
        outcome=row["outcome"],
    )


def list_goals(ledger: Ledger) -> list[Goal]:
    """Every goal, open ones first, by name."""
    rows = ledger.rows("SELECT * FROM goals ORDER BY closed_at IS NOT NULL, name_key")
    return [_goal(r) for r in rows]


def find_goal(ledger: Ledger, name: str) -> Goal:
    """The goal called `name` (any case), or an error naming the closest ones."""
    rows = ledger.rows("SELECT * FROM goals WHERE name_key = ?", [name_key(name)])
    if rows:
        return _goal(rows[0])
    names = {name_key(g.name): g.name for g in list_goals(ledger)}
    raise GoalNotFound(name, closest(name, names))


def open_goal(ledger: Ledger, name: str) -> Goal:
    """The goal called `name`, which entries may still serve: not closed."""
    goal = find_goal(ledger, name)
    if goal.closed_at is not None:
        raise InputError(f"the goal {goal.name!r} is closed ({goal.outcome})")
    return goal


def add_goal(
    ledger: Ledger, name: str, sectors: list[str], why: str, since: datetime, now: datetime
) -> Goal:
    """Add a goal (journaled: undo takes it back). The caller holds the transaction."""
    if ledger.conn.execute("SELECT 1 FROM goals WHERE name_key = ?", [name_key(name)]).fetchone():
        raise InputError(f"a goal named {name!r} already exists")
    at = to_store(now)
    cur = ledger.conn.execute(
        "INSERT INTO goals (uid, name, name_key, why, sectors, created_at, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [uuid7(), name, name_key(name), why, json.dumps(in_order(sectors)), to_store(since), at],
    )
    goal_id = int(cur.lastrowid or 0)
    journal(ledger, at, "goal", detail={"goal": goal_id})
    return find_goal(ledger, name)


def close_goal(ledger: Ledger, goal: Goal, outcome: str, at: datetime, now: datetime) -> Goal:
    """Close a goal as achieved or dropped (journaled, with what it was before)."""
    if goal.closed_at is not None:
        raise InputError(f"the goal {goal.name!r} is already closed ({goal.outcome})")
    if at < goal.created_at:
        raise InputError(f"the goal {goal.name!r} was added after that moment")
    before = ledger.rows("SELECT closed_at, outcome, changed_at FROM goals WHERE id = ?", [goal.id])
    ledger.conn.execute(
        "UPDATE goals SET closed_at = ?, outcome = ?, changed_at = ? WHERE id = ?",
        [to_store(at), outcome, to_store(now), goal.id],
    )
    journal(ledger, to_store(now), "goal", detail={"goal": goal.id, "before": before[0]})
    return find_goal(ledger, goal.name)


def goal_of_action(ledger: Ledger, info: dict[str, Any]) -> dict[str, Any]:
    """What a goal action left, for undo to say and to check it still stands."""
    row = ledger.conn.execute(
        "SELECT name, closed_at, outcome FROM goals WHERE id = ?", [info.get("goal")]
    ).fetchone()
    if row is None:
        return {}
    return {"name": row[0], "closed": row[1] is not None, "outcome": row[2]}


def undo_goal(ledger: Ledger, info: dict[str, Any]) -> None:
    """Take back a goal action: a close is reopened as it was; an added goal goes,
    and the entries logged for it since serve no goal."""
    goal_id = info["goal"]
    before = info.get("before")
    if before is not None:
        ledger.conn.execute(
            "UPDATE goals SET closed_at = :closed_at, outcome = :outcome, "
            "changed_at = :changed_at WHERE id = :id",
            {**before, "id": goal_id},
        )
        return
    ledger.conn.execute("UPDATE entries SET goal_id = NULL WHERE goal_id = ?", [goal_id])
    ledger.conn.execute("DELETE FROM goals WHERE id = ?", [goal_id])


def goal_records(ledger: Ledger) -> list[dict[str, Any]]:
    """Every goal as an export record, by uid."""
    return [
        {
            "type": "goal",
            "uid": r["uid"],
            "name": r["name"],
            "why": r["why"],
            "sectors": json.loads(r["sectors"]),
            "created_at": r["created_at"],
            "closed_at": r["closed_at"],
            "outcome": r["outcome"],
            "changed_at": r["changed_at"],
        }
        for r in ledger.rows("SELECT * FROM goals ORDER BY uid")
    ]


def merge_goal(ledger: Ledger, rec: dict[str, Any]) -> int:
    """Merge a goal record: one goal per name; the smaller uid, the earlier creation,
    and the why, sectors and state of the later change (then the larger uid).
    Returns 1 when the goal is new here."""
    rows = ledger.rows("SELECT * FROM goals WHERE name_key = ?", [name_key(rec["name"])])
    if not rows:
        ledger.conn.execute(
            "INSERT INTO goals (uid, name, name_key, why, sectors, created_at, closed_at, "
            "outcome, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rec["uid"], rec["name"], name_key(rec["name"]), rec["why"],
             json.dumps(in_order(rec["sectors"])), rec["created_at"], rec["closed_at"],
             rec["outcome"],
             rec["changed_at"]],
        )  # fmt: skip
        return 1
    mine = dict(rows[0], sectors=json.loads(rows[0]["sectors"]))

    def order(r: dict[str, Any]) -> tuple[Any, ...]:
        # The later change wins; of two at one moment, a fixed order of what they hold
        # (closed over open, ...), so that either device merging first ends the same.
        closed = r["closed_at"] or ""
        return (r["changed_at"], r["uid"], closed, r["outcome"] or "", r["why"], r["sectors"])

    wins = max(mine, rec, key=order)
    # The sectors whose voices it needs: what either device named (as tags merge).
    sectors = in_order(set(mine["sectors"]) | set(rec["sectors"]))
    ledger.conn.execute(
        "UPDATE goals SET uid = ?, name = ?, created_at = ?, why = ?, sectors = ?, closed_at = ?, "
        "outcome = ?, changed_at = ? WHERE id = ?",
        [min(mine["uid"], rec["uid"]), wins["name"], min(mine["created_at"], rec["created_at"]),
         wins["why"], json.dumps(sectors), wins["closed_at"], wins["outcome"],
         wins["changed_at"], mine["id"]],
    )  # fmt: skip
    return 0


def goal_id_named(ledger: Ledger, name: str) -> int | None:
    row = ledger.conn.execute(
        "SELECT id FROM goals WHERE name_key = ?", [name_key(name)]
    ).fetchone()
    return None if row is None else int(row[0])


# The live entries that serve a goal, made by a moment.
_SERVING = "e.goal_id = ? AND e.voided_by IS NULL AND e.occurred_at <= ?"


def goal_totals(
    ledger: Ledger, goal: Goal, until: datetime
) -> tuple[float, float, float, datetime | None]:
    """What was deposited, asked and received for `goal` by `until` (exact sums), and
    the moment of its last entry then (None: none yet)."""
    row = ledger.conn.execute(
        "SELECT engage_fsum(CASE WHEN kind = 'deposit' THEN points END), "
        "engage_fsum(CASE WHEN kind = 'withdrawal' THEN points END), "
        "engage_fsum(CASE WHEN kind = 'received' THEN points END), max(occurred_at) "
        f"FROM entries e WHERE {_SERVING}",
        [goal.id, to_store(until)],
    ).fetchone()
    dep, wd, rec, last = row  # no entry at all: no sums
    return float(dep or 0.0), float(wd or 0.0), float(rec or 0.0), opt_time(last)


def goal_people(ledger: Ledger, goal: Goal, until: datetime) -> list[Any]:
    """The contacts whose entries served `goal` by `until` (a folded one as the contact
    it was folded into), once each."""
    from engage_cli.store.rows import contact_from_row

    return [
        contact_from_row(r)
        for r in ledger.rows(
            "SELECT * FROM contacts WHERE id IN (SELECT DISTINCT coalesce(x.folded_into, x.id) "
            f"FROM entries e JOIN contacts x ON x.id = e.contact_id WHERE {_SERVING})",
            [goal.id, to_store(until)],
        )
    ]


def goal_open_asks(
    ledger: Ledger, goal: Goal, until: datetime, limit: int = 0
) -> tuple[list[tuple[str, str, float, datetime, str]], int]:
    """The asks for `goal` open at `until`, oldest first: (id, contact, points, made,
    note) of the first `limit` (0: all), and how many there are."""
    at = to_store(until)
    where = f"{_SERVING} AND e.kind = 'withdrawal' AND (e.status = 'open' OR e.resolved_at > ?)"
    params: list[Any] = [goal.id, at, at]
    total = ledger.conn.execute(f"SELECT count(*) FROM entries e WHERE {where}", params)
    count = int(total.fetchone()[0])
    rows = ledger.conn.execute(
        "SELECT e.id, c.name, e.points, e.occurred_at, e.note FROM entries e "
        f"JOIN contacts c ON c.id = e.contact_id WHERE {where} ORDER BY e.occurred_at, e.id"
        + (" LIMIT ?" if limit else ""),
        params + ([limit] if limit else []),
    ).fetchall()
    found = [(i, name, float(pts), from_store(made), note) for i, name, pts, made, note in rows]
    return found, count


def goal_sums(ledger: Ledger, until: datetime) -> dict[int, tuple[int, float, float, int, str]]:
    """Per goal, as of `until`: contacts, deposits, withdrawals, asks open then, and
    the last entry's moment."""
    at = to_store(until)
    rows = ledger.conn.execute(
        "SELECT goal_id, count(DISTINCT contact_id), "
        "engage_fsum(CASE WHEN kind = 'deposit' THEN points ELSE 0 END), "
        "engage_fsum(CASE WHEN kind = 'withdrawal' THEN points ELSE 0 END), "
        "sum(kind = 'withdrawal' AND (status = 'open' OR resolved_at > ?)), max(occurred_at) "
        "FROM entries WHERE goal_id IS NOT NULL AND voided_by IS NULL AND occurred_at <= ? "
        "GROUP BY goal_id",
        [at, at],
    )
    return {int(g): (int(n), float(d), float(w), int(o), str(last)) for g, n, d, w, o, last in rows}
