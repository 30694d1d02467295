"""The ledger's derived state (each contact's running charge) against a from-scratch
computation from the entries, and every report that reads it."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import Run, ok

from engage_cli import reports, scoring
from engage_cli.domain import NewEntry
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import list_contacts
from engage_cli.store.queries import asks as list_asks
from engage_cli.store.queries import history, last_batch, live_entries
from engage_cli.store.state import facts, facts_from_entries, rebuild_state, verify_state
from engage_cli.store.writes import add_contact, log_entries, settle_ask, void_entries

POLICY = Policy()


START = datetime(2020, 1, 1, tzinfo=UTC)


op = st.one_of(
    st.tuples(
        st.just("log"),
        st.integers(0, 2),  # contact
        st.sampled_from(["deposit", "withdrawal", "received"]),
        st.floats(0.5, 5),
        st.integers(0, 2000),  # day offset: any order, so many are back-dated
    ),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(st.just("undo")),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(op, max_size=30))
def test_running_state_equals_recomputation(tmp_path: Path, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    path = tmp_path / f"l{uuid.uuid4().hex}.db"  # a new ledger for every example
    with Ledger.open(path, create=True) as ledger:
        with ledger.transaction():
            people = [
                add_contact(ledger, ContactIn(name=n, circle=c), START, POLICY.half_life(c))
                for n, c in (("Ann", "inner"), ("Bob", "close"), ("Cy", "wide"))
            ]
        for o in ops:
            with ledger.transaction():
                if o[0] == "log":
                    _, who, kind, pts, day = o
                    at = START + timedelta(days=day, hours=day % 24)
                    log_entries(
                        ledger,
                        [NewEntry(people[who], kind, pts, at, "", [])],
                        START + timedelta(days=3000),
                        POLICY.half_life,
                    )
                elif o[0] == "void":
                    live = [e for e in history(ledger) if e.voided_by is None]
                    if live:
                        void_entries(
                            ledger, [live[o[1] % len(live)]], START, "test", POLICY.half_life
                        )
                else:
                    batch = last_batch(ledger)
                    if batch:
                        void_entries(ledger, batch, START, "undo", POLICY.half_life)
        assert verify_state(ledger, POLICY.half_life) == []
        # reports from the running state equal reports aggregated from entries
        for probe_day in (2500, 4000):
            as_of = START + timedelta(days=probe_day)
            fast = facts(ledger, as_of, POLICY.half_life, promises=None)
            slow = facts_from_entries(ledger, list_contacts(ledger), as_of, POLICY.half_life)
            for f, s in zip(fast, slow.values(), strict=True):
                assert f.contact == s.contact
                for mine, theirs in ((f.charge, s.charge), (f.gave, s.gave)):
                    assert abs(mine - theirs) <= 1e-9 * max(1.0, abs(theirs))
                assert abs(f.received - s.received) <= 1e-9 * max(1.0, s.received)
                assert f.last_contact == s.last_contact
                assert f.last_ask == s.last_ask
            # one contact on its own, through the per-contact path, agrees too
            (alone,) = facts_from_entries(
                ledger, [fast[0].contact], as_of, POLICY.half_life
            ).values()
            assert abs(alone.charge - fast[0].charge) <= 1e-9 * max(1.0, abs(alone.charge))
        # the bulk rebuild in SQL (doctor --repair) agrees with the Python recomputation
        before = facts(ledger, START + timedelta(days=4000), POLICY.half_life, promises=None)
        with ledger.transaction():
            rebuild_state(ledger, POLICY.half_life)
        assert verify_state(ledger, POLICY.half_life, tolerance=1e-9) == []
        after = facts(ledger, START + timedelta(days=4000), POLICY.half_life, promises=None)
        for b, a in zip(before, after, strict=True):
            assert abs(b.charge - a.charge) <= 1e-9 * max(1.0, abs(b.charge))
            assert abs(b.received - a.received) <= 1e-9 * max(1.0, b.received)


def test_past_as_of_is_computed_from_entries(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.db", create=True) as ledger:
        with ledger.transaction():
            ann = add_contact(ledger, ContactIn(name="Ann", circle="close"), START, 60)
            log_entries(
                ledger,
                [
                    NewEntry(ann, "deposit", 2, START + timedelta(days=10), "", []),
                    NewEntry(ann, "deposit", 4, START + timedelta(days=100), "", []),
                ],
                START + timedelta(days=200),
                POLICY.half_life,
            )
        (f,) = facts(ledger, START + timedelta(days=70), POLICY.half_life, promises=None)
        assert abs(f.charge - 2 * scoring.factor(60, 60)) < 1e-9
        assert f.last_contact == START + timedelta(days=10)


def test_fully_voided_contact_is_exactly_zero(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "3", "-w", "1.3", "--on", "2026-02-01"))
    ok(run("undo", "--yes"))
    (row,) = run_json("contacts", "--as-of", "2026-03-01")
    assert row["charge"] == 0
    assert row["last_contact"] is None
    assert row["status"] != "overdrawn"
    assert "-0.0" not in ok(run("contacts", "--as-of", "2026-03-01")).stdout


# --- explain equals the charge every report uses -------------------------------------


EXPLAIN_START = datetime(2024, 1, 1, tzinfo=UTC)


explain_op = st.one_of(
    st.tuples(
        st.just("log"),
        st.integers(0, 1),
        st.sampled_from(["deposit", "withdrawal", "received"]),
        st.floats(0.01, 100),
        st.integers(0, 900),
    ),
    st.tuples(st.just("void"), st.integers(0, 40)),
    st.tuples(st.just("done"), st.integers(0, 40), st.integers(0, 30)),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(explain_op, max_size=25), st.integers(0, 1000))
def test_explain_sums_to_the_reported_charge(
    tmp_path: Path, ops: list[tuple[Any, ...]], probe: int
) -> None:
    path = tmp_path / f"e{uuid.uuid4().hex}.db"  # a new ledger for every example
    now = EXPLAIN_START + timedelta(days=2000)
    with Ledger.open(path, create=True) as ledger:
        with ledger.transaction():
            people = [
                add_contact(ledger, ContactIn(name=n, circle=c), EXPLAIN_START, POLICY.half_life(c))
                for n, c in (("Ann", "inner"), ("Bob", "wide"))
            ]
        for o in ops:
            with ledger.transaction():
                if o[0] == "log":
                    _, who, kind, pts, day = o
                    at = EXPLAIN_START + timedelta(days=day, hours=day % 24)
                    log_entries(
                        ledger,
                        [NewEntry(people[who], kind, pts, at, "", [])],
                        now,
                        POLICY.half_life,
                    )
                else:
                    asks = [a.entry for a in list_asks(ledger, open_only=o[0] == "done")]
                    live = [e for e in history(ledger) if e.voided_by is None]
                    if o[0] == "void" and live:
                        void_entries(ledger, [live[o[1] % len(live)]], now, "", POLICY.half_life)
                    elif o[0] == "done" and asks:
                        ask = asks[o[1] % len(asks)]
                        at = ask.occurred_at + timedelta(days=o[2])
                        settle_ask(ledger, ask, "done", at, now, POLICY.synergy, POLICY.half_life)
        for as_of in (EXPLAIN_START + timedelta(days=probe), now):
            balance = reports.balance(ledger, POLICY, as_of, 7, show_all=True)
            charges = {line.name: line.charge for line in balance.contacts}
            for person in people:
                x = reports.explain(ledger, POLICY, person, as_of)
                assert math.isclose(x.charge, math.fsum(p.contribution for _, p in x.rows))
                if person.name in charges:
                    assert abs(x.charge - charges[person.name]) <= 1e-9 * max(1.0, abs(x.charge))
                # both sides of the exchange, from the same entries
                live = [e.impulse for e in live_entries(ledger, person, as_of)]
                gave, received = scoring.exchange(
                    live, as_of.timestamp(), POLICY.half_life(person.circle)
                )
                shown = reports.profile(ledger, POLICY, person, as_of).exchange
                assert shown == pytest.approx((gave, received), rel=1e-9, abs=1e-9)
        assert verify_state(ledger, POLICY.half_life, tolerance=1e-9) == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.sampled_from(["deposit", "received"]), st.integers(0, 400)), max_size=6),
    st.lists(st.integers(0, 400), min_size=1, max_size=6),
    st.integers(0, 800),
)
def test_a_withdrawal_never_resets_neglect(
    tmp_path: Path, touches: list[tuple[str, int]], asks: list[int], probe: int
) -> None:
    """Days since contact, the status's coldness and what who-neglected ranks by are the
    same with or without any number of asks: asking is not keeping in touch (an ask
    can make a contact overdrawn, and so due, but never less overdue)."""
    seen = []
    for with_asks in (False, True):
        path = tmp_path / f"l{uuid.uuid4().hex}.db"
        with Ledger.open(path, create=True) as ledger:
            with ledger.transaction():
                bob = add_contact(ledger, ContactIn(name="Bob"), START, POLICY.half_life("active"))
            todo = [(k, d) for k, d in touches] + (
                [("withdrawal", d) for d in asks] if with_asks else []
            )
            for kind, day in todo:
                with ledger.transaction():
                    at = START + timedelta(days=day)
                    log_entries(
                        ledger, [NewEntry(bob, kind, 1.0, at, "", [])], at, POLICY.half_life
                    )
            as_of = START + timedelta(days=probe, hours=1)
            (f,) = facts(ledger, as_of, POLICY.half_life, promises=None)
            line = reports.lines.line_of(f, as_of, POLICY, reports.lines.Sums())
            (row,) = reports.neglected(ledger, POLICY, as_of, None, 0, everyone=True).lines
            seen.append(
                (
                    f.last_contact,
                    line.days_since,
                    line.status,
                    row.row.days_since,  # what who-neglected ranks by
                    row.row.contacted,
                )
            )
    (touch, days, status, ranked, contacted), (touch2, days2, status2, ranked2, contacted2) = seen
    assert (touch, days, ranked, contacted) == (touch2, days2, ranked2, contacted2)
    if status == scoring.COLD:  # asking does not warm a cold contact (it may overdraw one)
        assert status2 in (scoring.COLD, scoring.OVERDRAWN)


@given(
    st.floats(-50, 200),
    st.floats(0, 3650),
    st.one_of(st.none(), st.floats(0, 3650)),
    st.sampled_from(["inner", "close", "active", "wide"]),
)
def test_a_personal_contact_is_never_untapped_nor_a_transactional_one_cold(
    charge: float, days_since: float, days_since_ask: float | None, circle: str
) -> None:
    cadence = POLICY.cadence(circle)
    args = (
        charge,
        days_since,
        cadence,
        days_since_ask,
        POLICY.untapped_charge,
        POLICY.untapped_days,
    )
    rest = (POLICY.overdrawn_below, POLICY.forgive_after_days)
    assert scoring.status(*args, "personal", *rest) != scoring.UNTAPPED
    assert scoring.status(*args, "transactional", *rest) != scoring.COLD
