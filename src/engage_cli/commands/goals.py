"""Shared goals: goal add, goal show, goal close, and goals (the list)."""

from typing import Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    app,
    as_of_moment,
    clean,
    group,
    open_ledger,
    policy,
    say,
    show,
)
from engage_cli.dates import local_now, parse_occurred
from engage_cli.domain import GOAL_OUTCOMES
from engage_cli.errors import UsageError
from engage_cli.terminal import fill

goal_app = group(
    "goal",
    "Shared goals that asks and deposits serve: add one, review it, close it."
    '\n\nExample: engage goal add "Food hub" --sector nonprofit --sector government',
)

_GoalName = Annotated[str, typer.Argument(metavar="GOAL", help="The goal (any case).")]


@goal_app.command("add")
def goal_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The goal's name.")],
    sector: Annotated[
        list[str] | None,
        typer.Option("--sector", metavar="SECTOR", help="A sector whose voice it needs."),
    ] = None,
    why: Annotated[str, typer.Option("--note", "-m", help="Why it matters.")] = "",
    on: Annotated[
        str | None, typer.Option("--on", metavar="WHEN", help="Since when (default: now).")
    ] = None,
) -> None:
    """Add a shared goal; `log ... --goal NAME` ties entries to it.

    Example: engage goal add "Food hub" --sector nonprofit --sector government -m "a hub by spring"
    """
    from engage_cli.inputs import clean_name, clean_note, parse_sector

    title = clean(clean_name, name)
    sectors = list(dict.fromkeys(clean(parse_sector, s) for s in sector or []))
    said = clean(clean_note, why)
    with open_ledger(ctx, create=True) as ledger, ledger.transaction():
        from engage_cli.store.goals import add_goal

        goal = add_goal(ledger, title, sectors, said, parse_occurred(on, local_now()), local_now())
    voices = f" (needs {', '.join(goal.sectors)})" if goal.sectors else ""
    say(fill(f"{goal.name}{voices}; `engage log NAME ... --goal {goal.name!r}`", "added the goal "))


@goal_app.command("show")
def goal_show(
    ctx: typer.Context,
    name: _GoalName,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help="At most this many participants per sector and open asks (0: all).",
        ),
    ] = 10,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A goal's review: participants by sector with their charges, what was invested
    and asked for it with its verdict, open asks and their age, voices not heard;
    past --limit, how many more.

    Example: engage goal show "Food hub"
    """
    from engage_cli.reports.goals import goal_review

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = goal_review(ledger, policy(), name, when, limit)
    show(json_out, report, "goals.goal_review")


@goal_app.command("close")
def goal_close(
    ctx: typer.Context,
    name: _GoalName,
    outcome: Annotated[
        str, typer.Option("--outcome", metavar="achieved|dropped", help="How it ended.")
    ],
    on: Annotated[str | None, typer.Option("--on", metavar="WHEN", help="When.")] = None,
) -> None:
    """Close a goal as achieved or dropped (undo opens it again).

    Example: engage goal close "Food hub" --outcome achieved
    """
    from engage_cli.store.goals import close_goal, find_goal

    if outcome not in GOAL_OUTCOMES:
        raise UsageError(f"--outcome is achieved or dropped, not {outcome!r}")
    now = local_now()
    at = parse_occurred(on, now)
    with open_ledger(ctx) as ledger, ledger.transaction():
        goal = close_goal(ledger, find_goal(ledger, name), outcome, at, now)
    say(f"closed the goal {goal.name}: {outcome}")


@app.command()
def goals(ctx: typer.Context, as_of: AsOfOpt = None, json_out: JsonOpt = False) -> None:
    """List the shared goals: status, who took part, what was invested and asked,
    open asks, last activity.

    Example: engage goals
    """
    from engage_cli.reports.goals import goal_list

    when = as_of_moment(as_of)
    with open_ledger(ctx) as ledger:
        report = goal_list(ledger, when)
    show(json_out, report, "goals.goal_list")
