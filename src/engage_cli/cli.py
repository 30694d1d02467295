"""The `engage` command line: parse, call, render. No SQL and no maths here.

No `from __future__ import annotations` here on purpose: Typer reads every
command's annotations at start-up, and evaluating them from strings costs
about 10 ms a run; names only known to the type checker are quoted instead.
"""

import gc
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

from engage_cli import __version__
from engage_cli.dates import (
    fmt_local,
    local_now,
    parse_as_of,
    parse_occurred,
    parse_period,
    parse_since,
)
from engage_cli.errors import (
    EngageError,
    ExitCode,
    InputError,
    LedgerError,
    NotFoundError,
    UsageError,
)
from engage_cli.ids import short
from engage_cli.paths import ledger_path
from engage_cli.vocab import Circle, ContactKind

if TYPE_CHECKING:
    from pathlib import Path

    from engage_cli.ledger import Contact, Entry, Ledger
    from engage_cli.policy import Policy


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"engage: error: {message}\n")
    sys.stderr.flush()
    sys.exit(code)


def _sqlite_message(exc: Exception) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (
            "the ledger is busy (another engage is writing to it); nothing was changed, try again"
        )
    if "readonly" in text or "read-only" in text:
        return "the ledger is read-only here; nothing was changed"
    if "unable to open" in text:
        return "cannot open the ledger file (check the path and its directory's permissions)"
    if "malformed" in text or "not a database" in text:
        return f"the ledger file is damaged ({text}); restore a backup"
    return f"ledger error: {text}"


class EngageGroup(TyperGroup):
    """Runs every command with one exit point: errors become one line on stderr."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        debug = bool(os.environ.get("ENGAGE_DEBUG"))
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            _fail("cancelled; nothing was changed", ExitCode.ERROR)
        except typer.TyperException as exc:
            # Typer's (vendored Click's) usage and parameter errors.
            code = int(getattr(exc, "exit_code", ExitCode.USAGE))
            if type(exc).__name__ == "NoArgsIsHelpError":
                sys.stdout.write(exc.format_message().rstrip("\n") + "\n")
                sys.exit(ExitCode.OK)
            hint = ""
            ctx = getattr(exc, "ctx", None)
            if ctx is not None and code == ExitCode.USAGE:
                hint = f" (see '{ctx.command_path} --help')"
            _fail(exc.format_message().replace("\n", " ") + hint, code)
        except EngageError as exc:
            _fail(exc.message.replace("\n", " "), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was changed", 130)
        except BrokenPipeError:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - reader went away
            sys.exit(ExitCode.ERROR)
        except Exception as exc:
            if debug:
                raise
            sqlite3 = sys.modules.get("sqlite3")  # imported only by commands that open a ledger
            if sqlite3 is not None and isinstance(exc, sqlite3.Error):
                _fail(_sqlite_message(exc), ExitCode.ERROR)
            _fail(
                f"unexpected {type(exc).__name__}: {exc} (run with ENGAGE_DEBUG=1 for details)",
                ExitCode.ERROR,
            )
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


app = typer.Typer(
    cls=EngageGroup,
    name="engage",
    help=(
        "A personal relationship ledger. Log deposits (relationship building) and "
        "withdrawals (asks) after each meeting; review the balance weekly; see who is "
        "going cold.\n\nExample: engage log 'Ann Lee' -d 2 -m 'coffee, talked about her move'"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Options(NamedTuple):
    db: str | None = None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"engage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Ledger file (default: $ENGAGE_DB, else $XDG_DATA_HOME/engage/ledger.db).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    gc.enable()  # paused during start-up by engage_cli.launch
    if db is not None and not db.strip():
        raise UsageError("--db needs a path; it was given an empty one")
    ctx.obj = Options(db=db)


def _policy() -> "Policy":
    from engage_cli.policy import load_policy

    return load_policy().policy


def _ledger_file(ctx: typer.Context) -> "Path":
    """Where this command's ledger is: --db, else $ENGAGE_DB, else the default."""
    opts: Options = ctx.obj or Options()
    return ledger_path(opts.db)


@contextmanager
def _ledger(ctx: typer.Context, create: bool = False) -> Iterator["Ledger"]:
    """Open the ledger; only commands that add contacts may create a missing one."""
    from engage_cli.ledger import Ledger

    ledger = Ledger.open(_ledger_file(ctx), create=create)
    try:
        yield ledger
    finally:
        ledger.close()


