"""Sync of entries: an entry known on both sides, voids, and asks made to agree (see sync.py)."""

from __future__ import annotations

from typing import Any

from engage_cli.errors import InputError
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import OPEN_AGAIN


def reconcile_asks(
    ledger: Ledger,
) -> None:
    """Make asks and what they gave back agree after a merge, the same way on every device.

    A give-back whose ask is not done (another device declined it first, or
    reopened it) is voided, and so is every give-back but the earliest of an
    ask marked done on two devices; the void ids derive from the deposit so
    that both devices write the same ones. A done ask whose give-backs are
    all voided is open.
    """
    import uuid

    stale = ledger.conn.execute(
        "SELECT d.id, d.occurred_at FROM entries d JOIN entries a ON a.id = d.source_id "
        "WHERE d.voided_by IS NULL AND (a.status != 'done' OR a.voided_by IS NOT NULL)"
    ).fetchall()
    twice = ledger.conn.execute(
        "SELECT d.id, d.occurred_at FROM entries d INDEXED BY entries_by_source "
        "WHERE d.source_id IS NOT NULL AND d.voided_by IS NULL AND EXISTS ("
        "SELECT 1 FROM entries k WHERE k.source_id = d.source_id AND k.voided_by IS NULL "
        "AND (k.occurred_at, k.id) < (d.occurred_at, d.id))"
    ).fetchall()
    for (deposit_id, occurred_at), why, reason in [
        *((row, "unsettled", "its ask is not done") for row in stale),
        *((row, "duplicate", "its ask was done on two devices") for row in twice),
    ]:
        void_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"engage:{why}:{deposit_id}"))
        merge_void(
            ledger, {"id": void_id, "entry": deposit_id, "voided_at": occurred_at, "reason": reason}
        )
    ledger.conn.execute(
        f"UPDATE entries {OPEN_AGAIN} "
        "WHERE status = 'done' AND voided_by IS NULL "
        "AND EXISTS (SELECT 1 FROM entries d WHERE d.source_id = entries.id) "
        "AND NOT EXISTS (SELECT 1 FROM entries d WHERE d.source_id = entries.id "
        "AND d.voided_by IS NULL)"
    )


def merge_known_entry(ledger: Ledger, rec: dict[str, Any], row: tuple[Any, ...]) -> None:
    """An entry this ledger has (`row`: its status, resolved_at, kind, occurred_at): only
    its settlement and follow-up day may differ, and they must fit."""
    if rec.get("follow_up") is not None:  # of two follow-up days, the earlier
        ledger.conn.execute(
            "UPDATE entries SET follow_up_at = ? WHERE id = ? "
            "AND (follow_up_at IS NULL OR follow_up_at > ?)",
            [rec["follow_up"], rec["id"], rec["follow_up"]],
        )
    if rec["kind"] != row[2]:
        raise InputError(f"entry {rec['id']} is a {row[2]} here, not a {rec['kind']}")
    if rec["resolved_at"] is not None and rec["resolved_at"] < row[3]:
        raise InputError(f"entry {rec['id']}: an ask cannot be settled before it was made")
    status, resolved = _settle_merge((row[0], row[1]), (rec["status"], rec["resolved_at"]))
    if (status, resolved) != (row[0], row[1]):
        ledger.conn.execute(
            "UPDATE entries SET status = ?, resolved_at = ? WHERE id = ?",
            [status, resolved, rec["id"]],
        )


def merge_void(ledger: Ledger, rec: dict[str, Any]) -> int:
    if ledger.conn.execute("SELECT 1 FROM voids WHERE id = ?", [rec["id"]]).fetchone():
        return 0
    ledger.conn.execute(
        "INSERT INTO voids (id, entry_id, voided_at, reason) VALUES (?, ?, ?, ?)",
        [rec["id"], rec["entry"], rec["voided_at"], rec["reason"]],
    )
    ledger.conn.execute(
        "UPDATE entries SET voided_by = ? WHERE id = ? AND (voided_by IS NULL OR voided_by > ?)",
        [rec["id"], rec["entry"], rec["id"]],
    )
    return 1


_SETTLED_RANK = {None: 0, "open": 0, "declined": 1, "done": 2}


def _settle_merge(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None]
) -> tuple[str | None, str | None]:
    """Of two states of the same ask: settled beats open; then the earlier settlement."""
    if a[0] in (None, "open"):
        return b if b[0] not in (None, "open") else a
    if b[0] in (None, "open"):
        return a
    return min(a, b, key=lambda s: (s[1] or "", _SETTLED_RANK[s[0]]))
