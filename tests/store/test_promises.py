"""Promises in the store: what overdue ones weigh where a charge is read or printed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engage_cli.domain import NewEntry
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.keeping import keep_promise, make_promise
from engage_cli.store.promises import overdue, weighed
from engage_cli.store.state import facts
from engage_cli.store.writes import add_contact, log_entries

POLICY = Policy()
START = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_charge_a_write_prints_is_the_charge_reports_read(tmp_path: Path) -> None:
    now = START + timedelta(days=40)
    rule, hl = POLICY.promise_rule, POLICY.half_life
    with Ledger.open(tmp_path / "l.db", create=True) as ledger, ledger.transaction():
        ann = add_contact(ledger, ContactIn(name="Ann", circle="close"), START, hl("close"))
        due = START + timedelta(days=10)  # weighs from day 13
        late = make_promise(ledger, ann, "the paper", due, START, START)
        make_promise(ledger, ann, "not yet", now + timedelta(days=5), START, START)
        wrote = log_entries(ledger, [NewEntry(ann, "deposit", 2, now, "", [])], now, hl)
        printed = weighed(ledger, wrote, now, hl, rule)[0].charge_after
        (read,) = facts(ledger, now, hl, [ann], promises=rule)
        assert printed == pytest.approx(read.charge)
        assert printed == pytest.approx(wrote[0].charge_after - 2 ** (-27 / 60))
        assert [p.what for p in overdue(ledger, now, 3.0)[ann.id]] == ["the paper"]
        # As of a moment within the grace, nothing weighs; kept, nothing weighs after.
        assert overdue(ledger, START + timedelta(days=12), 3.0) == {}
        keep_promise(ledger, late, now, now, 1.0, hl)
        assert overdue(ledger, now, 3.0) == {}
        assert ann.id in overdue(ledger, now - timedelta(seconds=1), 3.0)
