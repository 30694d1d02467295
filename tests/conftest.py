"""Shared fixtures: a real ledger file per test, driven through the real CLI."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Run
from typer.testing import CliRunner, Result

from engage_cli.commands import app

# Fixed local time zone so dates typed in tests mean the same everywhere.
os.environ["TZ"] = "UTC"
time.tzset()
# Never read the config of whoever runs the tests: an empty config home.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="engage-test-config-")
os.environ.pop("ENGAGE_CONFIG", None)


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
