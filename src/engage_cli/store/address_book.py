"""Address-book cards (vCard, CSV) brought into the ledger: matched, added, or completed."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engage_cli import scoring
from engage_cli.dates import to_store
from engage_cli.domain import name_key
from engage_cli.ids import uuid7
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import insert_contact
from engage_cli.store.state import save_state

if TYPE_CHECKING:
    from engage_cli.formats.cards import Card


def import_cards(
    ledger: Ledger,
    cards: Sequence[Card],
    now: datetime,
    half_life: Callable[[str], float],
    circle: str,
    extra_tags: Sequence[str] = (),
) -> list[tuple[str, Card, str]]:
    """Add or update contacts from cards (the caller holds the transaction).

    A card matches an existing contact by any of its emails, else by name (any
    case). A match gains the card's missing emails, phones and tags and fills
    its empty organisation, nickname, birthday and note; nothing is
    overwritten, so importing the same file again changes nothing. Returns
    (outcome, card, detail) with outcome added, updated or unchanged.
    """
    by_email: dict[str, int] = {}
    by_key: dict[str, int] = {}
    rows: dict[int, dict[str, Any]] = {}
    for r in ledger.rows("SELECT * FROM contacts"):
        rows[r["id"]] = r
        by_key[r["name_key"]] = r["id"]
        for e in json.loads(r["emails"]):
            by_email.setdefault(e, r["id"])
    out: list[tuple[str, Card, str]] = []
    for card in cards:
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
            rows[new_id] = ledger.rows("SELECT * FROM contacts WHERE id = ?", [new_id])[0]
            by_key[name_key(card.name)] = new_id
            for e in card.emails:
                by_email.setdefault(e, new_id)
            out.append(("added", card, ""))
            continue
        row = rows[cid]
        changes: dict[str, Any] = {}
        for key, values in (("emails", card.emails), ("phones", card.phones), ("tags", tags)):
            have = json.loads(row[key])
            known = set(have)
            more = [v for v in dict.fromkeys(values) if v not in known]
            if more:
                changes[key] = json.dumps(have + more, ensure_ascii=False)
        for key in ("org", "nickname", "birthday", "note"):
            value = getattr(card, key)
            if value and not row[key]:
                changes[key] = value
        if not changes:
            out.append(("unchanged", card, f"matched {row['name']!r} by {how}"))
            continue
        sets = ", ".join(f"{k} = ?" for k in changes)
        ledger.conn.execute(f"UPDATE contacts SET {sets} WHERE id = ?", [*changes.values(), cid])
        rows[cid] = {**row, **changes}
        for e in card.emails:
            by_email.setdefault(e, cid)
        detail = f"{row['name']!r} (by {how}): " + ", ".join(sorted(changes))
        out.append(("updated", card, detail))
    return out


def import_cards_at(
    path: Path,
    cards: Sequence[Card],
    now: datetime,
    half_life: Callable[[str], float],
    circle: str,
    extra_tags: Sequence[str] = (),
    dry_run: bool = False,
) -> list[tuple[str, Card, str]]:
    """Import cards into the ledger at `path` in one transaction (see `import_cards`).

    A dry run goes through the same writes and rolls them back; on a ledger
    that does not exist yet it works in a scratch one, so nothing is created.
    """
    import tempfile
    from contextlib import ExitStack

    with ExitStack() as stack:
        if dry_run and not path.exists():
            path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "dry.db"
            ledger = stack.enter_context(Ledger.open(path, create=True))
        else:
            ledger = stack.enter_context(Ledger.open(path, create=not dry_run))
        with ledger.transaction(rollback=dry_run):
            return import_cards(ledger, cards, now, half_life, circle, extra_tags)
