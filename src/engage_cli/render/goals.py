"""Views of shared goals: the list, and one goal's review."""

from __future__ import annotations

from rich.text import Text

from engage_cli.dates import fmt_local
from engage_cli.ids import short
from engage_cli.render.common import (
    VERDICT_MEANING,
    VERDICT_STYLE,
    Grid,
    charge,
    console,
    days,
    hang,
    points,
    ratio_text,
)
from engage_cli.reports.goals import GoalList, GoalReview
from engage_cli.scoring import IDLE
from engage_cli.terminal import cut


def goal_list(g: GoalList) -> None:
    out = console()
    if not g.lines:
        out.print("no goals yet: `engage goal add NAME` adds one, `log --goal NAME` serves it")
        return
    grid = Grid()
    for col, justify in (("goal", "left"), ("status", "left"), ("contacts", "right"),
                         ("dep", "right"), ("wd", "right"), ("open asks", "right"),
                         ("last", "left")):  # fmt: skip
        grid.add_column(col, justify=justify, fit=col == "goal")
    for line in g.lines:
        grid.add_row(
            line.goal.name,
            line.status,
            str(line.contacts),
            points(line.deposits),
            points(line.withdrawals),
            str(line.open_asks),
            fmt_local(line.last, False) if line.last else "never",
        )
    out.print(grid.text())


def goal_review(r: GoalReview) -> None:
    out = console()
    g = r.goal
    out.print(Text(cut(f"Goal: {g.name}"), style="bold"))
    about = f"{r.status}, added {fmt_local(g.created_at, False)}"
    if r.last is not None:
        about += f", last activity {fmt_local(r.last, False)}"
    out.print(f"  {about}")
    if g.why:
        out.print(hang("  why           ", g.why))
    if g.sectors:
        out.print(hang("  sectors       ", ", ".join(g.sectors)))
    t = r.totals
    out.print(
        Text.assemble(
            f"  invested {t.deposits:g}, asked {t.withdrawals:g}  ({ratio_text(t.ratio)})  ",
            (t.verdict, VERDICT_STYLE[t.verdict]),
        )
    )
    # A goal has no period: nothing logged is nothing logged for it yet.
    meaning = "nothing logged for it yet" if t.verdict == IDLE else VERDICT_MEANING[t.verdict]
    out.print(Text(f"  {meaning}", style="dim"))
    out.print()
    if r.by_sector:
        out.print(Text("Participants by sector", style="bold"))
        grid = Grid()
        for col, justify in (("sector", "left"), ("contact", "left"), ("charge", "right"),
                             ("last contact", "left")):  # fmt: skip
            grid.add_column(col, justify=justify, fit=col == "contact")
        more = dict(r.people_more)
        for sector, lines in r.by_sector:
            for i, line in enumerate(lines):
                grid.add_row(
                    sector if i == 0 else "",
                    line.name,
                    charge(line.charge),
                    fmt_local(line.last_contact, False) if line.last_contact else "never",
                )
            if sector in more:
                grid.add_row("", Text(f"… {more[sector]} more", style="dim"), "", "")
        out.print(grid.text())
        if more:
            out.print(Text("  (--limit 0 shows all)", style="dim"))
    else:
        out.print("Nobody takes part yet: `engage log NAME ... --goal` ties an entry to it")
    if r.unheard:
        out.print(hang("Voices not heard: ", ", ".join(r.unheard), style="yellow"))
    if r.open_asks:
        out.print()
        out.print(Text("Open asks", style="bold"))
        asks = Grid()
        for col, justify in (("id", "left"), ("contact", "left"), ("points", "right"),
                             ("age", "right"), ("", "left"), ("note", "left")):  # fmt: skip
            asks.add_column(col, justify=justify, fit=col in ("contact", "note"))
        for a in r.open_asks:
            flag = Text("follow through", style="red") if a.late else Text("")
            asks.add_row(
                Text(short(a.id), style="dim"), a.contact, f"{a.points:g}", days(a.age_days),
                flag, a.note,
            )  # fmt: skip
        out.print(asks.text())
        if r.asks_more:
            out.print(Text(f"… {r.asks_more} more (--limit 0 shows all)", style="dim"))
        if any(a.late for a in r.open_asks):
            said = (
                f"open more than {r.follow_through_days:g} days: settle them "
                "(engage done ID, engage declined ID) or ask again"
            )
            out.print(hang("  ", said, style="dim"))
