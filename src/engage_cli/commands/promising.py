"""Following through: promise, kept, dropped, promises, remember, agenda."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    NameArg,
    OptNameArg,
    app,
    as_of_moment,
    clean,
    ledger_file,
    open_ledger,
    policy,
    say,
    show,
)
from engage_cli.dates import local_now, parse_occurred
from engage_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from engage_cli.domain import Contact
    from engage_cli.store.connection import Ledger


def live_contact(ledger: "Ledger", name: str) -> "Contact":
    """The contact by that name, refused when archived (as `log` refuses it)."""
    from engage_cli.errors import ContactArchived
    from engage_cli.store.contacts import get_contact

    contact = get_contact(ledger, name)
    if contact.archived_at is not None:
        raise ContactArchived(contact.name)
    return contact


PromiseId = Annotated[str, typer.Argument(metavar="ID", help="The promise's id.")]
_On = Annotated[str | None, typer.Option("--on", metavar="WHEN", help="When (default: now).")]


@app.command()
def promise(
    ctx: typer.Context,
    name: NameArg,
    what: Annotated[str, typer.Argument(help="What you promised to do for them.")],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="WHEN",
            help="When it is due: friday, next friday, in 3 days, 2026-12-04 (today or later).",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="WHEN", help="When you promised it (default: now)."),
    ] = None,
) -> None:
    """Record a promise: something you committed to do for a contact, by a day.

    Kept (`engage kept ID`) it is a deposit; still open a few days after its due
    day it weighs on the relationship like a small ask, until kept or dropped.

    Example: engage promise "Ann Lee" "send the paper" --by "next friday"
    """
    from engage_cli.dates import parse_due
    from engage_cli.inputs import clean_note
    from engage_cli.render.text import promise_line
    from engage_cli.store.keeping import make_promise

    now = local_now()
    text = clean(clean_note, what)
    if not text:
        raise InputError('say what you promised, such as "send the paper"')
    due = parse_due(by, now) if by is not None else None
    made = parse_occurred(on, now)
    with open_ledger(ctx) as ledger, ledger.transaction():
        contact = live_contact(ledger, name)
        made_one = make_promise(ledger, contact, text, due, made, now)
    say(promise_line(made_one))


def _settle(ctx: typer.Context, ref: str, on: str | None, points: str | None, kept: bool) -> None:
    from engage_cli.inputs import parse_points
    from engage_cli.render.text import promise_line, written
    from engage_cli.store.keeping import drop_promise, keep_promise
    from engage_cli.store.promises import find_promise, weighed

    now = local_now()
    at = parse_occurred(on, now)
    rules = policy()
    share = parse_points(points, "kept points") if points is not None else rules.promise_kept_points
    wrote = []
    with open_ledger(ctx) as ledger, ledger.transaction():
        found = find_promise(ledger, ref)
        if kept:
            wrote = keep_promise(ledger, found, at, now, share, rules.half_life)
            wrote = weighed(ledger, wrote, now, rules.half_life, rules.promise_rule)
        else:
            drop_promise(ledger, found, at, now)
    say(promise_line(found, "kept" if kept else "dropped"))
    for line in written(wrote):
        say(line)


@app.command()
def kept(
    ctx: typer.Context,
    promise_id: PromiseId,
    on: _On = None,
    deposit: Annotated[
        str | None,
        typer.Option(
            "--deposit",
            "-d",
            metavar="POINTS",
            help="Points it is worth (default: the policy's promise_kept_points, 1).",
        ),
    ] = None,
) -> None:
    """Mark a promise kept: it is logged as a deposit, and weighs nothing any more.

    Example: engage kept 1f3a9c2e --on yesterday
    """
    _settle(ctx, promise_id, on, deposit, kept=True)


@app.command()
def dropped(ctx: typer.Context, promise_id: PromiseId, on: _On = None) -> None:
    """Let a promise go, honestly: no deposit, and no weight on the relationship after.

    Example: engage dropped 1f3a9c2e
    """
    _settle(ctx, promise_id, on, None, kept=False)


@app.command("promises")
def promises_cmd(
    ctx: typer.Context,
    name: OptNameArg = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past due.")] = False,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=0, help="At most this many, open ones first (0: all)."),
    ] = 50,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List promises with their id, contact, due day and state (open, kept, dropped).

    Example: engage promises "Ann Lee" --overdue
    """
    from engage_cli.reports.agenda import promise_list

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = promise_list(ledger, policy(), name, overdue, when, limit)
    show(json_out, report, "agenda.promises")


@app.command()
def remember(
    ctx: typer.Context,
    name: NameArg,
    what: Annotated[str, typer.Argument(help="What the day is: her talk at PyCon.")],
    on: Annotated[
        str, typer.Option("--on", metavar="DAY", help="The day (past or future): 2027-04-12.")
    ],
) -> None:
    """Remember a day about a contact (a talk, a move, a launch): it shows in the agenda.

    Example: engage remember "Ann Lee" "her talk at PyCon" --on 2027-04-12
    """
    from engage_cli.dates import parse_day
    from engage_cli.inputs import clean_note
    from engage_cli.store.keeping import remember as keep_day

    text = clean(clean_note, what)
    if not text:
        raise InputError('say what the day is, such as "her talk at PyCon"')
    now = local_now()
    day = parse_day(on, now, ahead=True)
    with open_ledger(ctx) as ledger, ledger.transaction():
        contact = live_contact(ledger, name)
        keep_day(ledger, contact, text, day.isoformat(), now)
    say(f"remembered {contact.name}: {text}, {day.isoformat()}")


@app.command("agenda")
def agenda_cmd(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", metavar="N", help="How many days ahead (default 7).")
    ] = 7,
    ics: Annotated[
        str | None,
        typer.Option("--ics", metavar="FILE", help="Also write it as a calendar (iCalendar)."),
    ] = None,
    with_notes: Annotated[
        bool, typer.Option("--with-notes", help="Put what was promised or noted in the calendar.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE even if engage did not write it.")
    ] = False,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """What is due: promises (and those overdue), follow-ups, birthdays, remembered days
    and contacts who become due, by day, each with one thing to do.

    --ics writes the same as all-day events with reminders and stable ids, so that
    writing it again updates the events; a calendar app can subscribe to the file.

    Example: engage agenda --days 14 --ics ~/agenda.ics
    """
    from pathlib import Path

    from engage_cli.reports.agenda import calendar_events
    from engage_cli.reports.weekly import agenda_of

    if not 0 <= days <= 366:
        raise UsageError(f"--days is 0 to 366, not {days}")
    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = agenda_of(ledger, policy(), when, days)
    if ics is not None:
        from engage_cli.formats.calendar import agenda_calendar
        from engage_cli.store.files import holds_our_agenda, write_private

        text = agenda_calendar(calendar_events(report, with_notes), local_now())
        if ics == "-":  # the calendar itself on stdout, as export -o - does
            sys.stdout.write(text)
            return
        target = Path(ics)
        write_private(target, iter([text]), ledger_file(ctx), force or holds_our_agenda(target))
        say(f"wrote {len(report.items)} events to {target}", err=True)
    elif with_notes:
        raise UsageError("--with-notes says what goes into the calendar: give --ics FILE with it")
    show(json_out, report, "agenda.agenda")
