"""What tests share beyond fixtures: how a CLI result must look when it succeeds or fails."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import Result

Run = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output
    return result


def fails(result: Result, code: int = 1) -> str:
    """Assert a clean failure: the exit code, one line on stderr, no traceback."""
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("engage: error: ")
    return lines[0]
