"""Recording what happened: add, log, undo, void, done, declined, reopen."""

from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.following import By, FollowUp, GoalOpt, Then, follow_through
from engage_cli.commands.prompting import prompt_entry
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
from engage_cli.render.text import described, unusual_dates, written

if TYPE_CHECKING:
    from engage_cli.domain import Contact
    from engage_cli.store.connection import Ledger
    from engage_cli.store.writes import Planned


_MODE_HELP = (
    "engagement (working together; the default), personal (a friend or family: never a "
    "project) or transactional (an exchange: never cold)."
)


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
    mode: Annotated[str, typer.Option("--mode", metavar="MODE", help=_MODE_HELP)] = "engagement",
) -> None:
    """Add a contact: a person, an organisation or a cause.

    Example: engage add "Ann Lee" --circle close --tag design -m "met at PyCon" --on 2026-03-14
    """
    import shlex

    from engage_cli.inputs import MODES
    from engage_cli.models import ContactIn
    from engage_cli.store.contacts import accent_twins
    from engage_cli.store.writes import add_contact
    from engage_cli.terminal import fill

    if mode.strip().lower() not in MODES:
        raise UsageError(f"--mode is {', '.join(MODES[:-1])} or {MODES[-1]}, not {mode!r}")
    new = ContactIn.parse(
        name=name, kind=kind, circle=circle, tags=tag or [], note=note, mode=mode.strip().lower()
    )
    since = parse_occurred(on, local_now())
    rules = policy()
    with open_ledger(ctx, create=True) as ledger, ledger.transaction():
        contact = add_contact(ledger, new, since, rules.half_life(new.circle))
        twins = accent_twins(ledger, contact)
    shown = "" if contact.mode == "engagement" else f", {contact.mode}"
    said = f"{contact.kind}, {contact.circle} circle{shown}; "
    say(fill(f"{contact.name} ({said}cadence {rules.cadence(contact.circle):g} days)", "added "))
    for twin in twins:
        fold = f"engage fold {shlex.quote(contact.name)} {shlex.quote(twin)}"
        say(fill(f"{twin} differs only in accents; one person? {fold}", "note: "), err=True)


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


def _broker_can_exist(ctx: typer.Context, via: str | None) -> None:
    """Refuse --via on a ledger not started yet: nobody is there to have brokered it."""
    if via is not None and not ledger_file(ctx).exists():
        raise NotFoundError(
            f"no contact named {via!r} (the ledger is empty); --via names a contact"
        )


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
    from engage_cli.store.contacts import find_contact, get_contact

    out: list[Contact | str] = []
    for name in names:
        found = find_contact(ledger, name)
        if found is None and not new and offer:
            found = _offer(ledger, name)
        if found is not None:
            out.append(found)
            continue
        if new or offer:
            out.append(name)
            continue
        try:
            get_contact(ledger, name)
        except ContactNotFound as exc:
            raise NotFoundError(f"{exc.message} (or use --new)") from None
    return out


def _offer(ledger: "Ledger", name: str) -> "Contact | None":
    """On a terminal: who an unknown name may be, then a choice (None: a new contact).

    A typo must not become a second contact: the look-alikes come first, by number.
    """
    from engage_cli.store.contacts import close_names, get_contact
    from engage_cli.terminal import visible

    close = close_names(ledger, name)
    if not close:
        if typer.confirm(visible(f"{name!r} is not a contact yet. Add them?"), default=False):
            return None
        raise NotFoundError(f"no contact named {name!r} (or use --new)")
    menu = "  ".join(f"[{i}] {c}" for i, c in enumerate(close, 1))
    say(f"{name!r} is not a contact; did you mean {close[0]}?")
    say(f"  {menu}  [n] new contact {name!r}  [q] quit")

    def choice(text: str) -> str:
        answer = text.strip().lower()
        if answer.isdigit() and 1 <= int(answer) <= len(close):
            return close[int(answer) - 1]
        if answer in ("n", "q"):
            return answer
        numbers = ", ".join(str(i) for i in range(1, len(close) + 1))
        raise InputError(f"answer {numbers}, n or q, not {text!r}")

    picked = ask("Choose", choice, "1")
    if picked == "q":
        raise InputError("nothing was logged")
    return None if picked == "n" else get_contact(ledger, picked)


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
    then: Then = None,
    by: By = None,
    follow_up: FollowUp = None,
    goal: GoalOpt = None,
) -> None:
    """Log deposits and withdrawals for one or more contacts.

    WHEN: now, today, this morning, yesterday 15:00, last friday, 3 days ago, 6 months ago,
    2026-11-02, 2026-11-02 15:00.
    Points: 1 a small thank-you, 3 a real favour, 5 a life-changing introduction.
    A withdrawal is an ask: it stays open until `engage done ID` or `engage declined ID`.

    Example: engage log "Ann Lee" -d 2 -m "coffee; she asked about our hiring" --on yesterday
    """
    from engage_cli.inputs import clean_note, clean_tags
    from engage_cli.store.writes import record

    now = local_now()
    if prompted := not names:
        names, planned, note, on = prompt_entry(ctx, bool(deposit or withdrawal or received), on)
    else:
        planned = _planned(deposit, withdrawal, received)
    occurred = parse_occurred(on, now)
    rules = policy()
    after = follow_through(then, by, follow_up, planned, occurred, now, rules, goal)
    note_text, tags = clean(clean_note, note), clean(clean_tags, tag or [])
    unique = _unique_names(names)
    offer = prompted or is_terminal()
    _broker_can_exist(ctx, via)
    with open_ledger(ctx, create=new or offer) as ledger:
        found = _resolve(ledger, unique, new, offer)
        added, _ = record(
            ledger, found, planned, occurred, note_text, tags, via, now, rules.half_life, after
        )
    for contact in added:
        say(f"added contact {contact.name} ({contact.circle} circle)", err=True)
    for line in written(after.wrote) + after.said:
        say(line)
    for notice in unusual_dates(found, added, occurred, now, rules.notice_years_back):
        say(f"note: {notice}", err=True)


