"""The view of a search: matching contacts, then matching entries, the words highlighted."""

from __future__ import annotations

from rich.text import Text

from engage_cli.dates import fmt_local
from engage_cli.ids import short
from engage_cli.render.common import KIND_STYLE, Grid, console
from engage_cli.reports.search import SearchResults
from engage_cli.store.search import END_MARK, MARK

HIGHLIGHT = "bold yellow"


def highlighted(snippet: str) -> Text:
    """A snippet with its marked words styled (and the marks gone)."""
    text = Text()
    rest = snippet
    while MARK in rest:
        before, _, after = rest.partition(MARK)
        word, _, rest = after.partition(END_MARK)
        text.append(before)
        text.append(word, style=HIGHLIGHT)
    text.append(rest)
    return text


def search_results(r: SearchResults) -> None:
    out = console()
    if not r.contacts and not r.entries:
        out.print(f"nothing matches {r.query!r}")
        return
    if r.contacts:
        out.print(Text(f"Contacts matching {r.query!r}", style="bold"))
        grid = Grid()
        for col in ("name", "kind", "circle", "match"):
            grid.add_column(col, fit=col in ("name", "match"))
        for h in r.contacts:
            c = h.contact
            grid.add_row(c.name, c.kind, c.circle, highlighted(h.snippet))
        out.print(grid.text())
    if r.entries:
        if r.contacts:
            out.print()
        out.print(Text(f"Entries matching {r.query!r}, best first", style="bold"))
        grid = Grid()
        for col in ("id", "when", "contact", "kind", "note"):
            grid.add_column(col, fit=col in ("contact", "note"))
        for hit in r.entries:
            e = hit.entry
            kind = e.kind + (" (voided)" if e.voided_by else "")
            grid.add_row(
                Text(short(e.id), style="dim"),
                fmt_local(e.occurred_at, False),
                e.contact,
                Text(kind, style=KIND_STYLE.get(e.kind, "")),
                highlighted(hit.snippet),
            )
        out.print(grid.text())
