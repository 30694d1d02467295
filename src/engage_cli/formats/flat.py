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


def csv_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The entries as a flat CSV (one row each, names instead of ids), in chunks.

    For reading in a spreadsheet, not for import: people's text is neutralised
    against formulas (`cell`); the JSONL export is the lossless one. Streams:
    `records` are contacts and folds, then entries, each with `voided` (the
    store's flat_records); only the contacts' names are held.
    """
    import csv
    import io

    names: dict[str, str] = {}
    folds = []
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    placed = False
    for e in records:
        if e["type"] == "contact":
            names[e["uid"]] = e["name"]
            continue
        if e["type"] == "fold":
            if e["undone_at"] is None:
                folds.append(e)
            continue
        if e["type"] != "entry":
            continue
        if not placed:  # an entry is shown under the contact that holds it
            folds.sort(key=lambda f: (f["folded_at"], f["id"]))
            moved = domain.fold_targets((f["contact"], f["into"]) for f in folds)
            for uid, target in moved.items():
                names[uid] = names[target]
            placed = True
        writer.writerow(
            [
                e["id"], cell(names[e["contact"]]), e["kind"], f"{e['points']:g}",
                e["occurred_at"], e["logged_at"], cell(e["note"]), cell(";".join(e["tags"])),
                e["status"] or "", e["resolved_at"] or "", cell(names.get(e["via"] or "", "")),
                e["source"] or "",
                "true" if e["voided"] else "false", e["batch"],
            ]
        )  # fmt: skip
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
