"""The scoring policy in force: every number the model uses, with its default.

A plain named tuple, so that commands which only need the defaults never
import pydantic (named tuples are also about six times cheaper to define than
frozen dataclasses, which counts at start-up). A config file, when there is
one, is validated by a pydantic model in `models.py` and turned into this;
docs/scoring.md explains each value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from engage_cli.errors import InputError
from engage_cli.vocab import Circle


class CirclePolicy(NamedTuple):
    half_life_days: float
    cadence_days: float


DEFAULT_CIRCLES: dict[str, CirclePolicy] = {
    Circle.INNER.value: CirclePolicy(half_life_days=30, cadence_days=7),
    Circle.CLOSE.value: CirclePolicy(half_life_days=60, cadence_days=30),
    Circle.ACTIVE.value: CirclePolicy(half_life_days=120, cadence_days=90),
    Circle.WIDE.value: CirclePolicy(half_life_days=240, cadence_days=365),
}


class Policy(NamedTuple):
    circles: Mapping[str, CirclePolicy] = DEFAULT_CIRCLES
    # Verdict band on deposits / withdrawals over a period.
    engaged_min_ratio: float = 1.0
    engaged_max_ratio: float = 5.0
    # A contact is "untapped" when its charge is at least this and no ask was
    # made of it for `untapped_days` (or ever).
    untapped_charge: float = 6.0
    untapped_days: float = 90.0
    period_days: int = 7
    # Share of an ask's points that comes back as a deposit when it is done.
    synergy: float = 0.5
    # An ask is comfortable when the charge covers it plus this share of it.
    ask_reserve: float = 0.25

    def half_life(self, circle: str) -> float:
        return self.circles[circle].half_life_days

    def cadence(self, circle: str) -> float:
        return self.circles[circle].cadence_days


def config_path() -> Path:
    """`$ENGAGE_CONFIG`, else `$XDG_CONFIG_HOME/engage/config.toml` (~/.config by default)."""
    env = os.environ.get("ENGAGE_CONFIG")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"
    return base / "engage" / "config.toml"


class Loaded(NamedTuple):
    policy: Policy
    path: Path
    exists: bool
    sources: dict[str, str]  # dotted key -> "default" or the file it came from

    def rows(self) -> list[tuple[str, float, str]]:
        """Every policy value as (dotted config key, value, where it came from)."""
        p = self.policy
        rows: list[tuple[str, float]] = [("period", p.period_days)]
        rows += [("synergy", p.synergy), ("ask_reserve", p.ask_reserve)]
        rows += [
            ("verdict.engaged_min_ratio", p.engaged_min_ratio),
            ("verdict.engaged_max_ratio", p.engaged_max_ratio),
            ("untapped.charge", p.untapped_charge),
            ("untapped.days", p.untapped_days),
        ]
        for circle, c in p.circles.items():
            rows += [
                (f"circles.{circle}.half_life_days", c.half_life_days),
                (f"circles.{circle}.cadence_days", c.cadence_days),
            ]
        return [(k, v, self.sources.get(k, "default")) for k, v in rows]


def load_policy() -> Loaded:
    """The policy in force: the defaults, overridden by the config file when there is one.

    Without a config file nothing heavy is imported; with one, it is parsed with
    tomllib and validated by pydantic (`models.PolicyFile`).
    """
    path = config_path()
    if not path.exists():
        if os.environ.get("ENGAGE_CONFIG"):
            raise InputError(f"no config file at {path} (from ENGAGE_CONFIG)")
        return Loaded(Policy(), path, False, {})
    from engage_cli.models import read_policy_file

    policy, keys = read_policy_file(path, Policy())
    return Loaded(policy, path, True, {k: str(path) for k in keys})
