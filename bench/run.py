"""Time whole `engage` processes on synthetic ledgers and write docs/benchmarks.md.

    python bench/run.py                      # 10k and 1M entries, 2,000 contacts
    python bench/run.py --sizes 10000,100000,1000000 --cold
    python bench/run.py --quick              # 10k only, one run each: a smoke test

Every command of bench/commands.py runs once to warm up and then --runs times
(the bulk ones --bulk-runs times, without a warm-up); the table gives the
median wall time, the fastest run and the peak resident memory of the process
(from wait4). `log` and `--help` alternate with `python -c "import sqlite3"`,
the floor, and their median is given as a multiple of the floor's. With --cold,
each read runs once more at the largest size right after the page cache was
dropped and the command's code read back in (by running it on the smallest
ledger): the ledger alone is cold, and the column says how much of it was read.

Generated ledgers are cached in bench/.data, named by the schema and the
generator's generation, and never written: each size runs on a copy, and each
`engage log` is undone (untimed) before the next run. --quick builds its own
ledger in a temporary folder, so it runs on a clean clone; it asserts no time,
only that every command succeeds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cards
import generate
from report import Cold, Timing, body, write_doc

from commands import COMMANDS, FLOOR, Command
from engage_cli.domain import SCHEMA_VERSION

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONTACTS = 2000


class Ledger(NamedTuple):
    """A size's working copy and what fills the braces of its commands."""

    size: int
    work: Path
    words: dict[str, str]


def engage_bin() -> list[str]:
    exe = Path(sys.executable).with_name("engage")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "engage_cli"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall ms, peak RSS in MiB and MiB read from disk (not from the page cache)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()}")
    return elapsed * 1000, usage.ru_maxrss / 1024, usage.ru_inblock * 512 / 2**20


def remove(path: Path) -> None:
    for p in (path, *path.parent.glob(path.name + "-*")):
        if p.is_file():
            p.unlink()


def base_ledger(data: Path, size: int) -> Path:
    """The cached ledger of this size, built again when the schema or the generator changed."""
    base = data / f"ledger-{size}-schema{SCHEMA_VERSION}-gen{generate.GENERATION}.db"
    if base.exists():
        conn = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
        try:
            fresh = conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            conn.close()
        if fresh:
            return base
        remove(base)
    for old in data.glob(f"ledger-{size}-*.db*"):  # older schemas and generations
        old.unlink()
    tmp = data / f"building-{size}.db"
    remove(tmp)
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), "--entries", str(size),
         "--contacts", str(CONTACTS), "--db", str(tmp)],
        check=True,
    )  # fmt: skip
    remove(tmp.with_name(tmp.name + "-wal"))
    tmp.rename(base)
    return base


