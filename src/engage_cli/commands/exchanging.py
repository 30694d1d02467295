"""Moving data in and out: export, import (ledger, contacts), inbox, merge."""

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    app,
    as_of_moment,
    ask,
    clean,
    group,
    is_terminal,
    ledger_file,
    open_ledger,
    policy,
    say,
    show,
)
from engage_cli.dates import fmt_local, local_now, parse_since
from engage_cli.domain import Circle
from engage_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from engage_cli.reports import CardImport, Inbox
    from engage_cli.store.connection import Ledger


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="jsonl|csv", help="jsonl (lossless) or csv.")
    ] = "jsonl",
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here (default: stdout)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it exists (never a database).")
    ] = False,
) -> None:
    """Export the whole ledger: JSONL keeps everything (import it anywhere); CSV is flat.

    JSONL holds every contact, entry and void with its id, in a stable order, so
    exports of the same ledger are identical and can be kept in git. An existing
    FILE is replaced only with --force, and never the ledger or a database.

    Example: engage export -o ~/Sync/engage-laptop.jsonl
    """
    import sys
    from pathlib import Path

    from engage_cli.dates import to_store
    from engage_cli.formats.flat import csv_lines
    from engage_cli.render.progress import progress_bar
    from engage_cli.store.exporting import export_lines, flat_entries, flat_records
    from engage_cli.store.files import write_private
    from engage_cli.terminal import visible

    if fmt not in ("jsonl", "csv"):
        raise UsageError(f"--format takes jsonl or csv; got {fmt!r}")
    to_stdout = output is None or output == "-"
    with open_ledger(ctx) as ledger, progress_bar("exporting") as progress:
        tell = None if to_stdout and sys.stdout.isatty() else progress  # not over the text
        if fmt == "jsonl":
            lines = export_lines(ledger, to_store(local_now()), tell)
        else:
            lines = csv_lines(flat_records(ledger), flat_entries(ledger, tell))
        if to_stdout:
            shown = sys.stdout.isatty()  # a terminal: people's text is shown, not obeyed
            for chunk in lines:
                sys.stdout.write(visible(chunk) if shown else chunk)
        else:
            write_private(Path(output), lines, ledger.path, force)  # type: ignore[arg-type]
    if not to_stdout:
        say(f"exported to {output}", err=True)


import_app = group(
    "import",
    "Bring data in: contacts from address books, or another device's export."
    "\n\nExample: engage import contacts contacts.vcf",
)


def _merged(counts: dict[str, int], source: str) -> None:
    shared = counts.pop("names shared", 0)
    from engage_cli.render.text import counted

    done = ", ".join(counted(n, what) for what, n in counts.items())
    from engage_cli.terminal import fill

    say(f"merged {source}:")  # a path whole, on its own line
    say(fill(done, "  "))
    if shared:
        say(
            f"note: {shared} {'name is' if shared == 1 else 'names are'} now shared by two "
            "contacts (renamed so on two devices): rename one with `engage rename`, then "
            "`engage fold` them if they are one person",
            err=True,
        )


@import_app.command("ledger")
def import_ledger(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="FILE", help="An `engage export` JSONL file.")],
) -> None:
    """Merge an `engage export` file into this ledger; importing it again adds nothing.

    Two ledgers that import each other's exports end identical, in either order.

    Example: engage import ledger ~/Sync/engage-desktop.jsonl
    """
    from pathlib import Path

    from engage_cli.formats.records import ExportFile
    from engage_cli.render.progress import progress_bar
    from engage_cli.store.files import input_lines
    from engage_cli.store.sync import merge_file

    source = Path(path).expanduser()
    with progress_bar("importing") as progress:
        records = ExportFile(lambda: input_lines(source, progress), str(source), local_now())
        counts = merge_file(ledger_file(ctx), records, policy().half_life)
    _merged(counts, str(source))


