"""Export, import and merge converge: lossless, idempotent, and the same in either order."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import Run, ok

from engage_cli.domain import NewEntry
from engage_cli.formats.records import read_records
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import find_contact, list_contacts
from engage_cli.store.edits import edit_contact
from engage_cli.store.exporting import export_records
from engage_cli.store.goals import add_goal, close_goal, goal_id_named, list_goals
from engage_cli.store.health import check_ledger
from engage_cli.store.keeping import drop_promise, keep_promise, make_promise
from engage_cli.store.promises import list_promises
from engage_cli.store.queries import asks as list_asks
from engage_cli.store.queries import history
from engage_cli.store.state import facts, verify_state
from engage_cli.store.sync import merge_records
from engage_cli.store.writes import (
    add_contact,
    introduce,
    log_entries,
    serve,
    settle_ask,
    void_entries,
)

POLICY = Policy()


START = datetime(2025, 1, 1, tzinfo=UTC)


NOW = START + timedelta(days=800)


NAMES = ["Ann", "ann", "Bob", "Cy", "Dee"]  # "Ann" and "ann" are one person on two devices


op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.sampled_from(["inner", "wide"])),
    st.tuples(
        st.just("log"),
        st.integers(0, 9),
        st.sampled_from(["deposit", "withdrawal", "received"]),
        st.sampled_from([0.5, 1.0, 3.0]),
        st.integers(0, 700),
    ),
    st.tuples(st.just("void"), st.integers(0, 30)),
    st.tuples(st.just("settle"), st.integers(0, 30), st.sampled_from(["done", "declined"])),
    st.tuples(st.just("promise"), st.integers(0, 9), st.integers(0, 700)),
    st.tuples(st.just("keep"), st.integers(0, 30), st.sampled_from([0.0, 1.0, 2.0])),
    st.tuples(st.just("drop"), st.integers(0, 30)),
    st.tuples(st.just("intro"), st.integers(0, 9), st.integers(1, 9), st.integers(0, 700)),
    st.tuples(st.just("org"), st.integers(0, 9), st.integers(1, 9)),
    st.tuples(
        st.just("goal"),
        st.sampled_from(["Hub", "hub", "Schools"]),
        st.integers(0, 700),
        st.sampled_from([["academia"], ["business", "academia"], []]),
    ),
    st.tuples(st.just("serve"), st.integers(0, 9), st.integers(0, 2), st.integers(0, 700)),
    st.tuples(st.just("close"), st.integers(0, 2), st.sampled_from(["achieved", "dropped"])),
)


def build(path: Path, ops: list[tuple[Any, ...]]) -> Ledger:
    ledger = Ledger.open(path, create=True)
    for o in ops:
        with ledger.transaction():
            people = list_contacts(ledger)
            if o[0] == "add":
                if find_contact(ledger, o[1]) is None:
                    new = ContactIn(name=o[1], circle=o[2], tags=[o[2][0]])
                    add_contact(ledger, new, START, POLICY.half_life(o[2]))
            elif o[0] == "log" and people:
                _, who, kind, pts, day = o
                at = START + timedelta(days=day)
                entry = NewEntry(people[who % len(people)], kind, pts, at, f"n{day}", [])
                log_entries(ledger, [entry], NOW, POLICY.half_life)
            elif o[0] == "void":
                live = [e for e in history(ledger) if e.voided_by is None]
                if live:
                    void_entries(ledger, [live[o[1] % len(live)]], NOW, "", POLICY.half_life)
            elif o[0] == "settle":
                asks = [a.entry for a in list_asks(ledger, open_only=True)]
                if asks:
                    ask = asks[o[1] % len(asks)]
                    at = ask.occurred_at + timedelta(days=1)
                    settle_ask(ledger, ask, o[2], at, NOW, POLICY.synergy, POLICY.half_life)
            elif o[0] == "promise" and people:
                who, day = people[o[1] % len(people)], START + timedelta(days=o[2])
                make_promise(ledger, who, f"p{o[2]}", day + timedelta(days=5), day, NOW)
            elif o[0] == "intro" and len(people) > 1:
                a = people[o[1] % len(people)]
                b = people[(o[1] + o[2]) % len(people)]
                if a.id != b.id:
                    at = START + timedelta(days=o[3])
                    introduce(ledger, a, b, at, "", 1.0, NOW, POLICY.half_life)
            elif o[0] == "goal":
                if goal_id_named(ledger, o[1]) is None:
                    at = START + timedelta(days=o[2])
                    add_goal(ledger, o[1], o[3], f"w{o[2]}", at, NOW)
            elif o[0] in ("serve", "close"):
                goals = [g for g in list_goals(ledger) if g.closed_at is None]
                if goals and o[0] == "serve" and people:  # as log --goal writes: a new entry
                    at = START + timedelta(days=o[3])
                    who = people[o[1] % len(people)]
                    entry = NewEntry(who, "deposit", 1.0, at, f"g{o[3]}", [])
                    wrote = log_entries(ledger, [entry], NOW, POLICY.half_life)
                    serve(ledger, goals[o[2] % len(goals)].id, [w.entry.id for w in wrote])
                elif goals and o[0] == "close":
                    goal = goals[o[1] % len(goals)]
                    if goal.closed_at is None:
                        close_goal(ledger, goal, o[2], goal.created_at + timedelta(days=9), NOW)
            elif o[0] == "org" and len(people) > 1:  # one joins another's organisation
                person = people[o[1] % len(people)]
                org = people[(o[1] + o[2]) % len(people)]
                if person.id != org.id and person.kind != "org":
                    edit_contact(ledger, org, {"kind": "org"}, NOW, POLICY.half_life)
                    edit_contact(ledger, person, {"org": org.uid}, NOW, POLICY.half_life)
            elif o[0] in ("keep", "drop"):
                still = list_promises(ledger, NOW, open_only=True)
                if still:
                    p = still[o[1] % len(still)]
                    at = p.made_at + timedelta(days=o[1] + 1)
                    if o[0] == "keep":
                        keep_promise(ledger, p, at, NOW, o[2], POLICY.half_life)
                    else:
                        drop_promise(ledger, p, at, NOW)
    return ledger


def records(ledger: Ledger) -> list[dict[str, Any]]:
    """An export as JSON text would carry it, validated as an import reads it."""
    lines = [json.dumps(r) for r in export_records(ledger)]
    return list(read_records(lines, "test"))


def merge(into: Ledger, other: Ledger) -> None:
    recs = records(other)
    with into.transaction():
        merge_records(into, recs, POLICY.half_life)


def charges(ledger: Ledger, at: datetime = NOW) -> dict[str, float]:
    rule = POLICY.promise_rule
    return {f.contact.name: f.charge for f in facts(ledger, at, POLICY.half_life, promises=rule)}


SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(st.lists(op, max_size=25))
def test_export_import_round_trip_is_lossless(tmp_path: Path, ops: list[tuple[Any, ...]]) -> None:
    key = uuid.uuid4().hex
    with (
        build(tmp_path / f"a{key}.db", ops) as a,
        Ledger.open(tmp_path / f"c{key}.db", create=True) as copy,
    ):
        merge(copy, a)
        assert records(copy) == records(a)
        assert charges(copy) == pytest.approx(charges(a))
        assert verify_state(copy, POLICY.half_life, tolerance=1e-9) == []


@SETTINGS
@given(st.lists(op, max_size=20), st.lists(op, max_size=20))
def test_merging_is_commutative_and_idempotent(
    tmp_path: Path, ops_a: list[tuple[Any, ...]], ops_b: list[tuple[Any, ...]]
) -> None:
    key = uuid.uuid4().hex
    with build(tmp_path / f"a{key}.db", ops_a) as a, build(tmp_path / f"b{key}.db", ops_b) as b:
        # Each device takes in the other's export (B's merge sees A as it was).
        a0_path = a.backup(tmp_path / f"a0{key}.db")
        merge(a, b)
        with Ledger.open(a0_path, create=False) as a0:
            merge(b, a0)
        assert records(a) == records(b)
        assert charges(a) == pytest.approx(charges(b))
        before = records(a)
        merge(a, b)  # again: nothing changes
        merge(a, a)
        assert records(a) == before
        for ledger in (a, b):
            problems = check_ledger(ledger, POLICY.half_life)
            assert not any(problems.values()), problems


@SETTINGS
@given(st.lists(op, max_size=15), st.lists(op, max_size=12), st.lists(op, max_size=12))
def test_promises_settled_apart_on_two_devices_converge(
    tmp_path: Path,
    shared: list[tuple[Any, ...]],
    ops_a: list[tuple[Any, ...]],
    ops_b: list[tuple[Any, ...]],
) -> None:
    """Two devices start from one ledger, then each keeps, drops, promises and logs on its
    own: merged both ways they hold the same records, charges and promises (at most one
    deposit counts for a promise kept on both)."""
    key = uuid.uuid4().hex
    base = tmp_path / f"base{key}.db"
    with build(base, [("add", "Ann", "inner"), ("add", "Bob", "wide"), *shared]) as ledger:
        ledger.backup(tmp_path / f"a{key}.db")
        ledger.backup(tmp_path / f"b{key}.db")
    with build(tmp_path / f"a{key}.db", ops_a) as a, build(tmp_path / f"b{key}.db", ops_b) as b:
        a0_path = a.backup(tmp_path / f"a0{key}.db")
        merge(a, b)
        with Ledger.open(a0_path, create=False) as a0:
            merge(b, a0)
        assert records(a) == records(b)
        for at in (NOW, START + timedelta(days=400)):
            assert charges(a, at) == pytest.approx(charges(b, at))
        for ledger in (a, b):
            kept = [p for p in list_promises(ledger, NOW) if p.state == "kept" and p.entry_id]
            counting = {e.id for e in history(ledger) if e.voided_by is None}
            deposits = {e.id for e in history(ledger) if "kept: p" in e.note} & counting
            assert deposits <= {p.entry_id for p in kept}
            problems = check_ledger(ledger, POLICY.half_life)
            assert not any(problems.values()), problems


# --- devices that sync through the CLI ------------------------------------------------


def test_devices_that_enrich_the_same_contact_converge(run: Run, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    card = tmp_path / "ann.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\nEND:VCARD\r\n"
    )
    ok(run("--db", a, "import", "contacts", str(card)))
    ok(run("--db", a, "export", "-o", str(tmp_path / "a0.jsonl")))
    ok(run("--db", b, "import", "ledger", str(tmp_path / "a0.jsonl")))
    for db, org, mail in ((a, "Acme", "ann@a.example"), (b, "Beta", "ann@b.example")):
        card.write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\n"
            f"EMAIL:{mail}\r\nORG:{org}\r\nEND:VCARD\r\n"
        )
        ok(run("--db", db, "import", "contacts", str(card)))
    ok(run("--db", a, "merge", b))
    ok(run("--db", b, "merge", a))
    assert (
        ok(run("--db", a, "export")).stdout.splitlines()[1:]
        == ok(run("--db", b, "export")).stdout.splitlines()[1:]
    )


def _settled_on_two_devices(run: Run, tmp_path: Path, on_p: str, on_q: str) -> tuple[str, str]:
    """Ledgers p and q sharing one ask, settled as `on_p` on p (later), `on_q` on q, synced."""
    p, q = str(tmp_path / "p.db"), str(tmp_path / "q.db")
    ok(run("--db", p, "add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("--db", p, "log", "Ann Lee", "-w", "4", "--on", "2026-11-01"))
    ok(run("--db", q, "merge", p))
    ask = json.loads(ok(run("--db", p, "asks", "--json")).stdout)[0]["id"]
    ok(run("--db", p, on_p, ask, "--on", "2026-11-06 10:00"))
    ok(run("--db", q, on_q, ask, "--on", "2026-11-05 10:00"))  # earlier: it wins
    ok(run("--db", p, "merge", q))
    ok(run("--db", q, "merge", p))
    return p, q


def test_done_on_one_device_declined_on_the_other(run: Run, tmp_path: Path) -> None:
    p, q = _settled_on_two_devices(run, tmp_path, "done", "declined")
    for db in (p, q):
        (state,) = json.loads(ok(run("--db", db, "asks", "--json")).stdout)
        assert state["status"] == "declined"
        live = [
            e
            for e in json.loads(ok(run("--db", db, "history", "--json")).stdout)
            if not e["voided"]
        ]
        assert [e["kind"] for e in live] == ["withdrawal"]  # the give-back is voided
    assert (
        ok(run("--db", p, "export")).stdout.splitlines()[1:]
        == ok(run("--db", q, "export")).stdout.splitlines()[1:]
    )


def test_an_ask_done_on_both_devices_gives_back_once(run: Run, tmp_path: Path) -> None:
    p, q = _settled_on_two_devices(run, tmp_path, "done", "done")
    for db in (p, q):
        (state,) = json.loads(ok(run("--db", db, "asks", "--json")).stdout)
        assert state["status"] == "done" and state["resolved_at"] == "2026-11-05T10:00:00Z"
        live = [
            e
            for e in json.loads(ok(run("--db", db, "history", "--json")).stdout)
            if not e["voided"] and e["kind"] == "deposit"
        ]
        assert [(e["points"], e["occurred_at"]) for e in live] == [(2.0, "2026-11-05T10:00:00Z")]
        ok(run("--db", db, "doctor"))
    assert (
        ok(run("--db", p, "export")).stdout.splitlines()[1:]
        == ok(run("--db", q, "export")).stdout.splitlines()[1:]
    )


def test_a_reopen_survives_a_sync(run: Run, tmp_path: Path) -> None:
    r1, r2 = str(tmp_path / "r1.db"), str(tmp_path / "r2.db")
    ok(run("--db", r1, "add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("--db", r1, "log", "Ann Lee", "-w", "3", "--on", "2026-11-01"))
    ask = json.loads(ok(run("--db", r1, "asks", "--json")).stdout)[0]["id"]
    ok(run("--db", r1, "done", ask, "--on", "2026-11-02"))
    ok(run("--db", r2, "merge", r1))
    ok(run("--db", r1, "reopen", ask))
    ok(run("--db", r2, "merge", r1))
    ok(run("--db", r1, "merge", r2))
    for db in (r1, r2):
        (state,) = json.loads(ok(run("--db", db, "asks", "--json")).stdout)
        assert state["status"] == "open"
        ok(run("--db", db, "doctor"))
