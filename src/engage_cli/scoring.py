"""The battery model: charge, balance, status and neglect, as pure functions.

No I/O and no clock: every function is handed the moment it computes for
(`as_of`, in seconds since the Unix epoch). docs/scoring.md explains each rule.
"""

import math
from collections.abc import Iterable
from typing import NamedTuple

DAY = 86_400.0
LN2 = math.log(2)
# The Unix epoch as a Julian day number: SQLite's julianday() counts from there.
UNIX_EPOCH_JULIAN_DAY = 2440587.5

IDLE = "idle"
LIGHT = "light"
ALL_TASK = "all task"
ENGAGED = "engaged"
RELATIONSHIP_HEAVY = "relationship-heavy"
ALL_RELATIONSHIP = "all relationship"

OVERDRAWN = "overdrawn"
COLD = "cold"
UNTAPPED = "untapped"
HEALTHY = "healthy"


def signed(kind: str, points: float) -> float:
    """+points for a deposit, -points for a withdrawal, 0 for what they gave you unasked.

    What a contact does for you does not charge your battery with them: the
    battery measures what you invested. It is tracked for reciprocity instead.
    """
    if kind == "deposit":
        return points
    return -points if kind == "withdrawal" else 0.0


def factor(age_days: float, half_life_days: float) -> float:
    """How much of an entry is left after `age_days`: 2^(-age / half-life); 0 before it happens."""
    if age_days < 0:
        return 0.0
    return math.exp2(-age_days / half_life_days)


def factor_sql(age_days: str, half_life_days: str) -> str:
    """`factor` as a SQL expression of two SQL expressions (ages never negative there).

    The one place the decay is written for SQLite: 2^(-age / half-life) as
    exp(-age * ln 2 / half-life), since SQLite has exp() but no exp2().
    """
    return f"exp(-({age_days}) * {LN2!r} / ({half_life_days}))"


def julian_day_sql(epoch_seconds: str) -> str:
    """A SQL expression turning Unix seconds into the Julian day number julianday() gives."""
    return f"(({epoch_seconds}) / {DAY!r} + {UNIX_EPOCH_JULIAN_DAY!r})"


class Impulse(NamedTuple):
    """One entry as the model sees it: when (epoch seconds) and its signed points.

    `gave` and `received` are what it adds to each side of the exchange: the
    points of a deposit (what you gave) and of what they gave you unasked.
    """

    at: float
    value: float
    gave: float = 0.0
    received: float = 0.0


def impulse(at: float, kind: str, points: float) -> Impulse:
    """The impulse of an entry of `kind` with `points`, happening at `at`."""
    return Impulse(
        at,
        signed(kind, points),
        points if kind == "deposit" else 0.0,
        points if kind == "received" else 0.0,
    )


def _decayed(values: Iterable[tuple[float, float]], as_of: float, half_life_days: float) -> float:
    """Sum of (time, value) pairs decayed to `as_of`; later ones count for nothing.

    `math.fsum` is exactly rounded, so the result does not depend on order.
    """
    return math.fsum(
        value * factor((as_of - at) / DAY, half_life_days) for at, value in values if at <= as_of
    )


def charge(impulses: Iterable[Impulse], as_of: float, half_life_days: float) -> float:
    """Sum of decayed impulses at `as_of`; impulses after `as_of` count for nothing."""
    return _decayed(((imp.at, imp.value) for imp in impulses), as_of, half_life_days)


def exchange(
    impulses: Iterable[Impulse], as_of: float, half_life_days: float
) -> tuple[float, float]:
    """(you gave, they gave unasked) at `as_of`, decayed like the charge."""
    items = list(impulses)
    return (
        _decayed(((imp.at, imp.gave) for imp in items), as_of, half_life_days),
        _decayed(((imp.at, imp.received) for imp in items), as_of, half_life_days),
    )


class State(NamedTuple):
    """A contact's charge as of `anchor` (the latest entry time seen), with what
    you gave and what they gave unasked, decayed to the same moment.

    Exponential decay is memoryless, so each figure at any moment at or after
    the anchor follows from the state alone: that is what keeps reports
    O(contacts).
    """

    charge: float = 0.0
    anchor: float | None = None
    gave: float = 0.0
    received: float = 0.0

    def at(self, as_of: float, half_life_days: float) -> float:
        """The charge at `as_of`, which must not be before the anchor."""
        return self.projected(as_of, half_life_days).charge

    def projected(self, as_of: float, half_life_days: float) -> "State":
        """The state carried forward to `as_of`, which must not be before the anchor."""
        if self.anchor is None:
            return self
        if as_of < self.anchor:
            raise ValueError("a state cannot be projected to before its anchor")
        f = factor((as_of - self.anchor) / DAY, half_life_days)
        return State(self.charge * f, as_of, self.gave * f, self.received * f)


