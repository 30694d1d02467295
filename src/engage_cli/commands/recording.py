"""Recording what happened: add, log, undo, void, done, declined, reopen."""

from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.root import (
    AskId,
    app,
    ask,
    clean,
    complete_name,
    is_terminal,
    ledger_file,
    open_ledger,
    policy,
    say,
)
from engage_cli.dates import local_now, parse_occurred
from engage_cli.domain import Circle, ContactKind
from engage_cli.errors import (
    ContactNotFound,
    InputError,
    NotFoundError,
    SettledBeforeMade,
    UsageError,
)
from engage_cli.render.text import described, plural, written

if TYPE_CHECKING:
    from engage_cli.domain import Contact
    from engage_cli.store.connection import Ledger
    from engage_cli.store.writes import Planned


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The contact's name (unique, any case).")],
    kind: Annotated[ContactKind, typer.Option("--kind", "-k", help="What it is.")] = (
        ContactKind.PERSON
    ),
    circle: Annotated[
        Circle, typer.Option("--circle", "-c", help="How close: sets cadence and decay.")
    ] = Circle.ACTIVE,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat for more.")
    ] = None,
    note: Annotated[str, typer.Option("--note", "-m", help="Anything worth remembering.")] = "",
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="WHEN",
            help="Since when you know them (default: now); neglect counts from here.",
        ),
    ] = None,
) -> None:
    """Add a contact: a person, an organisation or a cause.

    Example: engage add "Ann Lee" --circle close --tag design -m "met at PyCon" --on 2026-03-14
    """
    from engage_cli.models import ContactIn
    from engage_cli.store.writes import add_contact

    new = ContactIn.parse(name=name, kind=kind, circle=circle, tags=tag or [], note=note)
    since = parse_occurred(on, local_now())
    rules = policy()
    with open_ledger(ctx, create=True) as ledger, ledger.transaction():
        contact = add_contact(ledger, new, since, rules.half_life(new.circle))
    say(
        f"added {contact.name} ({contact.kind}, {contact.circle} circle; "
        f"cadence {rules.cadence(contact.circle):g} days)"
    )


_KIND_WORDS = {
    "d": "deposit",
    "deposit": "deposit",
    "w": "withdrawal",
    "withdrawal": "withdrawal",
    "r": "received",
    "received": "received",
}


def _prompt_entry(points_given: bool) -> tuple[list[str], list["Planned"], str]:
    """Ask on the terminal for what a `log` with no names did not say."""
    from engage_cli.inputs import parse_points
    from engage_cli.store.writes import Planned

    if not is_terminal():
        raise UsageError("give at least one contact name (or run `engage log` on a terminal)")
    if points_given:
        raise UsageError("give the contact name before the points")

    def kind_word(text: str) -> str:
        if text.lower() not in _KIND_WORDS:
            raise InputError(f"kind is d (deposit), w (withdrawal) or r (received), not {text!r}")
        return _KIND_WORDS[text.lower()]

    name = typer.prompt("Contact").strip()
    kind = ask("Kind (d = deposit, w = withdrawal, r = received)", kind_word, "d")
    pts = ask("Points (1 thank-you, 3 a favour, 5 life-changing)", parse_points, "1")
    note = typer.prompt("Note", default="", show_default=False)
    return [name], [Planned(kind, pts)], note


def _planned(
    deposit: list[str] | None, withdrawal: list[str] | None, received: list[str] | None
) -> list["Planned"]:
    """The entries each contact of a log gets, from -d, -w and -r (each at most once)."""
    from engage_cli.inputs import parse_points
    from engage_cli.store.writes import Planned

    if not deposit and not withdrawal and not received:
        raise UsageError(
            "say what happened: --deposit/-d, --withdrawal/-w and/or --received/-r POINTS"
        )
    planned = []
    for kind, given in (("deposit", deposit), ("withdrawal", withdrawal), ("received", received)):
        if given and len(given) > 1:
            raise UsageError(f"give --{kind} once per log (one entry of each kind per contact)")
        if given:
            planned.append(Planned(kind, parse_points(given[0], f"{kind} points")))
    return planned


