"""Sync: records (an export, another ledger) merged into a ledger.

Contacts are named by their `uid`, never by the local row number, so that
records from several devices can be merged; the rules of `merge_records`
make merging idempotent and order-free.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from engage_cli.domain import name_key
from engage_cli.errors import InputError, LedgerError
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import insert_contact
from engage_cli.store.exporting import export_records
from engage_cli.store.rows import OPEN_AGAIN
from engage_cli.store.state import rebuild_state
from engage_cli.store.sync_promises import merge_date, merge_promise


def merge_records(
    ledger: Ledger, records: Iterable[dict[str, Any]], half_life: Callable[[str], float]
) -> dict[str, int]:
    """Merge exported records into this ledger (the caller holds the transaction).

    Idempotent (merging the same records twice changes nothing) and order-free
    (two ledgers that merge each other end identical), by these rules:
    entries, voids, edits and folds are the same when their ids are; a contact
    is the same when its uid or its name (any case) is, and a pair of them
    keeps the smaller uid, the fields of the record with the smaller uid, the
    union of their tags, emails, phones and aliases and the earlier creation
    time; then every field that was edited takes its latest edit (by time,
    then id), and in tags, emails and aliases each item its latest edit; a
    fold undone on either device is undone; two live contacts a merge leaves
    with one name (renamed so on two devices) are kept apart and counted as
    "names shared" (never folded without being asked); a settled ask beats an
    open one, and of two settlements the earlier wins; an
    entry voided twice points at the smaller void id; a promise follows the same rule
    as an ask (settled beats open, then the earlier settlement), and the deposit of
    a keeping that lost is voided. Derived state is rebuilt afterwards.
    """
    from engage_cli.store.edits import apply_edits
    from engage_cli.store.folds import place, shared_names

    ledger.conn.execute("PRAGMA defer_foreign_keys = ON")
    counts = {"contacts added": 0, "contacts matched": 0, "entries added": 0, "voids added": 0}
    uid_to_id: dict[str, int] = {}
    members: list[tuple[int, str]] = []
    pending: dict[str, list[dict[str, Any]]] = {
        "edit": [], "fold": [], "entry": [], "void": [], "promise": [], "date": [], "goal": []
    }  # fmt: skip
    for rec in records:
        kind = rec.get("type")
        if kind == "contact":
            cid, added = merge_contact(ledger, rec)
            uid_to_id[rec["uid"]] = cid
            counts["contacts added" if added else "contacts matched"] += 1
            if rec.get("member_of"):
                members.append((cid, rec["member_of"]))
        elif kind in pending:
            pending[kind].append(rec)

    def local(uid: str, what: str, rec: dict[str, Any]) -> int:
        if uid not in uid_to_id:
            raise InputError(f"{rec['type']} {rec['id']} names {what} that is not in the import")
        return uid_to_id[uid]

    for cid, org_uid in members:
        _merge_member(
            ledger, cid, local(org_uid, "an organisation", {"type": "contact", "id": cid})
        )
    for rec in pending["edit"]:
        counts["edits added"] = counts.get("edits added", 0) + merge_edit(
            ledger, rec, local(rec["contact"], "a contact", rec)
        )
    for rec in pending["fold"]:
        counts["folds added"] = counts.get("folds added", 0) + merge_fold(
            ledger,
            rec,
            local(rec["contact"], "a contact", rec),
            local(rec["into"], "a contact", rec),
        )
    apply_edits(ledger)
    place(ledger, half_life)
    from engage_cli.store.goals import merge_goal

    for rec in pending["goal"]:  # before the entries that serve them
        counts["goals added"] = counts.get("goals added", 0) + merge_goal(ledger, rec)
    for rec in pending["entry"]:
        counts["entries added"] += merge_entry(ledger, rec, uid_to_id)
    for rec in pending["void"]:
        known = ledger.conn.execute("SELECT 1 FROM entries WHERE id = ?", [rec["entry"]])
        if known.fetchone() is None:
            raise InputError(f"void {rec['id']} names an entry that is not in the import")
        counts["voids added"] += merge_void(ledger, rec)
    for rec in pending["promise"]:
        new = merge_promise(ledger, rec, local(rec["contact"], "a contact", rec), merge_void)
        counts["promises added"] = counts.get("promises added", 0) + new
    for rec in pending["date"]:
        new = merge_date(ledger, rec, local(rec["contact"], "a contact", rec))
        counts["dates added"] = counts.get("dates added", 0) + new
    reconcile_asks(ledger)
    rebuild_state(ledger, half_life)
    counts["names shared"] = len(shared_names(ledger))
    return counts


def _merge_member(ledger: Ledger, cid: int, org_id: int) -> None:
    """A contact's organisation from a record: kept where this ledger has none."""
    ledger.conn.execute(
        "UPDATE contacts SET org_id = ? WHERE id = ? AND org_id IS NULL AND id != ?",
        [org_id, cid, org_id],
    )


