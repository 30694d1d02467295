"""Edits: every change to a contact, kept with its moment, and the contact they make.

A contact's fields are what it was added with, changed by its edits: for
each field the latest edit wins (by `edited_at`, then by id), wherever it
was made. So two devices that merge each other's edits, in any order, end
with the same contact. Undoing an edit is another edit, back to the value it
replaced, so that an undo travels between devices like the edit did.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from engage_cli.dates import to_store
from engage_cli.domain import Change, Contact, a_kind, name_key
from engage_cli.errors import ContactArchived, InputError, NameTaken
from engage_cli.ids import uuid7
from engage_cli.inputs import EDIT_FIELDS, clean_change
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import contact_by_id, find_by_email, find_contact, live, named
from engage_cli.store.state import recompute_state

# The column each field is stored in (org: the organisation's row; archived: since when).
COLUMNS = {
    "name": "name", "kind": "kind", "circle": "circle", "tags": "tags", "note": "note",
    "emails": "emails", "org": "org_id", "sector": "sector", "birthday": "birthday",
    "aliases": "aliases", "archived": "archived_at", "mode": "mode",
}  # fmt: skip
_LISTS = ("tags", "emails", "aliases")


def value_of(ledger: Ledger, row: Mapping[str, Any], field: str) -> Any:
    """A field of a contact's row as an edit holds it (lists as lists, org by uid)."""
    raw = row[COLUMNS[field]]
    if field in _LISTS:
        return json.loads(raw)
    if field == "org":
        if raw is None:
            return None
        found = ledger.conn.execute("SELECT uid FROM contacts WHERE id = ?", [raw]).fetchone()
        return found[0] if found else None
    return raw


def _store(ledger: Ledger, contact_id: int, field: str, value: Any) -> None:
    """Set one field of a contact's row to an edit's value."""
    column = COLUMNS[field]
    if field in _LISTS:
        stored: Any = json.dumps(value, ensure_ascii=False)
    elif field == "org":
        found = ledger.conn.execute("SELECT id FROM contacts WHERE uid = ?", [value]).fetchone()
        stored = found[0] if found and value is not None else None
    else:
        stored = value
    if field == "name":
        ledger.conn.execute(
            "UPDATE contacts SET name = ?, name_key = ? WHERE id = ?",
            [value, name_key(value), contact_id],
        )
        return
    ledger.conn.execute(f"UPDATE contacts SET {column} = ? WHERE id = ?", [stored, contact_id])


def check_changes(ledger: Ledger, contact: Contact, wanted: Mapping[str, Any]) -> None:
    """Refuse what the ledger cannot hold: a taken name or alias, an organisation that is
    not one, an organisation with people made something else, an archived contact."""
    if contact.archived_at is not None and set(wanted) - {"archived"}:
        raise ContactArchived(contact.name)
    held = {name_key(a) for a in contact.aliases}
    fresh = [a for a in wanted.get("aliases", []) if name_key(a) not in held]
    for name in [*([wanted["name"]] if "name" in wanted else []), *fresh]:
        holder = find_contact(ledger, name)
        if holder is not None and holder.id != contact.id:
            raise NameTaken(name, holder.name)
    for email in sorted(set(wanted.get("emails", [])) - set(contact.emails)):
        holder = find_by_email(ledger, email)
        if holder is not None and holder.id != contact.id:
            raise InputError(f"{email} is an email of {holder.name} already")
    if wanted.get("org") is not None:
        row = ledger.rows("SELECT * FROM contacts WHERE uid = ?", [wanted["org"]])
        if not row or row[0]["id"] == contact.id:
            raise InputError(f"{contact.name} cannot belong to itself")
        if row[0]["kind"] != "org":
            raise InputError(
                f"{row[0]['name']} is {a_kind(row[0]['kind'])}, not an organisation "
                "(make it an organisation first)"
            )
    if wanted.get("kind", "org") != "org" and contact.kind == "org":
        members = ledger.conn.execute(
            "SELECT count(*) FROM contacts WHERE org_id = ? AND folded_into IS NULL",
            [contact.id],
        ).fetchone()[0]
        if members:
            raise InputError(
                f"{members} {'person belongs' if members == 1 else 'people belong'} to "
                f"{contact.name}; it stays an organisation while they do"
            )


