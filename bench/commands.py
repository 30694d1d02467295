"""What bench/run.py times: every command that reads, `log`, `--help` and the bulk ones.

A command is a label, the words after `engage` and what it may cost. Words in
braces are filled in per ledger: {name} (the contact with the most entries),
{org} (the organisation with the most people), {goal} (the goal most entries
serve), {work} (the working copy of the ledger), {new} (a ledger that does not
exist yet: removed before every run), {out} (a file removed before every run),
{export} (the JSONL export the `export` series wrote), {cards} (an address
book of vCards, one card per ten entries: 100,000 at a million) and {ics} (a
calendar of a month of meetings with contacts).
"""

from __future__ import annotations

from typing import NamedTuple

PAST = "2026-06-01"  # five months before the generated history ends


class Command(NamedTuple):
    label: str
    argv: tuple[str, ...]
    target: str  # what the docs table says it must meet
    kind: str  # "read", "startup" (measured beside the floor), "write", "bulk", "floor"
    limit_ms: float | None = None  # the median target in ms, when there is one


def _read(label: str, *argv: str, json: bool = True) -> list[Command]:
    """A report, and with `json` its --json too; every read must be ≤ 300 ms at 1M."""
    out = [Command(label, argv, "≤ 300 ms", "read", 300)]
    if json:
        out.append(Command(f"{label} --json", (*argv, "--json"), "≤ 300 ms", "read", 300))
    return out


STARTUP = "≤ 2.5× floor"  # noqa: RUF001
FLOOR = Command("python -c 'import sqlite3' (the floor)", (), "—", "floor")

COMMANDS: list[Command] = [
    FLOOR,
    Command("log (one deposit)", ("log", "{name}", "-d", "1", "-m", "bench"), STARTUP, "write"),
    Command("--help", ("--help",), STARTUP, "startup"),
    *_read("balance", "balance"),
    *_read("balance --period year", "balance", "--period", "year"),
    *_read("balance --by sector", "balance", "--by", "sector"),
    *_read("balance --by org", "balance", "--by", "org"),
    *_read("balance --as-of (past)", "balance", "--as-of", PAST),
    *_read("who-neglected", "who-neglected"),
    *_read("who-neglected --as-of (past)", "who-neglected", "--as-of", PAST),
    *_read("contacts", "contacts"),
    *_read("contacts --as-of (past)", "contacts", "--as-of", PAST),
    *_read("show NAME", "show", "{name}"),
    *_read("show NAME --as-of (past)", "show", "{name}", "--as-of", PAST),
    *_read("show ORG", "show", "{org}"),
    *_read("history NAME", "history", "{name}"),
    *_read("history", "history"),
    *_read("explain NAME", "explain", "{name}"),
    *_read("can-ask NAME", "can-ask", "{name}", "--points", "3"),
    *_read("trend", "trend"),
    *_read("trend NAME", "trend", "{name}"),
    *_read("review", "review"),
    *_read("review --as-of (past)", "review", "--as-of", PAST),
    *_read("review --html FILE", "review", "--html", "{out}", json=False),
    *_read("asks", "asks"),
    *_read("asks --open", "asks", "--open"),
    *_read("asks NAME", "asks", "{name}"),
    *_read("search kayak (1 in 200 notes)", "search", "kayak"),
    *_read("search coffee (1 in 8 notes)", "search", "coffee"),
    *_read("path NAME", "path", "{name}"),
    *_read("path ORG", "path", "{org}"),
    *_read("network", "network"),
    *_read("network --format dot", "network", "--format", "dot", json=False),
    *_read("network --format mermaid", "network", "--format", "mermaid", json=False),
    *_read("goals", "goals"),
    *_read("goal show GOAL", "goal", "show", "{goal}"),
    *_read("agenda", "agenda"),
    *_read("agenda --as-of (history's end)", "agenda", "--as-of", "2026-11-01"),
    *_read("agenda --ics -", "agenda", "--ics", "-", json=False),
    *_read("promises", "promises"),
    *_read("promises --overdue", "promises", "--overdue"),
    *_read("inbox (a month of meetings)", "inbox", "--ics", "{ics}", "--as-of", "2026-11-01"),
    *_read("config show", "config", "show"),
    Command("export (jsonl)", ("export", "-o", "{export}", "--force"), "≤ 100 MiB, ≥ 100k/s",
            "bulk"),
    Command("export --format csv", ("export", "-f", "csv", "-o", "{out}"), "≤ 100 MiB, ≥ 100k/s",
            "bulk"),
    Command("import ledger (the export, new ledger)",
            ("--db", "{new}", "import", "ledger", "{export}"), "≤ 100 MiB, ≥ 50k/s", "bulk"),
    Command("merge (into a new ledger)", ("--db", "{new}", "merge", "{work}"),
            "≤ 100 MiB, ≥ 50k/s", "bulk"),
    Command("import contacts (a card per 10 entries)",
            ("--db", "{new}", "import", "contacts", "{cards}"), "≤ 100 MiB", "bulk"),
    Command("doctor", ("doctor",), "≤ 100 MiB", "bulk"),
    Command("backup", ("backup", "{out}"), "≤ 100 MiB", "bulk"),
]  # fmt: skip