def rebuild(impulses: Iterable[Impulse], half_life_days: float) -> State:
    """A contact's state from its entries, each term exactly rounded into the sum
    (`math.fsum`): the same whatever order the entries come in, to the last bit."""
    items = list(impulses)
    if not items:
        return State()
    anchor = max(imp.at for imp in items)
    gave, received = exchange(items, anchor, half_life_days)
    return State(charge(items, anchor, half_life_days), anchor, gave, received)


# --- marks: the state every 30 days, so that a past moment is as cheap as now -----

MARK_DAYS = 30
MARK = MARK_DAYS * DAY  # marks fall on whole multiples of this from 1970-01-01 UTC


def mark_before(t: float) -> float:
    """The latest mark at or before `t` (exactly: `%` of floats is exact here)."""
    m = t - t % MARK
    return m - MARK if m > t else m


class Sums(NamedTuple):
    """The charge, what you gave and what they gave unasked, at one moment."""

    charge: float = 0.0
    gave: float = 0.0
    received: float = 0.0


def carry(base: Sums, since: float, impulses: Iterable[Impulse], to: float, hl: float) -> Sums:
    """The sums at `to`: `base` (the sums at `since`) decayed, plus each impulse in
    (`since`, `to`] decayed from its moment; every term exactly rounded into the sum."""
    f = factor((to - since) / DAY, hl)
    charges, gave, received = [base.charge * f], [base.gave * f], [base.received * f]
    for imp in impulses:
        if since < imp.at <= to:
            k = factor((to - imp.at) / DAY, hl)
            charges.append(imp.value * k)
            gave.append(imp.gave * k)
            received.append(imp.received * k)
    return Sums(math.fsum(charges), math.fsum(gave), math.fsum(received))


def marks(
    impulses: Iterable[Impulse], hl: float, base: tuple[float, Sums] | None = None
) -> list[tuple[float, Sums]]:
    """A contact's marks: (moment, sums) at each mark before its latest impulse, each
    carried from the one before, the first from nothing at the mark before its first
    impulse. From `base` (a mark and its sums) only the marks after it, from the
    impulses after it. This defines a past moment's charge (`at_moment`)."""
    if not (items := sorted(impulses)):
        return []
    if base is None:
        first = mark_before(items[0].at)
        base = (first - MARK if first == items[0].at else first, Sums())
    at, sums = base
    out: list[tuple[float, Sums]] = []
    i = j = 0
    while at + MARK < items[-1].at:
        while j < len(items) and items[j].at <= at + MARK:
            j += 1
        sums = carry(sums, at, items[i:j], at + MARK, hl)
        at, i = at + MARK, j
        out.append((at, sums))
    return out


def at_moment(impulses: Iterable[Impulse], as_of: float, hl: float) -> Sums:
    """The sums at `as_of` before a contact's latest impulse, as reports compute them:
    the mark at or before `as_of`, carried forward with the impulses since."""
    items, c = list(impulses), mark_before(as_of)
    base = next((s for at, s in marks(items, hl) if at == c), Sums())
    return carry(base, c, items, as_of, hl)


class DecayedSums:
    """A SQLite aggregate of (kind, points, at, as_of, half-life) rows: the charge, what
    you gave and what they gave unasked at `as_of`, as a JSON list of three numbers.

    Each row's term is computed as `rebuild` computes it and the sums are
    `math.fsum`, so SQLite's sums equal Python's bit for bit, in any row order.
    """

    def __init__(self) -> None:
        self.charge: list[float] = []
        self.gave: list[float] = []
        self.received: list[float] = []

    def step(self, kind: str, points: float, at: float, as_of: float, half_life: float) -> None:
        if at > as_of:
            return
        f = factor((as_of - at) / DAY, half_life)
        self.charge.append(signed(kind, points) * f)
        if kind == "deposit":
            self.gave.append(points * f)
        elif kind == "received":
            self.received.append(points * f)

    def finalize(self) -> str:
        import json

        return json.dumps([math.fsum(self.charge), math.fsum(self.gave), math.fsum(self.received)])


