"""The Typer app, its one error exit, and what every command shares.

No `from __future__ import annotations` in commands/ on purpose: Typer reads
every command's annotations at start-up, and evaluating them from strings
costs about 10 ms a run; names only known to the type checker are quoted.
"""

import gc
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from typer._click import core as click  # the Click that Typer carries
from typer._click import types as click_types
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from engage_cli import __version__
from engage_cli.commands import COMMANDS, load
from engage_cli.errors import EngageError, ExitCode, InputError, UsageError
from engage_cli.paths import ledger_path
from engage_cli.terminal import visible

if TYPE_CHECKING:
    from pathlib import Path

    from engage_cli.policy import Policy
    from engage_cli.store.connection import Ledger


def fail(message: str, code: int) -> None:
    """The one way a command ends in error: one line on stderr, an exit code."""
    sys.stderr.write(f"engage: error: {visible(message, newlines=False)}\n")
    sys.stderr.flush()
    sys.exit(code)


class Stopped(Exception):
    """A walk through several writes stopped midway (^C at a prompt): `done` says
    what was written before, which stays."""

    def __init__(self, done: str) -> None:
        super().__init__(done)
        self.done = done


def _off_the_prompt() -> None:
    """After ^C at a prompt the cursor is still on its line: the message gets its own."""
    if sys.stderr.isatty():
        sys.stderr.write("\n")


