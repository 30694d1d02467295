"""Sums over a period: exactly rounded, as `math.fsum` of every entry's points."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import Run, ok

from engage_cli.domain import NewEntry, Sums
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store import queries
from engage_cli.store.connection import Ledger
from engage_cli.store.writes import add_contact, log_entries

KINDS = ("deposit", "withdrawal", "received")


def test_period_sums_are_the_exactly_rounded_sum_of_each_contacts_points(
    run: Run, db_path: Path
) -> None:
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    ok(run("add", "Bo Chen", "--on", "2026-01-01"))
    points = ["0.1", "0.7", "0.1", "3.3", "0.1", "0.01", "2.5", "0.7", "0.1", "0.2"]
    for i, p in enumerate(points):
        ok(run("log", "Ann Lee", "-d", p, "--on", f"2026-03-{i + 1:02d}"))
        ok(run("log", "Bo Chen", "-w" if i % 2 else "-r", p, "--on", f"2026-03-{i + 1:02d}"))
    ok(run("log", "Ann Lee", "-d", "5", "--on", "2026-02-01"))  # before the period
    with Ledger.open(db_path, create=False) as ledger:
        ids = {r[1]: r[0] for r in ledger.conn.execute("SELECT id, name FROM contacts")}
        sums = queries.period_sums(
            ledger, datetime(2026, 2, 15, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        )
    values = [float(p) for p in points]
    ann, bo = sums[ids["Ann Lee"]], sums[ids["Bo Chen"]]
    assert ann.deposits == math.fsum(values) and ann.withdrawals == 0 == ann.received
    assert ann.deposits != sum(values)  # where a plain sum would differ
    assert bo.withdrawals == math.fsum(values[1::2]) and bo.received == math.fsum(values[::2])


# Points people type (multiples of 1/1024, summed exactly in any order) and others.
_POINTS = st.sampled_from([1.0, 2.5, 0.5, 3.0, 0.25, 5.0, 0.1, 0.7, 0.01, 3.3, 99.99, 100.0])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(["deposit", "withdrawal", "received"]),
            _POINTS,
            st.integers(0, 60),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_period_sums_and_totals_equal_the_exactly_rounded_sums(
    tmp_path: Path, entries: list[tuple[int, str, float, int]]
) -> None:
    """Per contact, the exactly rounded sum of each kind in the period, whichever way it
    is taken; the period's total is their sum over engagement contacts, in contact order."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    modes = ["engagement", "engagement", "personal", "engagement"]
    with Ledger.open(tmp_path / f"q{uuid.uuid4().hex}.db", create=True) as ledger:
        with ledger.transaction():
            people = [
                add_contact(ledger, ContactIn(name=f"P{i}", mode=mode), start, 90)
                for i, mode in enumerate(modes)
            ]
        ids = [p.id for p in people]
        found = [
            NewEntry(people[who], kind, pts, start + timedelta(days=day, hours=who), "", [])
            for who, kind, pts, day in entries
        ]
        log_entries(ledger, found, start + timedelta(days=90), Policy().half_life)
        for days in (50, 25):  # longer than a month, and shorter: two ways of reading
            _check_period(ledger, found, ids, modes, start + timedelta(days=10), days - 10)


def _check_period(
    ledger: Ledger, found: list[NewEntry], ids: list[int], modes: list[str], since: datetime,
    days: int,
) -> None:  # fmt: skip
    until = since + timedelta(days=days)
    inside = [e for e in found if since < e.occurred_at <= until]
    want = {}
    for cid in ids:
        mine = [e for e in inside if e.contact.id == cid]
        if mine:
            want[cid] = Sums(*(math.fsum(e.points for e in mine if e.kind == k) for k in KINDS))
    assert queries.period_sums(ledger, since, until) == want
    assert list(queries.period_sums(ledger, since, until)) == sorted(want)
    total = Sums()
    for cid, sums in sorted(want.items()):
        if modes[ids.index(cid)] == "engagement":
            total = total.plus(sums)
    assert queries.period_total(ledger, since, until) == total


def test_a_long_period_read_by_contact_gives_what_the_short_way_gives(
    run: Run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past a month, a period's sums and its connectors are read through each contact's
    (each broker's) own index: the same figures as the period read by time."""
    for name in ("Ann Lee", "Bo Chen", "Cy Park"):
        ok(run("add", name, "--on", "2026-01-01"))
    for day in range(1, 90, 3):
        who, via = ("Ann Lee", "Bo Chen") if day % 2 else ("Cy Park", "Ann Lee")
        on = f"2026-{1 + day // 30:02d}-{1 + day % 28:02d}"
        ok(run("log", who, "-d", str(1 + day % 4), "--via", via, "--on", on))
        points = "0.5" if via == "Bo Chen" else "0.7"  # Bo's sum exactly, Ann's do not
        ok(run("log", via, "-w" if day % 3 else "-r", points, "--on", on))
    ok(run("intro", "Bo Chen", "Cy Park", "--on", "2026-01-02"))
    ok(run("log", "Bo Chen", "-d", "5", "--via", "Cy Park", "--on", "2026-02-05"))
    ok(run("undo", "--yes"))  # a voided entry in the period counts for nothing
    since, until = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)
    with Ledger.open(db_path, create=False) as ledger:
        long = queries.period_sums(ledger, since, until), queries.via_sums(ledger, since, until)
        monkeypatch.setattr(queries, "_long", lambda start, end: False)
        short = queries.period_sums(ledger, since, until), queries.via_sums(ledger, since, until)
    assert long == short and len(long[0]) == 3 and len(long[1]) == 2
