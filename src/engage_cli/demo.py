"""The example ledger behind `engage demo`, built from examples/demo.toml in its own place."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from engage_cli.dates import end_of_day
from engage_cli.domain import NewEntry
from engage_cli.errors import LedgerError
from engage_cli.models import ContactIn
from engage_cli.policy import Policy
from engage_cli.store.connection import Ledger
from engage_cli.store.edits import edit_contact
from engage_cli.store.goals import add_goal
from engage_cli.store.keeping import make_promise
from engage_cli.store.writes import add_contact, log_entries, serve, settle_ask


def demo_data() -> dict[str, Any]:
    """The demo data: packaged with the wheel, or read from the source tree."""
    packaged = resources.files("engage_cli").joinpath("examples/demo.toml")
    if packaged.is_file():
        return tomllib.loads(packaged.read_text(encoding="utf-8"))
    source = Path(__file__).resolve().parents[2] / "examples" / "demo.toml"
    if not source.is_file():
        raise LedgerError("the demo data (examples/demo.toml) is missing from this install")
    return tomllib.loads(source.read_text(encoding="utf-8"))


def build_demo(as_of: datetime, policy: Policy, path: Path | None = None) -> Ledger:
    """Write the demo ledger: at `path`, which must not exist, or (without one) in
    the demo's own place, replacing the demo built there before (paths.demo_path)."""
    if path is None:
        from engage_cli.paths import demo_path
        from engage_cli.store.files import fresh_demo

        path = demo_path()
        fresh_demo(path)
    if path.exists():
        raise LedgerError(f"{path} already exists; the demo only writes a new ledger")
    data = demo_data()
    ledger = Ledger.open(path, create=True)
    try:
        with ledger.transaction():
            contacts = {}
            for raw in data["contacts"]:
                new = ContactIn.parse(
                    name=raw["name"],
                    kind=raw.get("kind", "person"),
                    circle=raw.get("circle", "active"),
                    tags=raw.get("tags", []),
                    note=raw.get("note", ""),
                )
                added = as_of - timedelta(days=raw.get("added_days_ago", 60))
                contacts[new.name] = add_contact(ledger, new, added, policy.half_life(new.circle))
                if "sector" in raw:
                    edit_contact(ledger, contacts[new.name], {"sector": raw["sector"]}, added,
                                 policy.half_life)  # fmt: skip
            goals = {}
            for raw in data.get("goals", []):
                since = as_of - timedelta(days=raw["added_days_ago"])
                goals[raw["name"]] = add_goal(
                    ledger, raw["name"], raw.get("sectors", []), raw.get("why", ""), since, since
                )
            for raw in sorted(data["entries"], key=lambda e: -e["days_ago"]):
                at = (as_of - timedelta(days=raw["days_ago"])).replace(
                    hour=raw.get("hour", 12), minute=0, second=0, microsecond=0
                )
                at = min(at, as_of)
                via = contacts[raw["via"]] if "via" in raw else None
                written = log_entries(
                    ledger,
                    [
                        NewEntry(
                            contacts[n],
                            raw["kind"],
                            float(raw["points"]),
                            at,
                            raw.get("note", ""),
                            raw.get("tags", []),
                            via,
                        )
                        for n in raw["names"]
                    ],
                    at,
                    policy.half_life,
                )
                if "goal" in raw:
                    serve(ledger, goals[raw["goal"]].id, [w.entry.id for w in written])
                for status in ("done", "declined"):
                    if f"{status}_days_ago" in raw:
                        when = min(as_of, as_of - timedelta(days=raw[f"{status}_days_ago"]))
                        for entry, _ in written:
                            settle_ask(
                                ledger, entry, status, when, when, policy.synergy, policy.half_life
                            )
            for raw in data.get("promises", []):
                made = as_of - timedelta(days=raw["made_days_ago"])
                due = end_of_day((as_of + timedelta(days=raw["due_in_days"])).date(), as_of)
                make_promise(ledger, contacts[raw["name"]], raw["what"], due, made, made)
    except BaseException:
        ledger.close()
        raise
    return ledger


def demo_goal_and_path(ledger: Ledger, policy: Policy, as_of: datetime) -> None:
    """After the demo's review: its shared goal reviewed, and a warm path to someone."""
    from engage_cli.render.common import console
    from engage_cli.render.goals import goal_review
    from engage_cli.render.network import paths
    from engage_cli.reports.goals import goal_review as review_of
    from engage_cli.reports.network import warm_paths

    data = demo_data()
    for raw in data.get("goals", [])[:1]:
        console().print()
        goal_review(review_of(ledger, policy, raw["name"], as_of))
    if "path_to" in data:
        console().print()
        paths(warm_paths(ledger, policy, data["path_to"], as_of, limit=3))
