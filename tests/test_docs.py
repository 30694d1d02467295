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