def _show(json_out: bool, data: Callable[[], Any], renderer: str, *args: Any) -> None:
    """Print a report: its JSON form with --json (built only then), else the named
    renderer of render.py."""
    if json_out:
        from engage_cli.jsonout import emit_json

        emit_json(data())
        return
    from engage_cli import render

    getattr(render, renderer)(*args)


def _read_text(source: "Path", encoding: str = "utf-8-sig", errors: str = "replace") -> str:
    """A file people point engage at, or one clear line saying why it cannot be read."""
    try:
        return source.read_text(encoding=encoding, errors=errors)
    except FileNotFoundError:
        raise InputError(f"no file at {source}") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {source}: {exc}") from None


def _complete_name(ctx: typer.Context, incomplete: str) -> list[str]:
    """Contact names for shell completion: those starting with what was typed (any case)."""
    from engage_cli.ledger import Ledger
    from engage_cli.vocab import name_key

    root = ctx.find_root()
    try:
        with Ledger.open(ledger_path(root.params.get("db")), create=False) as ledger:
            names = [c.name for c in ledger.contacts()]
    except Exception:  # completion must never print an error into the shell
        return []
    key = name_key(incomplete)
    # Keep what was typed as typed (Typer filters completions case-sensitively, and
    # names match in any case anyway): "an" completes to "ann Lee".
    found = [
        incomplete + n[len(incomplete) :]
        for n in names
        if name_key(n).startswith(key) and name_key(n[: len(incomplete)]) == key
    ]
    if os.environ.get("_ENGAGE_COMPLETE") == "complete_bash":
        # bash inserts the words as they are: escape what the shell would split on.
        found = [re.sub(r"([\s'\"\\$`&;|<>()])", r"\\\1", f) for f in found]
    return found


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _as_of(text: str | None) -> datetime:
    return parse_as_of(text, local_now())


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable; see README).")]
AskId = Annotated[str, typer.Argument(metavar="ID", help="The ask's id.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="WHEN", help="Compute as of this moment (default: now)."),
]


# --- contacts -------------------------------------------------------------------


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

    new = ContactIn.parse(name=name, kind=kind, circle=circle, tags=tag or [], note=note)
    now = local_now()
    since = parse_occurred(on, now)
    policy = _policy()
    with _ledger(ctx, create=True) as ledger, ledger.transaction():
        contact = ledger.add_contact(new, since, policy.half_life(new.circle))
    typer.echo(
        f"added {contact.name} ({contact.kind}, {contact.circle} circle; "
        f"cadence {policy.cadence(contact.circle):g} days)"
    )


@app.command("contacts")
def contacts_cmd(
    ctx: typer.Context,
    circle: Annotated[Circle | None, typer.Option("--circle", "-c", help="Only this circle.")] = (
        None
    ),
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only contacts with this tag.")] = (
        None
    ),
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List contacts with their charge and last contact.

    Example: engage contacts --circle close --json
    """
    from engage_cli import reports

    if tag is not None and not tag.strip():
        raise UsageError("--tag needs a tag; it was given an empty one")
    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        lines = reports.contact_lines(
            ledger, _policy(), when, circle.value if circle else None, tag
        )
    _show(
        json_out,
        lambda: [line.to_json(period=False) for line in lines],
        "contacts",
        lines,
    )


@app.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The contact.", autocompletion=_complete_name)],
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show one contact: profile, charge, status and recent entries.

    Example: engage show "Ann Lee"
    """
    from engage_cli import reports

    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        report = reports.profile(ledger, _policy(), ledger.contact(name), when)
    _show(json_out, report.to_json, "profile", report)


# --- logging --------------------------------------------------------------------


class _Planned(NamedTuple):
    kind: str
    points: float


def _prompt_entry() -> tuple[list[str], list[_Planned], str]:
    from engage_cli.inputs import parse_points

    name = typer.prompt("Contact").strip()
    kind = typer.prompt(
        "Kind (d = deposit, w = withdrawal, r = received)", default="d", show_default=True
    ).strip()
    kind_word = {
        "d": "deposit",
        "deposit": "deposit",
        "w": "withdrawal",
        "withdrawal": "withdrawal",
        "r": "received",
        "received": "received",
    }
    if kind.lower() not in kind_word:
        raise InputError(f"kind must be d (deposit), w (withdrawal) or r (received), got {kind!r}")
    pts = parse_points(typer.prompt("Points (1 thank-you, 3 a favour, 5 life-changing)", "1"))
    note = typer.prompt("Note", default="", show_default=False)
    return [name], [_Planned(kind_word[kind.lower()], pts)], note


@app.command()
def log(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="One or more contacts (a group meeting logs each).",
            autocompletion=_complete_name,
        ),
    ] = None,
    deposit: Annotated[
        list[str] | None,
        typer.Option("--deposit", "-d", metavar="POINTS", help="Points you invested."),
    ] = None,
    withdrawal: Annotated[
        list[str] | None,
        typer.Option("--withdrawal", "-w", metavar="POINTS", help="Points you asked for."),
    ] = None,
    received: Annotated[
        list[str] | None,
        typer.Option(
            "--received",
            "-r",
            metavar="POINTS",
            help="Points they gave you unasked (tracked, not charged).",
        ),
    ] = None,
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
    from engage_cli.inputs import clean_name, clean_note, clean_tags, parse_points
    from engage_cli.ledger import NewEntry
    from engage_cli.vocab import name_key

    now = local_now()
    interactive_new = False
    if not names:
        if not _is_terminal():
            raise UsageError("give at least one contact name (or run `engage log` on a terminal)")
        if deposit or withdrawal or received:
            raise UsageError("give the contact name before the points")
        names, planned, note = _prompt_entry()
        interactive_new = True
    else:
        if not deposit and not withdrawal and not received:
            raise UsageError(
                "say what happened: --deposit/-d, --withdrawal/-w and/or --received/-r POINTS"
            )
        planned = []
        for kind, given in (
            ("deposit", deposit),
            ("withdrawal", withdrawal),
            ("received", received),
        ):
            if given and len(given) > 1:
                raise UsageError(f"give --{kind} once per log (one entry of each kind per contact)")
            if given:
                planned.append(_Planned(kind, parse_points(given[0], f"{kind} points")))
    occurred = parse_occurred(on, now)
    try:
        note_text = clean_note(note)
        tags = clean_tags(tag or [])
    except ValueError as exc:
        raise InputError(str(exc)) from None
    unique: dict[str, str] = {}
    for raw in names:
        try:
            name = clean_name(raw)
        except ValueError as exc:
            raise InputError(f"{exc} (got {raw!r})") from None
        unique.setdefault(name_key(name), name)

    policy = _policy()
    offer = interactive_new or _is_terminal()
    if via is not None and not _ledger_file(ctx).exists():
        raise NotFoundError(
            f"no contact named {via!r} (the ledger is empty); --via names a contact"
        )
    with _ledger(ctx, create=new or offer) as ledger:
        found = _resolve(ledger, list(unique.values()), new, offer)
        broker = ledger.contact(via) if via is not None else None
        if broker is not None and any(
            not isinstance(c, _ToCreate) and c.id == broker.id for c in found
        ):
            raise InputError(f"{broker.name} cannot broker an entry of their own")
        with ledger.transaction():
            contacts = [_ensure(ledger, c, policy, now) for c in found]
            written = ledger.log(
                [
                    NewEntry(c, p.kind, p.points, occurred, note_text, tags, broker)
                    for c in contacts
                    for p in planned
                ],
                now,
                policy.half_life,
            )
    _echo_written(written)