def merge_edit(ledger: Ledger, rec: dict[str, Any], contact_id: int) -> int:
    cur = ledger.conn.execute(
        "INSERT OR IGNORE INTO edits (id, contact_id, field, value, before, edited_at, batch) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            rec["id"],
            contact_id,
            rec["field"],
            json.dumps(rec["value"], ensure_ascii=False),
            json.dumps(rec["before"], ensure_ascii=False) if rec["before"] is not None else None,
            rec["edited_at"],
            rec["batch"],
        ],
    )
    return cur.rowcount


def merge_fold(ledger: Ledger, rec: dict[str, Any], dup: int, into: int) -> int:
    """A fold from a record; undone on either side means undone (the earlier undo)."""
    if dup == into:
        raise InputError(f"fold {rec['id']} folds a contact into itself")
    row = ledger.conn.execute("SELECT undone_at FROM folds WHERE id = ?", [rec["id"]]).fetchone()
    if row is None:
        ledger.conn.execute(
            "INSERT INTO folds (id, contact_id, into_id, folded_at, undone_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [rec["id"], dup, into, rec["folded_at"], rec["undone_at"]],
        )
        return 1
    undone = [t for t in (row[0], rec["undone_at"]) if t is not None]
    if undone and min(undone) != row[0]:
        ledger.conn.execute("UPDATE folds SET undone_at = ? WHERE id = ?", [min(undone), rec["id"]])
    return 0


def reconcile_asks(
    ledger: Ledger,
) -> None:
    """Make asks and what they gave back agree after a merge, the same way on every device.

    A give-back whose ask is not done (another device declined it first, or
    reopened it) is voided, and so is every give-back but the earliest of an
    ask marked done on two devices; the void ids derive from the deposit so
    that both devices write the same ones. A done ask whose give-backs are
    all voided is open.
    """
    import uuid

    stale = ledger.conn.execute(
        "SELECT d.id, d.occurred_at FROM entries d JOIN entries a ON a.id = d.source_id "
        "WHERE d.voided_by IS NULL AND (a.status != 'done' OR a.voided_by IS NOT NULL)"
    ).fetchall()
    twice = ledger.conn.execute(
        "SELECT d.id, d.occurred_at FROM entries d INDEXED BY entries_by_source "
        "WHERE d.source_id IS NOT NULL AND d.voided_by IS NULL AND EXISTS ("
        "SELECT 1 FROM entries k WHERE k.source_id = d.source_id AND k.voided_by IS NULL "
        "AND (k.occurred_at, k.id) < (d.occurred_at, d.id))"
    ).fetchall()
    for (deposit_id, occurred_at), why, reason in [
        *((row, "unsettled", "its ask is not done") for row in stale),
        *((row, "duplicate", "its ask was done on two devices") for row in twice),
    ]:
        void_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"engage:{why}:{deposit_id}"))
        merge_void(
            ledger, {"id": void_id, "entry": deposit_id, "voided_at": occurred_at, "reason": reason}
        )
    ledger.conn.execute(
        f"UPDATE entries {OPEN_AGAIN} "
        "WHERE status = 'done' AND voided_by IS NULL "
        "AND EXISTS (SELECT 1 FROM entries d WHERE d.source_id = entries.id) "
        "AND NOT EXISTS (SELECT 1 FROM entries d WHERE d.source_id = entries.id "
        "AND d.voided_by IS NULL)"
    )


