"""What a search found: contacts and entries matching a query, best first."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from engage_cli.errors import SearchQueryError
from engage_cli.reports.lines import entry_json
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact
from engage_cli.store.search import (
    END_MARK,
    MARK,
    ContactHit,
    EntryHit,
    Filters,
    search_contacts,
    search_entries,
)


def plain(snippet: str) -> str:
    """A snippet without its highlighting marks."""
    return snippet.replace(MARK, "").replace(END_MARK, "")


class SearchResults(NamedTuple):
    query: str
    contacts: list[ContactHit]
    entries: list[EntryHit]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "contacts": [
                {
                    "name": h.contact.name,
                    "kind": h.contact.kind,
                    "circle": h.contact.circle,
                    "match": plain(h.snippet),
                }
                for h in self.contacts
            ],
            "entries": [{**entry_json(h.entry), "snippet": plain(h.snippet)} for h in self.entries],
        }


def search(
    ledger: Ledger,
    query: str,
    name: str | None = None,
    since: datetime | None = None,
    kind: str | None = None,
    tag: str | None = None,
    limit: int = 20,
    voided: bool = False,
) -> SearchResults:
    """Contacts and entries matching `query`; the filters narrow the entries (and a
    named contact or a filter leaves the contacts out: the question is about entries)."""
    contact = get_contact(ledger, name) if name else None
    filters = Filters(contact, since, kind, tag, voided)
    narrowed = contact is not None or since is not None or kind is not None or tag is not None
    # A query may name a column only one index has (org:acme, note:lisbon): that
    # index finds nothing, the other answers; a query neither can read is an error.
    failed: list[SearchQueryError] = []
    contacts: list[ContactHit] = []
    entries: list[EntryHit] = []
    if not narrowed:
        try:
            contacts = search_contacts(ledger, query, limit)
        except SearchQueryError as exc:
            failed.append(exc)
    try:
        entries = search_entries(ledger, query, filters, limit)
    except SearchQueryError as exc:
        failed.append(exc)
    if failed and (len(failed) == 2 or narrowed or "no such column" not in failed[0].detail):
        raise failed[-1]
    return SearchResults(query, contacts, entries)
