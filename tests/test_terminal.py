"""Interactive use on a real pseudo-terminal: prompts for `engage log` and offers to add."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def _engage(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engage_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _converse(db: Path, args: list[str], answers: list[tuple[str, str]]) -> tuple[int, str]:
    """Run engage on a pty; for each (prompt fragment, answer) wait for it, then type."""
    leader, follower = pty.openpty()
    env = dict(os.environ, TZ="UTC", COLUMNS="120")
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
                os.write(leader, (pending.pop(0)[1] + "\n").encode())
                pos = len(seen)
            if proc.poll() is not None and not ready:
                break
    finally:
        os.close(leader)
        proc.wait(timeout=30)
    return proc.returncode, seen


def test_log_with_no_arguments_prompts_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = _converse(
        db,
        ["log"],
        [("Contact", "ann lee"), ("Kind", "w"), ("Points", "2"), ("Note", "asked for a review")],
    )
    assert code == 0, seen
    assert "logged withdrawal" in seen
    entries = json.loads(_engage(db, "history", "--json").stdout)
    assert [(e["contact"], e["kind"], e["points"], e["note"]) for e in entries] == [
        ("Ann Lee", "withdrawal", 2.0, "asked for a review")
    ]


def test_unknown_name_on_a_terminal_offers_to_add(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = _converse(db, ["log", "Zoe", "-d", "1"], [("Add them?", "y")])
    assert code == 0, seen
    names = [c["name"] for c in json.loads(_engage(db, "contacts", "--json").stdout)]
    assert names == ["Ann Lee", "Zoe"]
    code, seen = _converse(db, ["log", "Yan", "-d", "1"], [("Add them?", "n")])
    assert code == 1
    assert "no contact named 'Yan'" in seen
    assert len(json.loads(_engage(db, "history", "--json").stdout)) == 1


def test_inbox_log_walks_through_meetings(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):
        assert _engage(db, "add", name, "--on", "2026-01-01").returncode == 0
    ics = str(Path(__file__).parent / "fixtures" / "calendar.ics")
    window = ["--since", "2026-10-13", "--as-of", "2026-10-22"]  # the offsite and the late call
    code, out = _converse(
        db,
        ["inbox", "--ics", ics, *window, "--log"],
        [("Bob Stone, Offsite", "2"), ("Cy Young, Late call", "s")],
    )
    assert code == 0, out
    assert "logged deposit    +2  Bob Stone  2026-10-14 12:00" in out
    history = json.loads(_engage(db, "history", "--json").stdout)
    assert [(e["contact"], e["points"], e["note"]) for e in history] == [
        ("Bob Stone", 2.0, "Offsite with Bob Stone and the board")
    ]