def merge_contact(ledger: Ledger, rec: dict[str, Any]) -> tuple[int, bool]:
    by_uid = ledger.rows("SELECT * FROM contacts WHERE uid = ?", [rec["uid"]])
    found = by_uid or ledger.rows(
        "SELECT * FROM contacts WHERE name_key = ? ORDER BY folded_into IS NULL DESC, uid",
        [name_key(rec["name"])],
    )
    if not found:
        new_id = insert_contact(
            ledger,
            uid=rec["uid"],
            name=rec["name"],
            kind=rec["kind"],
            circle=rec["circle"],
            tags=rec["tags"],
            note=rec["note"],
            created_at=rec["created_at"],
            org=rec.get("org", ""),
            nickname=rec.get("nickname", ""),
            birthday=rec.get("birthday", ""),
            emails=rec.get("emails", []),
            phones=rec.get("phones", []),
            sector=rec.get("sector", ""),
            aliases=rec.get("aliases", []),
            archived_at=rec.get("archived_at"),
            mode=rec.get("mode", "engagement"),
        )
        return new_id, True
    local = found[0]
    mine = {
        **local,
        "tags": json.loads(local["tags"]),
        "emails": json.loads(local["emails"]),
        "phones": json.loads(local["phones"]),
        "aliases": json.loads(local["aliases"]),
    }

    def rank(r: dict[str, Any]) -> tuple[str, str]:
        # The smaller uid wins; between two versions of the same contact the
        # values decide, so that both devices pick the same one.
        fields = {k: r.get(k) for k in _CONTACT_FIELDS}
        return (r["uid"], json.dumps(fields, sort_keys=True, ensure_ascii=False))

    winner, other = (rec, mine) if rank(rec) < rank(mine) else (mine, rec)

    def union(key: str) -> str:
        first = list(winner.get(key, []))
        return json.dumps(list(dict.fromkeys([*first, *other.get(key, [])])), ensure_ascii=False)

    def pick(key: str) -> str:
        return str(winner.get(key, "") or other.get(key, ""))

    ledger.conn.execute(
        "UPDATE contacts SET uid = ?, name = ?, name_key = ?, kind = ?, circle = ?, "
        "tags = ?, note = ?, created_at = ?, org = ?, nickname = ?, birthday = ?, "
        "emails = ?, phones = ?, sector = ?, aliases = ?, archived_at = ?, mode = ? "
        "WHERE id = ?",
        [
            winner["uid"],
            winner["name"],
            name_key(winner["name"]),
            winner["kind"],
            winner["circle"],
            union("tags"),
            winner["note"],
            min(local["created_at"], rec["created_at"]),
            pick("org"),
            pick("nickname"),
            pick("birthday"),
            union("emails"),
            union("phones"),
            pick("sector"),
            union("aliases"),
            winner.get("archived_at"),
            winner.get("mode", "engagement"),
            local["id"],
        ],
    )
    return int(local["id"]), False


