"""A progress bar on stderr for the long commands (export, import, merge, doctor).

Shown only when stderr is a terminal and the work has run for a second
(`ENGAGE_PROGRESS_AFTER` seconds, for tests), never when piped: piped output,
CI logs and scripts see exactly what they saw before. rich honours NO_COLOR;
the bar is transient, so what stays on the terminal is the command's own lines.
The store reports `progress(done, total)`; this turns that into the bar.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Progress = Callable[[int, int], None]

_REFRESH = 0.1  # seconds between two redraws: the bar costs nothing next to the work


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("ENGAGE_PROGRESS_AFTER", "1")))
    except ValueError:
        return 1.0


def shows_progress() -> bool:
    """Whether a bar may be drawn: stderr is a terminal (not piped, not a CI log)."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


@contextmanager
def progress_bar(what: str) -> Iterator[Progress]:
    """A `progress(done, total)` callback drawing "what" as a bar on stderr once the
    work has taken a second; a no-op callback when stderr is not a terminal."""
    if not shows_progress():
        yield _nothing
        return
    started = time.monotonic()
    after = _delay()
    state: dict[str, Any] = {"bar": None, "task": None, "drawn": 0.0}

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - state["drawn"] < _REFRESH or now - started < after:
            return
        state["drawn"] = now
        if state["bar"] is None:
            state["bar"], state["task"] = _start(what, total)
        state["bar"].update(state["task"], completed=done, total=max(total, done, 1))
        state["bar"].refresh()

    try:
        yield report
    finally:
        if state["bar"] is not None:
            state["bar"].stop()


def _nothing(done: int, total: int) -> None:
    return None


def _start(what: str, total: int) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
    )
    bar.start()
    return bar, bar.add_task(what, total=max(total, 1))
