"""Tending contacts: edit, rename, fold a duplicate, archive and unarchive."""

from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.root import (
    app,
    clean,
    complete_archived,
    complete_name,
    open_ledger,
    policy,
    say,
    show,
)
from engage_cli.dates import local_now
from engage_cli.domain import Circle, ContactKind
from engage_cli.errors import UsageError

if TYPE_CHECKING:
    from engage_cli.reports.changes import Edited, Folded
    from engage_cli.store.edits import Asked

_Name = Annotated[
    str, typer.Argument(help="The contact (any case, or an alias).", autocompletion=complete_name)
]
_Json = Annotated[bool, typer.Option("--json", help="Print what changed as JSON.")]
_Mode = Annotated[
    str | None,
    typer.Option("--mode", metavar="MODE", help="engagement, personal or transactional."),
]
_Org = Annotated[
    str | None,
    typer.Option(
        "--org",
        metavar="ORG",
        help="The organisation (a contact); '' for none.",
        autocompletion=complete_name,
    ),
]


def _edit(ctx: typer.Context, name: str, asked: "Asked", json_out: bool, verb: str) -> None:
    from engage_cli.reports.changes import Edited
    from engage_cli.store.edits import edit_named

    if all(v is None or (isinstance(v, (list, tuple)) and not v) for v in asked):  # none asked
        raise UsageError("say what to change, such as --name, --circle or --tag (see --help)")
    with open_ledger(ctx) as ledger:
        contact, changes = edit_named(ledger, name, asked, local_now(), policy().half_life)
    show(json_out, Edited(contact.name, changes), lambda r: _said(r, verb))


def _said(report: "Edited", verb: str) -> None:
    from engage_cli.render.text import change_lines

    if not report.changes:
        say(f"{report.name}: nothing to change (it is so already)")
        return
    if verb == "archived":
        say(f"archived {report.name}: out of the lists, history kept (unarchive brings them back)")
        return
    if verb == "unarchived":
        say(f"unarchived {report.name}: back in the lists")
        return
    say(f"{verb} {report.name}:")
    for line in change_lines(report.changes):
        say(line)


@app.command()
def edit(
    ctx: typer.Context,
    name: _Name,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    kind: Annotated[ContactKind | None, typer.Option("--kind", "-k", help="What it is.")] = None,
    circle: Annotated[
        Circle | None, typer.Option("--circle", "-c", help="How close: cadence and decay.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Add a tag.")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag.")] = None,
    note: Annotated[str | None, typer.Option("--note", "-m", help="Replace the note.")] = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="Add an email.")] = None,
    unemail: Annotated[list[str] | None, typer.Option("--unemail", help="Remove an email.")] = None,
    org: _Org = None,
    sector: Annotated[
        str | None,
        typer.Option(
            "--sector",
            metavar="SECTOR",
            help="business, nonprofit, government, academia or community; '' for none.",
        ),
    ] = None,
    birthday: Annotated[
        str | None,
        typer.Option("--birthday", metavar="DAY", help="1985-04-12, 04-12 or '12 April'."),
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name that finds them.")
    ] = None,
    unalias: Annotated[list[str] | None, typer.Option("--unalias", help="Drop an alias.")] = None,
    mode: _Mode = None,
    json_out: _Json = False,
) -> None:
    """Change a contact's name, kind, circle, tags, note, emails, organisation, sector,
    birthday or aliases: each change is kept with its moment (`show`); `undo` takes it back.

    Example: engage edit "Ann Lee" --circle close --tag design --org "Civic Lab"
    """
    from engage_cli.store.edits import Asked

    asked = Asked(
        name=new_name,
        kind=kind.value if kind else None,
        circle=circle.value if circle else None,
        tag=tag or [],
        untag=untag or [],
        note=note,
        email=email or [],
        unemail=unemail or [],
        org=org,
        sector=_sector(sector),
        birthday=birthday,
        alias=alias or [],
        unalias=unalias or [],
        mode=mode.strip().lower() if mode is not None else None,
    )
    _edit(ctx, name, asked, json_out, "edited")


def _sector(text: str | None) -> str | None:
    """A sector as typed: one of Sector, or '' (or 'none') for none."""
    if text is None:
        return None
    from engage_cli.inputs import parse_sector

    return str(clean(lambda t: parse_sector(t, none_ok=True), text))


@app.command()
def rename(
    ctx: typer.Context,
    old: _Name,
    new: Annotated[str, typer.Argument(help="The new name (not taken by another contact).")],
    json_out: _Json = False,
) -> None:
    """Rename a contact (the same as `engage edit OLD --name NEW`).

    Example: engage rename "Lisa Chan" "Lisa Chen"
    """
    from engage_cli.store.edits import Asked

    _edit(ctx, old, Asked(name=new), json_out, "renamed")


@app.command()
def archive(ctx: typer.Context, name: _Name, json_out: _Json = False) -> None:
    """Archive a contact who left your life: out of neglect lists, reviews and
    completions, with their history kept (and counted in reports of the past).

    Example: engage archive "Old Colleague"
    """
    from engage_cli.store.edits import Asked

    _edit(ctx, name, Asked(archived=True), json_out, "archived")


@app.command()
def unarchive(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="An archived contact.", autocompletion=complete_archived)
    ],
    json_out: _Json = False,
) -> None:
    """Bring an archived contact back into the lists (`engage contacts --archived`).

    Example: engage unarchive "Old Colleague"
    """
    from engage_cli.store.edits import Asked

    _edit(ctx, name, Asked(archived=False), json_out, "unarchived")


@app.command()
def fold(
    ctx: typer.Context,
    duplicate: _Name,
    into: Annotated[str, typer.Argument(help="The contact to keep.", autocompletion=complete_name)],
    json_out: _Json = False,
) -> None:
    """Fold a duplicate into the right contact: its entries, asks and brokered links
    move there, and its names and emails find that contact from now on. `engage
    undo` unfolds it.

    Example: engage fold "Lisa Chan" "Lisa Chen"
    """
    from engage_cli.reports.changes import Folded
    from engage_cli.store.folds import fold_named

    with open_ledger(ctx) as ledger:
        dup, target, moved = fold_named(ledger, duplicate, into, local_now(), policy().half_life)
    report = Folded(dup.name, target.name, moved)
    show(json_out, report, _folded)


def _folded(report: "Folded") -> None:
    from engage_cli.render.text import plural

    say(
        f"folded {report.duplicate} into {report.into}: "
        f"{plural(report.moved, 'entry', 'entries')} moved; "
        f"{report.duplicate!r} now finds {report.into}"
    )