def _mapping(items: list[str] | None) -> dict[str, str]:
    """--map FIELD=COLUMN options as a dict, each field one the CSV reader knows."""
    from engage_cli.formats.cards import FIELDS

    fields: dict[str, str] = {}
    known = (*FIELDS, "email", "phone")
    for item in items or []:
        field, sep, column = item.partition("=")
        if not sep or field.strip() not in known:
            raise UsageError(f"--map takes FIELD=COLUMN with FIELD one of {', '.join(known)}")
        fields[field.strip()] = column.strip()
    return fields


@import_app.command("contacts")
def import_contacts(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="FILE", help="A .vcf (vCard) or .csv file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    circle: Annotated[
        Circle, typer.Option("--circle", "-c", help="Circle for new contacts.")
    ] = Circle.WIDE,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Add this tag to every card.")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="FIELD=COLUMN",
            help="CSV: which column holds a field (name, first, last, email, phone, org, ...).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import contacts from vCard (3.0, 4.0) or CSV (Google, Outlook, any with a header).

    Matches existing contacts by email, then by name, and only adds what is
    missing: importing the same file again changes nothing. Cards that cannot
    be read are reported with their position and skipped.

    Example: engage import contacts ~/Downloads/contacts.vcf --dry-run
    """
    from pathlib import Path

    from engage_cli.formats.cards import Problem, open_cards
    from engage_cli.inputs import clean_tags
    from engage_cli.render.progress import progress_bar
    from engage_cli.reports import CardImport
    from engage_cli.store.address_book import import_cards_at
    from engage_cli.store.files import read_input

    source = Path(path).expanduser()
    text, encoding = read_input(source)
    if encoding != "utf-8":
        say(f"{source.name} is not UTF-8: read as {encoding}", err=True)
    fields = _mapping(mapping)
    try:
        extra = clean_tags(tag or [])
        deck = open_cards(text, source.name, fields)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if deck.problem is not None:
        raise InputError(f"{source}: {deck.problem.reason}")
    problems: list[Problem] = []  # the cards skipped, as they are read
    with progress_bar("importing") as progress:
        outcomes = import_cards_at(
            ledger_file(ctx), deck.cards(problems), local_now(), policy().half_life,
            circle.value, extra, dry_run, progress, deck.size,
        )  # fmt: skip
    show(json_out, CardImport(source, deck.format, dry_run, outcomes, problems), _card_import)


def _card_import(r: "CardImport") -> None:
    # A dry run says what it would do: "would add", and "3 to add" in the summary.
    said = {"added": "would add", "updated": "would update"} if r.dry_run else {}
    counted = {"added": "to add", "updated": "to update"} if r.dry_run else {}
    from engage_cli.terminal import fill

    for outcome, card, detail in r.outcomes:
        if outcome != "unchanged":
            line = f"{card.name}" + (f"  ({detail})" if detail else "")
            say(fill(line, f"{said.get(outcome, outcome):<8} ", "    "))
    for problem in r.problems:
        say(fill(f"card {problem.position}: {problem.reason}", "skipped  ", "    "))
    summary = ", ".join(f"{n} {counted.get(k, k)}" for k, n in r.counts.items())
    done = "would import" if r.dry_run else "imported"
    say(fill(f"{r.file.name} ({r.format}): {summary}", f"{done} ", "  "))


@app.command()
def inbox(
    ctx: typer.Context,
    ics: Annotated[
        str, typer.Option("--ics", metavar="FILE", help="An iCalendar (.ics) file to read.")
    ],
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="WHEN", help="From when (default: 30 days ago)."),
    ] = None,
    as_of: AsOfOpt = None,
    log_them: Annotated[
        bool, typer.Option("--log", help="On a terminal: walk through them and log each.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Past meetings in a calendar with contacts but no ledger entry that day, ready to log.

    A meeting matches a contact by an attendee's email or name, or by the
    contact's full name in its title. Recurring and all-day events and time
    zones are shown the way calendar apps show them.

    Example: engage inbox --ics ~/Downloads/calendar.ics --since "2 weeks ago"
    """
    from pathlib import Path

    from engage_cli import reports
    from engage_cli.formats.calendar import Person, read_meetings
    from engage_cli.store.contacts import known_as
    from engage_cli.store.files import read_input

    if log_them and not is_terminal():
        raise UsageError("--log asks about each meeting, so it needs a terminal")
    now = local_now()
    until = min(as_of_moment(as_of), now)
    start = parse_since(since, now) if since else until - timedelta(days=30)
    if start >= until:
        raise InputError(
            f"--since ({fmt_local(start)}) must be before the end ({fmt_local(until)}); "
            "the inbox only lists meetings that have happened"
        )
    source = Path(ics).expanduser()
    text = read_input(source)[0]
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise InputError(f"{source} is not an iCalendar file (no BEGIN:VCALENDAR)")
    with open_ledger(ctx) as ledger:
        people = [Person(c.name, emails, names) for c, names, emails in known_as(ledger)]
        try:
            meetings, notices = read_meetings(text, people, start, until)
        except (ValueError, KeyError) as exc:
            raise InputError(f"cannot read the calendar {source}: {exc}") from None
        for notice in notices:
            say(f"note: {notice}", err=True)
        report = reports.inbox(ledger, meetings, start, until)
        show(json_out, report, _inbox_list)
        if log_them and not json_out:
            _walk(ledger, report)


