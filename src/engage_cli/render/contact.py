"""Views of contacts and entries: lists, a profile, an explanation, asks, the policy."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

from engage_cli.config import Loaded
from engage_cli.dates import fmt_local
from engage_cli.domain import Entry
from engage_cli.ids import short
from engage_cli.render.common import (
    KIND_STYLE,
    SIGN,
    Grid,
    charge,
    charge_precise,
    console,
    days,
    hang,
    status_text,
)
from engage_cli.render.text import birthday_text, change_text, plural
from engage_cli.reports import AskLine, AskList, CanAsk, ContactList, Explanation, History, Profile
from engage_cli.reports.lines import ContactLine
from engage_cli.terminal import cells, cut, terminal_width


def contacts(listing: ContactList) -> None:
    lines = listing.lines
    out = console()
    if not lines:
        out.print("no contacts match (`engage contacts --archived` lists the archived ones)")
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
        table.add_column(col, justify=justify, fit=col in ("name", "tags"))
    for c in lines:
        table.add_row(
            c.name,
            c.kind,
            c.circle,
            ", ".join(c.tags),
            charge(c.charge),
            fmt_local(c.last_contact, False) if c.last_contact else "never",
            status_text(c.status),
        )
    out.print(table.text())
    if listing.total > len(lines):
        out.print(Text(f"… {listing.total - len(lines)} more (--limit 0 shows all)", "dim"))


def history(h: History) -> None:
    entries_table(h.entries, h.total, with_contact=h.contact is None, exact=h.exact)


def entries_table(
    entries: Sequence[Entry],
    total: int,
    with_contact: bool = True,
    hint: str = "--limit 0",
    exact: bool = True,
) -> None:
    out = console()
    if not entries:
        out.print("no entries")
        return
    table = Grid()
    table.add_column("id")
    table.add_column("when")
    if with_contact:
        table.add_column("contact", fit=True)
    table.add_column("kind")
    table.add_column("points", justify="right")
    table.add_column("note", fit=True)
    for e in entries:
        voided = e.voided_by is not None
        sign = SIGN[e.kind]
        style = "strike dim" if voided else KIND_STYLE[e.kind]
        extra = [f"#{t}" for t in e.tags]
        if e.via:
            extra.append(f"via {e.via}")
        if e.status and e.status != "open":
            extra.append(f"ask {e.status}")
        # A voided entry says so first, where no cut of a long note can hide it.
        mark = (f"[voided: {e.void_reason}]" if e.void_reason else "[voided]") if voided else ""
        note = "  ".join(part for part in (mark, e.note, " ".join(extra)) if part)
        cells: list[str | Text] = [Text(short(e.id), style="dim"), fmt_local(e.occurred_at)]
        if with_contact:
            cells.append(e.contact)
        cells += [
            Text(e.kind, style=style),
            Text(f"{sign}{e.points:g}", style=style),
            note,
        ]
        table.add_row(*cells)
    out.print(table.text())
    if total > len(entries):
        more = f"showing {len(entries)} of {'' if exact else 'at least '}{total}"
        out.print(Text(f"{more}; {hint} shows all" if hint else more, style="dim"))


def profile(p: Profile) -> None:
    out = console()
    c, line = p.contact, p.line
    mode = "" if c.mode == "engagement" else f", {c.mode}"
    about = f"  {c.kind}, {c.circle} circle{mode}"
    if cells(c.name) + len(about) <= terminal_width():
        out.print(Text.assemble((c.name, "bold"), about))
    else:  # a long name has the line to itself
        out.print(Text(cut(c.name), style="bold"))
        out.print(about)
    if c.tags:
        out.print(hang("  tags          ", ", ".join(c.tags)))
    if c.note:
        out.print(hang("  note          ", c.note))
    if c.archived_at is not None:
        out.print(Text(f"  archived      since {fmt_local(c.archived_at, False)}", "yellow"))
    for label, value in (
        ("organisation", p.organisation or ""),
        ("org", c.org if c.org != p.organisation else ""),
        ("sector", c.sector),
        ("nickname", c.nickname),
        ("also known as", ", ".join([*c.aliases, *p.folded])),
        ("birthday", birthday_text(c.birthday)),
        ("email", ", ".join([*c.emails, *p.folded_emails])),
        ("phone", ", ".join(c.phones)),
    ):
        if value:
            out.print(hang(f"  {label:<13} ", value))
    out.print(f"  added         {fmt_local(c.created_at, False)}")
    out.print(
        Text.assemble(
            "  charge        ",
            charge(line.charge),
            "   status ",
            status_text(line.status),
            f"   half-life {p.half_life_days:g}d",
        )
    )
    if line.last_contact:
        last = f"{fmt_local(line.last_contact)} ({days(line.days_since)} ago"
    else:
        last = f"never (added {days(line.days_since)} ago"
    out.print(hang("  last contact  ", f"{last}; cadence {p.cadence_days:g}d)"))
    if line.last_ask and line.last_ask != line.last_contact:  # asking is not keeping in touch
        out.print(f"  last ask      {fmt_local(line.last_ask)}")
    t = p.totals
    out.print(
        hang(
            "  all time      ",
            f"you gave {t.deposits:g}, asked {t.withdrawals:g}; they gave "
            f"{t.received:g} unasked; {plural(p.live_count, 'entry', 'entries')}",
        )
    )
    gave, received = p.exchange
    if received >= 0.05:  # the exchange matters once they have given something
        out.print(
            hang(
                "  exchange      ",
                f"you gave {gave:.1f}, they gave {received:.1f} (decayed like the charge)",
            )
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
        out.print(hang("  open asks     ", asks_open))
    if p.brokered:
        made = ", ".join(f"{e.contact} ({fmt_local(e.occurred_at, False)})" for e in p.brokered)
        out.print(hang("  brokered      ", made))
    for label, pairs in (("introduced to ", p.introduced), ("met through   ", p.met_through)):
        if pairs:
            said = ", ".join(f"{name} ({fmt_local(at, False)})" for name, at in pairs)
            out.print(hang(f"  {label}", said))
    if p.together is not None:
        charge_all, t = p.together
        out.print(
            Text.assemble(
                "  with people   ",
                charge(charge_all),
                f"   you gave {t.deposits:g}, asked {t.withdrawals:g} in all "
                f"({plural(len(p.people), 'person', 'people')})",
            )
        )
    if p.changes:
        out.print("  changes")
        for at, ch in p.changes[-5:]:  # within 80 columns, piped or not
            out.print(Text(f"    {fmt_local(at, False)}  {change_text(ch, 25)}"))
        if len(p.changes) > 5:
            out.print(f"    ({len(p.changes) - 5} earlier; engage show {c.name!r} --json has all)")
    if p.people:
        out.print()
        out.print(Text(cut(f"People at {c.name}"), style="bold"))
        _people(p.people)
    out.print()
    entries_table(p.entries, p.entry_count, with_contact=False, hint=f"engage history {c.name!r}")


def _people(lines: Sequence[ContactLine]) -> None:
    grid = Grid()
    for col, justify in (
        ("name", "left"),
        ("circle", "left"),
        ("charge", "right"),
        ("last contact", "left"),
        ("status", "left"),
    ):
        grid.add_column(col, justify=justify, fit=col == "name")
    for line in lines:
        grid.add_row(
            line.name,
            line.circle,
            charge(line.charge),
            fmt_local(line.last_contact, False) if line.last_contact else "never",
            status_text(line.status),
        )
    console().print(grid.text())


def explanation(x: Explanation) -> None:
    out = console()
    out.print(Text(x.contact.name, style="bold"))
    out.print(
        f"  charge as of {fmt_local(x.as_of)}; {x.contact.circle} circle, "
        f"half-life {x.half_life_days:g} days"
    )
    if not x.rows and not x.promises:
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
    left, rest = x.more
    if left:
        grid.add_row(Text("…", style="dim"), f"{left} more", "", "", "", "", charge_precise(rest))
    for p, weight in x.promises:
        assert p.due_at is not None
        age = (x.as_of - p.due_at).total_seconds() / 86_400 - x.grace_days
        grid.add_row(
            Text(short(p.id), style="dim"),
            fmt_local(p.due_at, with_time=False),
            Text("promise", style=KIND_STYLE["withdrawal"]),
            "overdue",
            f"{age:.1f}d",
            f"{2 ** (-age / x.half_life_days):.4f}",
            charge_precise(weight),
        )
    out.print(grid.text())
    out.print(Text.assemble("  sum = charge ", charge_precise(x.charge, bold=True)))
    if left:
        out.print(Text(f"  … {left} more (--limit 0 shows all)", style="dim"))
    if x.promises:
        out.print(
            Text(
                f"  a promise weighs from {x.grace_days:g} days past its due day until kept "
                "or dropped",
                style="dim",
            )
        )
    out.print(
        Text(
            "  factor = 2^(-age / half-life); what they gave unasked adds nothing to it",
            style="dim",
        )
    )


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
            hang(
                "  ",
                f"deposit first at least {at_least:.1f} points (an ask is comfortable "
                f"when the charge covers it plus {c.reserve:.0%} of it)",
            )
        )


def ask_list(a: AskList) -> None:
    asks(a.lines)
    if a.total > len(a.lines):
        more = f"{'' if a.exact else 'at least '}{a.total - len(a.lines)} more"
        console().print(Text(f"… {more} (--limit 0 shows all)", "dim"))


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
        grid.add_column(col, justify=justify, fit=col in ("contact", "note"))
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
        shown = (value or "(none)") if isinstance(value, str) else f"{value:g}"
        grid.add_row(key, shown, Text(source, style="dim" if source == "default" else ""))
    out.print(grid.text())
