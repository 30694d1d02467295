"""A fuzz of whole command lines, for every command: exit code always 0, 1 or 2, never
a traceback, one line on stderr when it fails, and `engage doctor` clean afterwards.

The tables of hostile input each command refuses are with the room they exercise:
commands/test_app.py (bad input), store/test_writes.py (odd names stored exactly),
store/test_files.py (--db at things that are not ledgers).
"""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import FIXTURES
from typer.testing import CliRunner

from engage_cli.commands import app

COMMANDS = [
    "add", "log", "balance", "who-neglected", "reconnect", "contacts", "show",
    "history", "undo", "void", "doctor", "backup",
    "promise", "kept", "dropped", "promises", "remember", "agenda",
]  # fmt: skip


TOKENS = st.sampled_from(
    [
        "Ann", "Bob", "ann", "Zoë", "", " ", "-d", "-w", "-m", "-t", "--on", "--as-of",
        "--period", "--since", "--limit", "-n", "--json", "--all", "--new", "--yes",
        "--circle", "--kind", "--tag", "--repair", "inner", "wide", "org", "1", "2.5", "0",
        "-1", "nan", "1e309", "yesterday", "2026-02-30", "3 days ago", "last friday",
        "tomorrow", "week", "13d", "abcdef12", "'; --", "%", "\\", "[red]x[/]", "\x00",
        "--by", "--then", "--follow-up", "--days", "--overdue", "next friday", "in 3 days",
        "2030-05-10", "Ann Lee", "-1000",
    ]
)  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS),
    args=st.lists(st.one_of(TOKENS, st.text(max_size=12)), max_size=6),
)
def test_fuzzed_command_lines_never_crash(
    tmp_path_factory: pytest.TempPathFactory, command: str, args: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "ledger.db"
    shutil.copyfile(FIXTURES / "ledger-v1.db", db)
    if command == "backup" and args:
        args = [str(folder / "b.db"), *args[1:]]
    runner = CliRunner()
    env = {"ENGAGE_DB": str(db), "TZ": "UTC"}
    result = runner.invoke(app, [command, *args], env=env, input="")
    assert result.exit_code in (0, 1, 2), (command, args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, (command, args, result.stderr)
    after = runner.invoke(app, ["doctor", "--json"], env=env)
    assert after.exit_code == 0, after.output
