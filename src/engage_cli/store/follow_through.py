"""Undo and redo of follow-through: promises made (alone or by a log), kept, dropped,
remembered days, and the follow-up day of a log's asks (see undoing.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from engage_cli.dates import from_store
from engage_cli.errors import CannotUndo
from engage_cli.store.connection import Ledger
from engage_cli.store.journal import Action
from engage_cli.store.keeping import (
    drop_promise,
    keep_promise,
    put_rows,
    reopen_promise,
    take_rows,
)
from engage_cli.store.promises import get_promise

HalfLife = Callable[[str], float]


def undo(ledger: Ledger, action: Action, now: datetime, half_life: HalfLife) -> dict[str, Any]:
    """Take back a promise, keep, drop or remember; return what redo needs."""
    if action.kind == "remember":
        return {"rows": take_rows(ledger, "dates", "id = ?", [action.detail["date"]])}
    promise = get_promise(ledger, action.detail["promise"])
    if action.kind == "promise":
        if promise.state != "open":
            raise CannotUndo(f"the promise was {promise.state} since; undo that first")
        return {"rows": take_rows(ledger, "promises", "id = ?", [promise.id])}
    reopen_promise(ledger, promise, now, half_life)  # keep or drop
    return {}


def redo(
    ledger: Ledger, action: Action, stash: dict[str, Any], now: datetime, half_life: HalfLife
) -> None:
    """Do an undone promise, keep, drop or remember again."""
    if action.kind in ("promise", "remember"):
        put_rows(ledger, "promises" if action.kind == "promise" else "dates", stash["rows"])
        return
    promise = get_promise(ledger, action.detail["promise"])
    at = from_store(action.detail["at"])
    if action.kind == "keep":
        keep_promise(ledger, promise, at, now, action.detail["points"], half_life, False)
    else:
        drop_promise(ledger, promise, at, now, journaled=False)


def take_log(
    ledger: Ledger, action: Action, stash: dict[str, Any], now: datetime, half_life: HalfLife
) -> None:
    """What a log's undo takes back beside its entries: the promises it made (reopened
    first when kept or dropped since) and the follow-up days of its asks (kept in `stash`)."""
    for row in ledger.rows("SELECT id, state FROM promises WHERE batch = ?", [action.batch]):
        if row["state"] != "open":
            reopen_promise(ledger, get_promise(ledger, row["id"]), now, half_life)
    uids = dict(
        ledger.conn.execute(
            "SELECT p.id, c.uid FROM promises p JOIN contacts c ON c.id = p.contact_id "
            "WHERE p.batch = ?",
            [action.batch],
        ).fetchall()
    )
    rows = take_rows(ledger, "promises", "batch = ?", [action.batch])
    stash["promises"] = [{**r, "contact_id": uids[r["id"]]} for r in rows]  # by uid
    stash["follow_ups"] = {
        r["id"]: r["follow_up_at"]
        for r in ledger.rows(
            "SELECT id, follow_up_at FROM entries WHERE batch = ? AND follow_up_at IS NOT NULL",
            [action.batch],
        )
    }


def put_log(ledger: Ledger, stash: dict[str, Any], new_ids: list[str], batch: str) -> None:
    """What a log's redo writes again beside its entries (now `new_ids`, in `batch`)."""
    for row in stash.get("promises", []):  # the contact by uid: a log's redo adds it anew
        cid = ledger.conn.execute("SELECT id FROM contacts WHERE uid = ?", [row["contact_id"]])
        put_rows(ledger, "promises", [{**row, "contact_id": cid.fetchone()[0]}], batch=batch)
    old_ids = [e["id"] for e in stash.get("entries", [])]
    for old, new in zip(old_ids, new_ids, strict=False):
        at = stash.get("follow_ups", {}).get(old)
        if at is not None:
            ledger.conn.execute("UPDATE entries SET follow_up_at = ? WHERE id = ?", [at, new])
