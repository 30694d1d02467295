"""jsonout.indented writes what json.dumps(indent=2, sort_keys=True) writes, byte for byte."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engage_cli.jsonout import indented, safe_json

# Text with what could fool a writer that looks for its own separators: braces,
# commas, newlines, quotes, backslashes, spaces and the odd control character.
_text = st.text(alphabet=st.sampled_from(list('{}[],:\n" \\\tab\x00\x85é€')), max_size=8)
_scalars = st.none() | st.booleans() | st.integers() | st.floats() | _text
_keys = _text | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_text, inner, max_size=4)
        | st.lists(st.dictionaries(_text, _scalars, min_size=1, max_size=3), max_size=4)
    ),
    max_leaves=30,
)


def _reference(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def _outcome(write: object, data: object) -> str:
    try:
        return write(data)  # type: ignore[operator, no-any-return]
    except (TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


@settings(max_examples=60)
@given(_values)
def test_indented_is_json_dumps(data: object) -> None:
    assert indented(data) == _reference(data)


@pytest.mark.slow
@settings(max_examples=1000)
@given(_values)
def test_indented_is_json_dumps_for_many_values(data: object) -> None:
    assert indented(data) == _reference(data)


@settings(max_examples=30)
@given(st.dictionaries(_keys, _scalars, max_size=4) | st.lists(st.dictionaries(_keys, _values)))
def test_keys_json_converts_are_converted_the_same(data: object) -> None:
    # Keys of several types cannot be sorted: then both refuse, in the same words.
    assert _outcome(indented, data) == _outcome(_reference, data)


def test_what_json_refuses_it_refuses_alike() -> None:
    circle: list[object] = []
    circle.append([circle])
    for bad in ({"a": {1, 2}}, [object()], {(1, 2): [1]}, [{"a": 1}, {"b": {1}}], circle):
        assert _outcome(indented, bad) == _outcome(_reference, bad)
        assert _outcome(indented, bad).startswith(("TypeError", "ValueError"))


def test_a_list_of_records_and_a_string_that_looks_like_its_seams() -> None:
    data = {"links": [{"a": 1, "b": "},\n    {"}, {"a": 2, "b": "}"}], "n": []}
    assert indented(data) == _reference(data)
    assert indented(data).count("\n") == _reference(data).count("\n") == 12


@given(st.text(alphabet=st.characters(max_codepoint=0xA0)))
def test_safe_json_escapes_what_it_must_in_ascii_text_too(text: str) -> None:
    # DEL is ASCII: text that is all ASCII but for it must still have it escaped.
    expected = "".join(f"\\u{ord(ch):04x}" if 0x7F <= ord(ch) <= 0x9F else ch for ch in text)
    assert safe_json(text) == expected


def test_a_note_of_ascii_and_del_is_escaped() -> None:
    assert safe_json('{"note": "a\x7fb"}') == '{"note": "a\\u007fb"}'