@app.command()
def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Undo this device's last action: an add, log, edit, rename, fold, archive,
    done/declined/reopen, import or merge. Run it again to walk further back;
    `engage redo` does the last undone action again.

    It says what it will undo first. A log's entries are voided (they stay in
    the history, marked, and count for nothing) and a contact it added is
    removed; an edit is edited back; a fold is unfolded; an import or merge is
    taken out.

    Example: engage undo --yes
    """
    _walk(ctx, yes, redoing=False)


@app.command()
def redo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Do the last undone action again (as long as nothing was done since).

    Example: engage redo --yes
    """
    _walk(ctx, yes, redoing=True)


def _walk(ctx: typer.Context, yes: bool, redoing: bool) -> None:
    from engage_cli.errors import NothingToUndo
    from engage_cli.render.text import action_done, action_lines
    from engage_cli.store.journal import last_action, next_redo
    from engage_cli.store.undoing import redo as redo_action
    from engage_cli.store.undoing import undo as undo_action

    find = next_redo if redoing else last_action
    with open_ledger(ctx) as ledger:
        action = find(ledger)
        if action is None:
            raise NothingToUndo("redo" if redoing else "undo")
        lines, question = action_lines(action, redoing)
        for line in lines:
            say(line)
        if not yes and not typer.confirm(question, default=False):
            say(f"nothing was {'redone' if redoing else 'undone'}")  # a no is an answer
            return
        rules = policy()
        with ledger.transaction():
            again = find(ledger)
            if again is None or again.seq != action.seq:  # another command wrote meanwhile
                raise InputError("the ledger changed meanwhile; nothing was changed, try again")
            if redoing:
                redo_action(ledger, action, local_now(), rules.half_life, rules.synergy)
                stash = {}
            else:
                stash = undo_action(ledger, action, local_now(), rules.half_life, rules.synergy)
    say(action_done(action, redoing, stash))


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
    from engage_cli.store.journal import void_one

    why = clean(clean_note, reason)
    with open_ledger(ctx) as ledger:
        rules = policy()
        with ledger.transaction():
            entry = void_one(ledger, entry_id, local_now(), why, rules.half_life)
    say("voided (`engage undo` brings it back):\n" + described([entry]))


def _settle(
    ctx: typer.Context, entry_id: str, status: str, on: str | None, failed: bool = False
) -> None:
    from engage_cli.store.promises import weighed
    from engage_cli.store.queries import find_entry
    from engage_cli.store.writes import settle_ask

    now = local_now()
    at = parse_occurred(on, now)
    rules = policy()
    share = rules.synergy_failed if failed else rules.synergy
    try:
        with open_ledger(ctx) as ledger, ledger.transaction():
            ask = find_entry(ledger, entry_id)
            wrote = settle_ask(ledger, ask, status, at, now, share, rules.half_life, failed=failed)
            wrote = weighed(ledger, wrote, now, rules.half_life, rules.promise_rule)
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
    outcome: Annotated[
        str,
        typer.Option("--outcome", metavar="OUTCOME", help="succeeded (the default) or failed."),
    ] = "succeeded",
) -> None:
    """Mark an ask done: working on it together gives part of it back as a deposit,
    win, lose or draw.

    The share that comes back is the policy's `synergy` (default 0.5), or
    `synergy_failed` (default 0.25) with --outcome failed, dated when the ask
    was done and linked to it; `engage reopen ID` takes it back.

    Example: engage done 1f3a9c2e --on yesterday
    """
    if outcome.strip().lower() not in ("succeeded", "failed"):
        raise UsageError(f"--outcome is succeeded or failed, not {outcome!r}")
    _settle(ctx, entry_id, "done", on, failed=outcome.strip().lower() == "failed")


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