def _echo_written(written: "list[tuple[Entry, float]]") -> None:
    for entry, charge_after in written:
        sign = {"deposit": "+", "withdrawal": "-"}.get(entry.kind, "")
        typer.echo(
            f"logged {entry.kind:<10} {sign}{entry.points:g}  {entry.contact}  "
            f"{fmt_local(entry.occurred_at)}  charge {charge_after:+.1f}  [{short(entry.id)}]"
        )


class _ToCreate(NamedTuple):
    name: str


def _resolve(
    ledger: "Ledger", names: list[str], new: bool, offer: bool
) -> "list[Contact | _ToCreate]":
    """Find each contact; unknown ones are created with --new (or after asking on a terminal)."""
    out: list[Contact | _ToCreate] = []
    for name in names:
        found = ledger.find_contact(name)
        if found is not None:
            out.append(found)
            continue
        if new:
            out.append(_ToCreate(name))
            continue
        if offer and typer.confirm(f"{name!r} is not a contact yet. Add them?", default=False):
            out.append(_ToCreate(name))
            continue
        try:
            ledger.contact(name)
        except NotFoundError as exc:
            raise NotFoundError(
                exc.message.replace("(add it with `engage add`)", "(or use --new)")
            ) from None
    return out


def _ensure(
    ledger: "Ledger", c: "Contact | _ToCreate", policy: "Policy", now: datetime
) -> "Contact":
    if not isinstance(c, _ToCreate):
        return c
    from engage_cli.models import ContactIn

    new = ContactIn.parse(name=c.name)
    created = ledger.add_contact(new, now, policy.half_life(new.circle))
    sys.stderr.write(f"added contact {created.name} ({created.circle} circle)\n")
    return created


