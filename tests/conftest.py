"""Shared fixtures: a real ledger file per test, driven through the real CLI.

Besides the ledger itself (`db_path`, `run`, `run_json`), the small ledgers
that tests in more than one file start from: `ledger`, `people`, `week`,
`attendees` and `filled`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from tests.helpers import CONTACTS, Run, ok
from typer.main import get_command
from typer.testing import CliRunner, Result

from engage_cli.commands import app

# Fixed local time zone so dates typed in tests mean the same everywhere.
os.environ["TZ"] = "UTC"
time.tzset()
# Never read the config of whoever runs the tests: an empty config home.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="engage-test-config-")
os.environ.pop("ENGAGE_CONFIG", None)
# `engage demo` builds in the cache directory: this test process's own.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="engage-test-cache-")
# Piped output fits COLUMNS when it is set, else 80: the tests say which they want.
os.environ.pop("COLUMNS", None)
# The engage processes tests start keep their bytecode, as an installed engage does
# (an environment that forbids it would make each of them compile every module).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


# What a test calls to run engage as another process: on a pseudo-terminal
# (`converse`), as a command (`engage`, `doctor`, a module's own `_engage`), or any
# program (`subprocess`).
OTHER_PROCESSES = {"converse", "engage", "doctor", "_engage", "subprocess"}


# The command line is built once for the whole run, as each engage process builds it
# once: Typer's CliRunner would build every command again for each invocation.
_BUILT: dict[int, Any] = {}


def _built_once(typer_app: Any) -> Any:
    if id(typer_app) not in _BUILT:
        _BUILT[id(typer_app)] = get_command(typer_app)
    return _BUILT[id(typer_app)]


typer.testing._get_command = _built_once  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs engage as another process is multi-process, so `slow`: left out
    of the default run, run by `pytest -m slow` (and CI)."""
    for item in items:
        function = getattr(item, "function", None)
        if function is not None and OTHER_PROCESSES & set(function.__code__.co_names):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ledger.db"


@pytest.fixture
def run(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke `engage ARGS...` against the test's own ledger file."""
    monkeypatch.setenv("ENGAGE_DB", str(db_path))
    monkeypatch.delenv("ENGAGE_DEBUG", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def run_json(run: Run) -> Callable[..., Any]:
    def invoke(*args: str) -> Any:
        result = run(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def ledger(run: Run, db_path: Path) -> Path:
    """One contact with one deposit: a ledger file to be left unchanged."""
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "2", "--on", "2026-02-01"))
    return db_path


@pytest.fixture
def people(run: Run) -> Run:
    """Three contacts and no entries: Ann Lee (close), Bob Stone, Cy Young (inner, an org)."""
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "design", "--on", "2026-01-01"))
    ok(run("add", "Bob Stone", "--tag", "investor", "--tag", "design", "--on", "2026-01-01"))
    ok(run("add", "Cy Young", "--circle", "inner", "--kind", "org", "--on", "2026-01-01"))
    return run


@pytest.fixture
def week(run: Run) -> Run:
    """A small ledger: a week of meetings before AS_OF, and older history."""
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "design", "--on", "2026-10-01"))
    ok(run("add", "Bob Stone", "--circle", "active", "--tag", "investor", "--on", "2026-10-01"))
    ok(run("add", "Cy Young", "--circle", "inner", "--on", "2026-10-01"))
    ok(run("add", "Dee Park", "--circle", "wide", "--kind", "org", "--on", "2026-10-01"))
    ok(run("log", "Ann Lee", "-d", "2", "--on", "2026-11-18 10:00", "-m", "coffee"))
    ok(run("log", "Bob Stone", "-w", "3", "--on", "2026-11-17 09:00", "-m", "asked for intro"))
    ok(run("log", "Ann Lee", "-w", "1", "--on", "2026-11-16 09:00"))
    # the previous week
    ok(run("log", "Cy Young", "-d", "1", "--on", "2026-11-10 12:00"))
    # long ago
    ok(run("log", "Bob Stone", "-d", "1", "--on", "2026-08-01 12:00"))
    return run


@pytest.fixture
def attendees(run: Run) -> Run:
    """The people in tests/fixtures/calendar.ics, as contacts (for the inbox)."""
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):
        ok(run("add", name, "--on", "2026-01-01"))
    card = CONTACTS / "varied.vcf"
    ok(run("import", "contacts", str(card)))  # gives Ann Lee her email, ann@example.org
    return run


@pytest.fixture
def filled(run: Run) -> Run:
    """Every kind of record: a via, an open ask, a received entry, a voided entry, quotes."""
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "design", "--on", "2026-01-01"))
    ok(run("log", "Ann Lee", "-d", "2", "-m", 'coffee, "quoted"; done', "--on", "2026-02-01"))
    ok(run("log", "Bob", "--new", "-w", "3", "--via", "Ann Lee", "--on", "2026-02-02"))
    ok(run("log", "Ann Lee", "-r", "1", "--on", "2026-02-03"))
    ok(run("log", "Ann Lee", "-d", "9", "--on", "2026-02-04"))
    ok(run("undo", "--yes"))
    return run