def _inbox_list(r: "Inbox") -> None:
    from engage_cli.render.text import command_lines, plural
    from engage_cli.reports import log_command
    from engage_cli.terminal import fill

    if not r.todo:
        say(
            fill(
                f"nothing to log: {plural(r.matched, 'meeting', 'meetings')} with contacts "
                f"since {fmt_local(r.start, False)}, each already has an entry that day",
                indent="  ",
            )
        )
        return
    say(f"{plural(len(r.todo), 'meeting', 'meetings')} with contacts and no entry that day:")
    for m in r.todo:
        when = fmt_local(m.start, False) if m.all_day else fmt_local(m.start)
        say(fill(f"{m.contact}: {m.title}  (by {m.why})", f"  {when}  ", "      "))
        say(command_lines(log_command(m), "    "))


def _walk(ledger: "Ledger", r: "Inbox") -> None:
    """Ask about each meeting in turn and log the deposit given (one batch each)."""
    from engage_cli.commands.root import Stopped
    from engage_cli.inputs import clean_note, parse_points
    from engage_cli.render.text import plural, written
    from engage_cli.store.contacts import get_contact
    from engage_cli.store.writes import Planned, record
    from engage_cli.terminal import fill

    def points_or_choice(text: str) -> float | str:
        if text.lower() in ("s", "q"):
            return text.lower()
        return parse_points(text, "deposit points")

    rules = policy()
    logged = 0
    for m in r.todo:
        when = fmt_local(m.start, False) if m.all_day else fmt_local(m.start)
        say(fill(f"{m.contact}, {m.title}", f"{when}  ", "  "))
        try:
            answer = ask(
                "  deposit points (Enter for 1, s to skip, q to stop)", points_or_choice, "1"
            )
        except (KeyboardInterrupt, typer.Abort):
            if not logged:
                raise
            raise Stopped(f"{plural(logged, 'meeting', 'meetings')} logged before") from None
        if answer == "q":
            break
        if answer == "s":
            continue
        pts = float(answer)
        who = get_contact(ledger, m.contact)
        note = clean(clean_note, m.title)  # a calendar's title passes the same gate as -m
        _, wrote = record(
            ledger,
            [who],
            [Planned("deposit", pts)],
            m.start,
            note,
            [],
            None,
            local_now(),
            rules.half_life,
        )
        logged += 1
        for line in written(wrote):
            say(line)


@app.command()
def merge(
    ctx: typer.Context,
    other: Annotated[str, typer.Argument(metavar="OTHER.db", help="Another engage ledger.")],
) -> None:
    """Merge another ledger file into this one, exactly as importing its export would.

    The other file is only read.

    Example: engage merge /media/usb/ledger.db
    """
    from pathlib import Path

    from engage_cli.render.progress import progress_bar
    from engage_cli.store.sync_source import merge_ledger

    source = Path(other).expanduser()
    with progress_bar("merging") as progress:
        counts = merge_ledger(ledger_file(ctx), source, policy().half_life, local_now(), progress)
    _merged(counts, str(source))