def merge_entry(ledger: Ledger, rec: dict[str, Any], uid_to_id: dict[str, int]) -> int:
    row = ledger.conn.execute(
        "SELECT status, resolved_at, kind, occurred_at FROM entries WHERE id = ?", [rec["id"]]
    ).fetchone()
    if rec.get("follow_up") is not None:  # of two follow-up days, the earlier
        ledger.conn.execute(
            "UPDATE entries SET follow_up_at = ? WHERE id = ? "
            "AND (follow_up_at IS NULL OR follow_up_at > ?)",
            [rec["follow_up"], rec["id"], rec["follow_up"]],
        )
    if row is not None:
        # The same entry as one here: only its settlement may differ, and it must fit.
        if rec["kind"] != row[2]:
            raise InputError(f"entry {rec['id']} is a {row[2]} here, not a {rec['kind']}")
        if rec["resolved_at"] is not None and rec["resolved_at"] < row[3]:
            raise InputError(f"entry {rec['id']}: an ask cannot be settled before it was made")
        status, resolved = _settle_merge((row[0], row[1]), (rec["status"], rec["resolved_at"]))
        if (status, resolved) != (row[0], row[1]):
            ledger.conn.execute(
                "UPDATE entries SET status = ?, resolved_at = ? WHERE id = ?",
                [status, resolved, rec["id"]],
            )
        return 0
    from engage_cli.store.folds import placed

    if rec["contact"] not in uid_to_id:
        raise InputError(f"entry {rec['id']} names a contact that is not in the import")
    via = rec.get("via")
    if via is not None and via not in uid_to_id:
        raise InputError(f"entry {rec['id']} names a broker that is not in the import")
    intro = rec.get("intro")
    if intro is not None and intro not in uid_to_id:
        raise InputError(f"entry {rec['id']} names an introduction that is not in the import")
    contact_id, origin_id = placed(ledger, uid_to_id[rec["contact"]])
    via_id, via_origin_id = placed(ledger, uid_to_id[via]) if via is not None else (None, None)
    ledger.conn.execute(
        "INSERT INTO entries (id, contact_id, kind, points, occurred_at, logged_at, note, "
        "tags, batch, status, resolved_at, source_id, via_id, origin_id, via_origin_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            rec["id"],
            contact_id,
            rec["kind"],
            rec["points"],
            rec["occurred_at"],
            rec["logged_at"],
            rec["note"],
            json.dumps(rec["tags"], ensure_ascii=False),
            rec["batch"],
            rec["status"],
            rec["resolved_at"],
            rec.get("source"),
            via_id,
            origin_id,
            via_origin_id,
        ],
    )
    if rec.get("follow_up") is not None:
        ledger.conn.execute(
            "UPDATE entries SET follow_up_at = ? WHERE id = ?", [rec["follow_up"], rec["id"]]
        )
    if intro is not None:
        ledger.conn.execute(
            "UPDATE entries SET intro_with = ? WHERE id = ?", [uid_to_id[intro], rec["id"]]
        )
    if rec.get("goal") is not None:
        from engage_cli.store.goals import goal_id_named

        goal_id = goal_id_named(ledger, rec["goal"])
        if goal_id is None:
            raise InputError(f"entry {rec['id']} serves a goal that is not in the import")
        ledger.conn.execute("UPDATE entries SET goal_id = ? WHERE id = ?", [goal_id, rec["id"]])
    return 1


def merge_void(ledger: Ledger, rec: dict[str, Any]) -> int:
    if ledger.conn.execute("SELECT 1 FROM voids WHERE id = ?", [rec["id"]]).fetchone():
        return 0
    ledger.conn.execute(
        "INSERT INTO voids (id, entry_id, voided_at, reason) VALUES (?, ?, ?, ?)",
        [rec["id"], rec["entry"], rec["voided_at"], rec["reason"]],
    )
    ledger.conn.execute(
        "UPDATE entries SET voided_by = ? WHERE id = ? AND (voided_by IS NULL OR voided_by > ?)",
        [rec["id"], rec["entry"], rec["id"]],
    )
    return 1


_SETTLED_RANK = {None: 0, "open": 0, "declined": 1, "done": 2}
_CONTACT_FIELDS = (
    "name", "kind", "circle", "tags", "note", "created_at",
    "org", "nickname", "birthday", "emails", "phones", "sector", "aliases", "archived_at",
    "mode",
)  # fmt: skip


