"""Views of follow-through: the promises list and the agenda, fit to 80 columns."""

from __future__ import annotations

import re
import textwrap

from rich.cells import cell_len
from rich.text import Text

from engage_cli.dates import fmt_local
from engage_cli.ids import short
from engage_cli.render.common import Grid, charge, console
from engage_cli.reports.agenda import Agenda, PromiseList
from engage_cli.terminal import terminal_width

WIDTH = 80
_STATE_STYLE = {"open": "yellow", "kept": "green", "dropped": "dim"}
# Joins the words of a command while a line is wrapped (a private-use character).
_GLUE = "\ue000"
_KIND_STYLE = {"promise": "yellow", "follow-up": "cyan", "birthday": "magenta",
               "remember": "magenta", "anniversary": "magenta", "due": "blue"}  # fmt: skip


def fit(text: str, width: int) -> str:
    """Text cut to `width` cells, with an ellipsis where it was cut."""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def promises(report: PromiseList) -> None:
    out = console()
    if not report.lines:
        out.print("no overdue promises" if report.overdue_only else "no promises")
        return
    grid = Grid()
    for col, justify in (("id", "left"), ("due", "left"), ("contact", "left"),
                         ("state", "left"), ("weighs", "right"), ("what", "left")):  # fmt: skip
        grid.add_column(col, justify=justify)
    for line in report.lines:
        p = line.promise
        state = p.state
        if line.overdue_days is not None:
            state = f"overdue {int(line.overdue_days)}d"
        grid.add_row(
            Text(short(p.id), style="dim"),
            fmt_local(p.due_at, with_time=False) if p.due_at else "-",
            fit(p.contact, 20),
            Text(state, style="red" if line.overdue_days else _STATE_STYLE[p.state]),
            charge(line.weight) if line.weight else Text("·", style="dim"),
            p.what,
        )
    out.print(grid.text(min(terminal_width() or WIDTH, WIDTH)))
    if report.total > len(report.lines):
        out.print(Text(f"… {report.total - len(report.lines)} more (--limit 0 shows all)", "dim"))


def agenda(a: Agenda, title: bool = True) -> None:
    out = console()
    if title:
        out.print(
            Text.assemble(
                ("Agenda", "bold"),
                f"  {a.as_of.date().isoformat()} to {a.end.isoformat()} ({a.days} days)",
            )
        )
    if not a.items:
        out.print("  nothing due")
    shown = a.items  # the first overdue ones (the rest counted), then the window's
    late = sum(1 for i in shown if i.overdue)
    width = min(terminal_width() or WIDTH, WIDTH)
    # the day, the kind, the contact (cut at 18), then what to do, wrapped in its column
    kinds = max((len(i.kind) for i in shown), default=0)
    names = [fit(i.contact, 18) for i in shown]
    who = max((cell_len(n) for n in names), default=0)
    left = 2 + 10 + 2 + kinds + 2 + who + 2
    room = max(width - left, 20)
    page = Text()
    for n, (i, name) in enumerate(zip(shown, names, strict=True)):
        # A command in backticks is one word to the wrapping: it is never cut in two.
        action = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", _GLUE), i.action)
        todo = f'"{i.what}": {action}' if i.what else action
        lines = [line.replace(_GLUE, " ") for line in textwrap.wrap(todo, room)] or [""]
        if n:
            page.append("\n")
        page.append("  ")
        # (a day of another year, an old overdue promise, says its year)
        day = f"{i.day:%a %d %b}" if i.day.year == a.as_of.year else i.day.isoformat()
        page.append(day.ljust(10), style="red" if i.overdue else "")
        page.append("  ")
        page.append(i.kind.ljust(kinds), style=_KIND_STYLE.get(i.kind, ""))
        page.append("  " + name + " " * (who - cell_len(name)) + "  ")
        page.append(lines[0])
        for more in lines[1:]:
            page.append("\n" + " " * left + more)
        if n == late - 1 and a.overdue_more:
            page.append(
                f"\n  … {a.overdue_more} more overdue: `engage promises --overdue`", style="dim"
            )
    if shown:
        out.print(page)
    if a.more:
        out.print(Text(f"  … {a.more} more by {a.end:%a %d %b}: `engage agenda`", style="dim"))
    if a.already_due:
        n = a.already_due
        out.print(
            Text(
                f"  and {n} contact{'s' if n != 1 else ''} already due: `engage who-neglected`",
                style="dim",
            )
        )
