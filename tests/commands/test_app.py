"""The app as a whole: errors and exit codes, --version, --db, `python -m engage_cli`,
shell completion, prompts on a real terminal, and never a network connection.

Every refusal: one line on stderr, exit 1 (2 for usage errors), no traceback,
and the ledger file byte-for-byte unchanged.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from tests.helpers import ICS, Run, complete, converse, digest, fails, ok

from engage_cli.commands import app

# --- bad input: one line, and nothing changed ----------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["log", "Ann"], 2, "--deposit"),
        (["log", "Ann", "-d", "0"], 1, "greater than 0"),
        (["log", "Ann", "-d", "-1"], 1, "greater than 0"),
        (["log", "Ann", "-d", "abc"], 1, "must be a number"),
        (["log", "Ann", "-d", "nan"], 1, "finite"),
        (["log", "Ann", "-d", "inf"], 1, "finite"),
        (["log", "Ann", "-d", "1e309"], 1, "finite"),
        (["log", "Ann", "-d", "1,5"], 1, "dot"),
        (["log", "Ann", "-d", ""], 1, "must be a number"),
        (["log", "Ann", "-d", "101"], 1, "at most"),
        (["log", "Ann", "-d", "1", "--on", "the day after never"], 1, "accepted: now, today"),
        (["log", "Ann", "-d", "1", "--on", "2026-02-30"], 1, "accepted"),
        (["log", "Ann", "-d", "1", "--on", "yesterday at 25:00"], 1, "accepted"),
        (["log", "Ann", "-d", "1", "--on", "0001-01-01"], 1, "accepted"),
        (["log", "Ann", "-d", "1", "--on", "2999-01-01"], 1, "future"),
        (["log", "Ann", "-d", "1", "--on", "tomorrow"], 1, "future"),
        (["log", "", "-d", "1"], 1, "empty"),
        (["log", "Ann", "-d", "1", "-m", "x" * 10_001], 1, "at most"),
        (["add", ""], 1, "empty"),
        (["add", "   "], 1, "empty"),
        (["add", "Bad\x00name"], 1, "control"),
        (["add", "x" * 201], 1, "at most"),
        (["add", "Bob", "--circle", "closest"], 2, "circle"),
        (["add", "Bob", "--kind", "robot"], 2, "kind"),
        (["void", "zzzz"], 1, "no entry"),
        (["show", "Nobody"], 1, "no contact"),
        (["history", "Nobody"], 1, "no contact"),
        (["balance", "--period", "fortnight"], 1, "period"),
        (["balance", "--as-of", "someday"], 1, "accepted"),
        (["who-neglected", "--limit", "-1"], 2, "limit"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, db_path: Path, args: list[str], code: int, needle: str
) -> None:
    ok(run("add", "Ann"))
    ok(run("log", "Ann", "-d", "1", "--on", "2026-11-01"))
    before = digest(db_path)
    msg = fails(run(*args), code)
    assert needle.lower() in msg.lower()
    assert digest(db_path) == before


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["log", "Ann", "-d", "1_0"], 1, "number"),
        (["log", "Ann", "-d", "1e-300"], 1, "at least"),
        (["log", "Ann", "-d", "1", "-d", "2"], 2, "once"),
        (["log", "Ann", "-d", "1", "--on", "99999999999 hours ago"], 1, "accepted"),
        (["balance", "--period", ""], 1, "period"),
        (["contacts", "--tag", ""], 2, "tag"),
    ],
)
def test_more_bad_input(run: Run, db_path: Path, args: list[str], code: int, words: str) -> None:
    ok(run("add", "Ann"))
    before = digest(db_path)
    assert words in fails(run(*args), code=code)
    assert digest(db_path) == before


BAD = [
    # names
    (["add", "Ann\x00Lee"], 1, "control"),
    (["add", "x" * 10_000], 1, "at most"),
    (["add", ""], 1, "empty"),
    (["log", "Ann\x00", "-d", "1"], 1, "control"),
    (["add", "ann"], 1, "already exists"),
    # notes and tags
    (["log", "Ann", "-d", "1", "-m", "x" * 1_000_000], 1, "at most"),
    (["log", "Ann", "-d", "1", "-m", "a\x00b"], 1, "NUL"),
    (["log", "Ann", "-d", "1", "-t", ""], 1, "tag"),
    # points
    (["log", "Ann", "-d", "0"], 1, "greater than 0"),
    (["log", "Ann", "-d", "-1"], 1, "greater than 0"),
    (["log", "Ann", "-d", "1e309"], 1, "finite"),
    (["log", "Ann", "-d", "nan"], 1, "finite"),
    (["log", "Ann", "-d", "inf"], 1, "finite"),
    (["log", "Ann", "-w", "1,5"], 1, "dot"),
    (["log", "Ann", "-d", ""], 1, "number"),
    (["log", "Ann", "-d", "lots"], 1, "number"),
    (["log", "Ann", "-d", "101"], 1, "at most"),
    (["log", "Ann"], 2, "deposit"),
    # dates
    (["log", "Ann", "-d", "1", "--on", "2026-02-30"], 1, "accepted"),
    (["log", "Ann", "-d", "1", "--on", "yesterday at 25:00"], 1, "accepted"),
    (["log", "Ann", "-d", "1", "--on", "tomorrow"], 1, "future"),
    (["log", "Ann", "-d", "1", "--on", "0001-01-01"], 1, "1900"),
    (["log", "Ann", "-d", "1", "--on", "9999-12-31"], 1, "future"),
    (["log", "Ann", "-d", "1", "--on", "the day after never"], 1, "accepted"),
    (["balance", "--as-of", "2026-13-01"], 1, "accepted"),
    (["balance", "--period", "fortnight"], 1, "period"),
    (["history", "--since", "soon"], 1, "accepted"),
    # lookups
    (["log", "Anne", "-d", "1"], 1, "did you mean 'Ann'"),
    (["show", "Nobody"], 1, "no contact"),
    (["void", "zzzz"], 1, "no entry"),
    (["void", "'; DROP TABLE entries; --"], 1, "no entry"),
    (["history", "--limit", "-1"], 2, "limit"),
    (["balance", "--bogus"], 2, "bogus"),
    (["frobnicate"], 2, "frobnicate"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=lambda v: repr(v)[:40])
def test_bad_input_is_refused_and_changes_nothing(
    run: Run, ledger: Path, args: list[str], code: int, words: str
) -> None:
    before = digest(ledger)
    assert words in fails(run(*args), code=code)
    assert digest(ledger) == before


# --- options and ways in -------------------------------------------------------------


def test_version(run: Run) -> None:
    from engage_cli import __version__

    assert ok(run("--version")).stdout.strip() == f"engage {__version__}"
    assert isinstance(app, typer.Typer)


def test_global_db_option_beats_environment(run: Run, tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "other.db"
    ok(run("--db", str(other), "add", "Ann"))
    assert other.exists() and not db_path.exists()
    fails(run("show", "Ann"))


def test_empty_db_option_is_a_usage_error(run: Run, db_path: Path) -> None:
    assert "--db" in fails(run("--db", "", "add", "Ann"), code=2)
    assert not db_path.exists()


def test_python_dash_m_works(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "engage_cli", "--db", str(tmp_path / "l.db"), "add", "Ann"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "added Ann" in proc.stdout


def test_shell_completion_offers_contact_names(filled: Run, db_path: Path) -> None:
    assert complete(db_path, "engage show an") == ["ann\\ Lee"]  # as typed, the rest escaped
    assert complete(db_path, "engage log Ann b") == ["bob"]
    assert complete(db_path, "engage log Ann B") == ["Bob"]
    assert complete(db_path, "engage show zz") == []


# --- interactive use on a real pseudo-terminal: prompts, and offers to add ------------


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def _engage(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engage_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@posix_only
def test_log_with_no_arguments_prompts_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = converse(
        db,
        ["log"],
        [
            ("Contact", "ann lee"),
            ("Kind", "w"),
            ("Points", "2"),
            ("Note", "asked for a review"),
            ("When", ""),
        ],
    )
    assert code == 0, seen
    assert "logged withdrawal" in seen
    entries = json.loads(_engage(db, "history", "--json").stdout)
    assert [(e["contact"], e["kind"], e["points"], e["note"]) for e in entries] == [
        ("Ann Lee", "withdrawal", 2.0, "asked for a review")
    ]


@posix_only
def test_unknown_name_on_a_terminal_offers_to_add(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = converse(db, ["log", "Zoe", "-d", "1"], [("Add them?", "y")])
    assert code == 0, seen
    names = [c["name"] for c in json.loads(_engage(db, "contacts", "--json").stdout)]
    assert names == ["Ann Lee", "Zoe"]
    code, seen = converse(db, ["log", "Yan", "-d", "1"], [("Add them?", "n")])
    assert code == 1
    assert "no contact named 'Yan'" in seen
    assert len(json.loads(_engage(db, "history", "--json").stdout)) == 1


@posix_only
def test_prompts_ask_again_after_a_typo(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = converse(
        db,
        ["log"],
        [
            ("Contact", "ann lee"),
            ("Kind", "x"),
            ("Kind", "w"),
            ("Points", "two"),
            ("Points", "2"),
            ("Note", "asked for a review"),
            ("When", ""),
        ],
    )
    assert code == 0, seen
    assert "not 'x'; try again" in seen and "got 'two'; try again" in seen
    (entry,) = json.loads(_engage(db, "history", "--json").stdout)
    assert (entry["kind"], entry["points"]) == ("withdrawal", 2)


@posix_only
def test_a_typo_on_a_terminal_is_told_its_look_alike_before_the_offer(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = converse(db, ["log", "ann le", "-d", "1"], [("Choose", "q")])
    assert code == 1
    offer = seen[: seen.index("Choose")]
    assert "did you mean Ann Lee?" in offer  # said before the question, not after
    assert "[1] Ann Lee  [n] new contact 'ann le'  [q] quit" in offer
    names = [c["name"] for c in json.loads(_engage(db, "contacts", "--json").stdout)]
    assert names == ["Ann Lee"]
    assert json.loads(_engage(db, "history", "--json").stdout) == []


@posix_only
def test_a_typo_picks_the_look_alike_by_number_after_a_bad_answer(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Lisa Chen").returncode == 0
    code, seen = converse(db, ["log", "Lisa Chan", "-d", "1"], [("Choose", "7"), ("Choose", "1")])
    assert code == 0, seen
    assert "answer 1, n or q, not '7'; try again" in seen
    (entry,) = json.loads(_engage(db, "history", "--json").stdout)
    assert entry["contact"] == "Lisa Chen"
    names = [c["name"] for c in json.loads(_engage(db, "contacts", "--json").stdout)]
    assert names == ["Lisa Chen"]
    code, seen = converse(db, ["log", "Lisa Chan", "-d", "1"], [("Choose", "n")])
    assert code == 0, seen
    names = [c["name"] for c in json.loads(_engage(db, "contacts", "--json").stdout)]
    assert names == ["Lisa Chan", "Lisa Chen"]


@posix_only
def test_inbox_log_walks_through_meetings(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):
        assert _engage(db, "add", name, "--on", "2026-01-01").returncode == 0
    ics = ICS
    window = ["--since", "2026-10-13", "--as-of", "2026-10-22"]  # the offsite and the late call
    code, out = converse(
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


@posix_only
def test_inbox_log_asks_again_and_shows_each_meetings_date(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):
        assert _engage(db, "add", name, "--on", "2026-01-01").returncode == 0
    window = ["--since", "2026-10-13", "--as-of", "2026-10-22"]
    code, out = converse(
        db,
        ["inbox", "--ics", ICS, *window, "--log"],
        [("q to stop) [1]:", "x"), ("q to stop) [1]:", "3"), ("q to stop) [1]:", "q")],
        columns=80,
    )
    assert code == 0, out
    assert "2026-10-14  Bob Stone, Offsite" in out and "try again" in out
    assert all(len(line.rstrip("\r")) <= 80 for line in out.splitlines())
    history = json.loads(_engage(db, "history", "--json").stdout)
    assert [(e["contact"], e["points"]) for e in history] == [("Bob Stone", 3.0)]


# --- privacy -------------------------------------------------------------------------


def test_no_network_connection_is_ever_opened(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[object] = []

    class NoSocket(socket.socket):
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args)
            raise AssertionError("engage opened a socket")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", NoSocket)
    for args in (
        ["add", "Ann", "--circle", "close"],
        ["log", "Ann", "Bob", "-d", "2", "-w", "1", "--new", "--on", "yesterday 15:00"],
        ["balance"],
        ["balance", "--json", "--period", "month"],
        ["who-neglected"],
        ["contacts", "--json"],
        ["show", "Ann"],
        ["history"],
        ["undo", "--yes"],
        ["doctor"],
        ["backup", str(tmp_path / "b.db")],
        ["demo", "--as-of", "2026-11-20"],
    ):
        ok(run(*args))
    assert opened == []


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["add"], "Usage: engage add [OPTIONS] NAME"),
        (["fold"], "Usage: engage fold [OPTIONS] DUPLICATE INTO"),
        (["log"], "-m, --note NOTE"),
        (["edit"], "--untag TAG"),
        (["history"], "-n, --limit N"),
        (["trend"], "[default: 12; 1 to 520]"),
        (["who-neglected"], "[default: 10; 0 or more]"),
    ],
)
def test_help_says_names_and_ranges_plainly(run: Run, command: list[str], shown: str) -> None:
    out = ok(run(*command, "--help")).stdout
    assert shown in " ".join(out.split()) or shown in out
    for typer_style in ("{name}", "<str>", "<int range>", "x>=", "<=x"):
        assert typer_style not in out


def test_n_is_always_the_limit(run: Run) -> None:
    for command in ("history", "who-neglected", "search"):
        assert "-n, --limit" in ok(run(command, "--help")).stdout
    for command in (["trend"], ["import", "contacts"]):
        assert "-n," not in ok(run(*command, "--help")).stdout
    line = fails(run("history", "--limit", "-1"), code=2)
    assert "not in the range 0 or more" in line


@posix_only
def test_log_prompts_say_an_unknown_name_at_once_and_ask_when(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _engage(db, "add", "Ann Lee").returncode == 0
    code, seen = converse(
        db,
        ["log"],
        [
            ("Contact", "Anne Le"),
            ("try again", "Ann Lee"),
            ("Kind", "w"),
            ("a small ask", "0"),
            ("try again", "2"),
            ("Note", "a review"),
            ("When", "yesterdy"),
            ("try again", "2026-11-02 15:00"),
        ],
    )
    assert code == 0, seen
    assert "no contact named 'Anne Le'; did you mean Ann Lee?" in seen
    assert "--deposit" not in seen  # no advice about options nobody typed
    entries = json.loads(_engage(db, "history", "--json").stdout)
    assert [(e["contact"], e["kind"], e["points"], e["occurred_at"]) for e in entries] == [
        ("Ann Lee", "withdrawal", 2.0, "2026-11-02T15:00:00Z")
    ]


@posix_only
def test_stopping_the_inbox_walk_keeps_and_says_what_was_logged(tmp_path: Path) -> None:
    from tests.helpers import INTERRUPT

    db = tmp_path / "ledger.db"
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):
        assert _engage(db, "add", name, "--on", "2026-01-01").returncode == 0
    window = ["--since", "2026-10-13", "--as-of", "2026-10-22"]
    prompt = "q to stop) [1]:"
    code, out = converse(
        db, ["inbox", "--ics", ICS, *window, "--log"], [(prompt, "2"), (prompt, INTERRUPT)]
    )
    assert code == 130, out
    assert "engage: error: stopped; 1 meeting logged before" in out
    assert "nothing was changed" not in out
    history = json.loads(_engage(db, "history", "--json").stdout)
    assert [(e["contact"], e["points"]) for e in history] == [("Bob Stone", 2.0)]