class EngageGroup(TyperGroup):
    """Runs every command with one exit point: errors become one line on stderr.

    A command is built when it is asked for: its module imported, its parameters
    read (Typer's work at start-up, the larger the more commands). The launcher
    registers none, so `engage log` builds `log` alone and `engage --help` lists
    every command from `COMMANDS` without importing any command module."""

    _listing = False  # while the help lists the commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            if self._listing:  # a line of the list shows only the first sentence
                return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
            command = self.commands[cmd_name] = _built(cmd_name)
        return None if command is None else plain_help(command)

    def format_commands(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and not ctx.resilient_parsing and self.get_command(ctx, args[0]) is None:
            # An unknown name: "Did you mean 'log'?" draws on every command's name,
            # for this answer only (the names stand in for commands not built).
            listed: dict[str, click.Command] = {n: TyperCommand(n) for n in COMMANDS}
            built, self.commands = self.commands, {**listed, **self.commands}
            try:
                return super().resolve_command(ctx, args)
            finally:
                self.commands = built
        return super().resolve_command(ctx, args)

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
            _said_where_it_started()
        except typer.Abort:
            _off_the_prompt()
            fail("cancelled; nothing was changed", ExitCode.ERROR)
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
            fail(_range_words(exc.format_message().replace("\n", " ")) + hint, code)
        except EngageError as exc:
            from engage_cli.commands.messages import words

            fail(words(exc).replace("\n", " "), exc.exit_code)
        except KeyboardInterrupt:
            _off_the_prompt()
            fail("interrupted; nothing was changed", 130)
        except Stopped as exc:
            _off_the_prompt()
            fail(f"stopped; {exc.done} (`engage undo` takes back the last)", 130)
        except BrokenPipeError:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - reader went away
            sys.exit(ExitCode.ERROR)
        except Exception as exc:
            if debug:
                raise
            sqlite3 = sys.modules.get("sqlite3")  # imported only by commands that open a ledger
            if sqlite3 is not None and isinstance(exc, sqlite3.Error):
                from engage_cli.commands.messages import sqlite_words

                fail(sqlite_words(str(exc)), ExitCode.ERROR)
            fail(
                f"unexpected {type(exc).__name__}: {exc} (run with ENGAGE_DEBUG=1 for details)",
                ExitCode.ERROR,
            )
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


def _range_words(text: str) -> str:
    """Click's "x>=0" and "1<=x<=520" as people say them: "0 or more", "1 to 520"."""
    import re

    number = r"(-?\d+(?:\.\d+)?)"
    text = re.sub(number + "<=x<=" + number, r"\1 to \2", text)
    text = re.sub(number + "<x<" + number, r"between \1 and \2", text)
    return re.sub("x>=" + number, r"\1 or more", text)


def _built(name: str) -> click.Command:
    """The command (or group) `name`, from the module that holds it, imported now."""
    from typer import main as typer_main

    load(COMMANDS[name][0])
    short, markup = app.pretty_exceptions_short, app.rich_markup_mode
    for info in app.registered_commands:
        callback = getattr(info.callback, "__name__", "")
        if (info.name or typer_main.get_command_name(callback)) == name:
            return typer_main.get_command_from_info(
                info, pretty_exceptions_short=short, rich_markup_mode=markup
            )
    for group_info in app.registered_groups:
        if group_info.typer_instance is not None and group_info.typer_instance.info.name == name:
            return typer_main.get_group_from_info(
                group_info,
                pretty_exceptions_short=short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=markup,
            )
    raise LookupError(f"{name} is not in commands/{COMMANDS[name][0]}.py")


class PlainArgument(TyperArgument):
    """An argument shown as NAME in usage lines, not Typer's {name}."""

    def make_metavar(self, ctx: click.Context, *, usage: bool = False) -> str:
        var = (self.metavar or self.name or "").upper()
        var += "..." if self.nargs != 1 else ""
        return var if self.required or not usage else f"[{var}]"


class PlainOption(TyperOption):
    """An option whose help says TEXT or N, not <str> or <int range>, and a range in
    words."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return None if record is None else (record[0], _range_words(record[1]))


_UNDO = {"untag": "tag", "unemail": "email", "unalias": "alias"}


def plain_help(command: click.Command) -> click.Command:
    """Plain metavars for every parameter of `command` (and of its subcommands)."""
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = PlainArgument
        elif isinstance(param, TyperOption) and not param.is_flag:
            param.__class__ = PlainOption
            number = isinstance(param.type, click_types.IntParamType | click_types.FloatParamType)
            text = isinstance(param.type, click_types.StringParamType)
            if param.metavar is None and (number or text):
                long = max(param.opts, key=len).lstrip("-")
                param.metavar = "N" if number else _UNDO.get(long, long).upper()
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command


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


def group(name: str, help: str) -> typer.Typer:
    """A command group (`engage config ...`, `engage import ...`) added to the app."""
    sub = typer.Typer(name=name, help=help, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(sub)
    return sub


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
    if not gc.isenabled():  # paused during start-up by engage_cli.launch
        gc.freeze()  # what start-up made lives till the end: collections skip it
        gc.enable()
    from engage_cli import dates  # not before: `engage --help` reads no date

    dates.date_order = _date_order  # a slash date reads the config's date_order
    if db is not None and not db.strip():
        raise UsageError("--db needs a path; it was given an empty one")
    ctx.obj = Options(db=db)
    global _LEDGER_BEFORE
    path = ledger_path(db).expanduser()
    _LEDGER_BEFORE = (path, path.exists())
    _AFTERWARDS.clear()


# The ledger this command uses, and whether it existed before the command ran.
_LEDGER_BEFORE: "tuple[Path, bool] | None" = None


_AFTERWARDS: list[str] = []  # what a command that succeeds says last (stderr)


def _said_where_it_started() -> None:
    """Once, when a command started a new ledger: say where it is (stderr); and what
    else it has to say once it succeeded (a failure's one line stays alone)."""
    if _LEDGER_BEFORE is not None and not _LEDGER_BEFORE[1] and _LEDGER_BEFORE[0].exists():
        say(f"engage: started a new ledger at {_LEDGER_BEFORE[0].resolve()}", err=True)
    for said in _AFTERWARDS:
        say(said, err=True)
    _AFTERWARDS.clear()


# --- what commands share ------------------------------------------------------------


def policy() -> "Policy":
    """The scoring policy in force (the config file's, else the defaults)."""
    from engage_cli.config import load_policy

    return load_policy().policy


def _date_order() -> str:
    return policy().date_order


def ledger_file(ctx: typer.Context) -> "Path":
    """Where this command's ledger is: --db, else $ENGAGE_DB, else the default."""
    opts: Options = ctx.obj or Options()
    return ledger_path(opts.db)


@contextmanager
def open_ledger(ctx: typer.Context, create: bool = False) -> Iterator["Ledger"]:
    """Open the ledger; only commands that add contacts may create a missing one."""
    from engage_cli.store.connection import Ledger

    ledger = Ledger.open(ledger_file(ctx), create=create)
    if ledger.upgraded_from is not None:  # said once: the next opening finds it upgraded
        from engage_cli.domain import SCHEMA_VERSION

        _AFTERWARDS.append(
            f"engage: upgraded {ledger.path} from schema {ledger.upgraded_from} to "
            f"{SCHEMA_VERSION}; the ledger as it was: {ledger.backed_up}"
        )
    try:
        yield ledger
    finally:
        ledger.close()


def show(json_out: bool, report: Any, view: str | Callable[[Any], None]) -> None:
    """Print a report: its `to_json()` with --json, else its view: a function, or the
    name `module.function` of one in render/ (imported only then, so that --json
    never loads rich)."""
    if json_out:
        from engage_cli.jsonout import emit_json

        emit_json(report.to_json())
        return
    if callable(view):
        view(report)
        return
    import importlib

    module, _, function = view.rpartition(".")
    getattr(importlib.import_module(f"engage_cli.render.{module}"), function)(report)


def complete_name(ctx: typer.Context, incomplete: str) -> list[str]:
    """Contact names for shell completion: those starting with what was typed (any case)."""
    return _complete(ctx, incomplete, archived=False)


def complete_archived(ctx: typer.Context, incomplete: str) -> list[str]:
    """Names of archived contacts for shell completion (what `unarchive` takes)."""
    return _complete(ctx, incomplete, archived=True)


def _complete(ctx: typer.Context, incomplete: str, archived: bool) -> list[str]:
    from engage_cli.domain import name_key
    from engage_cli.store.connection import Ledger
    from engage_cli.store.contacts import list_contacts

    root = ctx.find_root()
    try:
        with Ledger.open(ledger_path(root.params.get("db")), create=False) as ledger:
            names = [c.name for c in list_contacts(ledger, archived=archived)]
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
        # bash inserts the words as they are: escape what the shell would split on
        # or expand (a name like "Star*" must not become a glob).
        found = [re.sub(r"([\s'\"\\$`&;|<>()*?\[\]{}~!#])", r"\\\1", f) for f in found]
    return found


def say(text: str, err: bool = False) -> None:
    """Print a line that may hold people's text: control characters show as stand-ins."""
    typer.echo(visible(text), err=err)


def ask(question: str, parse: Callable[[str], Any], default: str | None = None) -> Any:
    """Ask on the terminal until the answer parses: a typo is said and asked again
    (three times at most; then its error ends the command, as on the command line)."""

    def answer() -> str:
        return str(
            typer.prompt(visible(question), default=default, show_default=default is not None)
        )

    for _ in range(2):
        try:
            return parse(answer().strip())
        except EngageError as exc:
            from engage_cli.commands.messages import words

            say(f"  {words(exc)}; try again", err=True)
    return parse(answer().strip())


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def as_of_moment(text: str | None) -> datetime:
    from engage_cli.dates import local_now, parse_as_of

    return parse_as_of(text, local_now())


def clean(check: Callable[[Any], Any], value: Any) -> Any:
    """A value through one of inputs.py's checks, its ValueError as one clear line."""
    try:
        return check(value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable; see README).")]
SectorOpt = Annotated[
    str | None,
    typer.Option(
        "--sector",
        metavar="SECTOR",
        help="Only this sector: business, nonprofit, government, academia, community.",
    ),
]


def sector_of(text: str | None) -> str | None:
    """A --sector as typed, checked (an unknown one lists the sectors)."""
    from engage_cli.inputs import parse_sector

    return None if text is None else str(clean(parse_sector, text))


AskId = Annotated[str, typer.Argument(metavar="ID", help="The ask's id.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="WHEN", help="Compute as of this moment (default: now)."),
]
NameArg = Annotated[str, typer.Argument(help="The contact.", autocompletion=complete_name)]
OptNameArg = Annotated[
    str | None, typer.Argument(help="Only this contact.", autocompletion=complete_name)
]