def _describe(entries: "Sequence[Entry]") -> str:
    return "\n".join(
        f"  [{short(e.id)}] {fmt_local(e.occurred_at)}  {e.contact}  {e.kind} "
        f"{ {'deposit': '+', 'withdrawal': '-'}.get(e.kind, '') }{e.points:g}"
        + (f"  {e.note}" if e.note else "")
        for e in entries
    )


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
    from engage_cli.dates import to_store

    with _ledger(ctx) as ledger:
        batch = ledger.last_batch()
        settled = ledger.last_settlement()
        later = settled is not None and (
            not batch
            or settled[1] > to_store(batch[0].logged_at)
            or (
                settled[1] == to_store(batch[0].logged_at)
                and not any(e.source_id == settled[0].id for e in batch)
            )
        )
        if settled is not None and later:
            ask = settled[0]
            typer.echo(f"The last change marked this ask {ask.status}:")
            typer.echo(_describe([ask]))
            if not yes and not typer.confirm("Set it back to open?", default=False):
                raise InputError("undo cancelled; nothing was changed")
            policy = _policy()
            with ledger.transaction():
                ledger.reopen(ask, local_now(), policy.half_life)
            typer.echo("the ask is open again")
            return
        if not batch:
            raise InputError("nothing to undo: no entry counts yet")
        typer.echo(f"The last log wrote {len(batch)} {'entry' if len(batch) == 1 else 'entries'}:")
        typer.echo(_describe(batch))
        if not yes and not typer.confirm("Void it?", default=False):
            raise InputError("undo cancelled; nothing was changed")
        policy = _policy()
        with ledger.transaction():
            ledger.void(batch, local_now(), "undo", policy.half_life)
    typer.echo(f"voided {len(batch)} {'entry' if len(batch) == 1 else 'entries'}")


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

    try:
        why = clean_note(reason)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    with _ledger(ctx) as ledger:
        policy = _policy()
        with ledger.transaction():
            entry = ledger.entry(entry_id)
            ledger.void([entry], local_now(), why, policy.half_life)
    typer.echo("voided:\n" + _describe([entry]))


@app.command()
def history(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Only this contact.", autocompletion=_complete_name)
    ] = None,
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
    with _ledger(ctx) as ledger:
        contact = ledger.contact(name) if name else None
        entries = ledger.history(contact, since=start, limit=limit or None)
        # Counted only when the text says "showing N of M" and there may be more.
        cut = not json_out and limit and len(entries) == limit
        total = ledger.count_entries(contact, since=start) if cut else len(entries)
    _show(
        json_out,
        lambda: [reports.entry_json(e) for e in entries],
        "history",
        entries,
        total,
        contact is None,
    )


