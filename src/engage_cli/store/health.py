"""Health: everything `doctor` verifies about a ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engage_cli import domain
from engage_cli.errors import LedgerError
from engage_cli.store.connection import Ledger
from engage_cli.store.queries import count_entries
from engage_cli.store.state import rebuild_state, verify_state


def check_ledger(ledger: Ledger, half_life: Callable[[str], float]) -> dict[str, list[str]]:
    """Every check of a ledger's health: check name -> problems found (empty when fine)."""
    conn = ledger.conn
    problems: dict[str, list[str]] = {}
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    problems["integrity"] = [] if rows == ["ok"] else rows[:20]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    problems["schema"] = (
        []
        if version == domain.SCHEMA_VERSION
        else [f"schema {version}, expected {domain.SCHEMA_VERSION}"]
    )
    problems["foreign keys"] = [
        f"{table} row {rowid} points at a missing {parent}"
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall()[:20]
    ]
    problems["voids"] = [
        f"entry {eid} and its void disagree"
        for (eid,) in conn.execute(
            "SELECT e.id FROM entries e LEFT JOIN voids v ON v.id = e.voided_by "
            "WHERE e.voided_by IS NOT NULL AND (v.id IS NULL OR v.entry_id != e.id) "
            "UNION SELECT v.entry_id FROM voids v LEFT JOIN entries e ON e.id = v.entry_id "
            "WHERE e.id IS NULL OR e.voided_by IS NULL OR e.voided_by > v.id LIMIT 20"
        )
    ]
    missing = conn.execute(
        "SELECT count(*) FROM contacts c "
        "WHERE NOT EXISTS (SELECT 1 FROM contact_state s WHERE s.contact_id = c.id)"
    ).fetchone()[0]
    state = [
        f"{n}: derived state differs from its entries" for n in verify_state(ledger, half_life)
    ]
    if missing:
        state.insert(0, f"{missing} contacts have no derived state")
    problems["derived state"] = state
    return problems


def diagnose(
    ledger: Ledger, half_life: Callable[[str], float], repair: bool
) -> tuple[dict[str, list[str]], bool]:
    """The checks' findings and whether a repair ran: with `repair`, derived state that
    differs from the entries is rebuilt from them (entries themselves never change)."""
    problems = check_ledger(ledger, half_life)
    if not (repair and problems["derived state"]):
        return problems, False
    with ledger.transaction():
        rebuild_state(ledger, half_life)
    return check_ledger(ledger, half_life), True


def verified_backup(ledger: Ledger, target: Path, half_life: Callable[[str], float]) -> int:
    """Copy the ledger to `target` and check the copy; return how many entries it holds."""
    count = count_entries(ledger)  # the copy holds at least these (others may write)
    ledger.backup(target)
    with Ledger.open(target, create=False) as copy:
        problems = check_ledger(copy, half_life)
        copied = count_entries(copy)
    bad = [name for name, found in problems.items() if found]
    if bad or copied < count:
        raise LedgerError(f"the backup at {target} failed verification ({', '.join(bad)})")
    return copied