def _settle_merge(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None]
) -> tuple[str | None, str | None]:
    """Of two states of the same ask: settled beats open; then the earlier settlement."""
    if a[0] in (None, "open"):
        return b if b[0] not in (None, "open") else a
    if b[0] in (None, "open"):
        return a
    return min(a, b, key=lambda s: (s[1] or "", _SETTLED_RANK[s[0]]))


def other_ledger_records(source: Path, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every record of another ledger file, read-only and validated like an import's.

    The other file is read first: if it cannot be read, nothing here is created.
    """
    from engage_cli.formats.records import validate_records

    if not source.exists():  # not "start one": it is someone else's file
        raise InputError(f"no file at {source}")
    with Ledger.open(source, create=False, read_only=True) as theirs:
        check_shape(theirs)
        deadline = time.monotonic() + MAX_READ_SECONDS
        theirs.conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            # Through the same validation as an import: a merge accepts exactly
            # what an import of the other ledger's export would.
            records = enumerate(export_records(theirs), 1)
            return list(validate_records(records, str(source), now))
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            raise LedgerError(
                f"reading {source} took over {MAX_READ_SECONDS} s; it is not a ledger that "
                "can be merged"
            ) from None
        except (ValueError, TypeError, RecursionError) as exc:  # its JSON columns, say
            raise LedgerError(
                f"{source} holds a record that cannot be read ({type(exc).__name__}); "
                "nothing was merged"
            ) from None


# A merge source is someone else's file: what it may hold, and how long reading it may take.
MAX_READ_SECONDS = 300
SHAPE = {
    "contacts": {
        "id", "uid", "name", "kind", "circle", "tags", "note", "created_at",
        "org", "nickname", "birthday", "emails", "phones",
    },
    "entries": {
        "id", "contact_id", "kind", "points", "occurred_at", "logged_at", "note", "tags",
        "batch", "status", "resolved_at", "source_id", "via_id", "voided_by",
    },
    "voids": {"id", "entry_id", "voided_at", "reason"},
}  # fmt: skip


def check_shape(ledger: Ledger) -> None:
    """Refuse a file whose contacts, entries or voids are not plain tables of the
    expected columns: a view there could recurse forever or fill the disk."""
    for table, columns in SHAPE.items():
        row = ledger.conn.execute(
            "SELECT type FROM sqlite_master WHERE name = ? COLLATE NOCASE", [table]
        ).fetchone()
        if row is None or row[0] != "table":
            raise LedgerError(f"{ledger.path} has no {table} table of a ledger; nothing was read")
        info = ledger.conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
        if any(r[6] for r in info):  # generated or hidden: computed on every read
            raise LedgerError(f"{ledger.path}: its {table} table has computed columns")
        have = {r[1] for r in info}
        if not columns <= have:
            missing = ", ".join(sorted(columns - have))
            raise LedgerError(f"{ledger.path}: its {table} table lacks {missing}")


def merge_file(
    path: Path,
    records: Iterable[dict[str, Any]],
    half_life: Callable[[str], float],
    kind: str = "import",
    now: datetime | None = None,
) -> dict[str, int]:
    """Merge records into the ledger at `path` (created if missing: a new device may
    start by merging), in one transaction, journaled as one action (`kind`: import
    or merge) that undo can take back."""
    from engage_cli.dates import local_now, to_store
    from engage_cli.store.journal import capturing

    at = to_store(now or local_now())
    with Ledger.open(path, create=True) as ledger, ledger.transaction():
        with capturing(ledger, kind, at) as detail:
            counts = merge_records(ledger, records, half_life)
            detail["counts"] = counts
        return counts


def merge_ledger(
    path: Path, source: Path, half_life: Callable[[str], float], now: datetime | None = None
) -> dict[str, int]:
    """Merge another ledger file into the one at `path`; the other file is only read.

    Its records pass the validation of an import (`now`: see read_records).
    """
    if path.exists() and source.exists() and source.samefile(path):  # before reading it all
        raise InputError("that is this ledger; merge another one")
    return merge_file(path, other_ledger_records(source, now), half_life, "merge", now)
