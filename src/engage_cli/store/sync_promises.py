"""Sync of follow-through: promises and remembered days merged (see sync.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engage_cli.errors import InputError
from engage_cli.store.connection import Ledger

_PROMISE_RANK = {"open": 0, "dropped": 1, "kept": 2}


def merge_promise(
    ledger: Ledger,
    rec: dict[str, Any],
    contact_id: int,
    void: Callable[[Ledger, dict[str, Any]], int],
) -> int:
    """A promise from a record. Of two states of it: settled beats open, then the earlier
    settlement (dropped before kept at the same moment); the deposit of a keeping that
    lost is voided by `void` (with an id derived from it, the same on every device)."""
    import uuid

    if rec["entry"] is not None:
        known = ledger.conn.execute("SELECT 1 FROM entries WHERE id = ?", [rec["entry"]])
        if known.fetchone() is None:
            raise InputError(f"promise {rec['id']} names an entry that is not in the import")
    row = ledger.conn.execute(
        "SELECT state, settled_at, entry_id FROM promises WHERE id = ?", [rec["id"]]
    ).fetchone()
    if row is None:
        ledger.conn.execute(
            "INSERT INTO promises (id, contact_id, what, due_at, made_at, logged_at, batch, "
            "state, settled_at, entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rec["id"], contact_id, rec["what"], rec["due_at"], rec["made_at"],
             rec["logged_at"], rec["batch"], rec["state"], rec["settled_at"], rec["entry"]],
        )  # fmt: skip
        return 1
    mine = (row[0], row[1], row[2])
    theirs = (rec["state"], rec["settled_at"], rec["entry"])

    def key(s: tuple[str, str | None, str | None]) -> tuple[int, str, int, str]:
        return (s[0] == "open", s[1] or "", _PROMISE_RANK[s[0]], s[2] or "")

    won = min(mine, theirs, key=key)
    for lost in (mine, theirs):
        if lost[2] is not None and lost[2] != won[2]:
            void_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"engage:promise:{lost[2]}"))
            at = ledger.conn.execute("SELECT occurred_at FROM entries WHERE id = ?", [lost[2]])
            void(ledger, {"id": void_id, "entry": lost[2], "voided_at": at.fetchone()[0],
                                "reason": "its promise was settled otherwise"})  # fmt: skip
    if won != mine:
        ledger.conn.execute(
            "UPDATE promises SET state = ?, settled_at = ?, entry_id = ? WHERE id = ?",
            [won[0], won[1], won[2], rec["id"]],
        )
    return 0


def merge_date(ledger: Ledger, rec: dict[str, Any], contact_id: int) -> int:
    cur = ledger.conn.execute(
        "INSERT OR IGNORE INTO dates (id, contact_id, kind, what, day, made_at, batch) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [rec["id"], contact_id, rec["kind"], rec["what"], rec["day"], rec["made_at"],
         rec["batch"]],
    )  # fmt: skip
    return cur.rowcount
