"""Rows and the domain: how stored rows become contacts and entries, and shared SQL pieces."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engage_cli.dates import from_store, to_store
from engage_cli.domain import Contact, Entry
from engage_cli.store.connection import Ledger

# Points by kind (deposits, withdrawals, received) over the rows of a query.
# Exactly rounded (engage_fsum, scoring.Fsum): the same in any row order.
SUMS_SQL = (
    "coalesce(engage_fsum(CASE kind WHEN 'deposit' THEN points END), 0), "
    "coalesce(engage_fsum(CASE kind WHEN 'withdrawal' THEN points END), 0), "
    "coalesce(engage_fsum(CASE kind WHEN 'received' THEN points END), 0)"
)

# An ask set back to open: no longer settled, nor recorded as settled.
OPEN_AGAIN = "SET status = 'open', resolved_at = NULL, settled_logged_at = NULL"


def opt_time(text: str | None) -> datetime | None:
    return None if text is None else from_store(text)


def json_list(text: str | None) -> list[Any]:
    """A stored JSON list (none: an empty one); most are empty, read without the parser."""
    return [] if not text or text == "[]" else json.loads(text)


def contact_from_row(row: dict[str, Any]) -> Contact:
    return Contact(
        id=row["id"],
        uid=row["uid"],
        name=row["name"],
        kind=row["kind"],
        circle=row["circle"],
        tags=json_list(row["tags"]),
        note=row["note"],
        created_at=from_store(row["created_at"]),
        org=row["org"],
        nickname=row["nickname"],
        birthday=row["birthday"],
        emails=tuple(json_list(row["emails"])),
        phones=tuple(json_list(row["phones"])),
        sector=row.get("sector") or "",
        org_id=row.get("org_id"),
        aliases=tuple(json_list(row.get("aliases"))),
        archived_at=opt_time(row.get("archived_at")),
        folded_into=row.get("folded_into"),
        mode=row.get("mode") or "engagement",
    )


def entry_from_row(row: dict[str, Any]) -> Entry:
    return Entry(
        id=row["id"],
        contact=row["contact"],
        kind=row["kind"],
        points=row["points"],
        occurred_at=from_store(row["occurred_at"]),
        logged_at=from_store(row["logged_at"]),
        note=row["note"],
        tags=json_list(row["tags"]),
        batch=row["batch"],
        voided_by=row["voided_by"],
        status=row["status"],
        resolved_at=opt_time(row["resolved_at"]),
        source_id=row["source_id"],
        via=row["via"],
        void_reason=row.get("void_reason"),
        intro=row.get("intro"),
        goal=row.get("goal"),
    )


def entry_filter(
    contact: Contact | None, since: datetime | None, until: datetime | None
) -> tuple[str, list[Any]]:
    """The WHERE clause (on `entries e`) and parameters shared by history and its count."""
    where = ["1"]
    params: list[Any] = []
    if contact is not None:
        where.append("e.contact_id = ?")
        params.append(contact.id)
    if since is not None:
        where.append("e.occurred_at >= ?")
        params.append(to_store(since))
    if until is not None:
        where.append("e.occurred_at <= ?")
        params.append(to_store(until))
    return " AND ".join(where), params


def entry_rows(ledger: Ledger, where: str, params: Sequence[Any], tail: str = "") -> list[Entry]:
    return [entry_from_row(r) for r in entry_dicts(ledger, where, params, tail)]


def entry_dicts(
    ledger: Ledger, where: str, params: Sequence[Any], tail: str = ""
) -> list[dict[str, Any]]:
    """Entry rows with every column, and the contact's and broker's names."""
    sql = (
        # CROSS JOIN keeps entries the outer loop: their indexes pick the rows
        # (and their order); contacts are looked up by key for each.
        "SELECT e.*, c.name AS contact, v.name AS via, CASE WHEN e.voided_by IS NOT NULL "
        "THEN (SELECT reason FROM voids WHERE id = e.voided_by) END AS void_reason, "
        "CASE WHEN e.intro_with IS NOT NULL THEN (SELECT coalesce(l.name, i.name) FROM "
        "contacts i LEFT JOIN contacts l ON l.id = i.folded_into WHERE i.id = e.intro_with) "
        "END AS intro, CASE WHEN e.goal_id IS NOT NULL THEN (SELECT name FROM goals "
        "WHERE id = e.goal_id) END AS goal FROM entries e "
        "CROSS JOIN contacts c ON c.id = e.contact_id "
        "LEFT JOIN contacts v ON v.id = e.via_id AND e.via_id != e.contact_id "
        f"WHERE {where} {tail}"
    )
    return ledger.rows(sql, params)