def _unique_names(names: list[str]) -> list[str]:
    """The names as typed, cleaned, each contact once (names match in any case)."""
    from engage_cli.domain import name_key
    from engage_cli.inputs import clean_name

    unique: dict[str, str] = {}
    for raw in names:
        try:
            name = clean_name(raw)
        except ValueError as exc:
            raise InputError(f"{exc} (got {raw!r})") from None
        unique.setdefault(name_key(name), name)
    return list(unique.values())


def _resolve(ledger: "Ledger", names: list[str], new: bool, offer: bool) -> "list[Contact | str]":
    """Each contact found; unknown ones stay names to create, with --new or once confirmed."""
    from engage_cli.store.contacts import close_names, find_contact, get_contact
    from engage_cli.terminal import visible

    out: list[Contact | str] = []
    for name in names:
        found = find_contact(ledger, name)
        if found is not None:
            out.append(found)
            continue
        if new:
            out.append(name)
            continue
        if offer:
            # Say who it may be before asking: a typo must not become a second contact.
            close = close_names(ledger, name)
            maybe = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            question = f"{name!r} is not a contact yet{maybe}. Add them?"
            if typer.confirm(visible(question), default=False):
                out.append(name)
                continue
        try:
            get_contact(ledger, name)
        except ContactNotFound as exc:
            raise NotFoundError(f"{exc.message} (or use --new)") from None
    return out


_Names = Annotated[
    list[str] | None,
    typer.Argument(
        help="One or more contacts (a group meeting logs each).", autocompletion=complete_name
    ),
]
_Deposit = Annotated[
    list[str] | None,
    typer.Option("--deposit", "-d", metavar="POINTS", help="Points you invested."),
]
_Withdrawal = Annotated[
    list[str] | None,
    typer.Option("--withdrawal", "-w", metavar="POINTS", help="Points you asked for."),
]
_Received = Annotated[
    list[str] | None,
    typer.Option(
        "--received",
        "-r",
        metavar="POINTS",
        help="Points they gave you unasked (tracked, not charged).",
    ),
]


@app.command()
def log(
    ctx: typer.Context,
    names: _Names = None,
    deposit: _Deposit = None,
    withdrawal: _Withdrawal = None,
    received: _Received = None,
    note: Annotated[str, typer.Option("--note", "-m", help="What happened.")] = "",
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="WHEN", help="When it happened (default: now)."),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag; repeatable.")] = None,
    via: Annotated[
        str | None,
        typer.Option("--via", metavar="NAME", help="The contact who brokered this."),
    ] = None,
    new: Annotated[bool, typer.Option("--new", help="Create unknown contacts on the spot.")] = (
        False
    ),
) -> None:
    """Log deposits and withdrawals for one or more contacts.

    WHEN: now, today, yesterday, friday, last friday, 3 days ago, 2026-11-02, 2026-11-02 15:00.
    Points: 1 a small thank-you, 3 a real favour, 5 a life-changing introduction.
    A withdrawal is an ask: it stays open until `engage done ID` or `engage declined ID`.

    Example: engage log "Ann Lee" -d 2 -m "coffee; she asked about our hiring" --on yesterday
    """
    from engage_cli.inputs import clean_note, clean_tags
    from engage_cli.store.writes import record

    now = local_now()
    prompted = not names
    if not names:
        names, planned, note = _prompt_entry(bool(deposit or withdrawal or received))
    else:
        planned = _planned(deposit, withdrawal, received)
    occurred = parse_occurred(on, now)
    note_text, tags = clean(clean_note, note), clean(clean_tags, tag or [])
    unique = _unique_names(names)
    rules = policy()
    offer = prompted or is_terminal()
    if via is not None and not ledger_file(ctx).exists():
        raise NotFoundError(
            f"no contact named {via!r} (the ledger is empty); --via names a contact"
        )
    with open_ledger(ctx, create=new or offer) as ledger:
        found = _resolve(ledger, unique, new, offer)
        added, wrote = record(
            ledger, found, planned, occurred, note_text, tags, via, now, rules.half_life
        )
    for contact in added:
        say(f"added contact {contact.name} ({contact.circle} circle)", err=True)
    for line in written(wrote):
        say(line)


