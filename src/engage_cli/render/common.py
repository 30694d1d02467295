"""What every view shares: styles, aligned columns, a console, and how numbers print.

rich strips colour when stdout is not a terminal and honours NO_COLOR.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from engage_cli import scoring
from engage_cli.terminal import fill, terminal_width, visible

VERDICT_STYLE = {
    scoring.IDLE: "dim",
    scoring.LIGHT: "dim",
    scoring.ALL_TASK: "bold red",
    scoring.ENGAGED: "bold green",
    scoring.RELATIONSHIP_HEAVY: "yellow",
    scoring.ALL_RELATIONSHIP: "bold yellow",
}
STATUS_STYLE = {
    scoring.OVERDRAWN: "red",
    scoring.COLD: "cyan",
    scoring.UNTAPPED: "yellow",
    scoring.HEALTHY: "green",
}
VERDICT_MEANING = {
    scoring.IDLE: "nothing logged in this period",
    scoring.LIGHT: "too little logged to judge",
    scoring.ALL_TASK: "you asked more than you invested",
    scoring.ENGAGED: "investing and asking in balance",
    scoring.RELATIONSHIP_HEAVY: "investing much more than asking",
    scoring.ALL_RELATIONSHIP: "investing without asking: potential left unused",
}


class Grid:
    """Aligned columns with a bold header, rendered as one rich Text.

    rich's Table measures and wraps every cell, which costs about 1 ms a row;
    these reports need only padding, so a hundred rows stay well under that.
    Every line fits the width (the terminal's, or 80 piped; see
    `terminal_width`): when the columns would pass it, the columns added with
    `fit=True` (names, notes: people's text) give up room, widest first, and
    their cells are cut with an ellipsis inside the column. The last column is
    never padded.
    """

    GUTTER = "  "
    NARROWEST = 8  # a column that fits is never cut below this many cells

    def __init__(self) -> None:
        self.columns: list[tuple[str, str, bool]] = []
        self.rows: list[list[Text]] = []

    def add_column(self, header: str, justify: str = "left", fit: bool = False) -> None:
        self.columns.append((header, justify, fit))

    def add_row(self, *cells: str | Text) -> None:
        self.rows.append([safe(c, newlines=False) for c in cells])

    def widths(self, width: int) -> list[int]:
        """Each column's width once the fitting columns gave up what passes `width`."""
        header = [name for name, _, _ in self.columns]
        natural = [
            max([cell_len(name)] + [cell_len(row[i].plain) for row in self.rows])
            for i, name in enumerate(header)
        ]
        widths = list(natural)
        last = len(widths) - 1
        fits = [i for i, (_, _, fit) in enumerate(self.columns) if fit or i == last]
        excess = sum(widths) + len(self.GUTTER) * last - width
        while excess > 0:
            room = [i for i in fits if widths[i] > self.NARROWEST]
            if not room:
                break
            widest = max(room, key=lambda i: (widths[i], i))
            others = max([widths[i] for i in room if i != widest] + [self.NARROWEST])
            give = min(excess, widths[widest] - others) or 1
            widths[widest] -= give
            excess -= give
        return widths

    def text(self, width: int | None = None) -> Text:
        """The grid, each line at most `width` cells (default: `terminal_width()`)."""
        widths = self.widths(width or terminal_width())
        header = [Text(name, style="bold") for name, _, _ in self.columns]
        out = Text()
        last = len(header) - 1
        for n, line in enumerate([header, *self.rows]):
            if n:
                out.append("\n")
            for i, cell in enumerate(line):
                if cell_len(cell.plain) > widths[i]:
                    cell = cell.copy()
                    cell.truncate(widths[i], overflow="ellipsis")
                gap = widths[i] - cell_len(cell.plain)
                right = self.columns[i][1] == "right"
                if right:
                    out.append(" " * gap)
                out.append_text(cell)
                if i < last:
                    out.append(("" if right else " " * gap) + self.GUTTER)
        return out


def hang(lead: str, value: str, style: str = "") -> Text:
    """`lead` then `value` wrapped to the width, further lines indented under it."""
    return Text(fill(value, lead), style=style)


def safe(item: str | Text, newlines: bool = True) -> Text:
    """People's text as a rich Text whose control characters show as stand-ins
    (terminal.visible), keeping its styles: the replacement is one for one."""
    if isinstance(item, Text):
        text = item.copy()
        text.plain = visible(text.plain, newlines)
        return text
    return Text(visible(item, newlines))


class SafeConsole(Console):
    """A console that prints every string and Text through `safe`."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(safe(o) if isinstance(o, str | Text) else o for o in objects), **kwargs)


def console() -> Console:
    # Markup and emoji codes are off: names, notes and tags are people's text,
    # and "[red]" or ":smile:" in them must print as typed; control characters
    # in them print as visible stand-ins (SafeConsole).
    return SafeConsole(highlight=False, soft_wrap=True, markup=False, emoji=False)


def points(value: float) -> str:
    return f"{value:g}" if value else "·"


def charge(value: float) -> Text:
    value = scoring.shown(value)  # as the statuses judge it; no "-0.0"
    style = "red" if value < 0 else ("green" if value > 0 else "dim")
    return Text(f"{value:+.1f}", style=style)


def days(value: float | None) -> str:
    if value is None:
        return "never"
    if value < 1 / 24:
        return "<1h"
    if value < 1:
        return f"{int(value * 24)}h"
    return f"{int(value)}d"


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def ratio_text(value: float | None) -> str:
    return "no asks" if value is None else f"{value:.2f} : 1"


def delta_text(now: float, before: float) -> str:
    diff = now - before
    return "same as before" if diff == 0 else f"{diff:+g} vs previous"


SIGN = {"deposit": "+", "withdrawal": "-", "received": "←"}
KIND_STYLE = {"deposit": "green", "withdrawal": "red", "received": "cyan"}


def charge_precise(value: float, bold: bool = False) -> Text:
    style = "red" if value < 0 else "green"
    return Text(f"{value:+.3f}", style=f"bold {style}" if bold else style)


BARS = " ▏▎▍▌▋▊▉█"


def bar(value: float, scale: float, width: int = 20) -> str:
    if value <= 0 or scale <= 0:
        return ""
    eighths = max(1, round(value / scale * width * 8))
    return "█" * (eighths // 8) + (BARS[eighths % 8] if eighths % 8 else "")
