"""Time whole `engage` processes on synthetic ledgers and write docs/benchmarks.md.

    python bench/run.py                      # 10k, 100k and 1M entries, 2,000 contacts
    python bench/run.py --sizes 10000 --runs 5 --out -   # quick look, print only

Each command runs once to warm up and then --runs times; the table gives the
median wall time, the fastest run and the peak resident memory of the process
(from wait4, per process). Generated ledgers are cached in bench/.data and
never written: every series runs on a fresh copy, and each `engage log` is
undone (untimed) before the next run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
CONTACTS = 2000

# (label, argv after `engage`, target in ms or None, whether it writes: then each run
# is followed, untimed, by `engage undo --yes`, which voids what it wrote; copying
# the whole ledger back instead would leave the disk busy with write-back)
COMMANDS: list[tuple[str, list[str], float | None, bool]] = [
    ("log (one deposit)", ["log", "{name}", "-d", "1", "-m", "bench"], 120, True),
    ("balance", ["balance"], 300, False),
    ("who-neglected", ["who-neglected"], 300, False),
    ("history NAME", ["history", "{name}"], None, False),
    ("contacts (all 2,000)", ["contacts"], None, False),
    ("--help", ["--help"], 120, False),
    ("balance --json", ["balance", "--json"], None, False),
    ("review", ["review"], None, False),
    ("balance --as-of (past)", ["balance", "--as-of", "2026-06-01"], None, False),
    ("search kayak", ["search", "kayak"], 300, False),
    ("search coffee (1 in 8 notes)", ["search", "coffee"], None, False),
    ("path NAME", ["path", "{name}"], 500, False),
    ("network", ["network"], 500, False),
    ("network --format dot", ["network", "--format", "dot"], 500, False),
    ("goals", ["goals"], 300, False),
    ("agenda (a promise per 100 entries)", ["agenda", "--as-of", "2026-11-01"], 300, False),
]


@dataclass
class Timing:
    median_ms: float
    min_ms: float
    rss_mib: float


def engage_bin() -> list[str]:
    exe = Path(sys.executable).with_name("engage")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "engage_cli"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()}")
    return elapsed * 1000, usage.ru_maxrss / 1024


def restore_copy(base: Path, work: Path) -> None:
    """A fresh working copy, flushed to disk so that write-back does not run during a timing."""
    for extra in work.parent.glob(work.name + "-*"):
        extra.unlink()  # a stale -wal or -shm must not meet the new copy
    shutil.copyfile(base, work)
    os.sync()


def measure(
    argv: list[str], env: dict[str, str], runs: int, base: Path, work: Path, writes: bool
) -> Timing:
    times, rss = [], []
    restore_copy(base, work)
    for i in range(runs + 1):
        ms, mib = run_once(argv, env)
        if writes:
            run_once([*engage_bin(), "undo", "--yes"], env)
        if i:  # the first run warms caches
            times.append(ms)
            rss.append(mib)
    return Timing(statistics.median(times), min(times), max(rss))


def busiest_contact(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT c.name FROM contacts c JOIN entries e ON e.contact_id = c.id "
            "GROUP BY c.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


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


def table(results: dict[int, dict[str, Timing]], sizes: list[int]) -> str:
    head = "| command | target | " + " | ".join(f"{s:,} entries" for s in sizes) + " |"
    rule = "|---|---|" + "---|" * len(sizes)
    rows = [head, rule]
    for label, _, target, _ in COMMANDS:
        cells = []
        for s in sizes:
            t = results[s][label]
            cells.append(f"{t.median_ms:.0f} ms (min {t.min_ms:.0f}), {t.rss_mib:.0f} MiB")
        goal = f"≤ {target:.0f} ms" if target else "—"
        rows.append(f"| `engage {label}` | {goal} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, default=HERE / ".data")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    args.data.mkdir(parents=True, exist_ok=True)

    # Run as an installed package runs: from bytecode, without colour, in UTC.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", TZ="UTC")

    results: dict[int, dict[str, Timing]] = {}
    for size in sizes:
        base = args.data / f"ledger-{size}-web.db"  # -web: with sectors and organisations
        if not base.exists():
            subprocess.run(
                [sys.executable, str(HERE / "generate.py"), "--entries", str(size),
                 "--contacts", str(CONTACTS), "--db", str(base)],
                check=True,
            )  # fmt: skip
        work = args.data / "work.db"
        env["ENGAGE_DB"] = str(work)
        name = busiest_contact(base)
        results[size] = {}
        for label, cmd, _, writes in COMMANDS:
            argv = engage_bin() + [a.replace("{name}", name) for a in cmd]
            t = measure(argv, env, args.runs, base, work, writes)
            results[size][label] = t
            line = f"{size:>9,}  {label:<24} {t.median_ms:7.1f} ms  {t.rss_mib:5.1f} MiB"
            print(line, flush=True)
        for extra in args.data.glob("work.db*"):
            extra.unlink()

    body = (
        f"Measured {time.strftime('%Y-%m-%d')} with `python bench/run.py` "
        f"(median of {args.runs} runs after a warm-up; peak RSS per process).\n\n"
        f"Machine: {machine()}.\n\n{table(results, sizes)}\n"
    )
    if args.out == "-":
        print(body)
        return
    out = Path(args.out)
    text = out.read_text() if out.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    out.write_text(f"{before}{START}\n{body}{END}{after}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
