"""The export's lines: an entry's fast line, and a chunk of entry rows, are the same text
as the general one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engage_cli.formats.jsonl import (
    _ENTRY_KEYS,
    ENTRY_ROW,
    entry_record,
    entry_row_lines,
    record_line,
)
from engage_cli.jsonout import dumps

text = st.text(st.characters(codec="utf-8"), max_size=12)
maybe = st.none() | text
entry = st.fixed_dictionaries(
    {
        "type": st.just("entry"),
        "id": text, "contact": text, "kind": text,
        "points": st.floats(allow_nan=True) | st.integers(-5, 5),
        "occurred_at": text, "logged_at": text, "note": text,
        "tags": st.lists(text, max_size=3),
        "batch": text, "status": maybe, "resolved_at": maybe, "source": maybe, "via": maybe,
        "follow_up": maybe, "intro": maybe, "goal": maybe,
    }
)  # fmt: skip


@given(entry)
def test_an_entry_line_is_what_dumps_writes(rec: dict[str, Any]) -> None:
    assert record_line(rec) == dumps(rec, sort_keys=True)


@given(entry, text)
def test_any_other_record_goes_the_general_way(rec: dict[str, Any], extra: str) -> None:
    other = {**rec, "extra": extra}
    assert record_line(other) == dumps(other, sort_keys=True)


stored_tags = st.lists(text, max_size=3).map(lambda tags: json.dumps(tags, ensure_ascii=False))
entry_row = st.tuples(
    text, text, maybe, maybe, text, maybe, text, text, text, text,  # batch .. occurred_at
    st.floats(allow_nan=True) | st.integers(-5, 5) | text | st.lists(text, max_size=2),
    maybe, maybe, maybe,  # resolved_at, source, status
    stored_tags | st.just("[]") | st.just('[ "a" ,"b"]'), maybe,  # tags (as stored), via
)  # fmt: skip


@given(st.lists(entry_row, min_size=1, max_size=6))
def test_entry_rows_make_the_lines_their_records_make(rows: list[tuple[Any, ...]]) -> None:
    # Whatever the values (text past ASCII, floats, lists where text should be, tags
    # stored with other spacing), a chunk of rows is the lines of their records.
    assert tuple(sorted(set(_ENTRY_KEYS) - {"type"})) == ENTRY_ROW
    expected = "".join(dumps(entry_record(row), sort_keys=True) + "\n" for row in rows)
    assert entry_row_lines(rows) == expected


def test_an_entry_row_that_json_cannot_write_fails_as_its_record_does() -> None:
    row = ("b", "c", None, None, "i", None, "deposit", "t", "n", "t", b"1", None, None, None)
    with pytest.raises(TypeError, match="bytes"):
        entry_row_lines([(*row, "[]", None)])
    with pytest.raises(json.JSONDecodeError):
        entry_row_lines([(*row[:10], 1.0, None, None, None, "[not json", None)])
