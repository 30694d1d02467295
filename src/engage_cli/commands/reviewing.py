"""The weekly review: balance, who-neglected (reconnect), trend, review."""

from typing import Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    OptNameArg,
    SectorOpt,
    app,
    as_of_moment,
    open_ledger,
    policy,
    say,
    sector_of,
    show,
)
from engage_cli.domain import Circle
from engage_cli.errors import UsageError


@app.command()
def balance(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", "-p", help="week, month, quarter, year, or Nd / Nw (default: week)."
        ),
    ] = None,
    as_of: AsOfOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="List every contact, not only active ones.")
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="circle|tag|kind|sector|org",
            help="Also roll contacts up by group.",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help="At most this many contacts, the most active first (0: all; default: 50, "
            "every one with --all).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The weekly review: deposits against withdrawals, the verdict, and each contact.

    Verdicts: all task (asking more than investing), engaged, relationship-heavy
    (investing much more than asking), all relationship (investing, not asking),
    light (too little to judge), idle; engagement contacts only, with the last
    28 days beside. Statuses: overdrawn, cold, untapped, healthy.

    Example: engage balance --period month
    """
    from engage_cli import reports
    from engage_cli.dates import parse_period

    rules = policy()
    days = parse_period(period) if period is not None else rules.period_days
    when = as_of_moment(as_of)
    if by is not None and by not in reports.GROUPINGS:
        raise UsageError(f"--by takes one of {', '.join(reports.GROUPINGS)}; got {by!r}")
    with open_ledger(ctx) as ledger:
        shown = limit if limit is not None else (0 if show_all else reports.BALANCE_LIMIT)
        report = reports.balance(ledger, rules, when, days, show_all, by, limit=shown)
    show(json_out, report, "weekly.balance")


def who_neglected(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="How many (0: all).")] = 10,
    circle: Annotated[Circle | None, typer.Option("--circle", "-c", help="Only this circle.")] = (
        None
    ),
    everyone: Annotated[
        bool, typer.Option("--all", help="Everyone ranked, not only who is due.")
    ] = False,
    sector: SectorOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Who is due: overdue or due within a week (`due_within_days`), overdrawn, or to
    thank; those to thank first, then the overdrawn, then the most overdue.

    Overdue means days since the last contact (asks do not count; or since the
    contact was added) against the circle's cadence; ties go to the lower charge.
    Transactional contacts are never due.

    Example: engage who-neglected --limit 5
    """
    from engage_cli import reports

    when = as_of_moment(as_of)
    rules = policy()
    chosen = circle.value if circle else None
    among = sector_of(sector)
    with open_ledger(ctx) as ledger:
        report = reports.neglected(
            ledger, rules, when, chosen, limit, everyone=everyone, sector=among
        )
    show(json_out, report, "weekly.neglected")


app.command("who-neglected")(who_neglected)
app.command("reconnect", help="Same as who-neglected.\n\nExample: engage reconnect")(who_neglected)


@app.command()
def trend(
    ctx: typer.Context,
    name: OptNameArg = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="How many weeks.")] = 12,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Weekly deposits and withdrawals as bars, with each week's verdict.

    Example: engage trend --weeks 8
    """
    from engage_cli import reports

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = reports.trend_report(ledger, policy(), when, weeks, name)
    show(json_out, report, "weekly.trend_report")


@app.command()
def review(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    html: Annotated[
        str | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Write the review as one self-contained HTML page (owner-only), with charts.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it exists (never a database).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """The whole weekly review on one screen: balance, trend, old asks, who to call, prompts.

    With --html FILE, the same review as one page to read in any browser, on a
    phone too: the weeks' deposits and asks and each circle's charge as charts.
    The page loads nothing and runs nothing; an existing FILE is replaced only
    with --force, and never the ledger or a database.

    Example: engage review --html weekly.html
    """
    from engage_cli import reports

    if html is not None and json_out:
        raise UsageError("--html writes a page and --json prints JSON; give one of them")
    if force and html is None:
        raise UsageError("--force goes with --html FILE")
    when = as_of_moment(as_of)
    if html is None:
        with open_ledger(ctx) as ledger:
            report = reports.review(ledger, policy(), when)
        show(json_out, report, "weekly.review")
        return
    from pathlib import Path

    from engage_cli.render.html import review_page
    from engage_cli.store.files import write_private

    with open_ledger(ctx) as ledger:
        page = review_page(reports.review_page(ledger, policy(), when))
        if html == "-":
            typer.echo(page, nl=False)
        else:
            write_private(Path(html), iter([page]), ledger.path, force)
    if html != "-":
        say(f"wrote the review to {html}", err=True)
