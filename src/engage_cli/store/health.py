"""Health: everything `doctor` verifies about a ledger."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from engage_cli import domain
from engage_cli.domain import name_key
from engage_cli.errors import LedgerError
from engage_cli.store import files
from engage_cli.store.connection import Ledger
from engage_cli.store.exporting import Progress, count_records, export_records
from engage_cli.store.folds import place, placement_problems
from engage_cli.store.queries import count_entries
from engage_cli.store.search import index_problems, rebuild_index
from engage_cli.store.state import rebuild_state, verify_state


def check_ledger(
    ledger: Ledger, half_life: Callable[[str], float], progress: Progress | None = None
) -> dict[str, list[str]]:
    """Every check of a ledger's health: check name -> problems found (empty when fine);
    `progress(checks done, checks)` after each (the records' check as it reads them)."""
    conn = ledger.conn
    problems: dict[str, list[str]] = {}
    steps = 9

    def done(n: int) -> None:
        if progress is not None:
            progress(n, steps)

    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    problems["integrity"] = [] if rows == ["ok"] else rows[:20]
    done(1)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    problems["schema"] = (
        []
        if version == domain.SCHEMA_VERSION
        else [f"schema {version}, expected {domain.SCHEMA_VERSION}"]
    )
    problems["foreign keys"] = [
        f"{table} row {rowid} points at a missing {parent}"
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall()[:20]
    ]
    done(2)
    problems["voids"] = [
        f"entry {eid} and its void disagree"
        for (eid,) in conn.execute(
            "SELECT e.id FROM entries e LEFT JOIN voids v ON v.id = e.voided_by "
            "WHERE e.voided_by IS NOT NULL AND (v.id IS NULL OR v.entry_id != e.id) "
            "UNION SELECT v.entry_id FROM voids v LEFT JOIN entries e ON e.id = v.entry_id "
            "WHERE e.id IS NULL OR e.voided_by IS NULL OR e.voided_by > v.id LIMIT 20"
        )
    ]
    done(3)
    missing = conn.execute(
        "SELECT count(*) FROM contacts c "
        "WHERE NOT EXISTS (SELECT 1 FROM contact_state s WHERE s.contact_id = c.id)"
    ).fetchone()[0]
    state = [
        f"{n}: derived state differs from its entries" for n in verify_state(ledger, half_life)
    ]
    if missing:
        state.insert(0, f"{missing} contacts have no derived state")
    problems["derived state"] = state
    done(5)
    problems["folds"] = placement_problems(ledger)
    done(6)
    total = count_records(ledger)
    within = None if progress is None else (lambda n, _: progress(6 * total + 2 * n, steps * total))
    problems["records"] = record_problems(ledger, progress=within)
    done(8)
    problems["search index"] = index_problems(ledger)
    done(9)
    return problems


def record_problems(ledger: Ledger, limit: int = 20, progress: Progress | None = None) -> list[str]:
    """Records an export of this ledger would hold that an import would refuse:
    each would stop every import and merge of it, on every device."""
    from engage_cli.formats.records import check_record

    found = []
    for rec in export_records(ledger, progress):
        problem, _ = check_record(rec)
        if problem is not None:
            found.append(f"{rec['type']} {rec.get('id') or rec.get('uid')}: {problem}")
            if len(found) >= limit:
                break
    return found


def repair_records(ledger: Ledger) -> int:
    """Make people's text in the ledger pass the checks an import makes; return how
    many rows changed. Notes and void reasons lose NUL characters and what is past
    their length; names, tags, organisations, nicknames, birthdays, emails and
    phones lose control and invisible characters and what is past their length
    or count (a name that would then clash with another keeps a number). Points
    and moments are never guessed: a record wrong there stays reported, for a
    backup to replace."""
    from engage_cli.inputs import (
        MAX_BIRTHDAY,
        MAX_EMAIL,
        MAX_FIELD,
        MAX_ITEMS,
        MAX_NOTE,
        MAX_PHONE,
        MAX_TAG,
        clean_field,
        clean_items,
    )
    from engage_cli.terminal import has_invisible

    def text(value: str, limit: int) -> str:
        return value.replace("\x00", "")[:limit].strip()

    def visible_only(value: str) -> str:
        return " ".join("".join(ch for ch in value if not has_invisible(ch)).split())

    def tags(raw: str) -> str:
        kept = [t for t in json.loads(raw) if t and len(t) <= MAX_TAG and not has_invisible(t)]
        return json.dumps(list(dict.fromkeys(kept))[:MAX_ITEMS], ensure_ascii=False)

    def field(limit: int) -> Callable[[str], str]:
        return lambda v: clean_field(v.replace("\x00", ""), "a field", limit, cut=True)

    def items(limit: int) -> Callable[[str], str]:
        def fix(raw: str) -> str:
            kept = clean_items([v.replace("\x00", "") for v in json.loads(raw)], "", limit, True)
            return json.dumps(kept, ensure_ascii=False)

        return fix

    changed = 0
    conn = ledger.conn
    for table, column, fix in (
        ("entries", "note", lambda v: text(v, MAX_NOTE)),
        ("voids", "reason", lambda v: text(v, MAX_NOTE)),
        ("contacts", "note", lambda v: text(v, MAX_NOTE)),
        ("entries", "tags", tags),
        ("contacts", "tags", tags),
        ("contacts", "org", field(MAX_FIELD)),
        ("contacts", "nickname", field(MAX_FIELD)),
        ("contacts", "birthday", field(MAX_BIRTHDAY)),
        ("contacts", "emails", items(MAX_EMAIL)),
        ("contacts", "phones", items(MAX_PHONE)),
    ):
        for rowid, value in conn.execute(f"SELECT rowid, {column} FROM {table}").fetchall():
            new = fix(value)
            if new != value:
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", [new, rowid])
                changed += 1
    taken = {key for (key,) in conn.execute("SELECT name_key FROM contacts")}
    for cid, name in conn.execute("SELECT id, name FROM contacts").fetchall():
        new = visible_only(name) or "(no name)"
        if new == name:
            continue
        base, n = new, 1
        while name_key(new) in taken:
            n += 1
            new = f"{base} ({n})"
        taken.add(name_key(new))
        conn.execute(
            "UPDATE contacts SET name = ?, name_key = ? WHERE id = ?", [new, name_key(new), cid]
        )
        changed += 1
    return changed


def diagnose(
    ledger: Ledger,
    half_life: Callable[[str], float],
    repair: bool,
    progress: Progress | None = None,
) -> tuple[dict[str, list[str]], bool]:
    """The checks' findings and whether a repair ran: with `repair`, derived state and
    the search index are rebuilt from the entries, and people's text that would stop an export from
    being imported is cleaned (`repair_records`); points, moments and kinds of
    entries never change. The findings are written down beside the ledger
    (files.note_damage), and writes are refused until a check finds nothing.
    `progress(done, total)` as the checks go (see check_ledger)."""
    problems = check_ledger(ledger, half_life, progress)
    repaired = False
    rebuildable = ("derived state", "records", "search index", "folds")
    if repair and any(problems[name] for name in rebuildable):
        with ledger.transaction(repair=True):
            if problems["records"]:
                repair_records(ledger)
            if problems["folds"]:
                place(ledger, half_life, everyone=True)
            rebuild_state(ledger, half_life)
            rebuild_index(ledger)
        problems, repaired = check_ledger(ledger, half_life, progress), True
    if not ledger.read_only:  # read-only media: nothing can be written, nor needs guarding
        files.note_damage(ledger.path, [name for name, found in problems.items() if found])
    return problems, repaired


def verified_backup(ledger: Ledger, target: Path, half_life: Callable[[str], float]) -> int:
    """Copy the ledger to `target` and check the copy; return how many entries it holds."""
    target = files.new_file(target, ledger.path)
    count = count_entries(ledger)  # the copy holds at least these (others may write)
    ledger.backup(target)
    with Ledger.open(target, create=False) as copy:
        problems = check_ledger(copy, half_life)
        copied = count_entries(copy)
    bad = [name for name, found in problems.items() if found]
    if bad or copied < count:
        raise LedgerError(f"the backup at {target} failed verification ({', '.join(bad)})")
    return copied
