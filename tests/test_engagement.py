"""The engagement model: asks that complete, reciprocity, readiness, explain, trends, policy."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import Run, fails, ok

from engage_cli import reports, scoring
from engage_cli.domain import NewEntry
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.queries import asks as list_asks
from engage_cli.store.queries import history, live_entries
from engage_cli.store.state import verify_state
from engage_cli.store.writes import add_contact, log_entries, settle_ask, void_entries

AS_OF = "2026-11-20"


def decayed(points: float, age_days: float, half_life: float) -> float:
    return points * 2 ** (-age_days / half_life)


@pytest.fixture
def people(run: Run) -> Run:
    ok(run("add", "Ann Lee", "--circle", "close", "--tag", "design", "--on", "2026-01-01"))
    ok(run("add", "Bob Stone", "--tag", "investor", "--tag", "design", "--on", "2026-01-01"))
    ok(run("add", "Cy Young", "--circle", "inner", "--kind", "org", "--on", "2026-01-01"))
    return run


def only_ask(run_json: Any) -> dict[str, Any]:
    (ask,) = run_json("asks")
    return ask  # type: ignore[no-any-return]


# --- asks have a life ----------------------------------------------------------------


def test_an_ask_done_gives_half_back_at_completion(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "4", "--on", "2026-11-01 10:00", "-m", "intro to a fund"))
    ask = only_ask(run_json)
    assert (ask["status"], ask["points"], ask["contact"]) == ("open", 4.0, "Bob Stone")
    assert ask["occurred_at"] == "2026-11-01T10:00:00Z"
    out = ok(people("done", ask["id"][-8:], "--on", "2026-11-05 10:00")).stdout
    assert "+2" in out
    ask = only_ask(run_json)
    assert ask["status"] == "done" and ask["returned"] == 2.0
    assert ask["resolved_at"] == "2026-11-05T10:00:00Z"
    gift = [e for e in run_json("history") if e["kind"] == "deposit"]
    assert [(g["points"], g["occurred_at"], g["source"]) for g in gift] == [
        (2.0, "2026-11-05T10:00:00Z", ask["id"])
    ]
    charge = run_json("explain", "Bob Stone", "--as-of", AS_OF)["charge"]
    age_ask = (19 * 86400 + 13 * 3600 + 59 * 60 + 59) / 86400
    age_gift = (15 * 86400 + 13 * 3600 + 59 * 60 + 59) / 86400
    assert charge == pytest.approx(decayed(-4, age_ask, 120) + decayed(2, age_gift, 120))


def test_a_declined_ask_costs_what_it_cost(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-01"))
    before = run_json("explain", "Bob Stone", "--as-of", AS_OF)["charge"]
    ask = only_ask(run_json)
    ok(people("declined", ask["id"]))
    assert only_ask(run_json)["status"] == "declined"
    assert run_json("explain", "Bob Stone", "--as-of", AS_OF)["charge"] == before
    assert len(run_json("history")) == 1


def test_settling_twice_is_refused_and_reopen_takes_the_gift_back(
    people: Run, run_json, db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-01"))
    ask_id = only_ask(run_json)["id"]
    ok(people("done", ask_id))
    assert "already done" in fails(people("declined", ask_id))
    ok(people("reopen", ask_id))
    assert only_ask(run_json)["status"] == "open"
    live = [e for e in run_json("history") if not e["voided"]]
    assert [e["kind"] for e in live] == ["withdrawal"]
    ok(people("doctor"))


def test_undo_of_a_done_reopens_the_ask(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-01"))
    ask_id = only_ask(run_json)["id"]
    ok(people("done", ask_id))
    ok(people("undo", "--yes"))
    assert only_ask(run_json)["status"] == "open"
    assert run_json("asks", "--open")[0]["id"] == ask_id


@pytest.mark.parametrize(
    ("setup", "args", "words"),
    [
        (["log", "Ann Lee", "-d", "1"], ["done", "{id}"], "not an ask"),
        (
            ["log", "Ann Lee", "-w", "1", "--on", "2026-11-10"],
            ["done", "{id}", "--on", "2026-11-01"],
            "before",
        ),
        (["log", "Ann Lee", "-w", "1"], ["done", "{id}", "--on", "tomorrow"], "future"),
        (["log", "Ann Lee", "-w", "1"], ["reopen", "{id}"], "not a settled ask"),
    ],
)  # fmt: skip
def test_bad_settlements_change_nothing(
    people: Run, run_json, db_path: Path, setup: list[str], args: list[str], words: str
) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    ok(people(*setup))
    entry_id = run_json("history")[0]["id"]
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    assert words in fails(people(*[a.replace("{id}", entry_id) for a in args]))
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_asks_filter_and_json_contract(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "2", "--on", "2026-10-01"))
    ok(people("log", "Ann Lee", "-w", "1", "--on", "2026-11-01"))
    ok(people("declined", run_json("asks", "Ann Lee")[0]["id"], "--on", "2026-11-02"))
    rows = run_json("asks", "--as-of", AS_OF)
    assert [r["contact"] for r in rows] == ["Ann Lee", "Bob Stone"]  # newest first
    for r in rows:
        assert {"id", "contact", "points", "status", "occurred_at", "age_days"} <= set(r)
    assert [r["contact"] for r in run_json("asks", "--open")] == ["Bob Stone"]
    assert run_json("asks", "--open", "--as-of", AS_OF)[0]["age_days"] == pytest.approx(
        50.5 - 1 / 86400
    )


# --- reciprocity and brokers --------------------------------------------------------


def test_received_is_tracked_not_charged(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Cy Young", "-r", "3", "--on", "2026-11-15", "-m", "reviewed my deck"))
    assert run_json("explain", "Cy Young", "--as-of", AS_OF)["charge"] == 0
    profile = run_json("show", "Cy Young", "--as-of", AS_OF)
    assert profile["received_total"] == 3 and profile["deposits_total"] == 0
    assert profile["reciprocity"] == scoring.THANK_FIRST
    assert profile["last_contact"] == "2026-11-15T12:00:00Z"
    assert profile["gave"] == 0 and profile["received"] == 3
    assert profile["gave_decayed"] == 0 and 2.5 < profile["received_decayed"] < 3
    text = ok(people("show", "Cy Young", "--as-of", AS_OF)).stdout
    assert "exchange      you gave 0.0, they gave 2." in text and "thank first:" in text
    report = run_json("balance", "--as-of", AS_OF)
    assert report["received"] == 3
    assert report["thank_first"] == ["Cy Young"]
    neglect = run_json("who-neglected", "--as-of", AS_OF)["contacts"]
    assert neglect[0]["name"] == "Cy Young" and neglect[0]["thank_first"]
    assert "thank" in neglect[0]["suggestion"]
    # Giving back at least half clears the flag.
    ok(people("log", "Cy Young", "-d", "1.5", "--on", "2026-11-16"))
    assert run_json("balance", "--as-of", AS_OF)["thank_first"] == []


def test_via_records_the_broker(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-d", "2", "--via", "ann lee", "--on", "2026-11-18"))
    ok(people("log", "Cy Young", "-w", "1", "--via", "Ann Lee", "--on", "2026-11-19"))
    report = run_json("balance", "--as-of", AS_OF)
    assert report["connectors"] == [{"name": "Ann Lee", "entries": 2, "points": 3.0}]
    brokered = run_json("show", "Ann Lee", "--as-of", AS_OF)["brokered"]
    assert [e["contact"] for e in brokered] == ["Cy Young", "Bob Stone"]
    assert all(e["via"] == "Ann Lee" for e in run_json("history"))
    assert "own" in fails(people("log", "Ann Lee", "-d", "1", "--via", "Ann Lee"))
    assert "did you mean" in fails(people("log", "Bob Stone", "-d", "1", "--via", "Ann Le"))


# --- readiness --------------------------------------------------------------------------


def test_can_ask_json_contract(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "5", "--on", "2026-11-20 12:00"))
    ready = run_json("can-ask", "Ann Lee", "--points", "2", "--as-of", "2026-11-20 12:00")
    assert ready == {
        "name": "Ann Lee",
        "ready": True,
        "charge": 5.0,
        "points": 2.0,
        "after": 3.0,
        "suggested_deposit": 0.0,
    }
    not_yet = run_json("can-ask", "Ann Lee", "--points", "5", "--as-of", "2026-11-20 12:00")
    assert not_yet["ready"] is False
    assert not_yet["after"] == 0.0
    assert not_yet["suggested_deposit"] == pytest.approx(5 * 1.25 - 5)
    assert "not yet" in ok(people("can-ask", "Ann Lee", "-p", "5")).stdout
    fails(people("can-ask", "Ann Lee", "--points", "0"))


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


# --- explain equals the charge every report uses -------------------------------------

START = datetime(2024, 1, 1, tzinfo=UTC)
POLICY = Policy()
op = st.one_of(
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
@given(st.lists(op, max_size=25), st.integers(0, 1000))
def test_explain_sums_to_the_reported_charge(
    tmp_path: Path, ops: list[tuple[Any, ...]], probe: int
) -> None:
    path = tmp_path / f"e{uuid.uuid4().hex}.db"  # a new ledger for every example
    now = START + timedelta(days=2000)
    with Ledger.open(path, create=True) as ledger:
        with ledger.transaction():
            people = [
                add_contact(ledger, ContactIn(name=n, circle=c), START, POLICY.half_life(c))
                for n, c in (("Ann", "inner"), ("Bob", "wide"))
            ]
        for o in ops:
            with ledger.transaction():
                if o[0] == "log":
                    _, who, kind, pts, day = o
                    at = START + timedelta(days=day, hours=day % 24)
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
        for as_of in (START + timedelta(days=probe), now):
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


def test_explain_json_contract(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "2", "--on", "2026-11-10 00:00"))
    ok(people("log", "Ann Lee", "-w", "1", "--on", "2026-11-15 00:00"))
    x = run_json("explain", "Ann Lee", "--as-of", "2026-11-20 00:00")
    assert [(e["kind"], e["points"], e["age_days"]) for e in x["entries"]] == [
        ("deposit", 2.0, 10.0),
        ("withdrawal", 1.0, 5.0),
    ]
    for e in x["entries"]:
        assert {"id", "occurred_at", "factor", "contribution"} <= set(e)
        assert e["factor"] == pytest.approx(2 ** (-e["age_days"] / 60))
    assert x["charge"] == pytest.approx(2 * 2 ** (-10 / 60) - 2 ** (-5 / 60))
    contacts = {c["name"]: c for c in run_json("contacts", "--as-of", "2026-11-20 00:00")}
    assert contacts["Ann Lee"]["charge"] == pytest.approx(x["charge"], abs=1e-12)


# --- trends and groups -------------------------------------------------------------------


def test_trend_weeks_add_up_to_the_balance(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "2", "--on", "2026-11-19"))
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-12"))
    ok(people("log", "Cy Young", "-d", "1", "-r", "2", "--on", "2026-11-01"))
    ok(people("log", "Cy Young", "-d", "9", "--on", "2026-10-01"))  # outside the window
    weeks = run_json("trend", "--weeks", "3", "--as-of", AS_OF)
    assert [w["start"] for w in weeks] == [
        "2026-10-30T23:59:59Z",
        "2026-11-06T23:59:59Z",
        "2026-11-13T23:59:59Z",
    ]
    assert [(w["deposits"], w["withdrawals"], w["verdict"]) for w in weeks] == [
        (1.0, 0.0, "all relationship"),
        (0.0, 3.0, "all task"),
        (2.0, 0.0, "all relationship"),
    ]
    assert weeks[0]["received"] == 2.0
    whole = run_json("balance", "--period", "3w", "--as-of", AS_OF)
    assert sum(w["deposits"] for w in weeks) == whole["deposits"]
    assert sum(w["withdrawals"] for w in weeks) == whole["withdrawals"]
    mine = run_json("trend", "Cy Young", "--weeks", "3", "--as-of", AS_OF)
    assert [w["deposits"] for w in mine] == [1.0, 0.0, 0.0]
    assert "week of" in ok(people("trend", "--as-of", AS_OF)).stdout


@pytest.mark.parametrize("by", ["circle", "tag", "kind"])
def test_balance_by_group(people: Run, run_json, by: str) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "2", "--on", "2026-11-19"))
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-18"))
    report = run_json("balance", "--as-of", AS_OF, "--by", by)
    groups = {g["name"]: g for g in report["groups"]}
    if by == "tag":  # Bob is tagged investor and design: he counts in both
        assert groups["design"]["contacts"] == 2
        assert (groups["design"]["deposits"], groups["design"]["withdrawals"]) == (2, 3)
        assert groups["investor"]["withdrawals"] == 3
        assert groups["(no tag)"]["contacts"] == 1
    else:
        assert sum(g["deposits"] for g in groups.values()) == report["deposits"]
        assert sum(g["withdrawals"] for g in groups.values()) == report["withdrawals"]
        assert sum(g["contacts"] for g in groups.values()) == 3
    assert "By " + by in ok(people("balance", "--as-of", AS_OF, "--by", by)).stdout
    assert "--by" in fails(people("balance", "--by", "sector"), code=2)


def test_review_is_the_whole_weekly_review(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "2", "--on", "2026-10-01", "-m", "a reference"))
    ok(people("log", "Ann Lee", "-d", "1", "--on", "2026-11-19"))
    report = run_json("review", "--as-of", AS_OF)
    assert report["balance"]["deposits"] == 1
    assert len(report["trend"]) == 8
    assert [a["note"] for a in report["open_asks"]] == ["a reference"]
    assert len(report["reconnect"]["contacts"]) == 3
    out = ok(people("review", "--as-of", AS_OF)).stdout
    for part in ("Balance", "The last eight weeks", "Open asks getting old", "Reflect"):
        assert part in out


# --- policy configuration ------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("ENGAGE_CONFIG", str(path))
    return path


def test_config_changes_reports_consistently(people: Run, run_json, config: Path) -> None:  # type: ignore[no-untyped-def]
    config.write_text("")
    ok(people("log", "Ann Lee", "-d", "4", "--on", "2026-11-10 00:00"))
    as_of = "2026-11-20 00:00"

    def ann(rows: list[dict[str, Any]]) -> float:
        return float(next(r["charge"] for r in rows if r["name"] == "Ann Lee"))

    assert ann(run_json("contacts", "--as-of", as_of)) == pytest.approx(4 * 2 ** (-10 / 60))
    config.write_text("[circles.close]\nhalf_life_days = 10\ncadence_days = 3\n")
    for charge in (
        ann(run_json("contacts", "--as-of", as_of)),
        run_json("explain", "Ann Lee", "--as-of", as_of)["charge"],
        ann(run_json("balance", "--as-of", as_of, "--all")["contacts"]),
    ):
        assert charge == pytest.approx(2.0)
    # an entry written under the new policy keeps every number consistent
    ok(people("log", "Ann Lee", "-d", "1", "--on", "2026-11-10 00:00"))
    assert run_json("explain", "Ann Lee", "--as-of", as_of)["charge"] == pytest.approx(2.5)
    assert ann(run_json("contacts", "--as-of", as_of)) == pytest.approx(2.5)
    ok(people("doctor"))
    shown = run_json("config", "show")
    assert shown["values"]["circles.close.half_life_days"] == {"value": 10, "from": str(config)}
    assert shown["values"]["circles.inner.half_life_days"] == {"value": 30, "from": "default"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("circels = 1\n", "circels: unknown key; accepted here: period, synergy"),
        ("[circles.close]\nhalf_life = 3\n", "circles.close.half_life: unknown key; accepted"),
        ("[circles.close]\nhalf_life_days = -3\n", "circles.close.half_life_days: "),
        ("[circles.closest]\nhalf_life_days = 3\n", "circles are inner, close, active, wide"),
        ("synergy = 2\n", "synergy: "),
        ("reciprocity_days = 365\n", "reciprocity_days: no longer used: what you gave"),
        ("period = 'fortnight'\n", "period"),
        ("[verdict]\nengaged_min_ratio = 9\nengaged_max_ratio = 2\n", "must not exceed"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_invalid_config_is_one_clear_line(people: Run, config: Path, text: str, words: str) -> None:
    config.write_text(text)
    msg = fails(people("balance"))
    assert words in msg
    assert str(config) in msg


def test_config_path_and_missing_file(run: Run, config: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert ok(run("config", "path")).stdout.strip() == str(config)
    assert "no config file" in fails(run("config", "show"))
    monkeypatch.delenv("ENGAGE_CONFIG")
    out = ok(run("config", "show")).stdout
    assert "all defaults" in out and "circles.inner.half_life_days" in out


# --- found in review ------------------------------------------------------------------------


def test_voiding_a_done_ask_voids_what_it_gave_back(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "3", "--on", "2026-11-12 15:00"))
    ask_id = only_ask(run_json)["id"]
    ok(people("done", ask_id, "--on", "2026-11-18"))
    ok(people("void", ask_id))
    assert run_json("explain", "Bob Stone", "--as-of", AS_OF) == {
        **run_json("explain", "Bob Stone", "--as-of", AS_OF),
        "charge": 0.0,
        "entries": [],
    }
    assert "voided" in fails(people("reopen", ask_id))
    ok(people("doctor"))


def test_trend_weeks_start_exactly_at_their_boundary(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-d", "7", "--on", "2026-11-14 00:00"))  # 1 s into the last week
    weeks = run_json("trend", "--weeks", "2", "--as-of", AS_OF)
    assert [w["deposits"] for w in weeks] == [0.0, 7.0]
    assert run_json("balance", "--as-of", AS_OF)["deposits"] == 7.0
    out = ok(people("trend", "--weeks", "1", "--as-of", AS_OF)).stdout
    assert "2026-11-14" in out  # labelled by its first whole day


def test_can_ask_advice_is_always_enough(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    at = "2026-11-20 12:00"
    ok(people("log", "Ann Lee", "-d", "2", "--on", at))
    out = ok(people("can-ask", "Ann Lee", "--points", "2.03", "--as-of", at)).stdout
    assert "at least 0.6 points" in out and "-0.0" not in out  # 0.5375 needed
    ok(people("log", "Ann Lee", "-d", "0.6", "--on", at))
    assert run_json("can-ask", "Ann Lee", "--points", "2.03", "--as-of", at)["ready"] is True


def test_thank_first_fades_and_agrees_everywhere(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Cy Young", "-r", "5", "--on", "2025-06-01"))  # long faded by AS_OF
    ok(people("log", "Cy Young", "-d", "1", "--on", "2026-11-10"))
    assert run_json("show", "Cy Young", "--as-of", AS_OF)["reciprocity"] is None
    assert run_json("balance", "--as-of", AS_OF)["thank_first"] == []
    assert not run_json("who-neglected", "--as-of", AS_OF)["contacts"][0]["thank_first"]
    # Back then (before the latest entry: computed from the entries, not the running state).
    then = "2025-07-01"
    assert run_json("show", "Cy Young", "--as-of", then)["reciprocity"] == "thank first"
    assert run_json("balance", "--as-of", then)["thank_first"] == ["Cy Young"]
    top = run_json("who-neglected", "--as-of", then)["contacts"][0]
    assert top["name"] == "Cy Young" and top["thank_first"]
    shown = run_json("show", "Cy Young", "--as-of", then)
    assert shown["received"] == 5 and shown["gave"] == 0
    assert 0 < shown["received_decayed"] < 5  # a month old: partly faded
    for row in run_json("contacts"):
        assert "received" not in row and "thank_first" not in row  # period figures: balance


def test_asks_as_of_the_past(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Ann Lee", "-w", "1", "--on", "2026-11-01"))
    ok(people("log", "Ann Lee", "-w", "2", "--on", "2026-11-19"))
    first = run_json("asks", "--as-of", "2026-11-01")[-1]["id"]
    ok(people("done", first, "--on", "2026-11-15"))
    then = run_json("asks", "--as-of", "2026-11-10")
    assert [(a["points"], a["status"]) for a in then] == [(1.0, "open")]
    assert run_json("show", "Ann Lee", "--as-of", "2026-11-10")["open_asks"][0]["points"] == 1.0
    assert [a["points"] for a in run_json("asks", "--open", "--as-of", AS_OF)] == [2.0]


def test_undo_after_declined_reopens_the_ask(people: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    ok(people("log", "Bob Stone", "-w", "2", "--on", "2026-11-15"))
    ask_id = only_ask(run_json)["id"]
    ok(people("declined", ask_id, "--on", "2026-11-16"))
    assert "open again" in ok(people("undo", "--yes")).stdout
    ask = only_ask(run_json)
    assert ask["status"] == "open"
    assert not run_json("history")[0]["voided"]


def test_failing_via_creates_no_ledger(run: Run, db_path: Path) -> None:
    assert "Nobody" in fails(run("log", "Zed", "-d", "1", "--new", "--via", "Nobody"))
    assert not db_path.exists()


def test_default_backups_never_collide(people: Run, db_path: Path) -> None:
    ok(people("backup"))
    ok(people("backup"))
    assert len(list((db_path.parent / "backups").iterdir())) == 2


def test_backups_folder_that_is_a_file(people: Run, db_path: Path) -> None:
    (db_path.parent / "backups").write_text("not a folder")
    assert "is a file" in fails(people("backup"))
