"""What `engage log` asks on a terminal when its command line does not say it."""

from typing import TYPE_CHECKING

import typer

from engage_cli.commands.root import ask, is_terminal, ledger_file, open_ledger
from engage_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from engage_cli.store.writes import Planned

_KIND_WORDS = {
    "d": "deposit",
    "deposit": "deposit",
    "w": "withdrawal",
    "withdrawal": "withdrawal",
    "r": "received",
    "received": "received",
}


_SCALES = {
    "deposit": "1 thank-you, 3 a favour, 5 life-changing",
    "withdrawal": "1 a small ask, 3 a real favour, 5 a big one",
    "received": "what they did: 1 small, 3 a favour, 5 life-changing",
}


def prompt_entry(
    ctx: typer.Context, points_given: bool, on: str | None
) -> tuple[list[str], list["Planned"], str, str | None]:
    """Ask on the terminal for what a `log` with no names did not say: who (an
    unknown name is said at once, with the closest; typed again, it is a new
    contact), what, how many points, a note and, without --on, when."""
    from engage_cli.dates import parse_occurred
    from engage_cli.inputs import parse_points
    from engage_cli.store.writes import Planned

    said: set[str] = set()

    def who(text: str) -> str:
        if not text:
            raise InputError("give the contact's name")
        if text.casefold() in said or not ledger_file(ctx).exists():
            return text
        from engage_cli.store.contacts import close_names, find_contact

        with open_ledger(ctx) as ledger:
            if find_contact(ledger, text) is not None:
                return text
            close = close_names(ledger, text)
        said.add(text.casefold())
        maybe = f"; did you mean {' or '.join(close)}?" if close else ""
        raise InputError(f"no contact named {text!r}{maybe} (type it again to add it)")

    if not is_terminal():
        raise UsageError("give at least one contact name (or run `engage log` on a terminal)")
    if points_given:
        raise UsageError("give the contact name before the points")

    def kind_word(text: str) -> str:
        if text.lower() not in _KIND_WORDS:
            raise InputError(f"kind is d (deposit), w (withdrawal) or r (received), not {text!r}")
        return _KIND_WORDS[text.lower()]

    name = ask("Contact", who)
    kind = ask("Kind (d = deposit, w = withdrawal, r = received)", kind_word, "d")
    pts = ask(f"Points ({_SCALES[kind]})", lambda t: parse_points(t, "the points"), "1")
    note = typer.prompt("Note", default="", show_default=False)
    if on is None:

        def when(text: str) -> str:
            parse_occurred(text)  # a typo is said here and asked again, not after
            return text

        on = ask("When (Enter for now; yesterday 15:00, last friday, ...)", when, "now")
    return [name], [Planned(kind, pts)], note, on
