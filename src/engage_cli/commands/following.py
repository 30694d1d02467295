"""What a log records beside its entries: a promise (--then, --by) and the day to check
back on its asks (--follow-up); checked before anything is written."""

from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.root import clean
from engage_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from engage_cli.domain import Contact, Written
    from engage_cli.policy import Policy
    from engage_cli.store.connection import Ledger
    from engage_cli.store.writes import Planned

Then = Annotated[
    str | None,
    typer.Option("--then", metavar="TEXT", help="What you promised them (a promise each)."),
]
By = Annotated[
    str | None,
    typer.Option("--by", metavar="WHEN", help="When the promise is due (may be ahead)."),
]
GoalOpt = Annotated[
    str | None,
    typer.Option("--goal", metavar="GOAL", help="The shared goal this serves (engage goals)."),
]
FollowUp = Annotated[
    str | None,
    typer.Option(
        "--follow-up", metavar="WHEN", help="With -w: when to check back on the ask (ahead)."
    ),
]


class After:
    """What a log records beside its entries (a promise, a follow-up day for its asks),
    and its entries with the charge after them as reports read it (`wrote`)."""

    def __init__(
        self,
        what: str | None,
        due: "datetime | None",
        follow: "datetime | None",
        made: "datetime",
        now: "datetime",
        rules: "Policy",
    ) -> None:
        self.what, self.due, self.follow, self.made, self.now = what, due, follow, made, now
        self.rules = rules
        self.said: list[str] = []
        self.wrote: list[Written] = []
        self.goal: str | None = None  # the goal the entries serve (--goal)

    def __call__(self, ledger: "Ledger", contacts: "list[Contact]", wrote: "list[Written]") -> None:
        from engage_cli.render.text import promise_line
        from engage_cli.store.keeping import make_promise, set_follow_up
        from engage_cli.store.promises import weighed

        rules = self.rules
        self.wrote = weighed(ledger, wrote, self.now, rules.half_life, rules.promise_rule)

        if self.goal is not None:
            from engage_cli.store.goals import open_goal
            from engage_cli.store.writes import serve

            goal = open_goal(ledger, self.goal)
            serve(ledger, goal.id, [w.entry.id for w in wrote])
            self.said.append(f"for the goal {goal.name}")
        if self.follow is not None:
            set_follow_up(ledger, [w.entry.id for w in wrote], self.follow)
        if self.what is not None:
            batch = wrote[0].entry.batch
            for c in contacts:
                p = make_promise(ledger, c, self.what, self.due, self.made, self.now, batch)
                self.said.append(promise_line(p))


def follow_through(
    then: str | None,
    by: str | None,
    follow_up: str | None,
    planned: "list[Planned]",
    occurred: "datetime",
    now: "datetime",
    rules: "Policy",
    goal: str | None = None,
) -> After:
    """What --then, --by and --follow-up add to a log, checked before anything is written."""
    from engage_cli.dates import parse_due
    from engage_cli.inputs import clean_note

    if by is not None and then is None:
        raise UsageError("--by is the due date of a promise: give --then TEXT with it")
    if follow_up is not None and not any(p.kind == "withdrawal" for p in planned):
        raise UsageError("--follow-up is for an ask: give --withdrawal/-w POINTS with it")
    what = clean(clean_note, then) if then is not None else None
    if what is not None and not what:
        raise InputError("--then needs what you promised, such as --then 'send the paper'")
    due = parse_due(by, now) if by is not None else None
    follow = parse_due(follow_up, now, "--follow-up") if follow_up is not None else None
    after = After(what, due, follow, occurred, now, rules)
    after.goal = goal
    return after
