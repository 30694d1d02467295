"""Marks (schema 6): a report at a past moment, read from the marks and the entries since,
equals the full recomputation from every entry (scoring.at_moment) to the last bit,
whatever writes came in whatever order; and the marks kept by writes are exactly the
marks a rebuild makes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage_cli import scoring
from engage_cli.domain import Contact, NewEntry
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store import marks
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import get_contact, list_contacts
from engage_cli.store.edits import edit_contact
from engage_cli.store.folds import fold_named
from engage_cli.store.queries import asks as list_asks
from engage_cli.store.queries import history, last_batch
from engage_cli.store.state import facts, facts_at, live_impulses, rebuild_state, verify_state
from engage_cli.store.writes import add_contact, log_entries, settle_ask, void_entries

POLICY = Policy()
START = datetime(2022, 1, 1, tzinfo=UTC)
NOW = START + timedelta(days=1200)
NAMES = (("Ann", "inner"), ("Annie", "close"), ("Bob", "wide"))

# A moment within the first 1,000 days: often back-dated, sometimes exactly on a mark.
FIRST_MARK = scoring.mark_before(START.timestamp()) + scoring.MARK
moment = st.one_of(
    st.integers(0, 1000 * 86_400).map(lambda s: START + timedelta(seconds=s)),
    st.integers(0, 32).map(lambda k: datetime.fromtimestamp(FIRST_MARK + k * scoring.MARK, UTC)),
)
log = st.tuples(
    st.just("log"),
    st.integers(0, 2),
    st.sampled_from(["deposit", "withdrawal", "received"]),
    st.floats(0.01, 50),
    moment,
)
op = st.one_of(
    log,
    log,
    log,
    st.tuples(st.just("void"), st.integers(0, 60)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("done"), st.integers(0, 60), st.integers(0, 40)),
    st.tuples(st.just("circle"), st.integers(0, 2), st.sampled_from(["inner", "close", "wide"])),
    st.tuples(st.just("fold")),
)


def _apply(ledger: Ledger, o: tuple[Any, ...]) -> None:
    def who(i: int) -> Contact:
        return get_contact(ledger, NAMES[i][0])  # Annie is Ann once folded

    if o[0] == "fold":
        if len(list_contacts(ledger)) == 3:
            fold_named(ledger, "Annie", "Ann", NOW, POLICY.half_life)
        return
    with ledger.transaction():
        if o[0] == "log":
            _, i, kind, pts, at = o
            log_entries(ledger, [NewEntry(who(i), kind, pts, at, "", [])], NOW, POLICY.half_life)
        elif o[0] == "void":
            live = [e for e in history(ledger) if e.voided_by is None]
            if live:
                void_entries(ledger, [live[o[1] % len(live)]], NOW, "", POLICY.half_life)
        elif o[0] == "undo":
            batch = last_batch(ledger)
            if batch:
                void_entries(ledger, batch, NOW, "undo", POLICY.half_life)
        elif o[0] == "done":
            asks = [a.entry for a in list_asks(ledger, open_only=True)]
            if asks:
                ask = asks[o[1] % len(asks)]
                at = ask.occurred_at + timedelta(days=o[2])
                settle_ask(ledger, ask, "done", at, NOW, POLICY.synergy, POLICY.half_life)
        elif o[0] == "circle":
            contact = who(o[1])
            if contact.circle != o[2]:
                edit_contact(ledger, contact, {"circle": o[2]}, NOW, POLICY.half_life)


def _expected(ledger: Ledger, contact: Contact, as_of: datetime) -> tuple[Any, ...]:
    """A contact's figures at `as_of`, recomputed from every one of its live entries."""
    hl = POLICY.half_life(contact.circle)
    impulses = live_impulses(ledger, contact.id)
    t = as_of.timestamp()
    if impulses and max(i.at for i in impulses) > t:
        sums = scoring.at_moment(impulses, t, hl)
    else:
        state = scoring.rebuild(impulses, hl).projected(t, hl)
        sums = scoring.Sums(state.charge, state.gave, state.received)
    rows = ledger.conn.execute(
        "SELECT kind, occurred_at FROM entries WHERE contact_id = ? AND voided_by IS NULL",
        [contact.id],
    ).fetchall()
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    touch = max((at for kind, at in rows if kind != "withdrawal" and at <= stamp), default=None)
    ask = max((at for kind, at in rows if kind == "withdrawal" and at <= stamp), default=None)
    return (*sums, touch, ask)


def _direct(ledger: Ledger, contact: Contact, as_of: datetime) -> float:
    """The charge at `as_of` as the plain sum of every entry's decayed points."""
    hl, t = POLICY.half_life(contact.circle), as_of.timestamp()
    return scoring.charge(live_impulses(ledger, contact.id), t, hl)


def _got(f: Any) -> tuple[Any, ...]:
    def stored(at: datetime | None) -> str | None:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else None

    return (f.charge, f.gave, f.received, stored(f.last_contact), stored(f.last_ask))


