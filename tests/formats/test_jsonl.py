"""The export's lines: an entry's fast line is the same text as the general one."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from engage_cli.formats.jsonl import record_line
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
