"""The export's lines: JSONL, header first, a record a line, keys sorted (see records.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from json.encoder import encode_basestring as _encode  # what dumps(ensure_ascii=False) uses
from operator import itemgetter
from typing import Any, cast

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


CHUNK = 1000  # records written at once


def header_line(exported_at: str) -> str:
    return json.dumps(header(exported_at), sort_keys=True) + "\n"


def jsonl_lines(records: Iterable[dict[str, Any]], exported_at: str) -> Iterator[str]:
    """The export as JSON lines, header first; keys sorted, so that exports diff well.
    Yields whole lines, a chunk of them at a time."""
    yield header_line(exported_at)
    batch: list[dict[str, Any]] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= CHUNK:
            yield record_lines(batch)
            batch = []
    if batch:
        yield record_lines(batch)


def record_lines(recs: list[dict[str, Any]]) -> str:
    """The records' lines, each ending in a newline."""
    return "".join([record_line(rec) + "\n" for rec in recs])


# An entry as a row, as the store reads it: the values of its line in the line's order,
# the tags as their JSON text.
ENTRY_ROW = (
    "batch", "contact", "follow_up", "goal", "id", "intro", "kind", "logged_at", "note",
    "occurred_at", "points", "resolved_at", "source", "status", "tags", "via",
)  # fmt: skip


def stored_list(text: str) -> Any:
    """A list as the ledger stores it (JSON); most are empty, read without the parser."""
    return [] if text == "[]" else json.loads(text)


def entry_record(row: Sequence[Any]) -> dict[str, Any]:
    """An entry's record from its row (ENTRY_ROW, and any columns after)."""
    rec = dict(zip(ENTRY_ROW, row, strict=False))
    rec["type"] = "entry"
    rec["tags"] = stored_list(rec["tags"])
    return rec


def entry_row_lines(rows: list[Sequence[Any]]) -> str:
    """The lines of entries given as rows (ENTRY_ROW): `record_line` of each one's
    record, joined, in one call of the C encoder for all of them."""
    known = list(map(_TEXT.get, map(itemgetter(_TAGS_AT), rows)))
    tags = [
        _tags_text(rows[n][_TAGS_AT]) if t is None else t for n, t in enumerate(known)
    ] if None in known else cast("list[str]", known)  # fmt: skip
    text = _row_lines(rows, tags)
    if text is None:
        text = "".join([record_line(entry_record(row)) + "\n" for row in rows])
    return text if text.isascii() and "\x7f" not in text else safe_json(text)


_TEXT: dict[Any, str] = {}  # the tags' stored text, and the text of their line


def _tags_text(stored: Any) -> str:
    """The text of the tags an entry stores as `stored` (JSON), as its line has it."""
    text = _value(stored_list(stored))
    if len(_TEXT) < 10_000 and stored.__class__ is str:  # the tags are few, mostly
        _TEXT[stored] = text
    return text


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


# Entries in bulk. The C encoder with "\n" between items writes a list of scalars as
# "[a\nb\n...]": no value's text holds a raw newline (a string escapes it) and a
# scalar's holds no separator, so splitting at the newlines gives each value's text as
# json.dumps writes it; a value that is a container of two items or more would give
# more pieces, and the count says so.
_WIDTH = len(ENTRY_ROW)
_TAGS_AT = ENTRY_ROW.index("tags")


class _NotPlain(Exception):
    """A value only json.dumps itself can say what to do with."""


def _refuse(o: Any) -> Any:
    raise _NotPlain


_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_PIECES: Any = (
    None
    if _c_make_encoder is None
    else _c_make_encoder(None, _refuse, _encode, None, ": ", "\n", False, False, True)
)
_TEMPLATES: dict[int, str] = {}


def _row_lines(rows: list[Sequence[Any]], tags: list[str]) -> str | None:
    """The lines of entry rows whose values are plain (record_line's text), given the
    text of their tags; None when a value is not."""
    n = len(rows)
    if _PIECES is None or not all(map(_WIDTH.__eq__, map(len, rows))):
        return None
    try:
        values = "".join(_PIECES(list(chain.from_iterable(rows)), 0))
    except (_NotPlain, ValueError, TypeError, RecursionError):
        return None  # (what json.dumps must judge)
    pieces = values[1:-1].split("\n")
    if len(pieces) != _WIDTH * n:
        return None
    pieces[_TAGS_AT::_WIDTH] = tags
    template = _TEMPLATES.get(n)
    if template is None:
        template = (_ENTRY_LINE + "\n") * n
        if n == CHUNK:
            _TEMPLATES[n] = template
    return template % tuple(pieces)


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
