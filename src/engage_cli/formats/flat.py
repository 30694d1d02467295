"""The flat CSV export: one row per entry, names instead of ids, for spreadsheets.

Not for import (the JSONL export is the lossless one): people's text is
neutralised against spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from engage_cli import domain

CSV_COLUMNS = (
    "id", "contact", "kind", "points", "occurred_at", "logged_at", "note", "tags",
    "status", "resolved_at", "via", "source", "voided", "batch",
)  # fmt: skip


# What a spreadsheet may read as the start of a formula: OWASP's list, and the
# fullwidth forms some spreadsheets fold into it.
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cell(text: str) -> str:
    """People's text as a CSV cell a spreadsheet will not run: a cell that starts like
    a formula (=, +, -, @, tab, carriage return, also after a byte-order mark or
    spaces) gets a leading apostrophe (OWASP's advice on CSV injection). JSONL
    exports keep the text as it is."""
    return "'" + text if text.lstrip("\ufeff ").startswith(_FORMULA) else text


def csv_lines(records: Iterable[dict[str, Any]], entries: Iterable[list[Any]]) -> Iterator[str]:
    """The entries as a flat CSV (one row each, names instead of ids), in chunks.

    For reading in a spreadsheet, not for import: people's text is neutralised
    against formulas (`cell`); the JSONL export is the lossless one. Streams:
    `records` are the contacts and folds, `entries` chunks of rows of the columns
    of CSV_COLUMNS, with the contact and broker as uids, the tags as stored (JSON)
    and `voided` whether a void names the entry (the store's flat_entries); only the
    contacts' names are held.
    """
    import csv
    import io

    names: dict[str, str] = {}  # a contact's uid, and its name as a cell
    folds = []
    for e in records:
        if e["type"] == "contact":
            names[e["uid"]] = cell(e["name"])
        elif e["type"] == "fold" and e["undone_at"] is None:
            folds.append(e)
    # An entry is shown under the contact that holds it.
    folds.sort(key=lambda f: (f["folded_at"], f["id"]))
    moved = domain.fold_targets((f["contact"], f["into"]) for f in folds)
    for uid, target in moved.items():
        names[uid] = names[target]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    tags: dict[Any, str] = {}  # the tags as stored, and their cell (the tags are few)
    for rows in entries:
        writer.writerows(
            [
                id_, names[contact], kind, f"{points:g}", occurred_at, logged_at, cell(note),
                tags[tagged] if tagged in tags else _tags_cell(tagged, tags), status or "",
                resolved_at or "", names.get(via or "", ""), source or "",
                "true" if voided else "false", batch,
            ]
            for (
                id_, contact, kind, points, occurred_at, logged_at, note, tagged, status,
                resolved_at, via, source, voided, batch,
            ) in rows
        )  # fmt: skip
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _tags_cell(stored: Any, known: dict[Any, str]) -> str:
    """The cell of the tags an entry stores as `stored` (JSON), kept in `known`."""
    from engage_cli.formats.jsonl import stored_list

    text = cell(";".join(stored_list(stored)))
    if len(known) < 10_000 and stored.__class__ is str:
        known[stored] = text
    return text