def edit_contact(
    ledger: Ledger,
    contact: Contact,
    wanted: Mapping[str, Any],
    now: datetime,
    half_life: Callable[[str], float],
) -> tuple[str, list[Change]]:
    """Change fields of a contact as one batch of edits (the caller holds the transaction).

    `wanted` maps fields to new values, as edits hold them. A field already so
    is left alone; the batch id and the changes made are returned (none: nothing
    changed, and nothing was written).
    """
    try:
        clean = {field: clean_change(field, value) for field, value in wanted.items()}
    except ValueError as exc:
        raise InputError(str(exc)) from None
    check_changes(ledger, contact, clean)
    row = ledger.rows("SELECT * FROM contacts WHERE id = ?", [contact.id])[0]
    batch = uuid7()
    changes = write_edits(ledger, contact.id, row, clean, to_store(now), batch)
    if any(c.field == "circle" for c in changes):
        recompute_state(ledger, contact.id, half_life(str(clean["circle"])))
    return batch, changes


def write_edits(
    ledger: Ledger,
    contact_id: int,
    row: Mapping[str, Any],
    wanted: Mapping[str, Any],
    at: str,
    batch: str,
) -> list[Change]:
    changes = []
    for field, after in wanted.items():
        before = value_of(ledger, row, field)
        if before == after:
            continue
        ledger.conn.execute(
            "INSERT INTO edits (id, contact_id, field, value, before, edited_at, batch) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                uuid7(),
                contact_id,
                field,
                json.dumps(after, ensure_ascii=False),
                json.dumps(before, ensure_ascii=False),
                at,
                batch,
            ],
        )
        _store(ledger, contact_id, field, after)
        changes.append(Change(field, before, after))
    return changes


def revert_batch(
    ledger: Ledger, batch: str, now: datetime, half_life: Callable[[str], float], again: bool
) -> str:
    """Edit each field a batch changed back to what it replaced (`again`: forward to what
    it set), as a new batch of edits; return the new batch's id."""
    new_batch = uuid7()
    from engage_cli.store.journal import batch_changes

    for cid, change in batch_changes(ledger, batch):
        row = ledger.rows("SELECT * FROM contacts WHERE id = ?", [cid])[0]
        target = change.after if again else change.before
        if change.field == "name":
            holder = find_contact(ledger, target)
            if holder is not None and holder.id != cid:
                raise NameTaken(target, holder.name)
        write_edits(ledger, cid, row, {change.field: target}, to_store(now), new_batch)
        if change.field == "circle":
            recompute_state(ledger, cid, half_life(target))
    return new_batch


def contact_history(
    ledger: Ledger, contact: Contact, until: datetime | None = None
) -> list[tuple[datetime, Change]]:
    """Every edit of a contact up to `until`, oldest first, organisations by name (`show`)."""
    from engage_cli.dates import from_store

    rows = ledger.conn.execute(
        "SELECT edited_at, field, before, value FROM edits WHERE contact_id = ? "
        "AND edited_at <= ? ORDER BY edited_at, id",
        [contact.id, to_store(until) if until else "9999"],
    ).fetchall()
    changes = named(
        ledger,
        [Change(f, json.loads(b) if b is not None else None, json.loads(v)) for _, f, b, v in rows],
    )
    return [(from_store(r[0]), c) for r, c in zip(rows, changes, strict=True)]


def apply_edits(ledger: Ledger, contact_ids: Iterable[int] | None = None) -> set[int]:
    """Bring every edited field to what its edits say (after a merge); return the
    contacts whose circle changed (their derived state must be rebuilt).

    A field of one value takes its latest edit's (by `edited_at`, then id). In
    tags, emails and aliases each item takes its latest edit: every edit adds
    what it added and removes what it removed, in that order, over the list
    the merge left, and the list is kept sorted, the same on every device.
    """
    sql = "SELECT contact_id, field, value, before FROM edits"
    params: list[Any] = []
    if contact_ids is not None:
        sql += " WHERE contact_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(set(contact_ids))))
    by_field: dict[tuple[int, str], list[tuple[Any, Any]]] = {}
    for cid, field, value, before in ledger.conn.execute(
        sql + " ORDER BY contact_id, field, edited_at, id", params
    ):
        by_field.setdefault((cid, field), []).append(
            (json.loads(value), json.loads(before) if before is not None else None)
        )
    moved: set[int] = set()
    rows: dict[int, dict[str, Any]] = {}  # each contact read once (a field reads its own column)
    for (cid, field), edits in by_field.items():
        if cid not in rows:
            rows[cid] = ledger.rows("SELECT * FROM contacts WHERE id = ?", [cid])[0]
        have = value_of(ledger, rows[cid], field)
        if field in _LISTS:
            items = list(have)
            for after, before in edits:
                gone = set(before or []) - set(after)
                items = [i for i in items if i not in gone]
                items += [i for i in after if i not in (before or []) and i not in items]
            want: Any = sorted(items)
        else:
            want = edits[-1][0]
        if have != want:
            _store(ledger, cid, field, want)
            if field == "circle":
                moved.add(cid)
    return moved


def org_name(ledger: Ledger, contact: Contact) -> str | None:
    """The name of the organisation a contact belongs to (the one it was folded into)."""
    if contact.org_id is None:
        return None
    return live(ledger, contact_by_id(ledger, contact.org_id)).name


