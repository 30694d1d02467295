"""What tests share beyond fixtures: how a CLI result must look when it succeeds or fails,
where the fixture files are, and how to run engage in a process of its own."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from typer.testing import Result

Run = Callable[..., Result]

ROOT = Path(__file__).resolve().parents[1]  # the repository
FIXTURES = ROOT / "tests" / "fixtures"
CONTACTS = FIXTURES / "contacts"  # address books to import
ICS = str(FIXTURES / "calendar.ics")  # the calendar the inbox tests read
WINDOW = ("--since", "2026-10-01", "--as-of", "2026-11-20")  # ...in this window

AS_OF = "2026-11-20"  # the "today" of most report tests (a Friday)


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


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decayed(points: float, age_days: float, half_life: float) -> float:
    return points * 2 ** (-age_days / half_life)


def by_name(run_json: Any) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in run_json("contacts")}


def engage(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `python -m engage_cli ARGS...` in a process of its own, on the ledger `db`."""
    env = {**os.environ, "ENGAGE_DB": str(db), "TZ": "UTC"}
    result = subprocess.run(
        [sys.executable, "-m", "engage_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, result.stderr
    return result


def doctor(db: Path) -> dict[str, Any]:
    result = engage(db, "doctor", "--json", check=False)
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.returncode == (0 if report["ok"] else 1)
    return report


INTERRUPT = "^C"


def converse(
    db: Path, args: list[str], answers: list[tuple[str, str]], columns: int = 120
) -> tuple[int, str]:
    """Run engage on a pty; for each (prompt fragment, answer) wait for it, then type
    (INTERRUPT as the answer: press ^C)."""
    import pty
    import select
    import signal
    import time

    leader, follower = pty.openpty()
    env = dict(os.environ, TZ="UTC", COLUMNS=str(columns))
    proc = subprocess.Popen(
        [sys.executable, "-m", "engage_cli", "--db", str(db), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    seen = ""
    pos = 0  # answers are matched against output after the previous answer
    deadline = time.monotonic() + 30
    pending = list(answers)
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096).decode(errors="replace")
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and pending[0][0] in seen[pos:]:
                answer = pending.pop(0)[1]
                if answer == INTERRUPT:  # ^C, as the terminal sends it: SIGINT
                    proc.send_signal(signal.SIGINT)
                else:
                    os.write(leader, (answer + "\n").encode())
                pos = len(seen)
            if proc.poll() is not None and not ready:
                break
    finally:
        os.close(leader)
        proc.wait(timeout=30)
    return proc.returncode, seen


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` unwritable, even for root (whom file modes do not stop)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            path.chmod(mode)


def complete(db: Path, words: str) -> list[str]:
    """What bash completion offers for the command line `words`, on the ledger `db`."""
    env = {
        **os.environ,
        "ENGAGE_DB": str(db),
        "_ENGAGE_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    script = Path(sys.executable).with_name("engage")  # the installed console script
    out = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=False)
    return [line for line in out.stdout.splitlines() if line]
