"""Every report fits 80 columns, piped (no COLUMNS) or on an 80-column terminal,
on the demo ledger plus the contacts and notes that break tables: long names,
long and multi-line notes, wide characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from tests.helpers import CONTACTS, ICS, Run, ok

from engage_cli.commands.root import as_of_moment
from engage_cli.commands.root import policy as policy_in_force
from engage_cli.demo import build_demo

AS_OF = "2026-11-20"
LONG = "Maximiliane Alexandra von Hohenberg-Schwarzenfels"
ORG = "The International Association of Very Long Organisation Names"
NOTE = "talked through\nthe whole roadmap, " + "and then every open question in detail " * 4

REPORTS = [
    ["balance", "--as-of", AS_OF],
    ["balance", "--all", "--as-of", AS_OF],
    ["balance", "--by", "circle", "--as-of", AS_OF],
    ["balance", "--by", "tag", "--as-of", AS_OF],
    ["balance", "--by", "kind", "--as-of", AS_OF],
    ["who-neglected", "--as-of", AS_OF],
    ["who-neglected", "--all", "--as-of", AS_OF],
    ["contacts", "--as-of", AS_OF],
    ["contacts", "--archived"],
    ["show", LONG, "--as-of", AS_OF],
    ["show", "Lena Fischer", "--as-of", AS_OF],
    ["history"],
    ["history", LONG],
    ["asks", "--as-of", AS_OF],
    ["asks", "--open", "--as-of", AS_OF],
    ["can-ask", LONG, "--points", "30", "--as-of", AS_OF],
    ["explain", LONG, "--as-of", AS_OF],
    ["trend", "--weeks", "12", "--as-of", AS_OF],
    ["review", "--as-of", AS_OF],
    ["search", "roadmap"],
    ["search", "Lena"],
    ["path", LONG, "--as-of", AS_OF],
    ["path", ORG, "--as-of", AS_OF],
    ["show", ORG, "--as-of", AS_OF],
    ["network", "--as-of", AS_OF],
    ["balance", "--by", "org", "--as-of", AS_OF],
    ["balance", "--by", "sector", "--as-of", AS_OF],
    ["doctor"],
    ["config", "show"],
    ["import", "contacts", str(CONTACTS / "varied.vcf"), "--dry-run"],
    ["inbox", "--ics", ICS, "--since", "2026-10-01", "--as-of", AS_OF],
]


@pytest.fixture
def demo(run: Run, db_path: Path) -> Run:
    db_path.parent.mkdir(mode=0o700)
    build_demo(as_of_moment(AS_OF), policy_in_force(), db_path).close()
    ok(run("add", LONG, "--tag", "board", "--tag", "mentor", "--tag", "investor", "--on",
           "2026-09-01", "-m", NOTE))  # fmt: skip
    ok(run("log", LONG, "-w", "3", "-m", NOTE, "--on", "2026-11-02"))
    ok(run("log", LONG, "Lena Fischer", "-d", "2", "-m", "午餐会议 " * 12, "--on", "2026-11-03"))
    ok(run("edit", LONG, "--alias", "Maxi", "--email", "maximiliane.hohenberg@example.org"))
    ok(run("log", "Lena Fischer", "-d", "1", "--via", LONG, "--on", "2026-11-04"))
    ok(run("add", ORG, "--kind", "org", "--on", "2026-01-01"))
    ok(run("edit", LONG, "--org", ORG, "--sector", "academia"))
    ok(run("edit", "Lena Fischer", "--org", ORG, "--sector", "business"))
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):  # who the inbox's calendar meets
        ok(run("add", name, "--on", "2026-01-01"))
    return run


def widest(out: str) -> int:
    return max(
        (cell_len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in out.splitlines()), default=0
    )


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a[:2]))
def test_every_report_fits_80_columns_piped(demo: Run, db_path: Path, args: list[str]) -> None:
    import os

    out = ok(demo(*args)).stdout
    assert out.strip()
    # A file's path prints whole (a cut path is no path); this one is pytest's, long.
    config = os.environ["XDG_CONFIG_HOME"] + "/engage/config.toml"
    out = out.replace(str(db_path), "LEDGER").replace(config, "CONFIG")
    assert widest(out) <= 80, out


def test_reports_fit_an_80_column_terminal(demo: Run, db_path: Path) -> None:
    from tests.helpers import converse

    for args in (REPORTS[7], REPORTS[9], REPORTS[11], REPORTS[18]):
        code, seen = converse(db_path, args, [], columns=80)
        assert code == 0, seen
        assert widest(seen.replace("\r", "")) <= 80, seen


def test_a_wider_columns_shows_more(demo: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    narrow = ok(demo("history", LONG)).stdout
    monkeypatch.setenv("COLUMNS", "400")
    wide = ok(demo("history", LONG)).stdout
    assert "every open question in detail" * 1 in wide and widest(wide) > 80 >= widest(narrow)


def test_the_balance_summary_of_many_contacts_wraps_with_its_command_whole(
    run: Run, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big ledger's counts ("22 overdrawn, 211 cold, 548 untapped") pass 80 columns
    on one line with the next command: the counts wrap, the command keeps its line."""
    from engage_cli import reports
    from engage_cli.render.weekly import balance
    from engage_cli.store.connection import Ledger

    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    with Ledger.open(db_path, create=False) as ledger:
        report = reports.balance(ledger, policy_in_force(), as_of_moment("2026-11-20"), 7)
    big = {"overdrawn": 22, "cold": 211, "untapped": 548, "healthy": 1219}
    monkeypatch.setenv("COLUMNS", "80")
    balance(report._replace(status_counts=big))
    lines = capsys.readouterr().out.splitlines()
    assert widest("\n".join(lines)) <= 80
    assert "Next: engage who-neglected" in lines
    assert any(line.startswith("Across all contacts: 22 overdrawn, 211 cold") for line in lines)


def test_an_inbox_suggestion_of_wide_characters_fits_80_columns(run: Run, tmp_path: Path) -> None:
    """The suggested command breaks by the columns its words take, wide ones too."""
    ok(run("add", "山田 太郎", "--on", "2026-01-01"))
    ics = tmp_path / "wide.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:w1\r\n"
        "DTSTAMP:20261001T000000Z\r\nDTSTART:20261105T100000Z\r\n"
        "SUMMARY:打ち合わせ 山田 太郎 打ち合わせ\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    out = ok(run("inbox", "--ics", str(ics), "--since", "2026-11-01", "--as-of", "2026-11-20"))
    assert "山田 太郎" in out.stdout and widest(out.stdout) <= 80, out.stdout
