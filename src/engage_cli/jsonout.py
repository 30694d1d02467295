"""JSON for programs: one stable shape per report, keys sorted, UTF-8 as is.

Kept apart from `render.py` so that `--json` never imports rich.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
