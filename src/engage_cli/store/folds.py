"""Folds: a duplicate contact folded into the right one, and undone.

A fold is a record (the duplicate, the contact it goes into, when); where
every contact's entries live follows from the folds that stand, taken in the
order they were made: the first fold of a contact wins, and a fold that
would close a circle (A into B, B into A on another device) counts for
nothing. Entries keep where they came from (`origin_id`, `via_origin_id`),
so a fold can be undone and every device places them the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from engage_cli.dates import to_store
from engage_cli.domain import Contact, a_kind, fold_targets, name_key
from engage_cli.errors import ContactArchived, InputError, NameTaken
from engage_cli.ids import uuid7
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import contact_by_id
from engage_cli.store.state import recompute_state


def fold_contact(
    ledger: Ledger,
    duplicate: Contact,
    into: Contact,
    now: datetime,
    half_life: Callable[[str], float],
) -> str:
    """Fold `duplicate` into `into` (the caller holds the transaction); return the fold's id."""
    if duplicate.id == into.id:
        raise InputError(f"{duplicate.name} cannot be folded into itself")
    fold_id = uuid7()
    ledger.conn.execute(
        "INSERT INTO folds (id, contact_id, into_id, folded_at) VALUES (?, ?, ?, ?)",
        [fold_id, duplicate.id, into.id, to_store(now)],
    )
    place(ledger, half_life)
    return fold_id


def unfold(ledger: Ledger, fold_id: str, now: datetime, half_life: Callable[[str], float]) -> None:
    """Undo a fold: the duplicate is a contact of its own again, with its own entries."""
    (dup_id,) = ledger.conn.execute(
        "SELECT contact_id FROM folds WHERE id = ?", [fold_id]
    ).fetchone()
    dup = contact_by_id(ledger, dup_id)
    taken = ledger.conn.execute(
        "SELECT name FROM contacts WHERE name_key = ? AND folded_into IS NULL AND id != ?",
        [name_key(dup.name), dup_id],
    ).fetchone()
    if taken is not None:
        raise NameTaken(dup.name, taken[0])
    ledger.conn.execute("UPDATE folds SET undone_at = ? WHERE id = ?", [to_store(now), fold_id])
    place(ledger, half_life)


def targets(ledger: Ledger) -> dict[int, int]:
    """Where each folded contact's entries live: the live contact at the end of its folds."""
    return fold_targets(
        ledger.conn.execute(
            "SELECT contact_id, into_id FROM folds WHERE undone_at IS NULL ORDER BY folded_at, id"
        ).fetchall()
    )


def place(ledger: Ledger, half_life: Callable[[str], float], everyone: bool = False) -> set[int]:
    """Move entries to where the standing folds put them; rebuild the moved contacts'
    derived state; return the contacts that changed (`everyone`: move the entries of
    every contact folded or folded once, as a repair does)."""
    want = targets(ledger)
    have = dict(
        ledger.conn.execute("SELECT id, folded_into FROM contacts WHERE folded_into IS NOT NULL")
    )
    changed = {c for c in set(want) | set(have) if want.get(c) != have.get(c)}
    if everyone:
        changed |= set(want) | {
            r[0]
            for r in ledger.conn.execute(
                "SELECT origin_id FROM entries WHERE origin_id IS NOT NULL UNION "
                "SELECT via_origin_id FROM entries WHERE via_origin_id IS NOT NULL"
            )
        }
    touched = set(changed)
    for c in sorted(changed):
        target = want.get(c, c)
        touched.add(target)
        if c in have:
            touched.add(have[c])
        ledger.conn.execute("UPDATE contacts SET folded_into = ? WHERE id = ?", [want.get(c), c])
        origin = None if target == c else c
        ledger.conn.execute(
            "UPDATE entries SET contact_id = ?, origin_id = ? "
            "WHERE origin_id = ? OR (origin_id IS NULL AND contact_id = ?)",
            [target, origin, c, c],
        )
        ledger.conn.execute(
            "UPDATE entries SET via_id = ?, via_origin_id = ? "
            "WHERE via_origin_id = ? OR (via_origin_id IS NULL AND via_id = ?)",
            [target, origin, c, c],
        )
    for cid in sorted(touched):
        recompute_state(ledger, cid, half_life(contact_by_id(ledger, cid).circle))
    return changed


