"""Looking things up: contacts, show, history, search, asks, can-ask, explain."""

from typing import Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    NameArg,
    OptNameArg,
    SectorOpt,
    app,
    as_of_moment,
    open_ledger,
    policy,
    sector_of,
    show,
)
from engage_cli.dates import local_now, parse_since
from engage_cli.domain import Circle
from engage_cli.errors import UsageError


@app.command("contacts")
def contacts_cmd(
    ctx: typer.Context,
    circle: Annotated[Circle | None, typer.Option("--circle", "-c", help="Only this circle.")] = (
        None
    ),
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only contacts with this tag.")] = (
        None
    ),
    archived: Annotated[
        bool, typer.Option("--archived", help="The archived contacts instead.")
    ] = False,
    sector: SectorOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="At most this many, by name (0: all).")
    ] = 100,
    org: Annotated[
        str | None,
        typer.Option(
            "--org", metavar="ORG", help="Only the people of this organisation (a contact)."
        ),
    ] = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List contacts with their charge and last contact.

    Example: engage contacts --circle close --json
    """
    from engage_cli import reports

    if tag is not None and not tag.strip():
        raise UsageError("--tag needs a tag; it was given an empty one")
    when = as_of_moment(as_of)
    chosen = circle.value if circle else None
    with open_ledger(ctx) as ledger:
        listing = reports.contact_lines(
            ledger, policy(), when, chosen, tag, archived, sector_of(sector), org, limit
        )
    show(json_out, listing, "contact.contacts")


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    name: NameArg,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show one contact: profile, charge, status and recent entries.

    Example: engage show "Ann Lee"
    """
    from engage_cli import reports

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = reports.profile(ledger, policy(), name, when)
    show(json_out, report, "contact.profile")


@app.command()
def history(
    ctx: typer.Context,
    name: OptNameArg = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="Only entries from then on.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="At most this many, newest first (0: all).")
    ] = 100,
    json_out: JsonOpt = False,
) -> None:
    """List entries, newest first; voided ones are marked.

    Example: engage history "Ann Lee" --since "30 days ago"
    """
    from engage_cli import reports

    start = parse_since(since, local_now()) if since else None
    with open_ledger(ctx) as ledger:
        # Counted only when the text says "showing N of M" and there may be more.
        report = reports.history(ledger, name, start, limit or None, count_all=not json_out)
    show(json_out, report, "contact.history")


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "a phrase", a prefix (lisb*), AND/OR/NOT.')],
    contact: Annotated[
        str | None,
        typer.Option("--contact", "-c", metavar="NAME", help="Only this contact's entries."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="Only entries from then on.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", "-k", metavar="deposit|withdrawal|received", help="Only this kind."),
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only entries with this tag.")] = (
        None
    ),
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    voided: Annotated[bool, typer.Option("--voided", help="Voided entries too.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Find contacts and entries by what their notes, names and tags say, best first.

    Accents do not matter (jose finds José). Without a filter, contacts whose
    name, note, tags, organisation or nickname match come first.

    Example: engage search "lisb*" --since "1 year ago"
    """
    from engage_cli import reports

    if not query.strip():
        raise UsageError("give something to search for")
    if kind is not None and kind not in ("deposit", "withdrawal", "received"):
        raise UsageError(f"--kind takes deposit, withdrawal or received; got {kind!r}")
    start = parse_since(since, local_now()) if since else None
    with open_ledger(ctx) as ledger:
        report = reports.search(ledger, query, contact, start, kind, tag, limit, voided)
    show(json_out, report, "search.search_results")


@app.command("asks")
def asks_cmd(
    ctx: typer.Context,
    name: OptNameArg = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only asks still open.")] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="At most this many, newest first (0: all).")
    ] = 50,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List asks (withdrawals) with their age and status: open, done or declined.

    Example: engage asks --open
    """
    from engage_cli import reports

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = reports.ask_list(ledger, name, open_only, when, limit, count_all=not json_out)
    show(json_out, report, "contact.ask_list")


@app.command("can-ask")
def can_ask_cmd(
    ctx: typer.Context,
    name: NameArg,
    points: Annotated[
        str, typer.Option("--points", "-p", metavar="POINTS", help="The size of the ask.")
    ],
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Is the relationship ready for an ask this size? If not, how much to deposit first.

    Exits 0 either way; --json has `ready` for scripts.

    Example: engage can-ask "Ann Lee" --points 3
    """
    from engage_cli import reports
    from engage_cli.inputs import parse_points

    size = parse_points(points, "ask points")
    when = as_of_moment(as_of)
    rules = policy()
    with open_ledger(ctx) as ledger:
        report = reports.can_ask(ledger, rules, name, size, when)
    show(json_out, report, "contact.can_ask")


@app.command()
def explain(
    ctx: typer.Context,
    name: NameArg,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", min=0, help="At most this many, those that weigh most (0: all)."
        ),
    ] = 20,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show every entry behind a contact's charge: age, decay factor and contribution.

    The contributions sum to the charge that balance and contacts report; past
    --limit, one line sums the rest.

    Example: engage explain "Ann Lee" --as-of 2026-11-01
    """
    from engage_cli import reports

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = reports.explain(ledger, policy(), name, when, limit)
    show(json_out, report, "contact.explanation")
