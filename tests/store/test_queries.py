"""Sums over a period: exactly rounded, as `math.fsum` of every entry's points."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers import Run, ok

from engage_cli.store import queries
from engage_cli.store.connection import Ledger


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