def _rows(ledger: Ledger, table: str = "state_marks") -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ledger.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(op, min_size=4, max_size=30), st.lists(moment, max_size=4))
def test_a_past_moment_from_the_marks_equals_the_full_recomputation(
    tmp_path: Path, ops: list[tuple[Any, ...]], probes: list[datetime]
) -> None:
    with Ledger.open(tmp_path / f"m{uuid.uuid4().hex}.db", create=True) as ledger:
        with ledger.transaction():
            for name, circle in NAMES:
                add_contact(
                    ledger, ContactIn(name=name, circle=circle), START, POLICY.half_life(circle)
                )
        for o in ops:
            _apply(ledger, o)
        assert marks.wrong(ledger.conn) == []  # what writes kept is what a rebuild makes
        assert verify_state(ledger, POLICY.half_life) == []
        kept, state = _rows(ledger), _rows(ledger, "contact_state")
        # Moments between entries, at one, and a second before: the bucket since a
        # mark holds some entries, none, or one exactly on its end.
        near = [e.occurred_at for e in history(ledger)][:8]
        near += [at - timedelta(seconds=1) for at in near] + [
            at + timedelta(hours=12) for at in near
        ]
        moments = [*probes, *near, START + timedelta(days=400, microseconds=5)]
        for as_of in moments:
            for f in facts(ledger, as_of, POLICY.half_life, promises=None):
                assert _got(f) == _expected(ledger, f.contact, as_of), (f.contact.name, as_of)
                assert f.charge == pytest.approx(_direct(ledger, f.contact, as_of), abs=1e-9)
        # every moment at once (the review's weeks): the same, from one reading
        everyone = list_contacts(ledger, archived=None)
        together = facts_at(ledger, moments, POLICY.half_life, everyone)
        for as_of, found in zip(moments, together, strict=True):
            for f in found:
                assert _got(f) == _expected(ledger, f.contact, as_of), (f.contact.name, as_of)
        with ledger.transaction():
            rebuild_state(ledger, POLICY.half_life)
        # the one pass of a rebuild gives, to the bit, what each write computed in SQL
        assert _rows(ledger) == kept and _rows(ledger, "contact_state") == state


def _ledger_across_marks(path: Path) -> Ledger:
    ledger = Ledger.open(path, create=True)
    with ledger.transaction():
        ann = add_contact(ledger, ContactIn(name="Ann", circle="close"), START, 60)
        kinds = ("withdrawal", "deposit", "deposit")
        entries = [
            NewEntry(ann, kinds[d % 3], 1 + d % 4, START + timedelta(d), "", [])
            for d in range(0, 400, 7)
        ]
        log_entries(ledger, entries, NOW, POLICY.half_life)
    return ledger


def test_the_marks_are_used_and_a_wrong_bit_in_one_shows(tmp_path: Path) -> None:
    """The past is read from the marks (a changed mark changes the report), and the
    health check names the contact whose mark is off by the last bit."""
    ledger = _ledger_across_marks(tmp_path / "l.db")
    with ledger:
        assert len(_rows(ledger)) == 13  # a mark every 30 days from the first entry to the last
        as_of = START + timedelta(days=200, hours=5)
        (f,) = facts(ledger, as_of, POLICY.half_life, promises=None)
        assert _got(f) == _expected(ledger, f.contact, as_of)
        at = scoring.mark_before(as_of.timestamp())
        with ledger.transaction():
            ledger.conn.execute(
                "UPDATE state_marks SET charge = charge * (1 + 2.3e-16) WHERE at = ?", [at]
            )
        (g,) = facts(ledger, as_of, POLICY.half_life, promises=None)
        assert g.charge != f.charge
        assert verify_state(ledger, POLICY.half_life) == ["Ann"]
        with ledger.transaction():
            rebuild_state(ledger, POLICY.half_life)
        assert verify_state(ledger, POLICY.half_life) == []
        (h,) = facts(ledger, as_of, POLICY.half_life, promises=None)
        assert h.charge == f.charge


def test_many_moments_at_once_equal_each_read_alone(tmp_path: Path) -> None:
    """The weeks of the review read together, over moments that fall after several
    marks (a window's entries are only those since its own mark), equal each alone
    and the full recomputation."""
    with _ledger_across_marks(tmp_path / "l.db") as ledger:
        with ledger.transaction():
            bob = add_contact(ledger, ContactIn(name="Bob"), START, POLICY.half_life("wide"))
            log_entries(
                ledger,
                [NewEntry(bob, "deposit", 2, START + timedelta(days=390), "", [])],
                NOW,
                POLICY.half_life,
            )
        moments = [START + timedelta(days=d, hours=3) for d in (20, 95, 96, 200, 333, 380)]
        everyone = list_contacts(ledger)
        together = facts_at(ledger, moments, POLICY.half_life, everyone)
        assert len({f.charge for found in together for f in found}) > len(moments)
        for as_of, found in zip(moments, together, strict=True):
            assert found == facts(ledger, as_of, POLICY.half_life, everyone, promises=None)
            for f in found:
                assert _got(f) == _expected(ledger, f.contact, as_of), (f.contact.name, as_of)


@pytest.mark.parametrize(
    "t", [0.0, 1.0, scoring.MARK - 1, scoring.MARK, 1.7e9, -5.0, -scoring.MARK]
)
def test_the_mark_before_a_moment_is_at_or_before_it_and_within_a_mark(t: float) -> None:
    m = scoring.mark_before(t)
    assert m <= t < m + scoring.MARK and m % scoring.MARK == 0
