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
_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def safe_json(text: str) -> str:
    """JSON text with every character in _UNSAFE written as its \\uXXXX escape."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(data: Any, **options: Any) -> str:
    return safe_json(json.dumps(data, ensure_ascii=False, **options))


def emit_json(data: Any) -> None:
    sys.stdout.write(dumps(data, indent=2, sort_keys=True) + "\n")