def placed(ledger: Ledger, contact_id: int) -> tuple[int, int | None]:
    """Where an entry of `contact_id` goes now: (its contact, its origin when elsewhere)."""
    row = ledger.conn.execute(
        "SELECT folded_into FROM contacts WHERE id = ?", [contact_id]
    ).fetchone()
    if row is None or row[0] is None:
        return contact_id, None
    return int(row[0]), contact_id


def shared_names(ledger: Ledger) -> list[str]:
    """Names two live contacts answer to (a merge of two renames can leave them so)."""
    return [
        r[0]
        for r in ledger.conn.execute(
            "SELECT min(name) FROM contacts WHERE folded_into IS NULL "
            "GROUP BY name_key HAVING count(*) > 1 ORDER BY min(name_key)"
        )
    ]


def fold_named(
    ledger: Ledger, duplicate: str, into: str, now: datetime, half_life: Callable[[str], float]
) -> tuple[Contact, Contact, int]:
    """Fold the contact called `duplicate` into the one called `into`, as one action of
    this device's journal (one transaction). Returns both and how many entries moved."""
    from engage_cli.store.contacts import get_contact
    from engage_cli.store.writes import journal

    with ledger.transaction():
        dup, target = get_contact(ledger, duplicate), get_contact(ledger, into)
        if dup.id == target.id:
            other = next((n for n in (duplicate, into) if name_key(n) != name_key(target.name)), "")
            folded = (
                other
                and ledger.conn.execute(
                    "SELECT 1 FROM contacts WHERE name_key = ? AND folded_into = ?",
                    [name_key(other), target.id],
                ).fetchone()
            )
            if folded:
                raise InputError(f"{other!r} is already folded into {target.name}")
            said = (
                f"{other!r} is an alias of {target.name}"
                if other
                else (f"{target.name} cannot be folded into itself")
            )
            raise InputError(f"{said}; fold one contact into another")
        if target.archived_at is not None:
            raise ContactArchived(target.name)
        if dup.kind != target.kind:
            raise InputError(
                f"{dup.name} is {a_kind(dup.kind)} and {target.name} {a_kind(target.kind)}; "
                "make them the same kind first"
            )
        moved = ledger.conn.execute(
            "SELECT count(*) FROM entries WHERE contact_id = ? OR via_id = ?", [dup.id, dup.id]
        ).fetchone()[0]
        fold_id = fold_contact(ledger, dup, target, now, half_life)
        journal(ledger, to_store(now), "fold", contact_id=dup.id, detail={"fold": fold_id})
        return dup, target, int(moved)


def folded_names(ledger: Ledger, contact: Contact) -> tuple[list[str], list[str]]:
    """The names and the emails of the contacts folded into this one (they find it)."""
    rows = ledger.conn.execute(
        "SELECT name, emails FROM contacts WHERE folded_into = ? ORDER BY name_key", [contact.id]
    ).fetchall()
    emails = [e for _, es in rows for e in json.loads(es) if e not in contact.emails]
    return [name for name, _ in rows], list(dict.fromkeys(emails))


def placement_problems(ledger: Ledger, limit: int = 20) -> list[str]:
    """Entries not where the standing folds put them."""
    want = targets(ledger)
    have = dict(
        ledger.conn.execute("SELECT id, folded_into FROM contacts WHERE folded_into IS NOT NULL")
    )
    wrong = sorted(c for c in set(want) | set(have) if want.get(c) != have.get(c))
    found = [f"contact {c} is folded where its folds do not say" for c in wrong[:limit]]
    found += [
        f"entry {eid} is not with the contact its folds place it with"
        for (eid,) in ledger.conn.execute(
            "SELECT e.id FROM entries e JOIN contacts o ON o.id = coalesce(e.origin_id, "
            "e.contact_id) WHERE coalesce(o.folded_into, o.id) != e.contact_id LIMIT ?",
            [limit],
        )
    ]
    return found
