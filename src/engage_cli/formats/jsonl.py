"""The export's lines: JSONL, header first, a record a line, keys sorted (see records.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _encode  # what dumps(ensure_ascii=False) uses
from typing import Any

from engage_cli import domain
from engage_cli.jsonout import safe_json

FORMAT = 1


def header(exported_at: str) -> dict[str, Any]:
    """The first record of an export."""
    return {
        "type": "engage",
        "format": FORMAT,
        # The oldest schema whose version reads these records: one that has
        # not been upgraded yet on another device still imports them.
        "schema_version": domain.RECORDS_SINCE,
        "exported_at": exported_at,
    }


def jsonl_lines(records: Iterable[dict[str, Any]], exported_at: str) -> Iterator[str]:
    """The export as JSON lines, header first; keys sorted, so that exports diff well."""
    yield json.dumps(header(exported_at), sort_keys=True) + "\n"
    for rec in records:
        yield record_line(rec) + "\n"


def record_line(rec: dict[str, Any]) -> str:
    """One record as its line: `jsonout.dumps(rec, sort_keys=True)`, faster for entries
    (most of an export), with the same text."""
    if rec.get("type") == "entry" and rec.keys() == _ENTRY_KEYS:
        v = _value
        line = _ENTRY_LINE % (
            v(rec["batch"]), v(rec["contact"]), v(rec["follow_up"]), v(rec["goal"]),
            v(rec["id"]), v(rec["intro"]), v(rec["kind"]), v(rec["logged_at"]), v(rec["note"]),
            v(rec["occurred_at"]), v(rec["points"]), v(rec["resolved_at"]), v(rec["source"]),
            v(rec["status"]), v(rec["tags"]), v(rec["via"]),
        )  # fmt: skip
    else:
        line = json.dumps(rec, ensure_ascii=False, sort_keys=True)
    # Only text past ASCII (and DEL) can hold what safe_json escapes: most lines skip it.
    return line if line.isascii() and "\x7f" not in line else safe_json(line)


_ENTRY_KEYS = {
    "type", "id", "contact", "kind", "points", "occurred_at", "logged_at", "note", "tags",
    "batch", "status", "resolved_at", "source", "via", "follow_up", "intro", "goal",
}  # fmt: skip
_ENTRY_LINE = (
    '{"batch": %s, "contact": %s, "follow_up": %s, "goal": %s, "id": %s, "intro": %s, '
    '"kind": %s, "logged_at": %s, "note": %s, "occurred_at": %s, "points": %s, '
    '"resolved_at": %s, "source": %s, "status": %s, "tags": %s, "type": "entry", "via": %s}'
)


def _value(value: Any) -> str:
    """One value as json.dumps(ensure_ascii=False) writes it."""
    if value.__class__ is str:
        return _encode(value)
    if value is None:
        return "null"
    if value.__class__ is float and value - value == 0.0:  # finite
        return float.__repr__(value)
    if value.__class__ is list and not value:
        return "[]"
    return json.dumps(value, ensure_ascii=False)
