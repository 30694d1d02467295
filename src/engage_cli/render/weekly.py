"""Views of the weekly review: the balance, who is going cold, the trend, all of it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from rich.text import Text

from engage_cli import scoring
from engage_cli.dates import fmt_local
from engage_cli.render.common import (
    VERDICT_MEANING,
    VERDICT_STYLE,
    Grid,
    bar,
    charge,
    console,
    days,
    delta_text,
    hang,
    points,
    ratio_text,
    status_text,
)
from engage_cli.render.contact import asks
from engage_cli.render.text import plural
from engage_cli.reports import Balance, Neglected, Review, Trend, Week
from engage_cli.terminal import cells, fill, terminal_width


def balance(report: Balance, more: str = "--limit 0 shows all") -> None:
    out = console()
    cur, prev = report.current, report.previous
    out.print(
        Text.assemble(
            ("Balance ", "bold"),
            f"{fmt_local(cur.start)} → {fmt_local(cur.end)} "
            f"({report.period_days} days, as of {fmt_local(report.as_of)})",
        )
    )
    out.print(
        Text.assemble(
            "  deposits    ",
            (f"{cur.deposits:g}", "green"),
            f"   ({delta_text(cur.deposits, prev.deposits)})",
        )
    )
    out.print(
        Text.assemble(
            "  withdrawals ",
            (f"{cur.withdrawals:g}", "red"),
            f"   ({delta_text(cur.withdrawals, prev.withdrawals)})",
        )
    )
    out.print(f"  ratio       {ratio_text(cur.ratio)}   (previous: {ratio_text(prev.ratio)})")
    verdict = Text.assemble(
        "  verdict     ",
        (cur.verdict, VERDICT_STYLE[cur.verdict]),
        f"  {VERDICT_MEANING[cur.verdict]}",
    )
    previous = f"(previous: {prev.verdict})"
    if verdict.cell_len + 3 + len(previous) <= terminal_width():
        out.print(verdict + Text(f"   {previous}"))
    else:  # a long meaning: what the period before was goes below it
        out.print(verdict)
        out.print(f"              {previous}")
    if (
        report.rolling is not None
        and report.period_days < (report.rolling.end - report.rolling.start).days
    ):
        r = report.rolling
        span = (r.end - r.start).days
        out.print(
            Text.assemble(
                f"  {span} days     ",
                (r.verdict, VERDICT_STYLE[r.verdict]),
                f"  deposits {r.deposits:g}, withdrawals {r.withdrawals:g}",
            )
        )
    left = report.left_out
    if left.deposits or left.withdrawals:
        out.print(
            Text(
                f"  (left out of the verdict, personal and transactional: "
                f"{left.deposits:g} given, {left.withdrawals:g} asked)",
                style="dim",
            )
        )
    if report.contacts:
        table = Grid()
        table.add_column("contact", fit=True)
        table.add_column("circle")
        table.add_column("charge", justify="right")
        table.add_column("dep", justify="right")
        table.add_column("wd", justify="right")
        table.add_column("last contact")
        table.add_column("status")
        for c in report.contacts:
            table.add_row(
                c.name,
                c.circle,
                charge(c.charge),
                points(c.deposits),
                points(c.withdrawals),
                f"{fmt_local(c.last_contact, False)} ({days(c.days_since)})"
                if c.last_contact
                else "never",
                status_text(c.status),
            )
        out.print()
        out.print(table.text())
        if report.more:
            out.print(Text(f"… {report.more} more ({more})", style="dim"))
    counts = report.status_counts
    flagged = ", ".join(f"{n} {s}" for s, n in counts.items() if n and s != scoring.HEALTHY)
    out.print()
    if report.hidden:
        out.print(
            Text(
                f"{plural(report.hidden, 'contact', 'contacts')} with no activity in the "
                "period not shown "
                "(--all shows them)",
                style="dim",
            )
        )
    if report.by:
        out.print(Text(f"By {report.by}", style="bold"))
        grid = Grid()
        for col, justify in (
            (report.by, "left"),
            ("contacts", "right"),
            ("charge", "right"),
            ("dep", "right"),
            ("wd", "right"),
            ("recv", "right"),
            ("verdict", "left"),
        ):
            grid.add_column(col, justify=justify, fit=col == report.by)
        for g in report.groups:
            t = g.totals
            grid.add_row(
                g.name,
                str(g.contacts),
                charge(g.charge),
                points(t.deposits),
                points(t.withdrawals),
                points(t.received),
                Text(t.verdict, style=VERDICT_STYLE[t.verdict]),
            )
        out.print(grid.text())
        out.print()
    if report.connectors:
        tops = ", ".join(
            f"{c.name} ({c.entries}" + (f", {c.introduced} after your introduction)"
                                        if c.introduced else ")")
            for c in report.connectors
        )  # fmt: skip
        line = hang("Top connectors ", tops)
        line.stylize("bold", 0, len("Top connectors"))
        out.print(line)
    if report.thank_first:
        out.print(
            Text.assemble(
                ("Thank first ", "bold"),
                ", ".join(report.thank_first),
                ("  (they gave unasked; you gave back less than half)", "dim"),
            )
        )
    if flagged:
        summary = f"Across all contacts: {flagged}. Next: engage who-neglected"
        if cells(summary) <= terminal_width():
            out.print(summary)
        else:  # the counts wrapped under their label, the command whole on its own line
            out.print(fill(f"{flagged}.", "Across all contacts: "))
            out.print("Next: engage who-neglected")


def neglected(report: Neglected, more: str = "--limit 0 shows all") -> None:
    out = console()
    out.print(
        Text.assemble(("Who to reconnect with", "bold"), f"  (as of {fmt_local(report.as_of)})")
    )
    if not report.lines and report.next_due is not None:
        name, in_days = report.next_due
        out.print(Text.assemble("  nobody is overdue; next due: ", name, f" in {days(in_days)}"))
    elif not report.lines and report.narrowed:
        out.print("  nobody in that circle or sector (archived contacts are left out)")
    elif not report.lines:
        out.print("  no one yet: add contacts with `engage add NAME` (archived ones are left out)")
    else:
        table = Grid()
        table.add_column("#", justify="right")
        table.add_column("contact", fit=True)
        table.add_column("circle")
        table.add_column("since", justify="right")
        table.add_column("cadence", justify="right")
        table.add_column("due")
        table.add_column("charge", justify="right")
        for i, line in enumerate(report.lines, 1):
            r = line.row
            late = r.days_since - r.cadence_days
            due = (
                Text(f"overdue {int(late)}d" if late >= 1 else "due now", style="red")
                if late > 0
                else Text(f"in {math.ceil(-late)}d", style="dim")
            )
            if r.thank_first:
                due = Text("thank first", style="yellow")
            elif r.overdrawn and late <= 0:
                due = Text("overdrawn", style="red")
            since = days(r.days_since) + ("" if r.contacted else " (added)")
            table.add_row(
                str(i), r.name, r.circle, since, f"{r.cadence_days:g}d", due, charge(r.charge)
            )
        out.print(table.text())
        out.print()
        out.print(Text("Next deposits", style="bold"))
        for i, line in enumerate(report.lines, 1):  # wrapped to fit 80 columns
            out.print(fill(line.suggestion, f"  {i}. "))
        if report.total > len(report.lines):
            out.print(Text(f"  … {report.total - len(report.lines)} more ({more})", "dim"))
    out.print()
    out.print(Text("Reflect", style="bold"))
    for question, why in report.prompts:  # wrapped to fit 80 columns, piped or not
        out.print(fill(question, "  • ", "    "))
        out.print(Text(fill(f"({why})", "    ", "     "), style="dim"))


def trend_report(t: Trend) -> None:
    trend(t.weeks, t.title)


def trend(weeks: Sequence[Week], title: str) -> None:
    out = console()
    out.print(Text(title, style="bold"))
    scale = max([max(w.totals.deposits, w.totals.withdrawals) for w in weeks] + [0.0])
    grid = Grid()
    for col, justify in (
        ("week of", "left"),
        ("deposits", "left"),
        ("withdrawals", "left"),
        ("verdict", "left"),
    ):
        grid.add_column(col, justify=justify)
    for w in weeks:
        t = w.totals
        grid.add_row(
            fmt_local(w.start + timedelta(seconds=1), False),  # its first whole day
            Text(f"{t.deposits:>5g} {bar(t.deposits, scale, 16)}", style="green"),
            Text(f"{t.withdrawals:>5g} {bar(t.withdrawals, scale, 16)}", style="red"),
            Text(t.verdict, style=VERDICT_STYLE[t.verdict]),
        )
    out.print(grid.text())


def review(r: Review) -> None:
    balance(r.balance, more="engage balance --limit 0 shows all")
    console().print()
    trend(r.weeks, "The last eight weeks")
    out = console()
    out.print()
    out.print(Text("Open asks getting old", style="bold"))
    if r.old_asks:
        asks(r.old_asks)
        out.print(Text("  settle them: engage done ID, engage declined ID", style="dim"))
    else:
        out.print("  none older than two weeks")
    out.print()
    neglected(r.neglected, more="engage who-neglected shows all")
    if r.agenda is not None and r.agenda.items:
        from engage_cli.render.agenda import agenda

        out.print()
        out.print(Text("The week ahead", style="bold"))
        agenda(r.agenda._replace(already_due=0), title=False)
