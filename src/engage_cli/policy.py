"""The scoring policy: every number the model uses, with its default.

A plain named tuple, so that commands which only need the defaults never
import pydantic (named tuples are also about six times cheaper to define than
frozen dataclasses, which counts at start-up). `config.py` reads a config
file into one; docs/scoring.md explains each value.
"""

from collections.abc import Mapping
from typing import NamedTuple

from engage_cli.domain import Circle
from engage_cli.scoring import PromiseRule


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
    # Verdict band on deposits / withdrawals over a period; below `verdict_min_points`
    # in all a period is "light" (too little to judge); the rolling verdict looks
    # back `rolling_days`.
    engaged_min_ratio: float = 1.0
    engaged_max_ratio: float = 5.0
    verdict_min_points: float = 3.0
    rolling_days: int = 28
    # A contact is "untapped" when its charge is at least this and no ask was
    # made of it for `untapped_days` (or ever).
    untapped_charge: float = 6.0
    untapped_days: float = 90.0
    period_days: int = 7
    period: str = "week"  # the period as the config file says it
    # Share of an ask's points that comes back as a deposit when it is done: worked
    # on together and it succeeded, or worked on together and it failed.
    synergy: float = 0.5
    synergy_failed: float = 0.25
    # Overdrawn: a charge at or below -overdrawn_below, while the last ask is at most
    # forgive_after_days old; a debt is forgiven after that (generous tit-for-tat).
    overdrawn_below: float = 0.5
    forgive_after_days: float = 180.0
    # who-neglected lists who is overdue or due within this many days.
    due_within_days: float = 7.0
    # An ask is comfortable when the charge covers it plus this share of it.
    ask_reserve: float = 0.25
    # How a slash date is read: "dmy" (03/04/2026 is 3 April), "mdy" (March 4), or
    # "" (an ambiguous one is refused); and how many years back an entry's date may
    # be before `log` says so on stderr (a year typed wrong is noticed).
    date_order: str = ""
    notice_years_back: float = 2.0
    # A promise kept is a deposit of `promise_kept_points`; one still open
    # `promise_grace_days` after its due day weighs on the charge like an ask of
    # `promise_overdue_points`, decaying from then, until it is kept or dropped.
    # An introduction you make (`engage intro A B`) is a deposit of this for each.
    intro_points: float = 1.0
    # A goal's ask still open this many days is flagged: follow through on it.
    follow_through_days: float = 30.0
    promise_kept_points: float = 1.0
    promise_grace_days: float = 3.0
    promise_overdue_points: float = 1.0

    @property
    def promise_rule(self) -> PromiseRule:
        return PromiseRule(self.promise_grace_days, self.promise_overdue_points)

    def half_life(self, circle: str) -> float:
        return self.circles[circle].half_life_days

    def cadence(self, circle: str) -> float:
        return self.circles[circle].cadence_days
