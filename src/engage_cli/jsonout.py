"""JSON for programs: one stable shape per report, keys sorted, UTF-8 as is.

Kept apart from `render.py` so that `--json` never imports rich.
"""

from __future__ import annotations

import json
import re
import sys
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
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def dumps(data: Any, **options: Any) -> str:
    return safe_json(json.dumps(data, ensure_ascii=False, **options))


def emit_json(data: Any) -> None:
    sys.stdout.write(dumps(data, indent=2, sort_keys=True) + "\n")
