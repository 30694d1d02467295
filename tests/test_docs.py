"""Every command documents itself with an example, and README covers every command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.helpers import Run, ok

from engage_cli.commands import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(
    {
        (c.name or c.callback.__name__.replace("_", "-"))
        for c in app.registered_commands
        if c.callback
    }
)


def test_commands_are_known() -> None:
    assert {"add", "log", "balance", "who-neglected", "reconnect", "undo", "void"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(run: Run, command: str) -> None:
    out = ok(run(command, "--help")).stdout
    assert "Example: engage" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_covers_every_command(command: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"engage {re.escape(command)}\b", readme), command


def test_readme_has_exactly_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in setup.splitlines() if line.startswith("pip install")]
    assert commands == [
        "pip install -e . && engage demo",
        "pip install -e '.[test]' && pytest",
    ]


def test_the_example_walkthrough_runs(tmp_path: Path) -> None:
    """examples/weekly-review.sh is documented in README: it must keep working."""
    import os
    import subprocess
    import sys

    bin_dir = Path(sys.executable).parent  # where the engage console script is installed
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("ENGAGE_DB", None)
    result = subprocess.run(
        ["bash", str(ROOT / "examples" / "weekly-review.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "ask done" in result.stdout and "Reflect" in result.stdout
    assert "Traceback" not in result.stderr


def test_readme_search_example_is_real_output(run: Run) -> None:
    """README's search block, replayed on the ledger it describes (entry ids are random)."""
    import shlex

    ok(run("add", "José Lisboa", "--on", "2026-01-01", "-m", "met at the Porto meetup"))
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    ok(
        run(
            "log",
            "Ann Lee",
            "-d",
            "2",
            "-m",
            "coffee; she moves to Lisbon in May",
            "--on",
            "2026-11-01",
        )
    )
    ok(
        run(
            "log",
            "José Lisboa",
            "-d",
            "1",
            "-m",
            "his daughter studies in Lisbon",
            "--on",
            "2026-10-01",
        )
    )
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Find anything", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    ids = re.compile(r"^[0-9a-f]{8}(?=  )", re.M)
    for part in block.strip().split("\n\n"):
        command, _, expected = part.partition("\n")
        assert command.startswith("$ engage ")
        got = ok(run(*shlex.split(command.removeprefix("$ engage ")))).stdout
        assert ids.sub("ID", got.strip()) == ids.sub("ID", expected.strip())


def test_readme_contacts_example_is_real_output(run: Run) -> None:
    """README's block on contacts that change, replayed on the ledger it describes."""
    import shlex

    from tests.helpers import fails

    ok(run("add", "Lisa Chen", "--circle", "close", "--on", "2026-10-01"))
    ok(run("add", "Civic Lab", "--kind", "org", "--on", "2026-10-01"))
    ok(run("log", "Lisa Chan", "-d", "2", "-m", "coffee", "--on", "2026-11-02", "--new"))
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Contacts change", 1)[1].split("```console\n", 1)[1].split("```")[0]
    parts = block.strip().split("\n\n")
    assert len(parts) == 7
    for part in parts:
        command, _, expected = part.partition("\n")
        assert command.startswith("$ engage ")
        result = run(*shlex.split(command.removeprefix("$ engage ")))
        if expected.startswith("engage: error: "):
            assert fails(result) == expected.strip()
        else:
            assert ok(result).stdout.strip() == expected.strip()


def test_readme_follow_through_example_is_real_output(run: Run) -> None:
    """README's follow-through block, replayed on the ledger it describes: promise ids are
    random (each README id stands for the real one printed before it), and the charge a
    write prints is the charge now, which moves with the clock."""
    import shlex

    from tests.helpers import fails

    ok(run("add", "Ann Lee", "--circle", "close", "--on", "2026-10-01"))
    ok(run("add", "Bo Chen", "--on", "2026-10-01"))
    ok(run("edit", "Ann Lee", "--birthday", "1985-05-12"))
    ok(run("log", "Ann Lee", "-d", "2", "-m", "coffee", "--on", "2026-11-15"))
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Follow-through", 1)[1].split("```console\n", 1)[1].split("```")[0]
    parts = block.strip().split("\n\n")
    assert len(parts) == 7
    hexes = re.compile(r"\b[0-9a-f]{8}\b")
    charge = re.compile(r"charge [+-]\d+\.\d")
    real: dict[str, str] = {}
    for part in parts:
        command, _, expected = part.partition("\n")
        assert command.startswith("$ engage ")
        command = hexes.sub(lambda m: real.get(m[0], m[0]), command)
        result = run(*shlex.split(command.removeprefix("$ engage ")))
        failing = expected.startswith("engage: error: ")
        got = fails(result) if failing else ok(result).stdout.strip()
        for said, printed in zip(hexes.findall(expected), hexes.findall(got), strict=True):
            real.setdefault(said, printed)
        expected = hexes.sub(lambda m: real.get(m[0], m[0]), expected.strip())
        assert charge.sub("charge X", got) == charge.sub("charge X", expected)
