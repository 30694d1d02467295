"""JSON for programs: one stable shape per report, keys sorted, UTF-8 as is.

Kept apart from `render.py` so that `--json` never imports rich.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from itertools import repeat
from json.encoder import encode_basestring
from typing import Any

# Characters JSON would write raw although a terminal may act on them: DEL and the
# C1 controls (U+009B is CSI), invisible format and text-direction characters and
# the line separators. They can only stand inside strings, where \\uXXXX is the
# same text: escaping them keeps the JSON exact and the terminal safe.
_UNSAFE = re.compile(
    "[\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)  # every format character (Unicode category Cf) and the controls above ASCII


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the basic plane JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def safe_json(text: str) -> str:
    """JSON text with every character in _UNSAFE written as its \\uXXXX escape."""
    if text.isascii() and "\x7f" not in text:  # DEL is the one ASCII character in it
        return text  # two scans in C: the pattern takes ~15 ns a character (60 ms for 4 MB)
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def dumps(data: Any, **options: Any) -> str:
    return safe_json(json.dumps(data, ensure_ascii=False, **options))


# json.dumps(indent=2) encodes in Python, a generator per container, a yield per
# token: about three times slower than its C encoder, which has no indent. But where
# the indented form puts newlines is fixed: after each opening bracket, after
# each item's comma, before each closing bracket. So a container holding no
# container (a "leaf") is written by the C encoder, with ",\n" and the indent
# of its items as the item separator, and then given its first and last newline;
# the containers above the leaves are walked here. The result is the same text,
# byte for byte (tests/test_jsonout.py compares the two on generated data).


# The C encoder's maker, None where Python was built without _json (typeshed omits it).
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)


class _NotPlain(Exception):
    """Something only json.dumps itself can say what to do with."""


def _refuse(o: Any) -> Any:
    raise _NotPlain


_CONTAINERS = (dict, list, tuple)
_leaves: dict[int, Callable[[Any, int], Any]] = {}


def _leaf(depth: int) -> Callable[[Any, int], Any]:
    """The C encoder for a container at `depth` whose items are all scalars."""
    found = _leaves.get(depth)
    if found is None:
        sep = ",\n" + "  " * (depth + 1)
        found = _c_make_encoder(
            None, _refuse, encode_basestring, None, ": ", sep, True, False, True
        )
        _leaves[depth] = found
    return found


def _plain(values: Any) -> bool:
    """Whether none of `values` is a container."""
    return not any(map(isinstance, values, repeat(_CONTAINERS)))


def _leaf_dicts(items: Any, depth: int) -> str:
    """A list at `depth` of non-empty dicts of scalars, in one call of the C encoder.

    Encoded with the separator of the dicts' items, the list's own separators come
    out as "},\n" + that indent + "{"; no string can hold that ("\n" is escaped in
    one), so each is where one dict ends and the next begins."""
    one, two = "\n" + "  " * (depth + 1), "\n" + "  " * (depth + 2)
    text = "".join(_leaf(depth + 1)(items, 0))
    body = text[2:-2].replace("}," + two + "{", one + "}," + one + "{" + two)
    return f"[{one}{{{two}{body}{one}}}\n{'  ' * depth}]"


def _indented(o: Any, depth: int, out: list[str]) -> None:
    if isinstance(o, dict):
        values: Any = o.values()
        open_, close = "{", "}"
    elif isinstance(o, (list, tuple)):
        values = o
        open_, close = "[", "]"
    else:  # a scalar (or what json.dumps must judge: _refuse says so)
        out.append("".join(_leaf(depth)(o, 0)))
        return
    if not o:
        out.append(open_ + close)
        return
    inner = "\n" + "  " * (depth + 1)
    if open_ == "[" and all(type(x) is dict and x and _plain(x.values()) for x in o):
        out.append(_leaf_dicts(o, depth))
        return
    if _plain(values):
        text = "".join(_leaf(depth)(o, 0))
        out.append(f"{open_}{inner}{text[1:-1]}\n{'  ' * depth}{close}")
        return
    out.append(open_)
    sep = inner
    if isinstance(o, dict):
        for key, value in sorted(o.items()):
            if not isinstance(key, str):
                raise _NotPlain
            out.append(sep + encode_basestring(key) + ": ")
            _indented(value, depth + 1, out)
            sep = "," + inner
    else:
        for value in o:
            out.append(sep)
            _indented(value, depth + 1, out)
            sep = "," + inner
    out.append("\n" + "  " * depth + close)


def indented(data: Any) -> str:
    """`json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)`, faster."""
    if _c_make_encoder is not None:
        out: list[str] = []
        try:
            _indented(data, 0, out)
            return "".join(out)
        except (_NotPlain, RecursionError, TypeError, ValueError):
            pass  # json.dumps then says what it says of it (circles, keys it cannot sort)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(safe_json(indented(data)) + "\n")
