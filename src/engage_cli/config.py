"""Where the config file is, and the policy in force: the defaults, or what the file sets.

Without a config file nothing heavy is imported; `config_file.py` validates one.
"""

import os
from pathlib import Path
from typing import Any, NamedTuple

from engage_cli.errors import InputError
from engage_cli.policy import Policy


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

    def rows(self) -> list[tuple[str, float | str, str]]:
        """Every policy value as (dotted config key, value, where it came from)."""
        p = self.policy
        rows: list[tuple[str, float | str]] = [("period", p.period)]
        rows += [
            ("synergy", p.synergy),
            ("synergy_failed", p.synergy_failed),
            ("ask_reserve", p.ask_reserve),
            ("overdrawn_below", p.overdrawn_below),
            ("forgive_after_days", p.forgive_after_days),
            ("due_within_days", p.due_within_days),
            ("date_order", p.date_order),
            ("notice_years_back", p.notice_years_back),
            ("intro_points", p.intro_points),
            ("follow_through_days", p.follow_through_days),
            ("promise_kept_points", p.promise_kept_points),
            ("promise_grace_days", p.promise_grace_days),
            ("promise_overdue_points", p.promise_overdue_points),
        ]
        rows += [
            ("verdict.engaged_min_ratio", p.engaged_min_ratio),
            ("verdict.engaged_max_ratio", p.engaged_max_ratio),
            ("verdict.verdict_min_points", p.verdict_min_points),
            ("verdict.rolling_days", p.rolling_days),
            ("untapped.charge", p.untapped_charge),
            ("untapped.days", p.untapped_days),
        ]
        for circle, c in p.circles.items():
            rows += [
                (f"circles.{circle}.half_life_days", c.half_life_days),
                (f"circles.{circle}.cadence_days", c.cadence_days),
            ]
        return [(k, v, self.sources.get(k, "default")) for k, v in rows]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "exists": self.exists,
            "values": {key: {"value": value, "from": src} for key, value, src in self.rows()},
        }


def load_policy() -> Loaded:
    """The policy in force: the defaults, overridden by the config file when there is one.

    Without a config file nothing heavy is imported; with one, it is parsed with
    tomllib and validated by pydantic (`config_file.PolicyFile`).
    """
    path = config_path()
    if not path.exists():
        if os.environ.get("ENGAGE_CONFIG"):
            raise InputError(f"no config file at {path} (from ENGAGE_CONFIG)")
        return Loaded(Policy(), path, False, {})
    from engage_cli.config_file import read_policy_file

    policy, keys = read_policy_file(path, Policy())
    return Loaded(policy, path, True, {k: str(path) for k in keys})