# --- reports --------------------------------------------------------------------


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
        typer.Option("--by", metavar="circle|tag|kind", help="Also roll contacts up by group."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The weekly review: deposits against withdrawals, the verdict, and each contact.

    Verdicts: all task (asking more than investing), engaged, all relationship
    (investing, never asking), idle. Statuses: overdrawn, cold, untapped, healthy.

    Example: engage balance --period month
    """
    from engage_cli import reports

    policy = _policy()
    days = parse_period(period) if period is not None else policy.period_days
    when = _as_of(as_of)
    if by is not None and by not in reports.GROUPINGS:
        raise UsageError(f"--by takes one of {', '.join(reports.GROUPINGS)}; got {by!r}")
    with _ledger(ctx) as ledger:
        report = reports.balance(ledger, policy, when, days, show_all, by)
    _show(json_out, report.to_json, "balance", report)


def who_neglected(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="How many (0: all).")] = 10,
    circle: Annotated[Circle | None, typer.Option("--circle", "-c", help="Only this circle.")] = (
        None
    ),
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Who is going cold: contacts ranked by how overdue they are, with a next deposit each.

    Overdue means days since the last contact (or since the contact was added)
    against the circle's cadence; ties go to the lower charge.

    Example: engage who-neglected --limit 5
    """
    from engage_cli import reports

    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        report = reports.neglected(ledger, _policy(), when, circle.value if circle else None, limit)
    _show(json_out, report.to_json, "neglected", report)


app.command("who-neglected")(who_neglected)
app.command("reconnect", help="Same as who-neglected.\n\nExample: engage reconnect")(who_neglected)


# --- asks, readiness, explanations ------------------------------------------------


def _settle(ctx: typer.Context, entry_id: str, status: str, on: str | None) -> None:
    now = local_now()
    at = parse_occurred(on, now)
    policy = _policy()
    with _ledger(ctx) as ledger, ledger.transaction():
        ask = ledger.entry(entry_id)
        written = ledger.resolve(ask, status, at, now, policy.synergy, policy.half_life)
    typer.echo(f"ask {status}:\n" + _describe([ask]))
    _echo_written(written)


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
    policy = _policy()
    with _ledger(ctx) as ledger, ledger.transaction():
        ask = ledger.entry(entry_id)
        ledger.reopen(ask, local_now(), policy.half_life)
    typer.echo("reopened:\n" + _describe([ask]))


@app.command("asks")
def asks_cmd(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Only this contact.", autocompletion=_complete_name)
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only asks still open.")] = False,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List asks (withdrawals) with their age and status: open, done or declined.

    Example: engage asks --open
    """
    from engage_cli import reports

    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        contact = ledger.contact(name) if name else None
        lines = reports.ask_lines(ledger.asks(contact, open_only, until=when), when)
    _show(json_out, lambda: [line.to_json() for line in lines], "asks", lines)


@app.command("can-ask")
def can_ask_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The contact.", autocompletion=_complete_name)],
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
    when = _as_of(as_of)
    policy = _policy()
    with _ledger(ctx) as ledger:
        report = reports.can_ask(ledger, policy, ledger.contact(name), size, when)
    _show(json_out, report.to_json, "can_ask", report)


@app.command()
def explain(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The contact.", autocompletion=_complete_name)],
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show every entry behind a contact's charge: age, decay factor and contribution.

    The contributions sum to the charge that balance and contacts report.

    Example: engage explain "Ann Lee" --as-of 2026-11-01
    """
    from engage_cli import reports

    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        report = reports.explain(ledger, _policy(), ledger.contact(name), when)
    _show(json_out, report.to_json, "explanation", report)


@app.command()
def trend(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Only this contact.", autocompletion=_complete_name)
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", "-n", min=1, max=520, help="How many.")] = 12,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Weekly deposits and withdrawals as bars, with each week's verdict.

    Example: engage trend --weeks 8
    """
    from engage_cli import reports

    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        contact = ledger.contact(name) if name else None
        weekly = reports.trend(ledger, _policy(), when, weeks, contact)
    _show(
        json_out,
        lambda: [w.to_json() for w in weekly],
        "trend",
        weekly,
        f"Weekly trend{' for ' + contact.name if contact else ''}",
    )


@app.command()
def review(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The whole weekly review on one screen: balance, trend, old asks, who to call, prompts.

    Example: engage review
    """
    from engage_cli import reports

    when = _as_of(as_of)
    with _ledger(ctx) as ledger:
        report = reports.review(ledger, _policy(), when)
    _show(json_out, report.to_json, "review", report)


config_app = typer.Typer(
    name="config",
    help="The scoring policy in force and where it comes from.\n\nExample: engage config show",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(config_app)


@config_app.command("show")
def config_show(json_out: JsonOpt = False) -> None:
    """Print every policy value and where it came from (the config file or the default).

    Example: engage config show --json
    """
    from engage_cli.policy import load_policy

    loaded = load_policy()
    if json_out:
        from engage_cli.jsonout import emit_json

        emit_json(
            {
                "path": str(loaded.path),
                "exists": loaded.exists,
                "values": {
                    key: {"value": value, "from": source} for key, value, source in loaded.rows()
                },
            }
        )
        return
    from engage_cli import render

    render.policy(loaded)


@config_app.command("path")
def config_path_cmd() -> None:
    """Print where engage looks for its config file ($ENGAGE_CONFIG overrides it).

    Example: engage config path
    """
    from engage_cli.policy import config_path

    typer.echo(str(config_path()))


# --- moving data in and out --------------------------------------------------------

CSV_COLUMNS = (
    "id", "contact", "kind", "points", "occurred_at", "logged_at", "note", "tags",
    "status", "resolved_at", "via", "source", "voided", "batch",
)  # fmt: skip


def _write_private(path: str, chunks: "Iterator[str]") -> None:
    """Write a file owner-only (0600), atomically: a reader never sees half of it."""
    import tempfile
    from pathlib import Path

    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError(f"{target} is a directory; give a file path")
    if target.exists() and not target.is_file():  # /dev/stdout, a pipe: write straight in
        with open(target, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    target = target.resolve()  # a symlink is followed, never replaced
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _export_lines(ledger: "Ledger", fmt: str) -> "Iterator[str]":
    import json

    from engage_cli.dates import to_store
    from engage_cli.ledger import RECORDS_SINCE

    records = ledger.export_records()
    if fmt == "jsonl":
        header = {
            "type": "engage",
            "format": 1,
            # The oldest schema whose engage reads these records: an engage that
            # has not been upgraded yet on another device still imports them.
            "schema_version": RECORDS_SINCE,
            "exported_at": to_store(local_now()),
        }
        yield json.dumps(header, sort_keys=True) + "\n"
        for rec in records:
            yield json.dumps(rec, sort_keys=True, ensure_ascii=False) + "\n"
        return
    import csv
    import io

    names: dict[str, str] = {}
    voided: set[str] = set()
    entries = []
    for rec in records:
        if rec["type"] == "contact":
            names[rec["uid"]] = rec["name"]
        elif rec["type"] == "entry":
            entries.append(rec)
        else:
            voided.add(rec["entry"])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e["id"], names[e["contact"]], e["kind"], f"{e['points']:g}", e["occurred_at"],
                e["logged_at"], e["note"], ";".join(e["tags"]), e["status"] or "",
                e["resolved_at"] or "", names.get(e["via"] or "", ""), e["source"] or "",
                "true" if e["id"] in voided else "false", e["batch"],
            ]
        )  # fmt: skip
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


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
) -> None:
    """Export the whole ledger: JSONL keeps everything (import it anywhere); CSV is flat.

    JSONL holds every contact, entry and void with its id, in a stable order, so
    exports of the same ledger are identical and can be kept in git.

    Example: engage export -o ~/Sync/engage-laptop.jsonl
    """
    if fmt not in ("jsonl", "csv"):
        raise UsageError(f"--format takes jsonl or csv; got {fmt!r}")
    with _ledger(ctx) as ledger:
        lines = _export_lines(ledger, fmt)
        if output is None or output == "-":
            for chunk in lines:
                sys.stdout.write(chunk)
        else:
            _write_private(output, lines)
    if output not in (None, "-"):
        sys.stderr.write(f"exported to {output}\n")


import_app = typer.Typer(
    name="import",
    help=(
        "Bring data in: contacts from address books, or another device's export."
        "\n\nExample: engage import contacts contacts.vcf"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app)


def _report_merge(counts: dict[str, int], source: str) -> None:
    done = ", ".join(f"{n} {what}" for what, n in counts.items())
    typer.echo(f"merged {source}: {done}")


@import_app.command("ledger")
def import_ledger(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="FILE", help="An `engage export` JSONL file.")],
) -> None:
    """Merge an `engage export` file into this ledger; importing it again adds nothing.

    Two ledgers that import each other's exports end identical, in either order.

    Example: engage import ledger ~/Sync/engage-desktop.jsonl
    """
    import json
    from pathlib import Path

    from engage_cli.models import read_records

    source = Path(path).expanduser()
    text = _read_text(source, "utf-8", "strict")
    lines = text.lstrip("\ufeff").split("\n")
    try:
        header = json.loads(lines[0]) if lines[0].strip() else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("type") != "engage":
        raise InputError(f"{source} is not an engage export (its first line must be the header)")
    records = list(read_records(lines, str(source)))
    policy = _policy()
    with _ledger(ctx, create=True) as ledger, ledger.transaction():
        counts = ledger.merge_records(records, policy.half_life)
    _report_merge(counts, str(source))


@import_app.command("contacts")
def import_contacts(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="FILE", help="A .vcf (vCard) or .csv file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
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

    from engage_cli.cards import FIELDS, read_cards
    from engage_cli.inputs import clean_tags

    source = Path(path).expanduser()
    text = _read_text(source)
    fields: dict[str, str] = {}
    for item in mapping or []:
        field, sep, column = item.partition("=")
        known = (*FIELDS, "email", "phone")
        if not sep or field.strip() not in known:
            raise UsageError(f"--map takes FIELD=COLUMN with FIELD one of {', '.join(known)}")
        fields[field.strip()] = column.strip()
    try:
        extra = clean_tags(tag or [])
        kind, cards, problems = read_cards(text, source.name, fields)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if not cards and problems and problems[0].position == 0:
        raise InputError(f"{source}: {problems[0].reason}")

    class _DryRun(Exception):
        pass

    import tempfile
    from contextlib import ExitStack

    from engage_cli.ledger import Ledger

    policy = _policy()
    outcomes: list[tuple[str, Any, str]] = []
    target = _ledger_file(ctx)
    with ExitStack() as stack:
        if dry_run and not target.exists():  # what a first import would do, in a scratch ledger
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "dry.db"
            ledger = stack.enter_context(Ledger.open(scratch, create=True))
        else:
            ledger = stack.enter_context(_ledger(ctx, create=not dry_run))
        try:
            with ledger.transaction():
                outcomes = ledger.import_cards(
                    cards, local_now(), policy.half_life, circle.value, extra
                )
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    counts = {k: sum(1 for o in outcomes if o[0] == k) for k in ("added", "updated", "unchanged")}
    counts["skipped"] = len(problems)
    if json_out:
        from engage_cli.jsonout import emit_json

        emit_json(
            {
                "file": str(source),
                "format": kind,
                "dry_run": dry_run,
                "counts": counts,
                "contacts": [
                    {"outcome": o, "name": c.name, "position": c.position, "detail": d}
                    for o, c, d in outcomes
                ],
                "skipped": [{"position": p.position, "reason": p.reason} for p in problems],
            }
        )
        return
    for outcome, card, detail in outcomes:
        if outcome != "unchanged":
            typer.echo(f"{outcome:<8} {card.name}" + (f"  ({detail})" if detail else ""))
    for problem in problems:
        typer.echo(f"skipped  card {problem.position}: {problem.reason}")
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    typer.echo(f"{'would import' if dry_run else 'imported'} {source.name} ({kind}): {summary}")


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
    import shlex
    from pathlib import Path

    from engage_cli.calendar import Person, read_meetings

    if log_them and not _is_terminal():
        raise UsageError("--log asks about each meeting, so it needs a terminal")
    now = local_now()
    until = min(_as_of(as_of), now)
    start = parse_since(since, now) if since else until - timedelta(days=30)
    if start >= until:
        raise InputError(
            f"--since ({fmt_local(start)}) must be before the end ({fmt_local(until)}); "
            "the inbox only lists meetings that have happened"
        )
    source = Path(ics).expanduser()
    text = _read_text(source)
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise InputError(f"{source} is not an iCalendar file (no BEGIN:VCALENDAR)")
    with _ledger(ctx) as ledger:
        people = [Person(c.name, c.emails) for c in ledger.contacts()]
        try:
            meetings = read_meetings(text, people, start, until)
        except (ValueError, KeyError) as exc:
            raise InputError(f"cannot read the calendar {source}: {exc}") from None
        logged = {(name, at.astimezone().date()) for name, at in ledger.entry_times(start, until)}
        todo = [m for m in meetings if (m.contact, m.start.date()) not in logged]

        def command(m: Any) -> str:
            when = m.start.strftime("%Y-%m-%d") if m.all_day else m.start.strftime("%Y-%m-%d %H:%M")
            opts = f"-d 1 --on {shlex.quote(when)} -m {shlex.quote(m.title)}"
            if m.contact.startswith("-"):  # a name that looks like an option goes after --
                return f"engage log {opts} -- {shlex.quote(m.contact)}"
            return f"engage log {shlex.quote(m.contact)} {opts}"

        if json_out:
            from engage_cli.dates import iso
            from engage_cli.jsonout import emit_json

            emit_json(
                [
                    {
                        "start": iso(m.start),
                        "all_day": m.all_day,
                        "title": m.title,
                        "contact": m.contact,
                        "matched_by": m.why,
                        "command": command(m),
                    }
                    for m in todo
                ]
            )
            return
        if not todo:
            typer.echo(
                f"nothing to log: {len(meetings)} meetings with contacts since "
                f"{fmt_local(start, False)}, each already has an entry that day"
            )
            return
        typer.echo(f"{len(todo)} meetings with contacts and no entry that day:")
        for m in todo:
            when = fmt_local(m.start, False) if m.all_day else fmt_local(m.start)
            typer.echo(f"  {when}  {m.contact}: {m.title}  (by {m.why})")
            typer.echo(f"    {command(m)}")
        if not log_them:
            return
        from engage_cli.inputs import parse_points
        from engage_cli.ledger import NewEntry

        policy = _policy()
        for m in todo:
            answer = typer.prompt(
                f"{m.contact}, {m.title}: deposit points (Enter for 1, s to skip, q to stop)",
                default="1",
                show_default=False,
            ).strip()
            if answer.lower() == "q":
                break
            if answer.lower() == "s":
                continue
            pts = parse_points(answer, "deposit points")
            with ledger.transaction():
                written = ledger.log(
                    [NewEntry(ledger.contact(m.contact), "deposit", pts, m.start, m.title, [])],
                    now,
                    policy.half_life,
                )
            _echo_written(written)


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

    from engage_cli.ledger import Ledger
    from engage_cli.models import validate_records

    source = Path(other).expanduser()
    policy = _policy()
    # The other file first: if it cannot be read, nothing here is created.
    if not source.exists():  # not "start one with engage add": it is someone else's file
        raise InputError(f"no file at {source}")
    with Ledger.open(source, create=False, read_only=True) as theirs:
        # Through the same validation as `import ledger`: a merge accepts
        # exactly what an import of the other ledger's export would.
        records = list(validate_records(enumerate(theirs.export_records(), 1), str(source)))
    with _ledger(ctx, create=True) as ledger:  # a new device may start by merging
        if ledger.path.exists() and source.samefile(ledger.path):
            raise InputError("that is this ledger; merge another one")
        with ledger.transaction():
            counts = ledger.merge_records(records, policy.half_life)
    _report_merge(counts, str(source))


# --- care of the ledger ------------------------------------------------------------


@app.command()
def doctor(
    ctx: typer.Context,
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild the derived state from the entries.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Check the ledger: integrity, schema, foreign keys, voids and derived state.

    Exits 1 when a problem remains. --repair rebuilds each contact's derived
    charge from its entries (entries themselves are never changed).

    Example: engage doctor --repair
    """
    policy = _policy()
    with _ledger(ctx) as ledger:
        problems = ledger.check(policy.half_life)
        repaired = False
        if repair and problems["derived state"]:
            with ledger.transaction():
                ledger.rebuild_state(policy.half_life)
            problems = ledger.check(policy.half_life)
            repaired = True
        path = ledger.path
    failing = [name for name, found in problems.items() if found]
    if json_out:
        from engage_cli.jsonout import emit_json

        emit_json(
            {"ledger": str(path), "ok": not failing, "repaired": repaired, "checks": problems}
        )
    else:
        typer.echo(f"ledger {path}")
        for name, found in problems.items():
            typer.echo(f"  {name:<14} {'ok' if not found else 'PROBLEM'}")
            for line in found[:5]:
                typer.echo(f"      {line}")
        if repaired:
            typer.echo("derived state rebuilt from the entries")
    if failing:
        hint = "" if repair else "; `engage doctor --repair` rebuilds derived state"
        raise LedgerError(f"the ledger has problems: {', '.join(failing)}{hint}")


@app.command()
def backup(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]", help="Where to write it (default: backups/ beside the ledger)."
        ),
    ] = None,
) -> None:
    """Copy the ledger to a new file, safely even while engage writes, and verify the copy.

    Example: engage backup ~/Dropbox/engage-2026-11-22.db
    """
    from pathlib import Path

    from engage_cli.ledger import Ledger

    with _ledger(ctx) as ledger:
        if path is None:
            folder = ledger.path.parent / "backups"
            if folder.exists() and not folder.is_dir():
                raise LedgerError(f"{folder} is a file; give the backup a PATH")
            folder.mkdir(mode=0o700, exist_ok=True)
            stamp = local_now().strftime("%Y%m%d-%H%M%S")
            target = folder / f"{ledger.path.stem}-{stamp}.db"
            n = 1
            while target.exists():  # two backups in one second
                n += 1
                target = folder / f"{ledger.path.stem}-{stamp}-{n}.db"
        else:
            if not path.strip():
                raise UsageError("the backup path is empty")
            target = Path(path).expanduser()
            if target.is_dir():
                raise InputError(f"{target} is a directory; give a file path for the backup")
        count = ledger.count_entries()  # the copy holds at least these (others may write)
        ledger.backup(target)
    with Ledger.open(target, create=False) as copy:
        problems = copy.check(_policy().half_life)
        copied = copy.count_entries()
    bad = [name for name, found in problems.items() if found]
    if bad or copied < count:
        raise LedgerError(f"the backup at {target} failed verification ({', '.join(bad)})")
    typer.echo(f"backed up {copied} entries to {target} (verified)")


@app.command()
def demo(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
) -> None:
    """Build an example ledger in a throwaway directory and show its weekly review.

    Never touches your own ledger. The demo data lives in examples/demo.toml.

    Example: engage demo
    """
    from engage_cli import render, reports
    from engage_cli.demo import build_demo

    when = _as_of(as_of)
    policy = _policy()
    ledger = build_demo(when, policy)
    with ledger:
        render.review(reports.review(ledger, policy, when))
    sys.stderr.write(
        f"\nDemo ledger: {ledger.path}\n"
        f"Explore it: engage --db {ledger.path} contacts   (or asks, explain NAME, trend)\n"
    )
