"""Care of the ledger: doctor, backup, config, demo."""

from typing import TYPE_CHECKING, Annotated

import typer

from engage_cli.commands.root import (
    AsOfOpt,
    JsonOpt,
    app,
    as_of_moment,
    group,
    ledger_file,
    open_ledger,
    say,
    show,
)
from engage_cli.commands.root import policy as policy_in_force
from engage_cli.dates import local_now
from engage_cli.errors import InputError, LedgerError, UsageError

if TYPE_CHECKING:
    from engage_cli.reports import Health


@app.command()
def doctor(
    ctx: typer.Context,
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild derived state; clean text an import refuses.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Check the ledger: integrity, schema, foreign keys, voids and derived state.

    Exits 1 when a problem remains. --repair rebuilds each contact's derived
    charge from its entries (entries themselves are never changed).

    Example: engage doctor --repair
    """
    from engage_cli.render.progress import progress_bar
    from engage_cli.reports import Health
    from engage_cli.store.health import diagnose

    rules = policy_in_force()
    with open_ledger(ctx) as ledger, progress_bar("checking") as progress:
        checks, repaired = diagnose(ledger, rules.half_life, repair, progress)
        report = Health(ledger.path, checks, repaired)
    show(json_out, report, _health)
    if report.failing:
        hint = "" if repair else "; `engage doctor --repair` rebuilds derived state"
        raise LedgerError(f"the ledger has problems: {', '.join(report.failing)}{hint}")


def _health(r: "Health") -> None:
    say(f"ledger {r.ledger}")
    for name, found in r.checks.items():
        say(f"  {name:<14} {'ok' if not found else 'PROBLEM'}")
        for line in found[:5]:
            say(f"      {line}")
    if r.repaired:
        say("derived state rebuilt from the entries")


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

    from engage_cli.store.files import new_backup_path
    from engage_cli.store.health import verified_backup

    if path is not None and not path.strip():
        raise UsageError("the backup path is empty")
    with open_ledger(ctx) as ledger:
        if path is None:
            target = new_backup_path(ledger.path, local_now().strftime("%Y%m%d-%H%M%S"))
        else:
            target = Path(path).expanduser()
            if target.is_dir():
                raise InputError(f"{target} is a directory; give a file path for the backup")
        copied = verified_backup(ledger, target, policy_in_force().half_life)
    from engage_cli.render.text import plural

    say(f"backed up {plural(copied, 'entry', 'entries')} (verified) to")
    say(f"  {target}")  # a path whole, on its own line


config_app = group(
    "config", "The scoring policy in force and where it comes from.\n\nExample: engage config show"
)


@config_app.command("show")
def config_show(json_out: JsonOpt = False) -> None:
    """Print every policy value and where it came from (the config file or the default).

    Example: engage config show --json
    """
    from engage_cli.config import load_policy

    show(json_out, load_policy(), "contact.policy")


@config_app.command("path")
def config_path_cmd(
    ctx: typer.Context,
    ledger: Annotated[
        bool, typer.Option("--ledger", help="The ledger's path instead (--db, $ENGAGE_DB).")
    ] = False,
) -> None:
    """Print where engage looks for its config file ($ENGAGE_CONFIG overrides it), or
    with --ledger where the ledger is.

    Example: engage config path --ledger
    """
    from engage_cli.config import config_path

    say(str(ledger_file(ctx).expanduser().resolve() if ledger else config_path()))


@app.command()
def demo(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
) -> None:
    """Build an example ledger and show its weekly review.

    Never touches your own ledger: the demo's lives in ~/.cache/engage/demo/ and
    each run replaces it. The demo data is in examples/demo.toml.

    Example: engage demo
    """
    from engage_cli import reports
    from engage_cli.demo import build_demo, demo_goal_and_path
    from engage_cli.render.weekly import review

    when = as_of_moment(as_of)
    rules = policy_in_force()
    with build_demo(when, rules) as ledger:
        review(reports.review(ledger, rules, when))
        demo_goal_and_path(ledger, rules, when)
    say(
        f"\nDemo ledger: {ledger.path}\n"
        f"Explore it (or asks, explain NAME, trend):\n  engage --db {ledger.path} contacts",
        err=True,
    )
