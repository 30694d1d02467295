"""The table bench/run.py writes into docs/benchmarks.md (between its two markers)."""

from __future__ import annotations

import os
import platform
import sqlite3
import time
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from commands import COMMANDS

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
RATED = ("export", "import ledger", "merge")  # their cell says entries a second


class Timing(NamedTuple):
    median_ms: float
    min_ms: float
    rss_mib: float
    runs: int
    floor_ratio: float | None = None  # the median over the floor's median, run side by side


class Cold(NamedTuple):
    ms: float
    read_mib: float  # read from disk by the process (getrusage's blocks in)
    how: str  # drop_caches (as root) or posix_fadvise (the ledger's pages only)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("typer", "rich", "sqlite-utils", "pydantic")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {versions}"
    )


def _ms(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 10_000 else f"{ms:.0f} ms"


def _cell(label: str, t: Timing, size: int) -> str:
    spread = f" (min {_ms(t.min_ms)})" if t.runs > 1 else ""
    text = f"{_ms(t.median_ms)}{spread}, {t.rss_mib:.0f} MiB"
    if t.floor_ratio is not None:
        text += f", **{t.floor_ratio:.1f}×** floor"  # noqa: RUF001
    if label.startswith(RATED):
        text += f", {size / (t.median_ms / 1000) / 1000:.0f}k entries/s"
    elif label.startswith("import contacts"):
        text += f", {max(100, size // 10) / (t.median_ms / 1000) / 1000:.0f}k cards/s"
    return text


def table(results: dict[int, dict[str, Timing]], sizes: list[int], colds: dict[str, Cold]) -> str:
    big, small = max(sizes), min(sizes)
    head = "| command | target | " + " | ".join(f"{s:,} entries" for s in sizes)
    rule = "|---|---|" + "---|" * len(sizes)
    if len(sizes) > 1:
        head += f" | {big // 1000:,}k / {small // 1000:,}k"
        rule += "---:|"
    if colds:
        head += f" | cold, {big:,}"
        rule += "---|"
    rows = [head + " |", rule]
    for cmd in COMMANDS:
        if any(cmd.label not in results[s] for s in sizes):
            rows.append(f"| `{_name(cmd.label)}` | {cmd.target} | " + " | ".join(
                _cell(cmd.label, results[s][cmd.label], s) if cmd.label in results[s]
                else "**failed**" for s in sizes) + " |")  # fmt: skip
            continue
        cells = [_cell(cmd.label, results[s][cmd.label], s) for s in sizes]
        over = cmd.limit_ms is not None and results[big][cmd.label].median_ms > cmd.limit_ms
        target = f"**{cmd.target}** ✗" if over else cmd.target
        if len(sizes) > 1:
            cells.append(
                f"{results[big][cmd.label].median_ms / results[small][cmd.label].median_ms:.2f}"
            )
        if colds:
            c = colds.get(cmd.label)
            cells.append(f"{_ms(c.ms)}, {c.read_mib:.1f} MiB read" if c else "")
        rows.append(f"| `{_name(cmd.label)}` | {target} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _name(label: str) -> str:
    return label if label.startswith("python") else f"engage {label}"


def body(
    results: dict[int, dict[str, Timing]],
    sizes: list[int],
    colds: dict[str, Cold],
    runs: int,
    bulk_runs: int,
    took_s: float,
) -> str:
    how = next(iter(colds.values())).how if colds else ""
    cold = (
        f" The cold column is one run right after the page cache was dropped ({how}) and the "
        "command's code read back in, with what the process read from disk."
        if colds
        else ""
    )
    over = [
        c.label
        for c in COMMANDS
        if c.limit_ms is not None
        and c.label in results[max(sizes)]
        and results[max(sizes)][c.label].median_ms > c.limit_ms
    ]
    named = ", ".join(f"`{o}`" for o in over)
    verdict = (
        f"Over the 300 ms target at {max(sizes):,} entries: {named}."
        if over
        else (f"Every read is within 300 ms at {max(sizes):,} entries.")
    )
    if max(sizes) < 1_000_000:
        verdict = ""
    return (
        f"Measured {time.strftime('%Y-%m-%d')} with `python bench/run.py` "
        f"(median of {runs} runs after a warm-up; the bulk commands, from `export` on, "
        f"median of {bulk_runs} without one; peak RSS per process; `log` and `--help` "
        f"side by side with the floor, `python -c 'import sqlite3'`; the full run took "
        f"{took_s / 60:.0f} minutes).{cold}\n\n"
        f"Machine: {machine()}.\n\n{table(results, sizes, colds)}\n\n{verdict}\n"
    )


def write_doc(out: Path, text: str) -> None:
    doc = out.read_text() if out.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in doc:
        doc += f"\n{START}\n{END}\n"
    before, rest = doc.split(START, 1)
    after = rest.split(END, 1)[1]
    out.write_text(f"{before}{START}\n{body_strip(text)}{END}{after}")


def body_strip(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
