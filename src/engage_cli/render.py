"""Output: rich tables for people, JSON for programs. Reports go to stdout.

rich strips colour when stdout is not a terminal and honours NO_COLOR.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from engage_cli import scoring
from engage_cli.dates import fmt_local
from engage_cli.ids import short
from engage_cli.ledger import Entry
from engage_cli.policy import Loaded
from engage_cli.reports import (
    AskLine,
    Balance,
    CanAsk,
    ContactLine,
    Explanation,
    Neglected,
    Profile,
    Review,
    Week,
)

VERDICT_STYLE = {
    scoring.IDLE: "dim",
    scoring.ALL_TASK: "bold red",
    scoring.ENGAGED: "bold green",
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
    scoring.ALL_TASK: "you asked more than you invested",
    scoring.ENGAGED: "investing and asking in balance",
    scoring.ALL_RELATIONSHIP: "investing without asking: potential left unused",
}


class Grid:
    """Aligned columns with a bold header, rendered as one rich Text.

    rich's Table measures and wraps every cell, which costs about 1 ms a row;
    these reports need only padding, so a hundred rows stay well under that.
    The last column is never padded, so long notes run on as typed.
    """

    GUTTER = "  "

    def __init__(self) -> None:
        self.columns: list[tuple[str, str]] = []
        self.rows: list[list[Text]] = []

    def add_column(self, header: str, justify: str = "left") -> None:
        self.columns.append((header, justify))

    def add_row(self, *cells: str | Text) -> None:
        self.rows.append([c if isinstance(c, Text) else Text(c) for c in cells])

    def text(self) -> Text:
        header = [Text(name, style="bold") for name, _ in self.columns]
        lines = [header, *self.rows]
        widths = [max(cell_len(line[i].plain) for line in lines) for i in range(len(header))]
        out = Text()
        last = len(header) - 1
        for n, line in enumerate(lines):
            if n:
                out.append("\n")
            for i, cell in enumerate(line):
                gap = widths[i] - cell_len(cell.plain)
                right = self.columns[i][1] == "right"
                if right:
                    out.append(" " * gap)
                out.append_text(cell)
                if i < last:
                    out.append(("" if right else " " * gap) + self.GUTTER)
        return out


def console() -> Console:
    # Markup and emoji codes are off: names, notes and tags are people's text,
    # and "[red]" or ":smile:" in them must print as typed.
    return Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


def points(value: float) -> str:
    return f"{value:g}" if value else "·"


def charge(value: float) -> Text:
    if abs(value) < 0.05:
        value = 0.0  # no "-0.0": what rounds to zero is zero
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


def _status(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _ratio(value: float | None) -> str:
    return "no asks" if value is None else f"{value:.2f} : 1"


def _delta(now: float, before: float) -> str:
    diff = now - before
    return "same as before" if diff == 0 else f"{diff:+g} vs previous"


def balance(report: Balance) -> None:
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
            f"   ({_delta(cur.deposits, prev.deposits)})",
        )
    )
    out.print(
        Text.assemble(
            "  withdrawals ",
            (f"{cur.withdrawals:g}", "red"),
            f"   ({_delta(cur.withdrawals, prev.withdrawals)})",
        )
    )
    out.print(f"  ratio       {_ratio(cur.ratio)}   (previous: {_ratio(prev.ratio)})")
    out.print(
        Text.assemble(
            "  verdict     ",
            (cur.verdict, VERDICT_STYLE[cur.verdict]),
            f"  {VERDICT_MEANING[cur.verdict]}   (previous: {prev.verdict})",
        )
    )
    if report.contacts:
        table = Grid()
        table.add_column("contact")
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
                _status(c.status),
            )
        out.print()
        out.print(table.text())
    counts = report.status_counts
    flagged = ", ".join(f"{n} {s}" for s, n in counts.items() if n and s != scoring.HEALTHY)
    out.print()
    if report.hidden:
        out.print(
            Text(
                f"{report.hidden} contacts with no activity in the period not shown "
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
            grid.add_column(col, justify=justify)
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
        tops = ", ".join(f"{c.name} ({c.entries})" for c in report.connectors)
        out.print(Text.assemble(("Top connectors ", "bold"), tops))
    if report.thank_first:
        out.print(
            Text.assemble(
                ("Thank first ", "bold"),
                ", ".join(report.thank_first),
                ("  (they gave unasked; you gave back less than half)", "dim"),
            )
        )
    if flagged:
        out.print(f"Across all contacts: {flagged}. Next: engage who-neglected")


def neglected(report: Neglected, more: str = "--limit 0 shows all") -> None:
    out = console()
    out.print(
        Text.assemble(("Who to reconnect with", "bold"), f"  (as of {fmt_local(report.as_of)})")
    )
    if not report.lines:
        out.print("  no contacts yet: add some with `engage add NAME`")
    else:
        table = Grid()
        table.add_column("#", justify="right")
        table.add_column("contact")
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
            since = days(r.days_since) + ("" if r.contacted else " (added)")
            table.add_row(
                str(i), r.name, r.circle, since, f"{r.cadence_days:g}d", due, charge(r.charge)
            )
        out.print(table.text())
        out.print()
        out.print(Text("Next deposits", style="bold"))
        for i, line in enumerate(report.lines, 1):
            out.print(f"  {i}. {line.suggestion}")
        if report.total > len(report.lines):
            out.print(Text(f"  … {report.total - len(report.lines)} more ({more})", "dim"))
    out.print()
    out.print(Text("Reflect", style="bold"))
    for prompt in report.prompts:
        out.print(f"  • {prompt}")


def contacts(lines: Sequence[ContactLine]) -> None:
    out = console()
    if not lines:
        out.print("no contacts match")
        return
    table = Grid()
    for col, justify in (
        ("name", "left"),
        ("kind", "left"),
        ("circle", "left"),
        ("tags", "left"),
        ("charge", "right"),
        ("last contact", "left"),
        ("status", "left"),
    ):
        table.add_column(col, justify=justify)
    for c in lines:
        table.add_row(
            c.name,
            c.kind,
            c.circle,
            ", ".join(c.tags),
            charge(c.charge),
            fmt_local(c.last_contact, False) if c.last_contact else "never",
            _status(c.status),
        )
    out.print(table.text())


def history(
    entries: Sequence[Entry], total: int, with_contact: bool = True, hint: str = "--limit 0"
) -> None:
    out = console()
    if not entries:
        out.print("no entries")
        return
    table = Grid()
    table.add_column("id")
    table.add_column("when")
    if with_contact:
        table.add_column("contact")
    table.add_column("kind")
    table.add_column("points", justify="right")
    table.add_column("note")
    for e in entries:
        voided = e.voided_by is not None
        sign = SIGN[e.kind]
        style = "strike dim" if voided else KIND_STYLE[e.kind]
        extra = [f"#{t}" for t in e.tags]
        if e.via:
            extra.append(f"via {e.via}")
        if e.status and e.status != "open":
            extra.append(f"ask {e.status}")
        note = e.note + ("  " + " ".join(extra) if extra else "")
        cells: list[str | Text] = [Text(short(e.id), style="dim"), fmt_local(e.occurred_at)]
        if with_contact:
            cells.append(e.contact)
        cells += [
            Text(e.kind + (" (voided)" if voided else ""), style=style),
            Text(f"{sign}{e.points:g}", style=style),
            note,
        ]
        table.add_row(*cells)
    out.print(table.text())
    if total > len(entries):
        more = f"showing {len(entries)} of {total}"
        out.print(Text(f"{more}; {hint} shows all" if hint else more, style="dim"))


SIGN = {"deposit": "+", "withdrawal": "-", "received": "←"}
KIND_STYLE = {"deposit": "green", "withdrawal": "red", "received": "cyan"}


def profile(p: Profile) -> None:
    out = console()
    c, line = p.contact, p.line
    out.print(Text.assemble((c.name, "bold"), f"  {c.kind}, {c.circle} circle"))
    if c.tags:
        out.print(f"  tags          {', '.join(c.tags)}")
    if c.note:
        out.print(f"  note          {c.note}")
    for label, value in (
        ("org", c.org),
        ("nickname", c.nickname),
        ("birthday", c.birthday),
        ("email", ", ".join(c.emails)),
        ("phone", ", ".join(c.phones)),
    ):
        if value:
            out.print(Text(f"  {label:<13} {value}"))
    out.print(f"  added         {fmt_local(c.created_at, False)}")
    out.print(
        Text.assemble("  charge        ", charge(line.charge), "   status ", _status(line.status))
    )
    if line.last_contact:
        last = f"{fmt_local(line.last_contact)} ({days(line.days_since)} ago"
    else:
        last = f"never (added {days(line.days_since)} ago"
    out.print(f"  last contact  {last}; cadence {p.cadence_days:g}d)")
    t = p.totals
    out.print(
        f"  all time      you gave {t.deposits:g}, asked {t.withdrawals:g}; they gave "
        f"{t.received:g} unasked; {p.live_count} entries; half-life {p.half_life_days:g}d"
    )
    gave, received = p.exchange
    if received >= 0.05:  # the exchange matters once they have given something
        out.print(
            f"  exchange      you gave {gave:.1f}, they gave {received:.1f} "
            f"(decayed like the charge)"
        )
    if p.reciprocity:
        out.print(
            Text(f"  {p.reciprocity}: they gave more than twice what you gave back", "yellow")
        )
    if p.open_asks:
        asks_open = ", ".join(
            f"{a.entry.points:g} pts {days(a.age_days)} old [{short(a.entry.id)}]"
            for a in p.open_asks[:5]
        )
        out.print(f"  open asks     {asks_open}")
    if p.brokered:
        made = ", ".join(f"{e.contact} ({fmt_local(e.occurred_at, False)})" for e in p.brokered)
        out.print(f"  brokered      {made}")
    out.print()
    history(p.entries, p.entry_count, with_contact=False, hint=f"engage history {c.name!r}")


def explanation(x: Explanation) -> None:
    out = console()
    out.print(
        Text.assemble(
            (x.contact.name, "bold"),
            f"  charge as of {fmt_local(x.as_of)}; {x.contact.circle} circle, "
            f"half-life {x.half_life_days:g} days",
        )
    )
    if not x.rows:
        out.print("  no entries count yet: the charge is 0")
        return
    grid = Grid()
    for col, justify in (
        ("id", "left"),
        ("when", "left"),
        ("kind", "left"),
        ("points", "right"),
        ("age", "right"),
        ("factor", "right"),
        ("= now", "right"),
    ):
        grid.add_column(col, justify=justify)
    for e, part in x.rows:
        grid.add_row(
            Text(short(e.id), style="dim"),
            fmt_local(e.occurred_at),
            Text(e.kind, style=KIND_STYLE[e.kind]),
            f"{SIGN[e.kind]}{e.points:g}",
            f"{part.age_days:.1f}d",
            f"{part.factor:.4f}",
            charge_precise(part.contribution),
        )
    out.print(grid.text())
    out.print(Text.assemble("  sum = charge ", charge_precise(x.charge, bold=True)))
    out.print(
        Text(
            "  factor = 2^(-age / half-life); what they gave unasked counts 0 toward the charge",
            style="dim",
        )
    )


def charge_precise(value: float, bold: bool = False) -> Text:
    style = "red" if value < 0 else "green"
    return Text(f"{value:+.3f}", style=f"bold {style}" if bold else style)


def can_ask(c: CanAsk) -> None:
    out = console()
    r = c.readiness
    if r.ready:
        out.print(
            Text.assemble(("yes", "bold green"), f": {c.name} can carry an ask of {r.points:g}")
        )
    else:
        out.print(
            Text.assemble(("not yet", "bold yellow"), f": an ask of {r.points:g} is too big now")
        )
    out.print(Text.assemble("  charge now    ", charge(r.charge)))
    out.print(Text.assemble("  after the ask ", charge(r.after)))
    if not r.ready:
        # Rounded up, so that following the advice is always enough.
        at_least = max(0.1, math.ceil(r.suggested_deposit * 10 - 1e-9) / 10)
        out.print(
            f"  deposit first at least {at_least:.1f} points "
            f"(an ask is comfortable when the charge covers it plus {c.reserve:.0%} of it)"
        )


def asks(lines: Sequence[AskLine]) -> None:
    out = console()
    if not lines:
        out.print("no asks")
        return
    grid = Grid()
    for col, justify in (
        ("id", "left"),
        ("asked", "left"),
        ("contact", "left"),
        ("points", "right"),
        ("age", "right"),
        ("status", "left"),
        ("note", "left"),
    ):
        grid.add_column(col, justify=justify)
    for a in lines:
        e = a.entry
        status = e.status or "open"
        if e.status == "done" and a.returned:
            status += f" (+{a.returned:g} back)"
        style = {"open": "yellow", "done": "green", "declined": "dim"}.get(e.status or "", "")
        grid.add_row(
            Text(short(e.id), style="dim"),
            fmt_local(e.occurred_at, False),
            e.contact,
            f"{e.points:g}",
            days(a.age_days),
            Text(status, style=style),
            e.note,
        )
    out.print(grid.text())


BARS = " ▏▎▍▌▋▊▉█"


def _bar(value: float, scale: float, width: int = 20) -> str:
    if value <= 0 or scale <= 0:
        return ""
    eighths = max(1, round(value / scale * width * 8))
    return "█" * (eighths // 8) + (BARS[eighths % 8] if eighths % 8 else "")


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
            Text(f"{t.deposits:>5g} {_bar(t.deposits, scale)}", style="green"),
            Text(f"{t.withdrawals:>5g} {_bar(t.withdrawals, scale)}", style="red"),
            Text(t.verdict, style=VERDICT_STYLE[t.verdict]),
        )
    out.print(grid.text())


def review(r: Review) -> None:
    balance(r.balance)
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


def policy(loaded: Loaded) -> None:
    out = console()
    where = f"{loaded.path}" + ("" if loaded.exists else " (not present: all defaults)")
    out.print(Text.assemble(("config ", "bold"), where))
    rows = loaded.rows()
    grid = Grid()
    grid.add_column("key")
    grid.add_column("value", justify="right")
    grid.add_column("from")
    for key, value, source in rows:
        grid.add_row(key, f"{value:g}", Text(source, style="dim" if source == "default" else ""))
    out.print(grid.text())
