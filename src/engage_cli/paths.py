"""Where engage keeps its ledger: --db, then ENGAGE_DB, then the XDG data directory."""

from __future__ import annotations

import os
from pathlib import Path

APP = "engage"
LEDGER_NAME = "ledger.db"


def data_home() -> Path:
    """`$XDG_DATA_HOME`, or `~/.local/share` when it is unset or not absolute (XDG spec)."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    return Path.home() / ".local" / "share"


def demo_path() -> Path:
    """Where `engage demo` keeps its example ledger: one place, rebuilt each run
    (`$XDG_CACHE_HOME/engage/demo/`, `~/.cache` by default), never the user's."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / APP / "demo" / LEDGER_NAME


def ledger_path(option: str | None = None) -> Path:
    """The ledger file to use, in order of precedence: `--db`, `ENGAGE_DB`, the default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get("ENGAGE_DB")
    if env:
        return Path(env).expanduser()
    return data_home() / APP / LEDGER_NAME
