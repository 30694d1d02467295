"""Start-up stays lean: each command imports only what it needs (see docs/benchmarks.md),
and the launcher builds only the command it is asked for.

Timing belongs in the benchmark suite; what a test can pin down for good is
which heavy modules a command path loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts engage as processes of its own, to see what they import and
# print: multi-process, so out of the default run (`pytest -m slow`, and CI, run it).
pytestmark = pytest.mark.slow

PROBE = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["engage"] + sys.argv[2:]
from engage_cli.launch import main
main()
"""

HEAVY = {"pydantic", "sqlite_utils", "rich", "dateutil", "tomllib"}


def modules_loaded(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "ENGAGE_DB": str(tmp_path / "ledger.db"), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return {name.split(".")[0] for name in json.loads(out.read_text())}


@pytest.fixture
def ledger_dir(tmp_path: Path) -> Path:
    env = {**os.environ, "ENGAGE_DB": str(tmp_path / "ledger.db")}
    subprocess.run(
        [sys.executable, "-m", "engage_cli", "add", "Ann Lee", "--on", "2026-01-01"],
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return tmp_path


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["log", "Ann Lee", "-d", "1", "-m", "coffee"], set()),
        (["log", "ann lee", "-w", "2"], set()),
        (["--help"], set()),
        (["log", "--help"], set()),
        (["undo", "--yes"], set()),
        (["balance", "--json"], set()),
        (["who-neglected", "--json"], set()),
        (["balance"], {"rich"}),
        (["config", "show", "--json"], set()),  # no config file: nothing to parse
        (["log", "Ann Lee", "-d", "1", "--on", "2026-02-01 15:00"], {"dateutil"}),
    ],
)
def test_command_paths_import_only_what_they_need(
    ledger_dir: Path, args: list[str], allowed: set[str]
) -> None:
    loaded = modules_loaded(ledger_dir, *args)
    assert loaded & HEAVY <= allowed, sorted(loaded & HEAVY - allowed)
    assert "engage_cli" in loaded
    assert allowed <= loaded, "the command did not run as far as the test expects"


def engage_modules(tmp_path: Path, *args: str) -> set[str]:
    """The engage modules a command line imports."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "ENGAGE_DB": str(tmp_path / "ledger.db")}
    subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    return {name for name in json.loads(out.read_text()) if name.startswith("engage_cli.")}


@pytest.mark.parametrize(
    ("args", "moments"),
    [
        (["--help"], set()),
        (["-h", "show"], set()),
        ([], set()),
        (["--version"], set()),
        (["log", "Ann Lee", "-d", "1"], {"recording"}),
        (["log", "--help"], {"recording"}),
        (["--", "log", "Ann Lee", "-d", "1"], {"recording"}),
        (["config", "show", "--json"], {"care"}),
        (["balance", "--json"], {"reviewing"}),
    ],
)
def test_only_the_module_of_the_command_that_runs_is_imported(
    ledger_dir: Path, args: list[str], moments: set[str]
) -> None:
    from engage_cli.commands import MOMENTS

    loaded = engage_modules(ledger_dir, *args)
    assert {m for m in MOMENTS if f"engage_cli.commands.{m}" in loaded} == moments


def test_the_listing_says_what_each_command_says_of_itself() -> None:
    """`engage --help` lists the commands from COMMANDS (not importing them): each
    one's first sentence there is the one of its own help (its module:
    tests/test_architecture.py)."""
    import inspect

    from typer.main import get_command

    from engage_cli.commands import COMMANDS, app, moment_of

    built = get_command(app).commands  # type: ignore[attr-defined]
    assert list(built) == list(COMMANDS), "COMMANDS lists every command in the help's order"
    for name, command in built.items():
        paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0].split()
        ends = [i for i, word in enumerate(paragraph) if word.endswith(".")]
        sentence = " ".join(paragraph[: ends[0] + 1] if ends else paragraph)
        assert COMMANDS[name][1] == sentence, (
            f"COMMANDS[{name!r}]: ({moment_of(name)!r}, {sentence!r})"
        )


LISTED = """
import sys
from engage_cli.commands import load
load()  # every command module imported and every command built, as before COMMANDS
from engage_cli.commands.root import app
sys.argv = ["engage", "--help"]
app()
"""


@pytest.mark.parametrize("columns", ["30", "50", "61", "80", "200"])
def test_the_listing_is_the_one_of_the_whole_app(tmp_path: Path, columns: str) -> None:
    env = {**os.environ, "ENGAGE_DB": str(tmp_path / "ledger.db"), "COLUMNS": columns}

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, check=True
        ).stdout

    launched = "import sys; sys.argv[0] = 'engage'; from engage_cli.launch import main; main()"
    assert run("-c", launched, "--help") == run("-c", LISTED)


def test_only_the_named_command_is_built_yet_help_and_typos_see_all(ledger_dir: Path) -> None:
    def engage(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ENGAGE_DB": str(ledger_dir / "ledger.db")}
        return subprocess.run(
            [sys.executable, "-c", "from engage_cli.launch import main; main()", *args],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    assert "Did you mean 'log'" in engage("lgo").stderr
    for first in (["--help"], ["--help", "log"], ["-h", "show"]):
        listing = engage(*first).stdout
        assert "who-neglected" in listing and "inbox" in listing
    assert engage("log", "Ann Lee", "-d", "1").returncode == 0
    assert "Usage:" in engage("config", "show", "--help").stdout


@pytest.mark.parametrize(
    ("args", "hoisted"),
    [
        (["contacts", "--db", "x.db"], ["--db", "x.db", "contacts"]),
        (["log", "Ann", "--db=x.db", "-d", "1"], ["--db=x.db", "log", "Ann", "-d", "1"]),
        (["--db", "a.db", "show", "Ann"], ["--db", "a.db", "show", "Ann"]),
        (["log", "-d", "1", "--", "--db"], ["log", "-d", "1", "--", "--db"]),
    ],
)
def test_db_after_the_command_is_moved_before_it(args: list[str], hoisted: list[str]) -> None:
    from engage_cli.launch import hoist_root_options

    assert hoist_root_options(args) == hoisted


def test_db_after_the_command_works(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    env = {k: v for k, v in os.environ.items() if k != "ENGAGE_DB"}
    for args in (["add", "Ann", "--db", str(db)], ["contacts", "--db", str(db), "--json"]):
        result = subprocess.run(
            [sys.executable, "-m", "engage_cli", *args],
            env={**env, "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["name"] == "Ann" and db.exists()
