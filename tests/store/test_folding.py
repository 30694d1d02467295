"""Folds and edits as properties: a fold gives the charges that logging every entry for
the contact kept would have given, and devices that edit and fold, then merge each
other, end with the same contacts in either order (and merging again changes nothing).

Ledgers are built through the store (fast, with moments of our choosing); what is
compared is what the CLI reports (`engage show --json`, `engage contacts --json`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import typer.main
import typer.testing
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from engage_cli.commands import app
from engage_cli.domain import Contact, NewEntry
from engage_cli.errors import EngageError
from engage_cli.formats.records import read_records
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import find_contact, list_contacts
from engage_cli.store.edits import Asked, edit_named
from engage_cli.store.exporting import export_records
from engage_cli.store.folds import fold_named
from engage_cli.store.health import check_ledger
from engage_cli.store.journal import last_action
from engage_cli.store.queries import find_entry
from engage_cli.store.sync import merge_records
from engage_cli.store.undoing import undo
from engage_cli.store.writes import add_contact, log_entries, settle_ask, void_entries

POLICY = Policy()
START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # when the store writes happen (never today)
END = "2026-06-30"  # an --as-of after every entry, edit and fold
CIRCLES = ["inner", "close", "active", "wide"]

SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_runner = CliRunner()
# Typer builds the Click command from the app on every invoke (most of the time a read
# takes); the command is built once here and invoked like CliRunner invokes the app.
_COMMAND = typer.main.get_command(app)


def invoke(db: Path, *args: str) -> Result:
    """`engage --db DB ARGS...`, in this process, through the real command line."""
    with mock.patch.object(typer.testing, "_get_command", lambda _app: _COMMAND):
        return _runner.invoke(app, ["--db", str(db), *args])


def cli(db: Path, *args: str) -> Any:
    """`engage --db DB ARGS... --json`, read back as JSON (the command must succeed)."""
    result = invoke(db, *args, "--json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


def close_enough(a: Any, b: Any, where: str = "") -> None:
    """`a == b`, floats within rel=1e-9 (charges summed in another order), recursively."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), (where, a, b)
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), (where, a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), (where, sorted(a), sorted(b))
        for key in a:
            close_enough(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close_enough(x, y, f"{where}[{i}]")
    else:
        assert a == b, (where, a, b)


# --- (a) a fold equals having logged everything for the contact kept --------------------

# Contacts 0: Ann (kept), 1: Annie (the duplicate, folded into Ann), 2: Bob.
NAMES3 = ["Ann", "Annie", "Bob"]

log_op = st.tuples(
    st.just("log"),
    st.integers(0, 2),  # for whom
    st.sampled_from(["deposit", "withdrawal", "received"]),
    st.sampled_from([0.5, 1.0, 2.5, 4.0]),
    st.integers(0, 800),  # day; any order, so many are back-dated
    st.sampled_from([None, 0, 1, 2]),  # via whom
)
fold_ops = st.one_of(
    log_op,
    log_op,
    st.tuples(st.just("void"), st.integers(0, 40)),
    st.tuples(st.just("done"), st.integers(0, 40), st.integers(0, 40)),
)


def _kept(i: int) -> int:
    """Who contact `i` is once Annie is folded into Ann."""
    return 0 if i == 1 else i


def _build_for_fold(
    path: Path,
    ops: list[tuple[Any, ...]],
    circles: tuple[str, str],
    fold_at: int | None,
    all_for_ann: bool,
) -> Ledger:
    """A ledger of `ops`; with `fold_at`, Annie is folded into Ann before op `fold_at`;
    with `all_for_ann`, there is no Annie and all she had is logged for Ann."""
    ledger = Ledger.open(path, create=True)
    names = ["Ann", "Ann" if all_for_ann else "Annie", "Bob"]
    with ledger.transaction():
        new = ContactIn(name="Ann", circle=circles[0])
        add_contact(ledger, new, START, POLICY.half_life(circles[0]))
        if not all_for_ann:
            new = ContactIn(name="Annie", circle=circles[1])
            add_contact(ledger, new, START, POLICY.half_life(circles[1]))
        add_contact(ledger, ContactIn(name="Bob", circle="wide"), START, POLICY.half_life("wide"))
    written: list[str] = []  # the ids of what each log wrote, in the order of the ops

    def who(i: int) -> Contact:
        found = find_contact(ledger, names[i])  # after the fold, "Annie" finds Ann
        assert found is not None
        return found

    for n, o in enumerate([*ops, ("end",)]):
        if n == fold_at:
            fold_named(ledger, "Annie", "Ann", NOW, POLICY.half_life)
        if o[0] == "end":
            break
        with ledger.transaction():
            if o[0] == "log":
                _, i, kind, pts, day, via = o
                if via is not None and _kept(via) == _kept(i):
                    via = None  # nobody brokers their own entry (Annie is Ann once folded)
                at = START + timedelta(days=day, hours=day % 24)
                broker = who(via) if via is not None else None
                entry = NewEntry(who(i), kind, pts, at, f"n{n}", [], broker)
                (w,) = log_entries(ledger, [entry], NOW, POLICY.half_life)
                written.append(w.entry.id)
            elif o[0] == "void" and written:
                entry = find_entry(ledger, written[o[1] % len(written)])
                if entry.voided_by is None:
                    void_entries(ledger, [entry], NOW, "", POLICY.half_life)
            elif o[0] == "done" and written:
                entry = find_entry(ledger, written[o[1] % len(written)])
                if entry.kind == "withdrawal" and entry.status == "open" and not entry.voided_by:
                    at = entry.occurred_at + timedelta(days=o[2])
                    settle_ask(ledger, entry, "done", at, NOW, POLICY.synergy, POLICY.half_life)
    return ledger


# What `show --json` says of a contact that must be the same either way.
_SHOWN = (
    "name", "charge", "status", "gave", "received", "gave_decayed", "received_decayed",
    "deposits_total", "withdrawals_total", "received_total", "entry_count", "last_contact",
    "days_since", "reciprocity", "half_life_days", "circle",
)  # fmt: skip


def _shown(db: Path, name: str, as_of: str) -> dict[str, Any]:
    report = cli(db, "show", name, "--as-of", as_of)
    out = {k: report[k] for k in _SHOWN}
    out["open_asks"] = sorted((a["points"], a["occurred_at"]) for a in report["open_asks"])
    out["brokered"] = sorted((e["contact"], e["occurred_at"]) for e in report["brokered"])
    return out


def _listed(db: Path, as_of: str) -> list[tuple[str, float, str]]:
    return [(c["name"], c["charge"], c["status"]) for c in cli(db, "contacts", "--as-of", as_of)]


@SETTINGS
@given(
    st.lists(fold_ops, max_size=25),
    st.tuples(st.sampled_from(CIRCLES), st.sampled_from(CIRCLES)),
    st.integers(0, 25),
    st.integers(0, 900),
)
def test_a_fold_charges_as_if_everything_was_logged_for_the_contact_kept(
    tmp_path: Path,
    ops: list[tuple[Any, ...]],
    circles: tuple[str, str],
    fold_at: int,
    probe: int,
) -> None:
    key = uuid.uuid4().hex
    folded, direct = tmp_path / f"f{key}.db", tmp_path / f"d{key}.db"
    at = min(fold_at, len(ops))
    with (
        _build_for_fold(folded, ops, circles, at, all_for_ann=False),
        _build_for_fold(direct, ops, circles, None, all_for_ann=True),
    ):
        pass
    as_of = (START + timedelta(days=probe)).strftime("%Y-%m-%d")
    for when in (as_of, END):
        for name in ("Ann", "Bob"):
            close_enough(_shown(folded, name, when), _shown(direct, name, when), name)
        # the duplicate's name shows the contact kept
        close_enough(_shown(folded, "Annie", when), _shown(direct, "Ann", when), "Annie")
        mine, theirs = _listed(folded, when), _listed(direct, when)
        assert [(n, s) for n, _, s in mine] == [(n, s) for n, _, s in theirs]
        assert [c for _, c, _ in mine] == pytest.approx([c for _, c, _ in theirs], rel=1e-9)
    assert cli(folded, "doctor")["ok"]


@SETTINGS
@given(
    st.lists(fold_ops, max_size=20),
    st.tuples(st.sampled_from(CIRCLES), st.sampled_from(CIRCLES)),
    st.integers(0, 900),
)
def test_undoing_a_fold_gives_every_charge_back(
    tmp_path: Path, ops: list[tuple[Any, ...]], circles: tuple[str, str], probe: int
) -> None:
    db = tmp_path / f"u{uuid.uuid4().hex}.db"
    with _build_for_fold(db, ops, circles, None, all_for_ann=False):
        pass
    as_of = (START + timedelta(days=probe)).strftime("%Y-%m-%d")
    before = {(n, w): _shown(db, n, w) for n in NAMES3 for w in (as_of, END)}
    result = invoke(db, "fold", "Annie", "Ann")
    assert result.exit_code == 0, result.output
    assert _shown(db, "Annie", END)["name"] == "Ann"
    result = invoke(db, "undo", "--yes")
    assert result.exit_code == 0, result.output
    after = {(n, w): _shown(db, n, w) for n in NAMES3 for w in (as_of, END)}
    close_enough(after, before)


# --- (b) devices that edit and fold converge when they merge each other ------------------

POOL = ["Ann", "Bob", "Cy", "Dee", "Dee", "Eve"]  # Dee, often: two devices may both pick it
TAGS = ["design", "investor", "x"]

device_op = st.one_of(
    st.tuples(st.just("rename"), st.integers(0, 9), st.sampled_from(POOL)),
    st.tuples(st.just("rename"), st.integers(0, 9), st.sampled_from(POOL)),
    st.tuples(st.just("circle"), st.integers(0, 9), st.sampled_from(CIRCLES)),
    st.tuples(st.just("tag"), st.integers(0, 9), st.sampled_from(TAGS)),
    st.tuples(st.just("untag"), st.integers(0, 9), st.sampled_from(TAGS)),
    st.tuples(st.just("note"), st.integers(0, 9), st.sampled_from(["", "met at a fair", "hi"])),
    st.tuples(st.just("alias"), st.integers(0, 9), st.sampled_from(["Annie", "Bobby", "Doc"])),
    st.tuples(st.just("archive"), st.integers(0, 9)),
    st.tuples(st.just("fold"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("log"), st.integers(0, 9), st.integers(0, 500)),
    st.tuples(
        st.just("undo"),
    ),
)
# How long after the previous step each step happens (0: in the same second).
step = st.integers(0, 2)


def _shared_start(path: Path) -> None:
    """What both devices hold before they part: three contacts with an entry each."""
    with Ledger.open(path, create=True) as ledger, ledger.transaction():
        for name, circle in (("Ann", "close"), ("Bob", "active"), ("Cy", "wide")):
            new = ContactIn(name=name, circle=circle)
            c = add_contact(ledger, new, START, POLICY.half_life(circle))
            entry = NewEntry(c, "deposit", 1.0, START + timedelta(days=10), "", [])
            log_entries(ledger, [entry], START + timedelta(days=11), POLICY.half_life)


def _act(ledger: Ledger, o: tuple[Any, ...], now: datetime) -> None:
    """One device's action, as the CLI does it; refused ones (a taken name...) do nothing."""
    people = list_contacts(ledger, archived=None)
    if not people:
        return
    them = people[o[1] % len(people)] if len(o) > 1 else None
    hl: Callable[[str], float] = POLICY.half_life
    try:
        match o[0]:
            case "rename":
                edit_named(ledger, them.name, Asked(name=o[2]), now, hl)
            case "circle":
                edit_named(ledger, them.name, Asked(circle=o[2]), now, hl)
            case "tag":
                edit_named(ledger, them.name, Asked(tag=[o[2]]), now, hl)
            case "untag":
                edit_named(ledger, them.name, Asked(untag=[o[2]]), now, hl)
            case "note":
                edit_named(ledger, them.name, Asked(note=o[2]), now, hl)
            case "alias":
                edit_named(ledger, them.name, Asked(alias=[o[2]]), now, hl)
            case "archive":
                archived = them.archived_at is None
                edit_named(ledger, them.name, Asked(archived=archived), now, hl)
            case "fold":
                into = people[o[2] % len(people)]
                fold_named(ledger, them.name, into.name, now, hl)
            case "log":
                if them.archived_at is None:
                    at = START + timedelta(days=20 + o[2])
                    with ledger.transaction():
                        entry = NewEntry(them, "deposit", 1.0, at, "", [])
                        log_entries(ledger, [entry], now, hl)
            case "undo":
                with ledger.transaction():
                    action = last_action(ledger)
                    if action is not None:
                        undo(ledger, action, now, hl, POLICY.synergy)
    except EngageError:
        event(f"{o[0]} refused")  # as the CLI refuses it: nothing was written
    else:
        event(f"{o[0]} done")


def _device(path: Path, ops: list[tuple[tuple[Any, ...], int]]) -> None:
    now = NOW  # both devices' clocks start at the same moment: their edits can tie
    with Ledger.open(path, create=False) as ledger:
        for o, pause in ops:
            now += timedelta(seconds=pause)
            _act(ledger, o, now)


def _merge(into: Path, other: Path) -> None:
    """`engage merge` as test_sync does it: other's export, read as an import reads it."""
    with Ledger.open(other, create=False) as source:
        lines = [json.dumps(r) for r in export_records(source)]
    recs = list(read_records(lines, "test"))
    with Ledger.open(into, create=False) as ledger:
        with ledger.transaction():
            merge_records(ledger, recs, POLICY.half_life)
        problems = check_ledger(ledger, POLICY.half_life)
        assert not any(problems.values()), problems


# Fields of `show --json` that depend on nothing a device synced: none so far; the ids of
# entries in "recent" are the same on both devices (entries keep their ids).
_VOLATILE: tuple[str, ...] = ()


def _contacts(db: Path) -> dict[str, Any]:
    """Every contact as the CLI shows it: the lists, then each one's profile."""
    live = cli(db, "contacts", "--as-of", END)
    archived = cli(db, "contacts", "--archived", "--as-of", END)
    shown = {}
    for c in [*live, *archived]:
        report = cli(db, "show", c["name"], "--as-of", END)
        shown[c["name"]] = {k: v for k, v in report.items() if k not in _VOLATILE}
    return {"contacts": live, "archived": archived, "shown": shown}


def _run_devices(
    tmp_path: Path,
    ops_a: list[tuple[tuple[Any, ...], int]],
    ops_b: list[tuple[tuple[Any, ...], int]],
) -> tuple[Path, Path]:
    key = uuid.uuid4().hex
    a, b = tmp_path / f"a{key}.db", tmp_path / f"b{key}.db"
    _shared_start(a)
    Ledger.open(b, create=True).close()
    _merge(b, a)  # device B starts by merging A, as a new device does
    _device(a, ops_a)
    _device(b, ops_b)
    a0 = tmp_path / f"a0{key}.db"
    with Ledger.open(a, create=False) as ledger:
        ledger.backup(a0)  # B merges A as A was before A merged B
    _merge(a, b)
    _merge(b, a0)
    return a, b


# Where each field an edit changes is in a contact record of an export.
_RECORD_FIELD = {"org": "member_of", "archived": "archived_at"}


_LISTS = ("tags", "emails", "aliases")


def _latest_edits_hold(db: Path) -> None:
    """Every field of every contact is what its latest edit (by edited_at, then id) set;
    in a list, every item an edit added or removed is there as its latest such edit says."""
    with Ledger.open(db, create=False) as ledger:
        records = list(export_records(ledger))
    contacts = {r["uid"]: r for r in records if r["type"] == "contact"}
    edits = sorted(
        (r for r in records if r["type"] == "edit"), key=lambda r: (r["edited_at"], r["id"])
    )
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    items: dict[tuple[str, str, str], bool] = {}  # (contact, field, item) -> there
    for r in edits:
        latest[(r["contact"], r["field"])] = r
        if r["field"] in _LISTS:
            before, after = set(r["before"] or []), set(r["value"])
            for item in after - before:
                items[(r["contact"], r["field"], item)] = True
            for item in before - after:
                items[(r["contact"], r["field"], item)] = False
    for (uid, field), edit in latest.items():
        have = contacts[uid][_RECORD_FIELD.get(field, field)]
        if field in _LISTS:
            assert have == sorted(have), (contacts[uid]["name"], field, have)
            continue
        assert have == edit["value"], (contacts[uid]["name"], field, have, edit)
    for (uid, field, item), there in items.items():
        have = contacts[uid][_RECORD_FIELD.get(field, field)]
        assert (item in have) == there, (contacts[uid]["name"], field, item, have)
    if latest:
        event("fields set by edits")


def _converge(
    tmp_path: Path,
    ops_a: list[tuple[tuple[Any, ...], int]],
    ops_b: list[tuple[tuple[Any, ...], int]],
) -> None:
    a, b = _run_devices(tmp_path, ops_a, ops_b)
    on_a, on_b = _contacts(a), _contacts(b)
    close_enough(on_a, on_b)
    _latest_edits_hold(a)
    _latest_edits_hold(b)
    names = [c["name"].casefold() for c in [*on_a["contacts"], *on_a["archived"]]]
    # Two renames to one name are kept apart (never folded unasked), alike on both.
    event(f"{len(names)} contacts after the merges, {len(names) - len(set(names))} sharing")
    if any(p["aliases"] for p in on_a["shown"].values()):
        event("a contact with another name (alias or fold) after the merges")
    if on_a["archived"]:
        event("an archived contact after the merges")
    # merging again, either way or with itself, changes nothing
    _merge(a, b)
    _merge(b, a)
    _merge(a, a)
    close_enough(_contacts(a), on_a)
    close_enough(_contacts(b), on_a)


@SETTINGS
@given(
    st.lists(st.tuples(device_op, step), max_size=12),
    st.lists(st.tuples(device_op, step), max_size=12),
)
@example(  # Ann and Bob both renamed Dee, on two devices; a fold, and an undone fold
    [(("rename", 0, "Dee"), 0), (("fold", 1, 0), 1), (("log", 0, 30), 0)],
    [(("rename", 1, "Dee"), 0), (("circle", 0, "inner"), 0), (("fold", 0, 2), 1), (("undo",), 0)],
)
def test_devices_that_edit_and_fold_converge_in_either_order(
    tmp_path: Path,
    ops_a: list[tuple[tuple[Any, ...], int]],
    ops_b: list[tuple[tuple[Any, ...], int]],
) -> None:
    _converge(tmp_path, ops_a, ops_b)


@pytest.mark.slow
@settings(SETTINGS, max_examples=300)
@given(
    st.lists(st.tuples(device_op, step), max_size=30),
    st.lists(st.tuples(device_op, step), max_size=30),
)
def test_devices_converge_after_long_histories(
    tmp_path: Path,
    ops_a: list[tuple[tuple[Any, ...], int]],
    ops_b: list[tuple[tuple[Any, ...], int]],
) -> None:
    _converge(tmp_path, ops_a, ops_b)


def test_doctor_finds_entries_a_fold_does_not_place_and_puts_them_back(tmp_path: Path) -> None:
    import sqlite3

    from tests.helpers import doctor, engage

    db = tmp_path / "l.db"
    engage(db, "add", "Lisa Chen", "--on", "2026-01-01")
    engage(db, "add", "Lisa Chan", "--on", "2026-01-01")
    engage(db, "log", "Lisa Chan", "-d", "3", "--on", "2026-02-01")
    engage(db, "fold", "Lisa Chan", "Lisa Chen")
    before = json.loads(engage(db, "show", "Lisa Chen", "--as-of", "2026-03-01", "--json").stdout)
    assert doctor(db)["ok"]
    conn = sqlite3.connect(db)  # another program moves the entry back behind engage's back
    conn.execute(
        "UPDATE entries SET contact_id = origin_id, origin_id = NULL WHERE origin_id IS NOT NULL"
    )
    conn.commit()
    conn.close()
    report = doctor(db)
    assert not report["ok"]
    assert any(
        "not with the contact its folds place it with" in p for p in report["checks"]["folds"]
    )
    engage(db, "doctor", "--repair")
    assert doctor(db)["ok"]
    after = json.loads(engage(db, "show", "Lisa Chen", "--as-of", "2026-03-01", "--json").stdout)
    assert after["charge"] == before["charge"] and after["entry_count"] == 1
