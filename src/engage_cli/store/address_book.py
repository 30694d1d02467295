"""Address-book cards (vCard, CSV) brought into the ledger: matched, added, or completed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engage_cli import scoring
from engage_cli.dates import to_store
from engage_cli.domain import name_key
from engage_cli.ids import uuid7
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import insert_contact
from engage_cli.store.edits import write_edits
from engage_cli.store.journal import capturing
from engage_cli.store.state import save_state

if TYPE_CHECKING:
    from engage_cli.formats.cards import Card, Named


def import_cards(
    ledger: Ledger,
    cards: Iterable[Card],
    now: datetime,
    half_life: Callable[[str], float],
    circle: str,
    extra_tags: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    size: int = 0,
) -> list[tuple[str, Named, str]]:
    """Add or update contacts from cards as they are read (the caller holds the
    transaction); `progress(done, about size)` every thousand cards.

    A card matches an existing contact by any of its emails, else by name (any
    case) or alias; a folded contact's names and emails find the contact it was
    folded into. A match gains the card's missing emails, phones and tags and fills
    its empty organisation, nickname, birthday and note; nothing is
    overwritten, so importing the same file again changes nothing. Returns
    (outcome, card, detail) with outcome added, updated or unchanged.
    """
    by_email: dict[str, int] = {}
    by_key: dict[str, int] = {}
    # Only the keys that find a contact are held (a contact's row is read when matched).
    aliases: list[tuple[str, int]] = []
    for cid, folded_into, key, emails, more in ledger.conn.execute(
        "SELECT id, folded_into, name_key, emails, aliases FROM contacts "
        "ORDER BY folded_into IS NOT NULL, uid"
    ):
        target = folded_into or cid
        by_key.setdefault(key, target)
        for e in json.loads(emails):
            by_email.setdefault(e, target)
        aliases += [(name_key(alias), target) for alias in json.loads(more)]
    for key, target in aliases:
        by_key.setdefault(key, target)
    batch = uuid7()
    out: list[tuple[str, Named, str]] = []
    n = 0
    for n, card in enumerate(cards, 1):
        if progress is not None and n % 1000 == 0:
            progress(n, max(n, size))
        tags = list(dict.fromkeys([*card.tags, *extra_tags]))
        cid = next((by_email[e] for e in card.emails if e in by_email), None)
        how = "email"
        if cid is None:
            cid, how = by_key.get(name_key(card.name)), "name"
        if cid is None:
            new_id = insert_contact(
                ledger,
                uid=uuid7(),
                name=card.name,
                kind=card.kind,
                circle=circle,
                tags=tags,
                note=card.note,
                created_at=to_store(now),
                org=card.org,
                nickname=card.nickname,
                birthday=card.birthday,
                emails=card.emails,
                phones=card.phones,
            )
            save_state(ledger, new_id, half_life(circle), scoring.State(), None, None)
            by_key[name_key(card.name)] = new_id
            for e in card.emails:
                by_email.setdefault(e, new_id)
            _anniversary(ledger, new_id, card, now, batch)
            out.append(("added", _named(card), ""))
            continue
        row = ledger.rows("SELECT * FROM contacts WHERE id = ?", [cid])[0]
        changes: dict[str, Any] = {}
        for key, values in (("emails", card.emails), ("phones", card.phones), ("tags", tags)):
            have = json.loads(row[key])
            known = set(have)
            more = [v for v in dict.fromkeys(values) if v not in known]
            if more:
                changes[key] = have + more
        for key in ("org", "nickname", "birthday", "note"):
            value = getattr(card, key)
            if value and not row[key]:
                changes[key] = value
        if _anniversary(ledger, cid, card, now, batch):
            changes["anniversary"] = card.anniversary
        if not changes:
            out.append(("unchanged", _named(card), f"matched {row['name']!r} by {how}"))
            continue
        # Fields a contact's edits hold change as edits (history, sync); the others directly.
        edited = {k: v for k, v in changes.items() if k in ("emails", "tags", "note")}
        if "birthday" in changes and _edit_worthy("birthday", changes["birthday"]):
            edited["birthday"] = changes["birthday"]
        write_edits(ledger, cid, row, edited, to_store(now), batch)
        plain = {k: v for k, v in changes.items() if k not in edited}
        if plain:
            stored = [json.dumps(v, ensure_ascii=False) if k == "phones" else v
                      for k, v in plain.items()]  # fmt: skip
            sets = ", ".join(f"{k} = ?" for k in plain)
            ledger.conn.execute(f"UPDATE contacts SET {sets} WHERE id = ?", [*stored, cid])
        for e in card.emails:
            by_email.setdefault(e, cid)
        detail = f"{row['name']!r} (by {how}): " + ", ".join(sorted(changes))
        out.append(("updated", _named(card), detail))
    if progress is not None:
        progress(n, n)
    return out


def import_cards_at(
    path: Path,
    cards: Iterable[Card],
    now: datetime,
    half_life: Callable[[str], float],
    circle: str,
    extra_tags: Sequence[str] = (),
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    size: int = 0,
) -> list[tuple[str, Named, str]]:
    """Import cards into the ledger at `path` in one transaction (see `import_cards`).

    A dry run goes through the same writes and rolls them back; on a ledger
    that does not exist yet it works in a scratch one, so nothing is created.
    Cards are read as they are imported: when reading fails, nothing is stored,
    and a ledger created for the import is removed.
    """
    import tempfile
    from contextlib import ExitStack

    from engage_cli.store.files import created_or_removed

    with ExitStack() as stack:
        if dry_run and not path.exists():
            path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "dry.db"
            ledger = stack.enter_context(Ledger.open(path, create=True))
        else:
            stack.enter_context(created_or_removed(path))
            ledger = stack.enter_context(Ledger.open(path, create=not dry_run))
        with (
            ledger.transaction(rollback=dry_run),
            capturing(ledger, "import", to_store(now)) as detail,
        ):
            out = import_cards(ledger, cards, now, half_life, circle, extra_tags, progress, size)
            detail["counts"] = {
                f"contacts {what}": sum(1 for o in out if o[0] == what)
                for what in ("added", "updated")
            }
            return out


def _named(card: Card) -> Named:
    """What an outcome keeps of a card (its position and name): 100,000 cards stay small."""
    from engage_cli.formats.cards import Named

    return Named(card.position, card.name)


def _anniversary(ledger: Ledger, cid: int, card: Card, now: datetime, batch: str) -> bool:
    """Keep a card's anniversary as a remembered day, every year, unless it is kept already."""
    from engage_cli.store.keeping import add_day
    from engage_cli.store.promises import has_date

    if not card.anniversary or has_date(ledger, cid, "anniversary", card.anniversary):
        return False
    add_day(ledger, cid, "anniversary", "anniversary", card.anniversary, now, batch)
    return True


def _edit_worthy(field: str, value: Any) -> bool:
    """Whether a card's value passes the gate of edits (a birthday as ISO, say)."""
    from engage_cli.inputs import clean_change

    try:
        return bool(clean_change(field, value) == value)
    except ValueError:
        return False