def prepare(base: Path, size: int, scratch: Path) -> Ledger:
    """A working copy of `base` in `scratch`, with the files and names its commands need."""
    work = scratch / f"work-{size}.db"
    remove(work)
    shutil.copyfile(base, work)
    conn = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
    try:
        name = conn.execute(
            "SELECT c.name FROM entries e JOIN contacts c ON c.id = e.contact_id "
            "GROUP BY e.contact_id ORDER BY count(*) DESC, c.id LIMIT 1"
        ).fetchone()[0]
        org = conn.execute(
            "SELECT o.name FROM contacts p JOIN contacts o ON o.id = p.org_id "
            "GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1"
        ).fetchone()[0]
        goal = conn.execute(
            "SELECT g.name FROM entries e JOIN goals g ON g.id = e.goal_id "
            "GROUP BY g.id ORDER BY count(*) DESC, g.id LIMIT 1"
        ).fetchone()[0]
        people = [r[0] for r in conn.execute("SELECT name FROM contacts ORDER BY id LIMIT 200")]
    finally:
        conn.close()
    deck = scratch / f"cards-{size}.vcf"
    if not deck.exists():
        cards.write(max(100, size // 10), deck)
    ics = scratch / "meetings.ics"
    ics.write_text(calendar(people), encoding="utf-8")
    words = {"{name}": name, "{org}": org, "{goal}": goal, "{work}": str(work),
             "{new}": str(scratch / "new.db"), "{out}": str(scratch / "out.file"),
             "{export}": str(scratch / f"export-{size}.jsonl"), "{cards}": str(deck),
             "{ics}": str(ics)}  # fmt: skip
    return Ledger(size, work, words)


def calendar(people: list[str]) -> str:
    """A month of meetings (October 2026), each with one contact in its title."""
    events = []
    for i, name in enumerate(people):
        day, hour = 1 + i % 30, 9 + i % 8
        events.append(
            f"BEGIN:VEVENT\r\nUID:bench-{i}@example.org\r\nDTSTAMP:20261001T000000Z\r\n"
            f"DTSTART:202610{day:02d}T{hour:02d}0000Z\r\nDTEND:202610{day:02d}T{hour:02d}3000Z\r\n"
            f"SUMMARY:Coffee with {name}\r\nEND:VEVENT\r\n"
        )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
        + "".join(events)
        + ("END:VCALENDAR\r\n")
    )


def argv_of(cmd: Command, ledger: Ledger) -> list[str]:
    if cmd.kind == "floor":
        return [sys.executable, "-c", "import sqlite3"]
    words = [ledger.words.get(w, w) for w in cmd.argv]
    return engage_bin() + words


def before_run(cmd: Command, ledger: Ledger) -> None:
    for key in ("{new}", "{out}"):
        if key in cmd.argv:
            remove(Path(ledger.words[key]))


def measure(cmd: Command, ledger: Ledger, env: dict[str, str], runs: int, warm: int) -> Timing:
    argv, floor = argv_of(cmd, ledger), argv_of(FLOOR, ledger)
    times, rss, floors = [], [], []
    for i in range(warm + runs):
        before_run(cmd, ledger)
        if cmd.kind in ("startup", "write"):  # side by side with the floor
            floor_ms, _, _ = run_once(floor, env)
        ms, mib, _ = run_once(argv, env)
        if cmd.kind == "write":
            run_once([*engage_bin(), "undo", "--yes"], env)
        if i >= warm:
            times.append(ms)
            rss.append(mib)
            if cmd.kind in ("startup", "write"):
                floors.append(floor_ms)
    ratio = statistics.median(times) / statistics.median(floors) if floors else None
    return Timing(statistics.median(times), min(times), max(rss), len(times), ratio)


def drop_cache(path: Path) -> str:
    """Drop the page cache (every file as root; else only this ledger's pages): how."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return "drop_caches"
    except OSError:
        pass
    for p in (path, *path.parent.glob(path.name + "-*")):
        fd = os.open(p, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return "posix_fadvise"


def cold(cmd: Command, big: Ledger, small: Ledger, env: dict[str, str]) -> Cold:
    """One run with the ledger out of the page cache and the command's code in it."""
    how = drop_cache(big.work)
    before_run(cmd, small)
    run_once(argv_of(cmd, small), dict(env, ENGAGE_DB=str(small.work)))  # reads the code back
    before_run(cmd, big)
    ms, _, read = run_once(argv_of(cmd, big), env)
    return Cold(ms, read, how)


def run(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    # Run as an installed package runs: from bytecode, without colour, in UTC.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", TZ="UTC", COLUMNS="80")
    args.data.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Timing]] = {}
    colds: dict[str, Cold] = {}
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="engage-bench-") as tmp:
        scratch = Path(tmp)
        ledgers = {s: prepare(base_ledger(args.data, s), s, scratch) for s in sizes}
        for size in sizes:
            ledger = ledgers[size]
            env["ENGAGE_DB"] = str(ledger.work)
            results[size] = {}
            for cmd in COMMANDS:
                bulk = cmd.kind == "bulk"
                runs = args.bulk_runs if bulk else args.runs
                try:
                    t = measure(cmd, ledger, env, runs, 0 if bulk or args.quick else 1)
                except SystemExit as failed:  # said, and the run fails at its end
                    print(f"{size:>9,}  {cmd.label:<44} FAILED: {failed}", flush=True)
                    failures.append(f"{size:,}: {failed}")
                    continue
                results[size][cmd.label] = t
                floor = f"  {t.floor_ratio:.1f}x floor" if t.floor_ratio else ""
                print(f"{size:>9,}  {cmd.label:<44} {t.median_ms:8.1f} ms  "
                      f"{t.rss_mib:5.1f} MiB{floor}", flush=True)  # fmt: skip
            if args.cold and size == max(sizes):
                for cmd in COMMANDS:
                    if cmd.kind == "read" and cmd.label in results[size]:
                        c = cold(cmd, ledger, ledgers[min(sizes)], env)
                        colds[cmd.label] = c
                        print(f"{size:>9,}  cold {cmd.label:<39} {c.ms:8.1f} ms  "
                              f"{c.read_mib:6.1f} MiB read", flush=True)  # fmt: skip
    took = time.perf_counter() - started
    text = body(results, sizes, colds, args.runs, args.bulk_runs, took)
    if args.out == "-":
        print(text)
    else:
        write_doc(Path(args.out), text)
        print(f"wrote {args.out} ({took / 60:.0f} minutes)")
    if failures:
        raise SystemExit("failed:\n" + "\n".join(failures))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--bulk-runs", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="a cold-cache run of every read")
    parser.add_argument("--quick", action="store_true", help="10k only, one run each, printed")
    parser.add_argument("--data", type=Path, default=HERE / ".data")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.bulk_runs, args.cold = "10000", 1, 1, False
        if args.out == str(ROOT / "docs" / "benchmarks.md"):
            args.out = "-"
        with tempfile.TemporaryDirectory(prefix="engage-bench-data-") as data:
            args.data = Path(data)
            run(args)
        return
    run(args)


if __name__ == "__main__":
    main()
