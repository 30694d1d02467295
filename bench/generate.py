"""Build a deterministic synthetic ledger for benchmarks.

    python bench/generate.py --entries 1000000 --contacts 2000 --db /tmp/big.db

Contacts spread over the four circles, entries over ten years up to --end:
70% deposits, 25% asks (60% of them done, 15% declined, the rest open), 5%
received; 3% brokered by another contact, 3% back-dated (logged days after
they happened), about 1% voided, 20% tagged. Every contact has a birthday, and
there are --promises promises (default: one per 100 entries), due over the last
and next two months of the history, 40% of them still open. Eight shared goals
are served by 1% of the entries (half of them by the first goal), and one open
ask in ten has a follow-up day. Rows go in through the ledger's bulk
path and the derived per-contact state is rebuilt at the end, exactly as
`engage doctor --repair` would.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engage_cli.dates import to_store
from engage_cli.domain import name_key
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.state import rebuild_state
from engage_cli.store.writes import bulk_insert

SECTORS = ("business", "nonprofit", "government", "academia", "community")
CIRCLES = (("inner", 0.02, 12.0), ("close", 0.08, 5.0), ("active", 0.30, 1.5), ("wide", 0.60, 0.5))
CHUNK = 50_000
POINTS = (0.5, 1, 1, 1, 2, 2, 3, 5)
TAGS = ("work", "family", "open-source", "investor", "design", "community", "research")
NOTES = ("coffee", "call", "lunch", "intro", "thanks", "review", "helped with a move", "")
# What a note is about, now and then: 60 topics, so that a word of one is in about
# 1 note in 200, as the words people search for are (a place, a project, a name).
TOPICS = tuple(
    f"{a} {b}"
    for a in ("her", "his", "their", "the", "a new", "our")
    for b in ("move to Lisbon", "startup", "thesis", "garden", "book", "marathon", "grant",
              "wedding", "podcast", "kayak trip")
)  # fmt: skip
FIRST = ("Ann", "Bob", "Cy", "Dee", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lea")
GOALS = ("Food hub", "Civic tech", "Clean river", "Open data", "Library", "Youth jobs",
         "Bike lanes", "Housing")  # fmt: skip
# What the generated ledger looks like: a cache of ledgers built by an older
# generation (or schema) is built again (bench/run.py names its files by both).
GENERATION = 3
LAST = ("Lee", "Stone", "Young", "Park", "Ng", "Kim", "Diaz", "Okafor", "Weiss", "Rossi")


def uuid7_at(rng: random.Random, at: datetime, seq: int) -> str:
    """A UUIDv7 for a past moment: its milliseconds, a counter and seeded random bits."""
    ms = int(at.timestamp() * 1000)
    value = (ms << 80) | (0x7 << 76) | ((seq & 0xFFF) << 64) | (0b10 << 62)
    value |= rng.getrandbits(62)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def generate(
    entries: int,
    contacts: int,
    path: Path,
    seed: int,
    end: datetime,
    promises: int | None = None,
) -> dict[str, float]:
    rng = random.Random(seed)
    start = end - timedelta(days=3652)
    span = (end - start).total_seconds()
    if path.exists():
        raise SystemExit(f"{path} exists; give a new path")
    t0 = time.perf_counter()
    ledger = Ledger.open(path, create=True)
    contact_rows = []
    weights = []
    for i in range(contacts):
        circle, _, weight = rng.choices(CIRCLES, weights=[c[1] for c in CIRCLES])[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:05d}"
        created = start + timedelta(seconds=rng.random() * span * 0.5)
        contact_rows.append(
            {
                "id": i + 1,
                "uid": uuid7_at(rng, created, i),
                "name": name,
                "name_key": name_key(name),
                "kind": "person" if rng.random() < 0.9 else "org",
                "circle": circle,
                "tags": json.dumps(rng.sample(TAGS, rng.randint(0, 2))),
                "note": "",
                "created_at": to_store(created),
                "birthday": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
            }
        )
        weights.append(weight)
    # The web: most contacts have a sector, half of the people belong to an
    # organisation (and through it to its other people), and 3% of the entries
    # below were brokered (--via): about 30,000 links at a million entries.
    orgs = [row["id"] for row in contact_rows if row["kind"] == "org"]
    for row in contact_rows:
        row["sector"] = rng.choice(SECTORS) if rng.random() < 0.7 else ""
        person = row["kind"] == "person"
        row["org_id"] = rng.choice(orgs) if person and orgs and rng.random() < 0.5 else None
    owners = rng.choices(range(contacts), weights=weights, k=entries)
    stamps = sorted(rng.random() for _ in range(entries))
    with ledger, ledger.transaction():
        bulk_insert(ledger, contacts=contact_rows)
        goal_ids = _goals(ledger, rng, start)
        entry_rows: list[dict[str, object]] = []
        void_rows: list[dict[str, object]] = []
        for seq, (owner, u) in enumerate(zip(owners, stamps, strict=True)):
            occurred = start + timedelta(seconds=int(u * span))
            logged = occurred
            if rng.random() < 0.03:  # logged later than it happened
                logged = min(end, occurred + timedelta(days=rng.randint(1, 20)))
            entry_id = uuid7_at(rng, logged, seq)
            voided = None
            if rng.random() < 0.01:
                voided = uuid7_at(rng, logged + timedelta(minutes=5), seq)
                void_rows.append(
                    {
                        "id": voided,
                        "entry_id": entry_id,
                        "voided_at": to_store(logged),
                        "reason": "",
                    }
                )
            r = rng.random()
            kind = "deposit" if r < 0.70 else ("withdrawal" if r < 0.95 else "received")
            status = resolved = follow_up = None
            if kind == "withdrawal":  # asks: most settled within a few weeks
                s = rng.random()
                status = "done" if s < 0.6 else ("declined" if s < 0.75 else "open")
                if status != "open":
                    resolved = to_store(min(end, occurred + timedelta(days=rng.randint(1, 30))))
                elif rng.random() < 0.1:
                    follow_up = to_store(occurred + timedelta(days=rng.randint(3, 30)))
            goal = None
            if rng.random() < 0.01:  # half of them serve the first goal
                goal = goal_ids[0] if rng.random() < 0.5 else rng.choice(goal_ids)
            via = rng.randrange(contacts) + 1 if rng.random() < 0.03 else None
            intro = rng.randrange(contacts) + 1 if rng.random() < 0.01 else None
            entry_rows.append(
                {
                    "id": entry_id,
                    "contact_id": owner + 1,
                    "kind": kind,
                    "status": status,
                    "resolved_at": resolved,
                    "via_id": via if via != owner + 1 else None,
                    # 1% of the deposits are introductions you made (about 7,000)
                    "intro_with": intro if kind == "deposit" and intro != owner + 1 else None,
                    "points": rng.choice(POINTS),
                    "occurred_at": to_store(occurred),
                    "logged_at": to_store(logged),
                    "note": rng.choice(NOTES)
                    + (" about " + rng.choice(TOPICS) if rng.random() < 0.05 else ""),
                    "tags": json.dumps([rng.choice(TAGS)]) if rng.random() < 0.2 else "[]",
                    "batch": entry_id,
                    "voided_by": voided,
                    "follow_up_at": follow_up,
                    "goal_id": goal,
                }
            )
            if len(entry_rows) >= CHUNK:
                bulk_insert(ledger, entries=entry_rows, voids=void_rows)
                entry_rows, void_rows = [], []
        bulk_insert(ledger, entries=entry_rows, voids=void_rows)
        bulk_insert(ledger, promises=_promises(rng, contacts, end, promises, entries))
        t1 = time.perf_counter()
        rebuild_state(ledger, Policy().half_life)
    t2 = time.perf_counter()
    with Ledger.open(path, create=False) as ledger:
        # No ANALYZE: a user's ledger has no statistics, so the bench's must not either
        # (they change which index SQLite picks).
        ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"rows_s": t1 - t0, "state_s": t2 - t1, "total_s": time.perf_counter() - t0}


def _goals(ledger: Ledger, rng: random.Random, start: datetime) -> list[int]:
    """The shared goals, as whole rows (as bulk_insert puts the others): their ids."""
    rows = [
        (i + 1, uuid7_at(rng, start, i), g, name_key(g), _sectors(rng.sample(SECTORS, 2)),
         to_store(start), to_store(start))
        for i, g in enumerate(GOALS)
    ]  # fmt: skip
    ledger.conn.executemany(
        "INSERT INTO goals (id, uid, name, name_key, sectors, created_at, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return [r[0] for r in rows]


def _sectors(picked: list[str]) -> str:
    return json.dumps([s for s in SECTORS if s in picked])  # in the order engage lists them


def _promises(
    rng: random.Random, contacts: int, end: datetime, count: int | None, entries: int
) -> list[dict[str, object]]:
    """Promises due from two months before `end` to two months after, 40% still open."""
    rows: list[dict[str, object]] = []
    for i in range(entries // 100 if count is None else count):
        due = end + timedelta(days=rng.randint(-60, 60))
        made = min(end, due - timedelta(days=rng.randint(1, 30)))  # never ahead of the history
        pid = uuid7_at(rng, made, i)
        s = rng.random()
        state = "open" if s < 0.4 or made > end else ("kept" if s < 0.85 else "dropped")
        settled = to_store(min(end, made + timedelta(days=rng.randint(0, 20))))
        rows.append(
            {
                "id": pid,
                "contact_id": rng.randrange(contacts) + 1,
                "what": rng.choice(NOTES) or "send the notes",
                "due_at": to_store(due.replace(hour=23, minute=59, second=59)),
                "made_at": to_store(made),
                "logged_at": to_store(made),
                "batch": pid,
                "state": state,
                "settled_at": None if state == "open" else settled,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, required=True)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--end",
        default="2026-11-01T00:00:00Z",
        help="the latest moment of the history (ISO, UTC); default 2026-11-01",
    )
    parser.add_argument("--promises", type=int, default=None, help="default: one per 100 entries")
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end).astimezone(UTC)
    took = generate(args.entries, args.contacts, args.db, args.seed, end, args.promises)
    print(
        f"{args.db}: {args.entries} entries, {args.contacts} contacts in {took['total_s']:.1f}s "
        f"(rows {took['rows_s']:.1f}s, derived state {took['state_s']:.1f}s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