def edit_action(
    ledger: Ledger,
    contact: Contact,
    wanted: Mapping[str, Any],
    now: datetime,
    half_life: Callable[[str], float],
) -> list[Change]:
    """`edit_contact` as one action of this device's journal (what undo takes back)."""
    from engage_cli.store.writes import journal

    batch, changes = edit_contact(ledger, contact, wanted, now, half_life)
    if changes:
        journal(ledger, to_store(now), "edit", batch=batch, contact_id=contact.id)
    return changes


class Asked(NamedTuple):
    """What an `edit` asks for, as typed (None: leave it as it is)."""

    name: str | None = None
    kind: str | None = None
    circle: str | None = None
    tag: Sequence[str] = ()
    untag: Sequence[str] = ()
    note: str | None = None
    email: Sequence[str] = ()
    unemail: Sequence[str] = ()
    org: str | None = None  # a name; "" for none
    sector: str | None = None  # "" for none
    birthday: str | None = None  # "" for none
    alias: Sequence[str] = ()
    unalias: Sequence[str] = ()
    archived: bool | None = None
    mode: str | None = None


def wanted_of(ledger: Ledger, contact: Contact, asked: Asked, now: datetime) -> dict[str, Any]:
    """The fields an edit sets, from what was asked and the contact as it is."""
    from engage_cli.errors import ContactNotFound
    from engage_cli.store.contacts import get_contact

    wanted: dict[str, Any] = {
        f: getattr(asked, f)
        for f in ("name", "kind", "circle", "note", "sector", "birthday", "mode")
        if getattr(asked, f) is not None
    }
    for field, have, add, remove in (
        ("tags", contact.tags, asked.tag, asked.untag),
        ("emails", contact.emails, [_email(e) for e in asked.email], asked.unemail),
        ("aliases", contact.aliases, asked.alias, asked.unalias),
    ):
        if add or remove:
            wanted[field] = _list_change(contact, field, list(have), list(add), list(remove))
    if asked.org is not None:
        if not asked.org.strip():
            wanted["org"] = None
        else:
            try:
                wanted["org"] = get_contact(ledger, asked.org).uid
            except ContactNotFound as exc:
                raise ContactNotFound(asked.org, exc.close) from None
    if asked.archived is not None:
        if asked.archived == (contact.archived_at is not None):
            raise InputError(
                f"{contact.name} is archived already"
                if asked.archived
                else f"{contact.name} is not archived"
            )
        wanted["archived"] = to_store(now) if asked.archived else None
    return {f: wanted[f] for f in EDIT_FIELDS if f in wanted}  # in the order fields are shown


_ONE = {"tags": "tag", "emails": "email", "aliases": "alias"}


def _email(typed: str) -> str:
    """An email as typed on the command line: one address, such as ann@example.org."""
    import re

    email = typed.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InputError(f"{typed!r} is not an email address (such as ann@example.org)")
    return email


def _list_change(
    contact: Contact, field: str, have: list[str], add: list[str], remove: list[str]
) -> list[str]:
    """A list after adding and removing what an edit asks (sorted; items compared
    as names are, in any case)."""
    one = _ONE[field]
    both = {name_key(a) for a in add} & {name_key(r) for r in remove}
    if both:
        raise InputError(f"the same {one} is both added and removed: {sorted(both)[0]!r}")
    if any(not a.strip() for a in add):
        raise InputError(f"an {one} cannot be empty" if one != "tag" else "a tag cannot be empty")
    have_keys = {name_key(h) for h in have}
    missing = [r for r in remove if name_key(r) not in have_keys]
    if missing:
        raise InputError(f"{contact.name} has no {one} {missing[0]!r}")
    if field == "aliases" and any(name_key(a) == name_key(contact.name) for a in add):
        raise InputError(f"{contact.name!r} is their name already, not an alias")
    gone = {name_key(r) for r in remove}
    kept = [h for h in have if name_key(h) not in gone]
    for item in add:
        if name_key(item) not in {name_key(k) for k in kept}:
            kept.append(item)
    return sorted(kept)


def edit_named(
    ledger: Ledger,
    name: str,
    asked: Asked,
    now: datetime,
    half_life: Callable[[str], float],
) -> tuple[Contact, list[Change]]:
    """Edit the contact called `name` as asked, in one transaction, as one action of
    the journal. Returns the contact as it was and the changes made (none: it was so)."""
    from engage_cli.store.contacts import get_contact

    with ledger.transaction():
        contact = get_contact(ledger, name)
        wanted = wanted_of(ledger, contact, asked, now)
        return contact, named(ledger, edit_action(ledger, contact, wanted, now, half_life))
