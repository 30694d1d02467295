"""Sync: records (an export, another ledger) merged into a ledger.

Contacts are named by their `uid`, never by the local row number, so that
records from several devices can be merged; the rules of `merge_records`
make merging idempotent and order-free.

Records are merged as they stream in, in the order an export writes them
(formats.records.EXPORT_ORDER): only a map of the contacts (uid to row) and a
batch of entries are held, whatever the size of the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from engage_cli.domain import name_key
from engage_cli.errors import InputError
from engage_cli.formats.records import EXPORT_ORDER
from engage_cli.store.bulk import Load, bulk_load
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import insert_contact
from engage_cli.store.state import rebuild_state
from engage_cli.store.sync_entries import merge_known_entry, merge_void, reconcile_asks
from engage_cli.store.sync_promises import merge_date, merge_promise

_RANK = {kind: n for n, kind in enumerate(EXPORT_ORDER)}
BATCH = 2000  # entries merged at once: a bounded list, one query for those known here
CACHE_KIB = 16 * 1024  # SQLite's page cache while merging (its default is 2 MiB)


class OutOfOrder(InputError):
    """A record came after records an export writes after it (see EXPORT_ORDER)."""


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

    Records in an export's order stream through; records in another order are
    merged as if sorted into it (kept in a temporary table meanwhile), when
    `records` can be read again: a one-pass iterator out of order is refused.
    A refused record is refused from the sorted records too, so that its error
    is the one an ordered file gives.
    """
    conn = ledger.conn
    conn.execute("PRAGMA defer_foreign_keys = ON")
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")  # the entries' indexes stay in memory
    conn.execute("SAVEPOINT merge_in_order")
    try:
        counts = _Merge(ledger, half_life).run(records)
    except InputError:
        # Out of order, or a record that names one still to come: merged again, sorted
        # (a record wrong in itself is then refused again, as it was).
        conn.execute("ROLLBACK TO merge_in_order")
        conn.execute("RELEASE merge_in_order")
        if iter(records) is records:
            raise
        return _Merge(ledger, half_life).run(in_export_order(ledger, records))
    else:
        conn.execute("RELEASE merge_in_order")
        return counts
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def in_export_order(ledger: Ledger, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The records sorted into an export's order (stable: each kind keeps its own order),
    by way of a temporary table, so that memory stays bounded."""
    conn = ledger.conn
    conn.execute("DROP TABLE IF EXISTS temp.merge_queue")
    conn.execute("CREATE TEMP TABLE merge_queue (rank INTEGER, n INTEGER, rec TEXT)")
    batch: list[tuple[int, int, str]] = []
    for n, rec in enumerate(records):
        rank = _RANK.get(str(rec.get("type")), -1)
        batch.append((rank, n, json.dumps(rec, ensure_ascii=False)))
        if len(batch) >= BATCH:
            conn.executemany("INSERT INTO temp.merge_queue VALUES (?, ?, ?)", batch)
            batch.clear()
    conn.executemany("INSERT INTO temp.merge_queue VALUES (?, ?, ?)", batch)
    for (rec,) in conn.execute("SELECT rec FROM temp.merge_queue ORDER BY rank, n"):
        yield json.loads(rec)
    conn.execute("DROP TABLE temp.merge_queue")  # (a merge that fails rolls it back)


class _Merge:
    """One merge as records stream in: each kind is merged as it comes, and what the
    next kinds rely on (organisations, edits applied, folds placed, entries written)
    is done when the first record past it arrives, or at the end."""

    def __init__(self, ledger: Ledger, half_life: Callable[[str], float]) -> None:
        self.ledger = ledger
        self.half_life = half_life
        self.counts = {
            "contacts added": 0, "contacts matched": 0, "entries added": 0, "voids added": 0
        }  # fmt: skip
        self.uid_to_id: dict[str, int] = {}
        self.members: list[tuple[int, str]] = []
        self.entries: list[dict[str, Any]] = []  # a batch, at most BATCH
        self.batch_ids: set[str] = set()
        self.where: dict[int, int | None] = {}  # a contact's folded_into, once folds stand
        self.goals: dict[str, int | None] = {}  # a goal's row by name, once goals are in
        self.phase = 0
        self.load: Load | None = None

    def run(self, records: Iterable[dict[str, Any]]) -> dict[str, int]:
        from engage_cli.store.folds import shared_names

        with bulk_load(self.ledger) as self.load:
            self._each(records)
        reconcile_asks(self.ledger)
        rebuild_state(self.ledger, self.half_life)
        self.counts["names shared"] = len(shared_names(self.ledger))
        return self.counts

    def _each(self, records: Iterable[dict[str, Any]]) -> None:
        for rec in records:
            kind = rec.get("type")
            rank = _RANK.get(kind)  # type: ignore[arg-type]
            if rank is None:
                continue  # the header
            if rank < self.phase:
                raise OutOfOrder(
                    f"a {kind} record after {EXPORT_ORDER[self.phase]} records (an export "
                    f"holds them in this order: {', '.join(EXPORT_ORDER)})"
                )
            if rank > self.phase:
                self._reach(rank)
            self._merge(kind, rec)  # type: ignore[arg-type]
        self._reach(len(EXPORT_ORDER))

    def _reach(self, rank: int) -> None:
        """Finish each kind before `rank` that the kinds from it on rely on."""
        from engage_cli.store.edits import apply_edits
        from engage_cli.store.folds import place

        while self.phase < rank:
            done = EXPORT_ORDER[self.phase]
            self.phase += 1
            if done == "contact":
                for cid, org_uid in self.members:
                    org = self.local(org_uid, "an organisation", {"type": "contact", "id": cid})
                    _merge_member(self.ledger, cid, org)
                self.members = []
            elif done == "fold":  # every edit and fold is in: the columns and places stand
                apply_edits(self.ledger)
                place(self.ledger, self.half_life)
                self.where = dict(self.ledger.conn.execute("SELECT id, folded_into FROM contacts"))
            elif done == "entry":
                self._flush()

    def local(self, uid: str, what: str, rec: dict[str, Any]) -> int:
        if uid not in self.uid_to_id:
            raise InputError(f"{rec['type']} {rec['id']} names {what} that is not in the import")
        return self.uid_to_id[uid]

    def _add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def _merge(self, kind: str, rec: dict[str, Any]) -> None:
        ledger = self.ledger
        if kind == "contact":
            cid, added = merge_contact(ledger, rec)
            self.uid_to_id[rec["uid"]] = cid
            self.counts["contacts added" if added else "contacts matched"] += 1
            if rec.get("member_of"):
                self.members.append((cid, rec["member_of"]))
        elif kind == "edit":
            self._add(
                "edits added", merge_edit(ledger, rec, self.local(rec["contact"], "a contact", rec))
            )
        elif kind == "fold":
            dup = self.local(rec["contact"], "a contact", rec)
            self._add(
                "folds added",
                merge_fold(ledger, rec, dup, self.local(rec["into"], "a contact", rec)),
            )
        elif kind == "goal":
            from engage_cli.store.goals import merge_goal

            self._add("goals added", merge_goal(ledger, rec))
        elif kind == "entry":
            if rec["id"] in self.batch_ids:  # the same entry twice: the first one is in first
                self._flush()
            self.entries.append(rec)
            self.batch_ids.add(rec["id"])
            if len(self.entries) >= BATCH:
                self._flush()
        elif kind == "void":
            known = ledger.conn.execute("SELECT 1 FROM entries WHERE id = ?", [rec["entry"]])
            if known.fetchone() is None:
                raise InputError(f"void {rec['id']} names an entry that is not in the import")
            self.counts["voids added"] += merge_void(ledger, rec)
        elif kind == "promise":
            cid = self.local(rec["contact"], "a contact", rec)
            self._add("promises added", merge_promise(ledger, rec, cid, merge_void))
        elif kind == "date":
            self._add(
                "dates added", merge_date(ledger, rec, self.local(rec["contact"], "a contact", rec))
            )

    def _flush(self) -> None:
        """Merge the batch of entries: those known here one by one (their settlement),
        the new ones in one statement."""
        batch, self.entries, self.batch_ids = self.entries, [], set()
        if not batch:
            return
        known = {
            row[0]: row[1:]
            for row in self.ledger.conn.execute(
                "SELECT id, status, resolved_at, kind, occurred_at FROM entries "
                "WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps([rec["id"] for rec in batch])],
            )
        }
        new = []
        for rec in batch:
            if rec["id"] in known:
                merge_known_entry(self.ledger, rec, known[rec["id"]])
            else:
                new.append(self._entry_row(rec))
        self.ledger.conn.executemany(
            "INSERT INTO entries (id, contact_id, kind, points, occurred_at, logged_at, note, "
            "tags, batch, status, resolved_at, source_id, via_id, origin_id, via_origin_id, "
            "follow_up_at, intro_with, goal_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new,
        )
        self.counts["entries added"] += len(new)
        if self.load is not None:
            self.load.added(len(new))

    def _placed(self, uid: str) -> tuple[int, int | None]:
        """Where an entry of the contact `uid` goes: (its contact, its origin when elsewhere)."""
        cid = self.uid_to_id[uid]
        into = self.where.get(cid)
        return (cid, None) if into is None else (into, cid)

    def _entry_row(self, rec: dict[str, Any]) -> tuple[Any, ...]:
        uid_to_id = self.uid_to_id
        if rec["contact"] not in uid_to_id:
            raise InputError(f"entry {rec['id']} names a contact that is not in the import")
        via = rec.get("via")
        if via is not None and via not in uid_to_id:
            raise InputError(f"entry {rec['id']} names a broker that is not in the import")
        intro = rec.get("intro")
        if intro is not None and intro not in uid_to_id:
            raise InputError(f"entry {rec['id']} names an introduction that is not in the import")
        goal_id = None
        if rec.get("goal") is not None:
            goal_id = self._goal(rec["goal"])
            if goal_id is None:
                raise InputError(f"entry {rec['id']} serves a goal that is not in the import")
        contact_id, origin_id = self._placed(rec["contact"])
        via_id, via_origin_id = self._placed(via) if via is not None else (None, None)
        tags = rec["tags"]
        return (
            rec["id"], contact_id, rec["kind"], rec["points"], rec["occurred_at"],
            rec["logged_at"], rec["note"], json.dumps(tags, ensure_ascii=False) if tags else "[]",
            rec["batch"], rec["status"], rec["resolved_at"], rec.get("source"), via_id,
            origin_id, via_origin_id, rec.get("follow_up"),
            uid_to_id[intro] if intro is not None else None, goal_id,
        )  # fmt: skip

    def _goal(self, name: str) -> int | None:
        key = name_key(name)
        if key not in self.goals:
            from engage_cli.store.goals import goal_id_named

            self.goals[key] = goal_id_named(self.ledger, name)
        return self.goals[key]


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


_CONTACT_FIELDS = (
    "name", "kind", "circle", "tags", "note", "created_at",
    "org", "nickname", "birthday", "emails", "phones", "sector", "aliases", "archived_at",
    "mode",
)  # fmt: skip


def merge_file(
    path: Path,
    records: Iterable[dict[str, Any]],
    half_life: Callable[[str], float],
    kind: str = "import",
    now: datetime | None = None,
) -> dict[str, int]:
    """Merge records into the ledger at `path` (created if missing: a new device may
    start by merging), in one transaction, journaled as one action (`kind`: import
    or merge) that undo can take back. Records are read as they are merged: when
    one is refused, nothing is stored, and a ledger created for the merge is removed."""
    from engage_cli.dates import local_now, to_store
    from engage_cli.store.files import created_or_removed
    from engage_cli.store.journal import capturing

    at = to_store(now or local_now())
    with created_or_removed(path), Ledger.open(path, create=True) as ledger, ledger.transaction():
        with capturing(ledger, kind, at) as detail:
            counts = merge_records(ledger, records, half_life)
            detail["counts"] = counts
        return counts
