"""The battery model, tested directly: definitions, then invariants as properties."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engage_cli import scoring
from engage_cli.scoring import DAY, Impulse, State

HALF_LIVES = st.sampled_from([7.0, 30.0, 60.0, 120.0, 240.0])
TIMES = st.floats(min_value=0, max_value=3650 * DAY, allow_nan=False)
POINTS = st.floats(min_value=0.1, max_value=100, allow_nan=False)
KINDS = st.sampled_from(["deposit", "withdrawal", "received"])
IMPULSE = st.builds(scoring.impulse, at=TIMES, kind=KINDS, points=POINTS)
IMPULSES = st.lists(IMPULSE, max_size=40)


def test_one_half_life_halves_a_deposit() -> None:
    assert scoring.charge([Impulse(0, 2.0)], 30 * DAY, 30) == pytest.approx(1.0)


def test_two_half_lives_quarter_a_withdrawal() -> None:
    assert scoring.charge([Impulse(0, -4.0)], 60 * DAY, 30) == pytest.approx(-1.0)


def test_factor_is_zero_before_the_entry() -> None:
    assert scoring.factor(-0.5, 30) == 0.0
    assert scoring.factor(0, 30) == 1.0


def test_entries_after_as_of_count_for_nothing_exactly() -> None:
    assert scoring.charge([Impulse(10 * DAY, 5.0)], 9 * DAY, 30) == 0.0


@given(IMPULSES, IMPULSE, HALF_LIVES, TIMES)
def test_deposit_never_lowers_withdrawal_never_raises(
    imps: list[Impulse], extra: Impulse, hl: float, as_of: float
) -> None:
    before = scoring.charge(imps, as_of, hl)
    after = scoring.charge([*imps, extra], as_of, hl)
    if extra.value > 0:
        assert after >= before
    else:
        assert after <= before


@given(IMPULSES, HALF_LIVES, TIMES, st.floats(min_value=0, max_value=1000 * DAY))
def test_between_entries_charge_moves_toward_zero(
    imps: list[Impulse], hl: float, t1: float, gap: float
) -> None:
    t2 = t1 + gap
    # Only entries up to t1: nothing happens in (t1, t2].
    past = [i for i in imps if i.at <= t1]
    c1 = scoring.charge(past, t1, hl)
    c2 = scoring.charge(past, t2, hl)
    assert abs(c2) <= abs(c1) + 1e-9
    assert c1 * c2 >= 0  # never crosses zero by itself


@given(IMPULSES, HALF_LIVES, TIMES, st.randoms())
def test_order_of_entries_does_not_matter(
    imps: list[Impulse], hl: float, as_of: float, rnd: random.Random
) -> None:
    shuffled = list(imps)
    rnd.shuffle(shuffled)
    assert scoring.charge(shuffled, as_of, hl) == scoring.charge(imps, as_of, hl)


@given(IMPULSES, IMPULSES, HALF_LIVES, TIMES)
def test_future_entries_count_for_nothing(
    imps: list[Impulse], later: list[Impulse], hl: float, as_of: float
) -> None:
    future = [Impulse(as_of + 1 + i.at, i.value) for i in later]
    assert scoring.charge(imps + future, as_of, hl) == scoring.charge(imps, as_of, hl)


def _close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


@given(IMPULSES, HALF_LIVES, st.randoms())
@settings(max_examples=200)
def test_the_state_is_the_same_in_any_order_to_the_last_bit(
    imps: list[Impulse], hl: float, rnd: random.Random
) -> None:
    """Rebuilt from the entries in any order, the state is bit-identical, and it carries
    forward to the charge and exchange computed directly, within rounding."""
    order = list(imps)
    rnd.shuffle(order)
    state, expected = scoring.rebuild(order, hl), scoring.rebuild(imps, hl)
    assert state == expected  # exactly: math.fsum does not care about order
    scale = sum(abs(i.value) + i.gave + i.received for i in imps)
    if expected.anchor is not None:
        probe = expected.anchor + 17 * DAY
        later = state.projected(probe, hl)
        assert _close(later.charge, scoring.charge(imps, probe, hl), scale)
        gave, received = scoring.exchange(imps, probe, hl)
        assert _close(later.gave, gave, scale) and _close(later.received, received, scale)


@given(IMPULSES, HALF_LIVES, st.randoms())
@settings(max_examples=100)
def test_sqlites_decayed_sums_equal_pythons_bit_for_bit(
    imps: list[Impulse], hl: float, rnd: random.Random
) -> None:
    """The aggregate SQLite sums with gives what `rebuild` gives, in any row order."""
    import json
    import sqlite3

    whole = [i for i in imps if i.at == int(i.at)] or [Impulse(0.0, 1.0, 1.0)]
    expected = scoring.rebuild(whole, hl)
    conn = sqlite3.connect(":memory:")
    conn.create_aggregate("d", 5, scoring.DecayedSums)  # type: ignore[arg-type]
    conn.execute("CREATE TABLE e (kind, points, at)")
    rows = []
    for i in whole:
        kind = "deposit" if i.gave else "received" if i.received else "withdrawal"
        rows.append((kind, i.gave or i.received or -i.value, i.at))
    rnd.shuffle(rows)
    conn.executemany("INSERT INTO e VALUES (?, ?, ?)", rows)
    (found,) = conn.execute(
        "SELECT d(kind, points, at, ?, ?) FROM e", [expected.anchor, hl]
    ).fetchone()
    assert json.loads(found) == [expected.charge, expected.gave, expected.received]


@given(IMPULSES, HALF_LIVES, TIMES, st.floats(min_value=0, max_value=3650 * DAY))
def test_who_owes_whom_does_not_change_while_nothing_happens(
    imps: list[Impulse], hl: float, offset: float, wait: float
) -> None:
    """Both sides decay alike: silence only fades the flag below the minimum, never flips it."""
    as_of = max((i.at for i in imps), default=0.0) + offset  # after every entry
    gave, received = scoring.exchange(imps, as_of, hl)
    later_gave, later_received = scoring.exchange(imps, as_of + wait, hl)
    if later_received >= 1.0 + 1e-9 and not math.isclose(later_gave, later_received / 2):
        assert scoring.reciprocity(later_gave, later_received) == scoring.reciprocity(
            gave, received
        )
    if scoring.reciprocity(gave, received) is None and received >= 1.0:
        assert scoring.reciprocity(later_gave, later_received) is None


def test_received_counts_for_reciprocity_only() -> None:
    imp = scoring.impulse(0.0, "received", 3.0)
    assert (imp.value, imp.gave, imp.received) == (0.0, 0.0, 3.0)
    dep = scoring.impulse(0.0, "deposit", 2.0)
    assert (dep.value, dep.gave, dep.received) == (2.0, 2.0, 0.0)
    ask = scoring.impulse(0.0, "withdrawal", 2.0)
    assert (ask.value, ask.gave, ask.received) == (-2.0, 0.0, 0.0)
    gave, received = scoring.exchange([imp, dep], 60 * DAY, 60)
    assert (gave, received) == pytest.approx((1.0, 1.5))


def test_state_refuses_to_project_backwards() -> None:
    with pytest.raises(ValueError):
        State(1.0, 10 * DAY).at(5 * DAY, 30)


@pytest.mark.parametrize(
    ("deposits", "withdrawals", "expected"),
    [
        (0, 0, scoring.IDLE),
        (1, 1, scoring.LIGHT),  # two points in all: too little to judge
        (3, 0, scoring.ALL_RELATIONSHIP),
        (0, 3, scoring.ALL_TASK),
        (1, 2, scoring.ALL_TASK),
        (2, 2, scoring.ENGAGED),
        (10, 2, scoring.ENGAGED),
        (11, 2, scoring.RELATIONSHIP_HEAVY),  # far above the band, but an ask was made
        (11.5, 1, scoring.RELATIONSHIP_HEAVY),
    ],
)
def test_verdict_band(deposits: float, withdrawals: float, expected: str) -> None:
    assert scoring.verdict(deposits, withdrawals, 1.0, 5.0, 3.0) == expected


@given(POINTS, POINTS, POINTS)
def test_more_deposits_never_make_a_period_more_task_heavy(
    d: float, w: float, extra: float
) -> None:
    rank = {
        scoring.ALL_TASK: 0,
        scoring.ENGAGED: 1,
        scoring.RELATIONSHIP_HEAVY: 2,
        scoring.ALL_RELATIONSHIP: 3,
    }
    before = scoring.verdict(d, w, 1.0, 5.0)
    after = scoring.verdict(d + extra, w, 1.0, 5.0)
    assert rank[after] >= rank[before]


@given(POINTS, POINTS, st.floats(min_value=0, max_value=10))
def test_a_light_period_is_never_judged(d: float, w: float, least: float) -> None:
    verdict = scoring.verdict(d, w, 1.0, 5.0, least)
    assert (verdict == scoring.LIGHT) == (d + w < least)


@pytest.mark.parametrize(
    ("charge", "days_since", "days_since_ask", "expected"),
    [
        (-0.6, 1, 1, scoring.OVERDRAWN),
        (-0.1, 1, 1, scoring.HEALTHY),  # a debt under half a point is no debt
        (-5, 400, 100, scoring.OVERDRAWN),
        (-5, 400, 200, scoring.COLD),  # asked nothing for 180 days: forgiven
        (-5, 10, 200, scoring.HEALTHY),
        (3, 31, None, scoring.COLD),
        (8, 5, None, scoring.UNTAPPED),
        (8, 5, 200, scoring.UNTAPPED),
        (8, 5, 10, scoring.HEALTHY),
        (2, 5, None, scoring.HEALTHY),
    ],
)
def test_status(
    charge: float, days_since: float, days_since_ask: float | None, expected: str
) -> None:
    assert (
        scoring.status(charge, days_since, 30, days_since_ask, 6.0, 90, "engagement", 0.5, 180)
        == expected
    )


@pytest.mark.parametrize(
    ("mode", "charge", "days_since", "expected"),
    [
        ("personal", 8, 5, scoring.HEALTHY),  # a friend is never a project left untapped
        ("personal", 3, 31, scoring.COLD),  # but is missed
        ("transactional", 3, 31, scoring.HEALTHY),  # an exchange is never cold
        ("transactional", 8, 5, scoring.HEALTHY),
        ("engagement", 8, 5, scoring.UNTAPPED),
    ],
)
def test_modes(mode: str, charge: float, days_since: float, expected: str) -> None:
    assert scoring.status(charge, days_since, 30, None, 6.0, 90, mode, 0.5, 180) == expected


@given(
    st.floats(min_value=-1000, max_value=-1e-9),
    st.floats(min_value=0, max_value=3650),
    st.floats(min_value=0, max_value=3650),
    st.floats(min_value=1, max_value=3650),
)
def test_a_debt_is_forgiven_once_nothing_was_asked_for_the_forgiveness_time(
    charge: float, days_since: float, days_since_ask: float, forgive: float
) -> None:
    status = scoring.status(
        charge, days_since, 30, days_since_ask, 6.0, 90, "engagement", 0.5, forgive
    )
    if days_since_ask > forgive:
        assert status != scoring.OVERDRAWN
    if status == scoring.OVERDRAWN:
        assert charge <= -0.5  # never "+0.0" beside overdrawn


def _row(name: str, days_since: float, cadence: float, charge: float) -> scoring.Neglect:
    return scoring.Neglect(name, "person", "close", charge, days_since, cadence, True)


def test_neglect_ranks_by_overdue_ratio_then_low_charge() -> None:
    rows = [
        _row("fresh", 1, 30, 0),
        _row("late-high", 60, 30, 5),
        _row("late-low", 60, 30, -1),
        _row("very-late", 100, 7, 9),
    ]
    assert [r.name for r in scoring.rank_neglected(rows)] == [
        "very-late",
        "late-low",
        "late-high",
        "fresh",
    ]


def test_suggestions_name_the_contact_and_differ_by_situation() -> None:
    base = _row("Ann", 40, 30, 2)
    overdrawn = _row("Ann", 40, 30, -2)._replace(overdrawn=True)
    forgiven = _row("Ann", 40, 30, -2)  # a debt forgiven: no longer "give before asking"
    friend = _row("Ann", 40, 30, 2)._replace(mode="personal")
    org = scoring.Neglect("Acme", "org", "wide", 1, 400, 365, True)
    texts = {scoring.suggestion(r) for r in (base, overdrawn, friend, org)}
    assert len(texts) == 4
    assert scoring.suggestion(forgiven) == scoring.suggestion(base)
    assert all(("Ann" in t) or ("Acme" in t) for t in texts)


# --- readiness: can I ask? ---------------------------------------------------------


@given(
    charge=st.floats(-50, 50, allow_nan=False),
    points=st.floats(0.01, 100),
    reserve=st.floats(0, 2),
)
def test_can_ask_rule(charge: float, points: float, reserve: float) -> None:
    r = scoring.can_ask(charge, points, reserve)
    assert r.after == charge - points
    assert r.ready == (r.suggested_deposit == 0)
    if r.ready:
        assert r.after >= 0  # a comfortable ask never overdraws
    else:
        # the suggested deposit is enough, and barely more than enough
        assert scoring.can_ask(charge + r.suggested_deposit + 1e-9, points, reserve).ready
        assert not scoring.can_ask(
            charge + r.suggested_deposit * 0.99 - 1e-9, points, reserve
        ).ready
    # a bigger relationship carries at least the same ask
    assert scoring.can_ask(charge + 1, points, reserve).ready or not r.ready


# --- promises ---------------------------------------------------------------------------

RULES = st.builds(
    scoring.PromiseRule,
    grace_days=st.floats(min_value=0, max_value=30),
    points=st.floats(min_value=0.1, max_value=10),
)


@given(TIMES, TIMES, TIMES, HALF_LIVES, RULES)
def test_a_promise_never_weighs_before_its_due_moment_plus_the_grace(
    due: float, made: float, as_of: float, hl: float, rule: scoring.PromiseRule
) -> None:
    weight = scoring.promise_weight(due, made, None, as_of, hl, rule)
    if as_of < due + rule.grace_days * DAY or made > as_of:
        assert weight == 0.0
    else:
        assert -rule.points <= weight < 0
        age = (as_of - due) / DAY - rule.grace_days
        assert weight == pytest.approx(-rule.points * 2 ** (-age / hl))


@given(TIMES, TIMES, TIMES, HALF_LIVES, RULES, st.floats(min_value=0, max_value=3650 * DAY))
def test_keeping_or_dropping_a_promise_takes_its_weight_away_from_then_on(
    due: float, settled: float, as_of: float, hl: float, rule: scoring.PromiseRule, later: float
) -> None:
    made = min(due, settled)
    # From the moment it is settled on, nothing, however late it was.
    assert scoring.promise_weight(due, made, settled, settled + later, hl, rule) == 0.0
    # Before it was settled, it weighed what an open promise weighs then.
    if as_of < settled:
        open_weight = scoring.promise_weight(due, made, None, as_of, hl, rule)
        assert scoring.promise_weight(due, made, settled, as_of, hl, rule) == open_weight


@given(TIMES, HALF_LIVES, RULES, st.floats(min_value=0, max_value=3650 * DAY))
def test_an_overdue_promise_only_fades_toward_zero(
    due: float, hl: float, rule: scoring.PromiseRule, gap: float
) -> None:
    start = due + rule.grace_days * DAY
    a = scoring.promise_weight(due, 0.0, None, start, hl, rule)
    b = scoring.promise_weight(due, 0.0, None, start + gap, hl, rule)
    assert a == -rule.points and a <= b <= 0
