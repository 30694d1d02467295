"""The web around you: introductions you make (intro), warm paths to someone (path)
and the network at a glance."""

from typing import Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    NameArg,
    app,
    as_of_moment,
    clean,
    complete_name,
    open_ledger,
    policy,
    say,
    show,
)
from engage_cli.dates import local_now, parse_occurred
from engage_cli.errors import UsageError

FORMATS = ("text", "dot", "mermaid")


_Other = Annotated[
    str,
    typer.Argument(metavar="OTHER", help="The contact introduced.", autocompletion=complete_name),
]


@app.command()
def intro(
    ctx: typer.Context,
    name: NameArg,
    other: _Other,
    note: Annotated[str, typer.Option("--note", "-m", help="Why, or how.")] = "",
    on: Annotated[
        str | None, typer.Option("--on", metavar="WHEN", help="When (default: now).")
    ] = None,
    points: Annotated[
        str | None,
        typer.Option(
            "--points",
            "-p",
            metavar="POINTS",
            help="Each one's deposit (default: intro_points, 1).",
        ),
    ] = None,
    goal: Annotated[
        str | None, typer.Option("--goal", metavar="GOAL", help="The shared goal it serves.")
    ] = None,
) -> None:
    """Record that you introduced NAME and OTHER: a deposit for each, and a lasting
    link between them (`show` lists it; `path` finds it; what one later does for
    the other --via them credits the introduction).

    Example: engage intro "Ann Lee" "Bob Stone" -m "both work on food policy"
    """
    from engage_cli.dates import fmt_local
    from engage_cli.inputs import clean_note, parse_points
    from engage_cli.render.text import unusual_dates, written
    from engage_cli.store.contacts import get_contact
    from engage_cli.store.goals import open_goal
    from engage_cli.store.writes import introduce
    from engage_cli.terminal import fill

    rules = policy()
    size = rules.intro_points if points is None else parse_points(points, "intro points")
    now = local_now()
    at = parse_occurred(on, now)
    said = clean(clean_note, note)
    with open_ledger(ctx) as ledger, ledger.transaction():
        a, b = get_contact(ledger, name), get_contact(ledger, other)
        serves = open_goal(ledger, goal) if goal is not None else None
        wrote, before = introduce(ledger, a, b, at, said, size, now, rules.half_life, serves)
    say(fill(f"{a.name} and {b.name}:", "introduced "))
    for line in written(wrote):
        say(line)
    if serves is not None:
        say(f"for the goal {serves.name}")
    for notice in unusual_dates([a, b], [], at, now, rules.notice_years_back):
        say(fill(notice, "note: "), err=True)
    if before is not None:
        again = f"you introduced them before, on {fmt_local(before, False)}; this is logged "
        say(fill(again + "as another introduction (`engage undo` if it was the same one)",
                 "note: "), err=True)  # fmt: skip


@app.command()
def path(
    ctx: typer.Context,
    name: NameArg,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="How many (0: all).")] = 10,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Who could introduce you to NAME (a person or an organisation): the contacts
    linked to them, by a brokered entry (--via) or an organisation, warmest first,
    each with why.

    Example: engage path "Civic Lab"
    """
    from engage_cli.reports.network import warm_paths

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = warm_paths(ledger, policy(), name, when, limit)
    show(json_out, report, "network.paths")


@app.command()
def network(
    ctx: typer.Context,
    output: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="text|dot|mermaid", help="dot or mermaid: the graph."
        ),
    ] = "text",
    links: Annotated[
        int,
        typer.Option(
            "--links",
            metavar="N",
            min=0,
            help="With --json: at most this many links, the strongest first (0: all).",
        ),
    ] = 1000,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Relationships per sector, the sectors with no active relationship (voices
    not heard), the bridges between sectors and the top connectors; or, with
    --format dot|mermaid, the graph of people, organisations and links for any
    graph tool.

    The graph has every link; --json lists the strongest 1000 (--links N) and
    says how many more there are.

    Example: engage network --format dot > network.dot
    """
    from engage_cli.reports.network import graph, web

    if output not in FORMATS:
        raise UsageError(f"--format is one of {', '.join(FORMATS)}; got {output!r}")
    if json_out and output != "text":
        raise UsageError(f"--json or --format {output}: the graph is not JSON (--json has links)")
    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = web(ledger, policy(), when, links=links)
    if output == "text" or json_out:
        show(json_out, report, "network.network")
        return
    import sys

    from engage_cli.formats import graph as formats

    nodes, lines = graph(report)
    sys.stdout.writelines((formats.dot if output == "dot" else formats.mermaid)(nodes, lines))