class Fsum:
    """A SQLite aggregate: the exactly rounded sum of its non-null values (`math.fsum`),
    the same in any row order, where SQLite's own sum is not."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float:
        return math.fsum(self.values)


# --- balance ---------------------------------------------------------------


def ratio(deposits: float, withdrawals: float) -> float | None:
    """Deposit points per withdrawal point; None when nothing was asked."""
    return None if withdrawals <= 0 else deposits / withdrawals


def verdict(
    deposits: float,
    withdrawals: float,
    min_ratio: float,
    max_ratio: float,
    min_points: float = 0.0,
) -> str:
    """Where a period sits between all task and all relationship.

    idle: nothing logged. light: less than `min_points` in all, too little to
    judge. all task: deposits below `min_ratio` times withdrawals. engaged:
    between `min_ratio` and `max_ratio`. relationship-heavy: above
    `max_ratio`, with a real ask made. all relationship: no ask at all.
    """
    if deposits <= 0 and withdrawals <= 0:
        return IDLE
    if deposits + withdrawals < min_points:
        return LIGHT
    r = ratio(deposits, withdrawals)
    if r is None:
        return ALL_RELATIONSHIP
    if r > max_ratio:
        return RELATIONSHIP_HEAVY
    if r < min_ratio:
        return ALL_TASK
    return ENGAGED


ENGAGEMENT, PERSONAL, TRANSACTIONAL = "engagement", "personal", "transactional"


def shown(charge: float) -> float:
    """A charge as reports print it: one decimal, half away from zero, -0.0 as 0."""
    tenths = math.floor(abs(charge) * 10 + 0.5 + 1e-9) / 10
    return math.copysign(tenths, charge) if tenths else 0.0


def status(
    charge_now: float,
    days_since: float,
    cadence_days: float,
    days_since_ask: float | None,
    untapped_charge: float,
    untapped_days: float,
    mode: str = ENGAGEMENT,
    overdrawn_below: float = 0.0,
    forgive_days: float = math.inf,
) -> str:
    """One word per contact, first match wins: overdrawn, cold, untapped, healthy.

    overdrawn: the charge is at or below -`overdrawn_below` and the last ask is
    at most `forgive_days` old (a debt is forgiven after that, asked nothing
    more). cold: longer without contact (asks do not count) than the cadence,
    except for transactional contacts. untapped: an engagement contact charged
    to `untapped_charge` and not asked anything for `untapped_days`.

    The thresholds judge the charge as every report shows it, to one decimal
    (`shown`): a -0.47 that prints as -0.5 is overdrawn, never "-0.5 healthy".
    """
    charge_now = shown(charge_now)
    owing = charge_now < 0 and charge_now <= -overdrawn_below
    if owing and days_since_ask is not None and days_since_ask <= forgive_days:
        return OVERDRAWN
    if days_since > cadence_days and mode != TRANSACTIONAL:
        return COLD
    asked_lately = days_since_ask is not None and days_since_ask <= untapped_days
    if mode == ENGAGEMENT and charge_now >= untapped_charge and not asked_lately:
        return UNTAPPED
    return HEALTHY


# --- neglect ---------------------------------------------------------------


class Neglect(NamedTuple):
    """What the neglect ranking needs to know about one contact."""

    name: str
    kind: str
    circle: str
    charge: float
    days_since: float  # since the last contact, or since the contact was added
    cadence_days: float
    contacted: bool
    thank_first: bool = False  # they gave unasked and you gave back less than half
    overdrawn: bool = False  # its status: asked more than given, lately
    mode: str = ENGAGEMENT

    @property
    def overdue(self) -> float:
        """Days since contact as a multiple of the cadence: above 1 means overdue."""
        return self.days_since / self.cadence_days


def rank_neglected(rows: Iterable[Neglect]) -> list[Neglect]:
    """Most overdue first; ties broken by the lower charge, then by name."""
    return sorted(rows, key=lambda r: (-r.overdue, r.charge, r.name.casefold()))


_SUGGEST_PERSON = {
    "inner": "call {name} this week, just to hear how they are, with no agenda",
    "close": "invite {name} for a coffee or a walk and ask what they are working on",
    "active": "send {name} something useful for their work: an article, a lead, an introduction",
    "wide": "send {name} a short note: congratulate them on recent news or share a memory",
}


_SUGGEST_PERSONAL = {
    "inner": "call {name} this week, just to hear how they are",
    "close": "see {name} soon: a meal or a walk, with nothing to discuss",
    "active": "check in with {name}: ask how they and theirs are doing",
    "wide": "send {name} a short note: congratulate them on recent news or share a memory",
}


def suggestion(row: Neglect) -> str:
    """One concrete deposit to make next, chosen from the contact's kind, circle, mode and
    status."""
    name = row.name
    if row.thank_first:
        return f"thank {name} for what they did for you, specifically, before anything else"
    if row.overdrawn:
        return f"give before asking again: offer {name} help with something they need"
    if row.mode == PERSONAL:
        return _SUGGEST_PERSONAL.get(row.circle, _SUGGEST_PERSONAL["active"]).format(name=name)
    if row.kind == "org":
        return f"show up for {name}: attend an event, share their work, or thank someone there"
    if row.kind == "cause":
        return f"give {name} an hour: volunteer, donate, or tell someone about their work"
    if not row.contacted:
        return f"make a first deposit with {name}: thank them for something specific"
    return _SUGGEST_PERSON.get(row.circle, _SUGGEST_PERSON["active"]).format(name=name)


# --- explaining a charge ------------------------------------------------------


class Part(NamedTuple):
    """One entry's share of a charge at a moment."""

    age_days: float
    factor: float
    contribution: float


