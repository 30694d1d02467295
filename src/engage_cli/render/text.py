"""Plain lines for what write commands print: cheap to import (no rich), so `log` stays instant."""

from __future__ import annotations

from collections.abc import Sequence

from engage_cli.dates import fmt_local
from engage_cli.domain import Entry, Written
from engage_cli.ids import short

SIGNS = {"deposit": "+", "withdrawal": "-"}


def written(entries: Sequence[Written]) -> list[str]:
    """One line per entry just written, with the contact's charge after it."""
    return [
        f"logged {w.entry.kind:<10} {SIGNS.get(w.entry.kind, '')}{w.entry.points:g}  "
        f"{w.entry.contact}  {fmt_local(w.entry.occurred_at)}  "
        f"charge {w.charge_after:+.1f}  [{short(w.entry.id)}]"
        for w in entries
    ]


def described(entries: Sequence[Entry]) -> str:
    """Entries as an indented list, for confirmations and what was undone."""
    return "\n".join(
        f"  [{short(e.id)}] {fmt_local(e.occurred_at)}  {e.contact}  {e.kind} "
        f"{SIGNS.get(e.kind, '')}{e.points:g}" + (f"  {e.note}" if e.note else "")
        for e in entries
    )


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
