"""The charge of each circle over the weeks, and the review page that shows it.

A circle's charge at a moment is the sum of its contacts' charges then, each
as `balance --as-of` that moment computes it (state.facts: entries after the
moment do not count, the decay runs to it). Contacts are in the circle they
are in now, as in every report of a past moment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from engage_cli import scoring
from engage_cli.dates import iso
from engage_cli.domain import Circle, Facts
from engage_cli.policy import Policy
from engage_cli.reports.lines import known
from engage_cli.reports.weekly import Review, review
from engage_cli.store import promises, state
from engage_cli.store.connection import Ledger
from engage_cli.store.contacts import list_contacts


class CircleLine(NamedTuple):
    """One circle: its charge at each moment, and how many contacts it held then."""

    circle: str
    charges: tuple[float, ...]
    contacts: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "circle": self.circle,
            "charges": list(self.charges),
            "contacts": list(self.contacts),
        }


class CircleTrend(NamedTuple):
    moments: tuple[datetime, ...]  # oldest first
    circles: tuple[CircleLine, ...]  # in the order of domain.Circle

    def to_json(self) -> dict[str, Any]:
        return {
            "moments": [iso(m) for m in self.moments],
            "circles": [c.to_json() for c in self.circles],
        }


def circle_trend(ledger: Ledger, policy: Policy, moments: Sequence[datetime]) -> CircleTrend:
    """Each circle's charge at each of `moments`: circles that held a contact at one of them."""
    charges: dict[str, list[float]] = {c.value: [0.0] * len(moments) for c in Circle}
    counts: dict[str, list[int]] = {c.value: [0] * len(moments) for c in Circle}
    everyone = list_contacts(ledger, archived=None)  # read once; by moment, as facts would
    weigh = _promised(ledger, policy, moments)
    found = state.facts_at(ledger, moments, policy.half_life, everyone)
    for i, (moment, then) in enumerate(zip(moments, found, strict=True)):
        t = moment.timestamp()
        for f in then:
            if (f.contact.archived_at is None or f.contact.archived_at > moment) and known(
                f, moment
            ):
                circle = f.contact.circle
                charges.setdefault(circle, [0.0] * len(moments))[i] += weigh(f, t)
                counts.setdefault(circle, [0] * len(moments))[i] += 1
    lines = tuple(
        CircleLine(name, tuple(charges[name]), tuple(counts[name]))
        for name in charges
        if any(counts[name])
    )
    return CircleTrend(tuple(moments), lines)


def _promised(
    ledger: Ledger, policy: Policy, moments: Sequence[datetime]
) -> Callable[[Facts, float], float]:
    """A contact's charge at one of `moments` (its timestamp) with what its overdue
    promises weigh then, as state.facts adds it, from the promises read once for every
    moment: each weighs from the end of its grace (scoring.promise_weight), so only
    those begun count."""
    from bisect import bisect_right

    rule = policy.promise_rule
    late = promises.weighing(ledger, min(moments), max(moments), rule.grace_days) if moments else {}
    ordered = {cid: sorted(found, key=lambda p: p[0]) for cid, found in late.items()}
    begun = {cid: [d + rule.grace_days * scoring.DAY for d, _, _ in found]
             for cid, found in ordered.items()}  # fmt: skip

    def weigh(f: Facts, t: float) -> float:
        n = bisect_right(begun[f.contact.id], t) if f.contact.id in begun else 0
        if not n:
            return f.charge
        hl = policy.half_life(f.contact.circle)
        found = ordered[f.contact.id][:n]
        return math.fsum([f.charge, *(scoring.promise_weight(d, m, s, t, hl, rule)
                                      for d, m, s in found)])  # fmt: skip

    return weigh


class ReviewPage(NamedTuple):
    """The weekly review with the charge of each circle at the end of each of its weeks."""

    review: Review
    circles: CircleTrend

    def to_json(self) -> dict[str, Any]:
        return {**self.review.to_json(), "circles": self.circles.to_json()}


def review_page(ledger: Ledger, policy: Policy, as_of: datetime) -> ReviewPage:
    """The review of `as_of` and its circles' charges at the end of each of its weeks."""
    found = review(ledger, policy, as_of)
    return ReviewPage(found, circle_trend(ledger, policy, [w.end for w in found.weeks]))
