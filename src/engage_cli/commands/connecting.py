"""The web around you: warm paths to someone (path) and the network at a glance."""

from typing import Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    NameArg,
    app,
    as_of_moment,
    open_ledger,
    policy,
    show,
)
from engage_cli.errors import UsageError

FORMATS = ("text", "dot", "mermaid")


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
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Relationships per sector, the sectors with no active relationship (voices
    not heard), the bridges between sectors and the top connectors; or, with
    --format dot|mermaid, the graph of people, organisations and links for any
    graph tool.

    Example: engage network --format dot > network.dot
    """
    from engage_cli.reports.network import graph, web

    if output not in FORMATS:
        raise UsageError(f"--format is one of {', '.join(FORMATS)}; got {output!r}")
    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = web(ledger, policy(), when)
    if output == "text" or json_out:
        show(json_out, report, "network.network")
        return
    import sys

    from engage_cli.formats import graph as formats

    nodes, lines = graph(report)
    sys.stdout.writelines((formats.dot if output == "dot" else formats.mermaid)(nodes, lines))