@app.command()
def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Undo the last `engage log` (voiding all it wrote) or the last done/declined.

    It shows what it will undo first. Voided entries stay in the history,
    marked, and count for nothing; an undone settlement leaves the ask open.

    Example: engage undo --yes
    """
    from engage_cli.store.queries import last_action
    from engage_cli.store.writes import undo_action

    with open_ledger(ctx) as ledger:
        action = last_action(ledger)
        if action is None:
            raise InputError(
                "nothing to undo: nothing this device logged or settled still counts "
                "(what a merge or an import brought in is never undone)"
            )
        entries = action.entries
        if action.settlement:
            say(f"The last change marked this ask {entries[0].status}:")
        else:
            say(f"The last log wrote {plural(len(entries), 'entry', 'entries')}:")
        say(described(entries))
        question = "Set it back to open?" if action.settlement else "Void it?"
        if not yes and not typer.confirm(question, default=False):
            raise InputError("undo cancelled; nothing was changed")
        rules = policy()
        with ledger.transaction():
            if last_action(ledger) != action:  # another command wrote while we asked
                raise InputError("the ledger changed meanwhile; nothing was changed, undo again")
            undo_action(ledger, action, local_now(), rules.half_life)
    if action.settlement:
        say("the ask is open again")
    else:
        say(f"voided {plural(len(entries), 'entry', 'entries')}")


@app.command()
def void(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Entry id (or its last 8 digits).")],
    reason: Annotated[str, typer.Option("--reason", "-m", help="Why it is voided.")] = "",
) -> None:
    """Void one entry by id: it stays in the history, marked, and counts for nothing.

    Example: engage void 1f3a9c2e --reason "logged for the wrong person"
    """
    from engage_cli.inputs import clean_note
    from engage_cli.store.queries import find_entry
    from engage_cli.store.writes import void_entries

    why = clean(clean_note, reason)
    with open_ledger(ctx) as ledger:
        rules = policy()
        with ledger.transaction():
            entry = find_entry(ledger, entry_id)
            void_entries(ledger, [entry], local_now(), why, rules.half_life)
    say("voided:\n" + described([entry]))


def _settle(ctx: typer.Context, entry_id: str, status: str, on: str | None) -> None:
    from engage_cli.store.queries import find_entry
    from engage_cli.store.writes import settle_ask

    now = local_now()
    at = parse_occurred(on, now)
    rules = policy()
    try:
        with open_ledger(ctx) as ledger, ledger.transaction():
            ask = find_entry(ledger, entry_id)
            wrote = settle_ask(ledger, ask, status, at, now, rules.synergy, rules.half_life)
    except SettledBeforeMade as exc:
        from datetime import timedelta

        from engage_cli.dates import fmt_local

        bare = "" if on and ":" in on else "a bare day means noon; "
        after = fmt_local(exc.made_at + timedelta(hours=1))
        raise InputError(
            f"the ask was made {fmt_local(exc.made_at)}; it cannot be settled before that "
            f"({bare}give a later moment, such as --on '{after}')"
        ) from None
    say(f"ask {status}:\n" + described([ask]))
    for line in written(wrote):
        say(line)


@app.command()
def done(
    ctx: typer.Context,
    entry_id: AskId,
    on: Annotated[
        str | None, typer.Option("--on", metavar="WHEN", help="When it was done (default: now).")
    ] = None,
) -> None:
    """Mark an ask done: accomplishing it together gives part of it back as a deposit.

    The share that comes back is the policy's `synergy` (default 0.5), dated
    when the ask was done and linked to it; `engage reopen ID` takes it back.

    Example: engage done 1f3a9c2e --on yesterday
    """
    _settle(ctx, entry_id, "done", on)


@app.command()
def declined(
    ctx: typer.Context,
    entry_id: AskId,
    on: Annotated[
        str | None, typer.Option("--on", metavar="WHEN", help="When (default: now).")
    ] = None,
) -> None:
    """Mark an ask declined: it costs what it cost, and nothing more.

    Example: engage declined 1f3a9c2e
    """
    _settle(ctx, entry_id, "declined", on)


@app.command()
def reopen(
    ctx: typer.Context,
    entry_id: AskId,
) -> None:
    """Set a done or declined ask back to open (voiding what its completion gave back).

    Example: engage reopen 1f3a9c2e
    """
    from engage_cli.store.queries import find_entry
    from engage_cli.store.writes import reopen_ask

    rules = policy()
    with open_ledger(ctx) as ledger, ledger.transaction():
        ask = find_entry(ledger, entry_id)
        reopen_ask(ledger, ask, local_now(), rules.half_life)
    say("reopened:\n" + described([ask]))
