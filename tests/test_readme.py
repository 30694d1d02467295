"""README is executable: every `$ engage ...` line in it runs, in order, and prints
what README says it prints.

README's blocks run against ledgers of their own, named by HTML comments a
reader does not see: `<!-- ledger: NAME -->` starts (or goes back to) the
ledger NAME, `<!-- run: engage ... -->` runs a command silently first (how the
ledger got there), `<!-- file: ~/PATH = tests/fixtures/FILE -->` puts a file
where a command reads it and `<!-- folder: ~/PATH -->` makes a folder. README's
now is 2026-11-20 18:00 UTC. The ledgers share one home, shown as /home/ann;
each has its own data directory, shown as /home/ann/.local/share. What cannot
be the same from run to run is normalised:
entry ids (README's ids stand for the real ones, so a later `engage done ID`
works), and a backup's time stamp. A line `...` in an expected output stands
for the lines README leaves out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engage_cli.commands import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ID = re.compile(r"\b[0-9a-f]{8}\b")
STAMP = re.compile(r"\d{8}-\d{6}")
DIRECTIVE = re.compile(r"<!-- (ledger|run|file|folder): (.+?) -->")
# README's "now": the tour's Friday evening, so that "charge now" reads the same any day.
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


class Clock(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Clock:
        return cls.fromtimestamp(NOW.timestamp(), tz)


@dataclass
class Step:
    ledger: str
    command: str
    expected: str | None  # None: run silently (a `run:` directive)
    line: int


def steps() -> tuple[list[Step], list[tuple[str, str]]]:
    """README's commands in order, each with its ledger and what it prints, and the
    files they read."""
    found: list[Step] = []
    files: list[tuple[str, str]] = []
    ledger = ""
    in_block = False
    current: Step | None = None
    for n, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
            if current is not None:
                found.append(current)
                current = None
            continue
        if not in_block:
            for kind, value in DIRECTIVE.findall(line):
                if kind == "ledger":
                    ledger = value
                elif kind == "run":
                    found.append(Step(ledger, value, None, n))
                elif kind == "folder":
                    files.append((value, ""))
                else:
                    target, _, source = value.partition(" = ")
                    files.append((target, source))
            continue
        if line.startswith("$ "):
            if current is not None:
                found.append(current)
            assert line.startswith("$ engage "), f"README:{n}: not an engage command"
            assert ledger, f"README:{n}: no `<!-- ledger: NAME -->` before this block"
            current = Step(ledger, line[2:], "", n)
        elif current is not None:
            current.expected = f"{current.expected}{line}\n"
    return found, files


def test_every_engage_line_in_readme_is_checked() -> None:
    found, _ = steps()
    shown = [s for s in found if s.expected is not None]
    readme = README.read_text(encoding="utf-8")
    assert len(shown) == readme.count("\n$ engage ")
    assert len({s.ledger for s in shown}) >= 5


def _matches(expected: str, got: str, ids: dict[str, str]) -> bool:
    """Whether `got` is `expected` once ids and stamps are normalised; README's ids
    are learned as stand-ins for the real ones."""
    want = expected.rstrip("\n").splitlines()
    have = got.rstrip("\n").splitlines()
    if want and want[-1].strip() == "...":
        want, have = want[:-1], have[: len(want) - 1]
    if len(want) != len(have):
        return False
    for w, h in zip(want, have, strict=True):
        for a, b in zip(ID.findall(w), ID.findall(h), strict=False):
            ids.setdefault(a, b)
        if (
            STAMP.sub("STAMP", ID.sub("ID", w)).rstrip()
            != STAMP.sub("STAMP", ID.sub("ID", h)).rstrip()
        ):
            return False
    return True


def test_readme_outputs_are_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found, files = steps()
    runner = CliRunner()
    ids: dict[str, str] = {}
    import engage_cli.dates

    monkeypatch.setattr(engage_cli.dates, "datetime", Clock)
    monkeypatch.delenv("ENGAGE_DB", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    home = tmp_path / "ann"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)  # where README's relative paths land
    for target, source in files:
        place = home / target.removeprefix("~/")
        if not source:
            place.mkdir(parents=True, exist_ok=True)
            continue
        place.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / source, place)
    for step in found:
        data = tmp_path / "ledgers" / step.ledger
        monkeypatch.setenv("XDG_DATA_HOME", str(data))
        command = step.command
        for readme_id, real in ids.items():
            command = command.replace(readme_id, real)
        # as a shell runs it: ~ is the home
        args = [os.path.expanduser(a) for a in shlex.split(command, comments=True)]
        assert args[0] == "engage"
        result = runner.invoke(app, args[1:])
        assert "Traceback" not in result.output, result.output
        got = result.output
        got = got.replace(str(data), "/home/ann/.local/share").replace(str(home), "/home/ann")
        where = f"README.md:{step.line}: $ {step.command}"
        if step.expected is None:
            assert result.exit_code == 0, f"{where}\n{got}"
            continue
        failed = "engage: error: " in step.expected
        assert (result.exit_code != 0) == failed, f"{where}\n{got}"
        said = f"{where}\n--- README\n{step.expected}--- got\n{got}"
        assert _matches(step.expected, got, ids), said
