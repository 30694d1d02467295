"""Reports at a past moment (`--as-of`), read through the marks of schema 6, print exactly
what the full recomputation from every entry prints: the same JSON, to the last digit."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from tests.helpers import Run, ok

from engage_cli import scoring
from engage_cli.store import marks

PAST = ["2025-03-14", "2025-06-01 09:30", "2025-08-30", "2025-11-02 23:59"]
REPORTS = [
    ["balance", "--json"],
    ["balance", "--period", "month", "--json"],
    ["who-neglected", "--json"],
    ["contacts", "--json"],
    ["show", "Ann Lee", "--json"],
    ["review", "--json"],
    ["explain", "Bob Stone", "--json"],
]


def _ledger(run: Run) -> None:
    ok(run("add", "Ann Lee", "--on", "2025-01-01", "--circle", "close"))
    ok(run("add", "Bob Stone", "--on", "2025-01-01"))
    ok(run("add", "Cy Park", "--on", "2025-01-01", "--circle", "wide"))
    for month in range(1, 13):
        ok(run("log", "Ann Lee", "-d", str(1 + month % 3), "--on", f"2025-{month:02}-03"))
        ok(run("log", "Bob Stone", "-w", "1", "-d", "1", "--on", f"2025-{month:02}-17 14:00"))
        if month % 4 == 0:
            ok(run("log", "Cy Park", "-r", "2", "--on", f"2025-{month:02}-20"))
    ok(run("log", "Ann Lee", "-d", "5", "--on", "2025-02-10"))  # back-dated
    ok(run("undo", "--yes"))


def _full(conn: Any, half_lives: dict[int, float], as_of: datetime) -> dict[int, marks.Past]:
    """What the marks give, recomputed from every live entry (scoring.at_moment)."""
    out = {}
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    for cid, hl in half_lives.items():
        rows = conn.execute(
            "SELECT kind, points, CAST(strftime('%s', occurred_at) AS REAL), occurred_at "
            "FROM entries WHERE contact_id = ? AND voided_by IS NULL",
            [cid],
        ).fetchall()
        impulses = [scoring.impulse(at, kind, pts) for kind, pts, at, _ in rows]
        touch = max((r[3] for r in rows if r[0] != "withdrawal" and r[3] <= stamp), default=None)
        ask = max((r[3] for r in rows if r[0] == "withdrawal" and r[3] <= stamp), default=None)
        out[cid] = marks.Past(scoring.at_moment(impulses, as_of.timestamp(), hl), touch, ask)
    return out


def _outputs(run: Run) -> dict[str, str]:
    return {
        " ".join([*cmd, when]): ok(run(*cmd, "--as-of", when)).stdout
        for when in PAST
        for cmd in REPORTS
    }


def _all_full(
    conn: Any, wanted: list[dict[int, float]], moments: list[datetime]
) -> list[dict[int, marks.Past]]:
    return [_full(conn, w, m) for w, m in zip(wanted, moments, strict=True)]


def test_past_reports_from_the_marks_equal_the_full_recomputation(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ledger(run)
    used: list[int] = []
    real: Callable[..., list[dict[int, marks.Past]]] = marks.at_moments

    def spy(
        conn: Any, wanted: list[dict[int, float]], moments: list[datetime]
    ) -> list[dict[int, marks.Past]]:
        found = real(conn, wanted, moments)
        used.append(sum(len(f) for f in found))
        return found

    monkeypatch.setattr(marks, "at_moments", spy)
    fast = _outputs(run)
    assert sum(used) >= len(PAST) * 3  # every contact, at every moment, came from the marks
    monkeypatch.setattr(marks, "at_moments", _all_full)
    assert _outputs(run) == fast
    monkeypatch.setattr(marks, "at_moments", real)
    assert json.loads(ok(run("doctor", "--repair", "--json")).stdout)["ok"]
    assert _outputs(run) == fast  # the marks a repair makes are the marks writes kept
    charges = {json.loads(fast[f"show Ann Lee --json {w}"])["charge"] for w in PAST}
    assert len(charges) == len(PAST)  # the moments differ: the test is not vacuous