def explain(impulses: Iterable[Impulse], as_of: float, half_life_days: float) -> list[Part]:
    """Each impulse's age, decay factor and contribution at `as_of` (in the given order).

    `charge` is exactly `math.fsum` of the contributions.
    """
    out = []
    for imp in impulses:
        age = (as_of - imp.at) / DAY
        f = factor(age, half_life_days)
        out.append(Part(age, f, imp.value * f))
    return out


# --- asks: readiness, synergy and reciprocity ---------------------------------


class Readiness(NamedTuple):
    ready: bool
    charge: float
    points: float
    after: float
    suggested_deposit: float


def can_ask(charge_now: float, points: float, reserve: float) -> Readiness:
    """Whether a relationship can carry an ask of `points` now.

    The rule: an ask is comfortable when the charge covers it with a reserve of
    `reserve` times its size left over (charge >= points * (1 + reserve)). So a
    bigger relationship carries a bigger ask; an ask bigger than the charge
    overdraws it. When not yet, the smallest deposit that makes it comfortable
    is the shortfall.
    """
    need = points * (1.0 + reserve)
    shortfall = max(0.0, need - charge_now)
    return Readiness(shortfall <= 0, charge_now, points, charge_now - points, shortfall)


THANK_FIRST = "thank first"


def reciprocity(gave: float, received: float, min_received: float = 1.0) -> str | None:
    """Flag a relationship where you mostly take: they gave unasked, you gave less than half.

    Both sides are decayed with the contact's half-life, like the charge, so an
    old favour fades and the flag clears by itself once what they gave has
    decayed below `min_received`. None when the exchange is balanced enough
    (or nothing was received).
    """
    if received >= min_received and gave < received / 2:
        return THANK_FIRST
    return None


# --- promises -------------------------------------------------------------------


class PromiseRule(NamedTuple):
    """How an overdue promise weighs: after `grace_days` past its due moment, like an
    ask of `points` made then (decaying with the contact's half-life)."""

    grace_days: float = 3.0
    points: float = 1.0


def promise_weight(
    due_at: float,
    made_at: float,
    settled_at: float | None,
    as_of: float,
    half_life_days: float,
    rule: PromiseRule,
) -> float:
    """What an open promise adds to a charge at `as_of` (zero or negative).

    Nothing before the promise was made, nothing before `due_at` plus the
    grace, and nothing once it was kept or dropped (at or before `as_of`);
    otherwise -points, decayed from the end of the grace like any entry.
    """
    start = due_at + rule.grace_days * DAY
    if rule.points <= 0 or as_of < start or made_at > as_of:
        return 0.0
    if settled_at is not None and settled_at <= as_of:
        return 0.0
    return -rule.points * factor((as_of - start) / DAY, half_life_days)
