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
    against formulas (`cell`); the JSONL export is the lossless one.
    """
    import csv
    import io

    names: dict[str, str] = {}
    voided: set[str] = set()
    entries = []
    folds = []
    for rec in records:
        if rec["type"] == "contact":
            names[rec["uid"]] = rec["name"]
        elif rec["type"] == "entry":
            entries.append(rec)
        elif rec["type"] == "void":
            voided.add(rec["entry"])
        elif rec["type"] == "fold" and rec["undone_at"] is None:
            folds.append(rec)
    folds.sort(key=lambda f: (f["folded_at"], f["id"]))
    moved = domain.fold_targets((f["contact"], f["into"]) for f in folds)
    for uid, target in moved.items():  # an entry is shown under the contact that holds it
        names[uid] = names[target]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e["id"], cell(names[e["contact"]]), e["kind"], f"{e['points']:g}",
                e["occurred_at"], e["logged_at"], cell(e["note"]), cell(";".join(e["tags"])),
                e["status"] or "", e["resolved_at"] or "", cell(names.get(e["via"] or "", "")),
                e["source"] or "",
                "true" if e["id"] in voided else "false", e["batch"],
            ]
        )  # fmt: skip
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
