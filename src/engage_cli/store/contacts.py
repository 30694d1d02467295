"""Contacts: finding them by name or alias (any case), listing them, inserting their rows.

A folded contact keeps its row and its names, which find the contact it was
folded into; an archived one is found by name but left out of the lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from engage_cli.dates import to_store
from engage_cli.domain import Change, Contact, closest, name_key
from engage_cli.errors import ContactNotFound
from engage_cli.store.connection import Ledger
from engage_cli.store.rows import contact_from_row

# Contacts that are themselves (not folded into another).
LIVE = "folded_into IS NULL"


def insert_contact(ledger: Ledger, **values: Any) -> int:
    """Insert a contact from every column but `id` and `name_key`; return its id.

    `tags`, `emails`, `phones` and `aliases` are sequences, stored as JSON lists.
    """
    row = {**values, "name_key": name_key(values["name"])}
    for key in ("tags", "emails", "phones", "aliases"):
        if key in row:
            row[key] = json.dumps(list(row[key]), ensure_ascii=False)
    cols = ", ".join(row)
    cur = ledger.conn.execute(
        f"INSERT INTO contacts ({cols}) VALUES ({', '.join(':' + c for c in row)})", row
    )
    assert cur.lastrowid is not None  # contacts.id is the rowid
    return cur.lastrowid


def contact_by_id(ledger: Ledger, contact_id: int) -> Contact:
    return contact_from_row(ledger.rows("SELECT * FROM contacts WHERE id = ?", [contact_id])[0])


def find_contact(ledger: Ledger, name: str) -> Contact | None:
    """The live contact `name` finds: its own name, a folded duplicate's name, or an alias."""
    key = name_key(name)
    rows = ledger.rows(
        f"SELECT * FROM contacts WHERE name_key = ? ORDER BY {LIVE} DESC, uid", [key]
    )
    if not rows:
        rows = [r for r in _with_aliases(ledger) if key in _alias_keys(r)]
        rows.sort(key=lambda r: (r["folded_into"] is not None, r["uid"]))
    return live(ledger, contact_from_row(rows[0])) if rows else None


def live(ledger: Ledger, contact: Contact) -> Contact:
    """The contact itself, or the live one a folded contact went into."""
    return contact_by_id(ledger, contact.folded_into) if contact.folded_into else contact


def _with_aliases(ledger: Ledger) -> list[dict[str, Any]]:
    return ledger.rows("SELECT * FROM contacts WHERE aliases != '[]'")


def _alias_keys(row: dict[str, Any]) -> set[str]:
    return {name_key(a) for a in json.loads(row["aliases"])}


def find_by_email(ledger: Ledger, email: str) -> Contact | None:
    """The live contact an email finds (its own, or a contact's folded into it)."""
    rows = ledger.rows(
        "SELECT c.* FROM contacts c, json_each(c.emails) j WHERE j.value = ? "
        f"ORDER BY c.{LIVE} DESC, c.uid LIMIT 1",
        [email.lower()],
    )
    return live(ledger, contact_from_row(rows[0])) if rows else None


def plain_key(name: str) -> str:
    """`name_key` without accents: José and Jose, Zoë and Zoe compare equal."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name_key(name))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def accent_twins(ledger: Ledger, contact: Contact) -> list[str]:
    """Other live contacts whose names differ from `contact`'s only in accents:
    most likely one person added twice."""
    key = plain_key(contact.name)
    return [
        cname
        for cid, cname in ledger.conn.execute(f"SELECT id, name FROM contacts WHERE {LIVE}")
        if cid != contact.id and plain_key(cname) == key
    ]


def close_names(ledger: Ledger, name: str, limit: int = 3) -> list[str]:
    """Existing names closest to `name`: the ones it starts or is part of, then look-alikes.

    Live contacts only; an alias that is close suggests the contact's own name.
    """
    keys: dict[str, str] = {}
    for cname, aliases in ledger.conn.execute(
        f"SELECT name, aliases FROM contacts WHERE {LIVE} ORDER BY name_key"
    ):
        keys.setdefault(name_key(cname), cname)
        for alias in json.loads(aliases):
            keys.setdefault(name_key(alias), cname)
    return closest(name, keys, limit)


def get_contact(ledger: Ledger, name: str) -> Contact:
    """The contact called `name` (any case, or an alias), or an error naming the closest ones."""
    found = find_contact(ledger, name)
    if found is None:
        close = close_names(ledger, name)
        raise ContactNotFound(name, close)
    return found


def list_contacts(
    ledger: Ledger,
    circle: str | None = None,
    tag: str | None = None,
    archived: bool | None = False,
    as_of: datetime | None = None,
    sector: str | None = None,
    org: Contact | None = None,
) -> list[Contact]:
    """Live contacts by name: not archived (the default), only archived, or (None) both;
    of a circle, with a tag, of a sector, or belonging to the organisation `org`.

    With `as_of`, a contact archived after that moment was not archived yet.
    """
    sql = "SELECT * FROM contacts"
    where: list[str] = [LIVE]
    params: list[Any] = []
    if archived is not None:
        if as_of is None:
            where.append("archived_at IS NOT NULL" if archived else "archived_at IS NULL")
        else:
            cut = "archived_at IS NOT NULL AND archived_at <= ?"
            where.append(cut if archived else f"NOT ({cut})")
            params.append(to_store(as_of))
    if circle:
        where.append("circle = ?")
        params.append(circle)
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = ?)")
        params.append(tag.lower())
    if sector:
        where.append("sector = ?")
        params.append(sector)
    if org is not None:
        where.append("org_id = ?")
        params.append(org.id)
    sql += " WHERE " + " AND ".join(where)
    return [contact_from_row(r) for r in ledger.rows(sql + " ORDER BY name_key", params)]


def count_contacts(ledger: Ledger) -> int:
    """Every contact with a row (folded ones included)."""
    return int(ledger.conn.execute("SELECT count(*) FROM contacts").fetchone()[0])


def named(ledger: Ledger, changes: Iterable[Change]) -> list[Change]:
    """Changes as people read them: an organisation by its name, not its uid."""

    def name(uid: Any) -> Any:
        if uid is None:
            return None
        row = ledger.conn.execute("SELECT name FROM contacts WHERE uid = ?", [uid]).fetchone()
        return row[0] if row else uid

    return [
        Change(c.field, name(c.before), name(c.after)) if c.field == "org" else c for c in changes
    ]


def known_as(ledger: Ledger) -> list[tuple[Contact, tuple[str, ...], tuple[str, ...]]]:
    """Each live contact not archived, with every name and email that finds it: its
    aliases and those of contacts folded into it (names), its emails and theirs."""
    folded: dict[int, list[dict[str, Any]]] = {}
    for r in ledger.rows("SELECT * FROM contacts WHERE folded_into IS NOT NULL"):
        folded.setdefault(r["folded_into"], []).append(r)
    out = []
    for c in list_contacts(ledger):
        more = folded.get(c.id, [])
        names = [*c.aliases, *(r["name"] for r in more)]
        names += [a for r in more for a in json.loads(r["aliases"])]
        emails = [*c.emails, *(e for r in more for e in json.loads(r["emails"]))]
        out.append((c, tuple(dict.fromkeys(names)), tuple(dict.fromkeys(emails))))
    return out


def other_modes(ledger: Ledger) -> set[int]:
    """The contacts (archived and folded ones too) whose mode is not engagement."""
    return {r[0] for r in ledger.conn.execute("SELECT id FROM contacts WHERE mode != 'engagement'")}
