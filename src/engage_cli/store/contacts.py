"""Contacts: finding them by name (any case), listing them, and inserting their rows."""

from __future__ import annotations

import json
from typing import Any

from engage_cli.domain import Contact, name_key
from engage_cli.errors import ContactNotFound
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import contact_from_row


def insert_contact(ledger: Ledger, **values: Any) -> int:
    """Insert a contact from every column but `id` and `name_key`; return its id.

    `tags`, `emails` and `phones` are sequences, stored as JSON lists.
    """
    row = {**values, "name_key": name_key(values["name"])}
    for key in ("tags", "emails", "phones"):
        row[key] = json.dumps(list(row[key]), ensure_ascii=False)
    cols = ", ".join(row)
    cur = ledger.conn.execute(
        f"INSERT INTO contacts ({cols}) VALUES ({', '.join(':' + c for c in row)})", row
    )
    assert cur.lastrowid is not None  # contacts.id is the rowid
    return cur.lastrowid


def find_contact(ledger: Ledger, name: str) -> Contact | None:
    rows = ledger.rows("SELECT * FROM contacts WHERE name_key = ?", [name_key(name)])
    return contact_from_row(rows[0]) if rows else None


def close_names(ledger: Ledger, name: str, limit: int = 3) -> list[str]:
    """Existing names closest to `name`: the ones it starts or is part of, then look-alikes."""
    import difflib

    names = [r[0] for r in ledger.conn.execute("SELECT name FROM contacts ORDER BY name_key")]
    key = name_key(name)
    keys = {name_key(n): n for n in names}
    found = [n for k, n in keys.items() if key and (k.startswith(key) or key in k.split())]
    for k in difflib.get_close_matches(key, list(keys), n=limit, cutoff=0.6):
        if keys[k] not in found:
            found.append(keys[k])
    return found[:limit]


def get_contact(ledger: Ledger, name: str) -> Contact:
    """The contact called `name` (any case), or an error naming the closest ones."""
    found = find_contact(ledger, name)
    if found is None:
        close = close_names(ledger, name)
        raise ContactNotFound(name, close)
    return found


def list_contacts(
    ledger: Ledger, circle: str | None = None, tag: str | None = None
) -> list[Contact]:
    sql = "SELECT * FROM contacts"
    where: list[str] = []
    params: list[Any] = []
    if circle:
        where.append("circle = ?")
        params.append(circle)
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = ?)")
        params.append(tag.lower())
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [contact_from_row(r) for r in ledger.rows(sql + " ORDER BY name_key", params)]


def count_contacts(
    ledger: Ledger,
) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM contacts").fetchone()[0])
