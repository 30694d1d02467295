"""The words and shapes of the ledger, shared by every room: store, reports and render.

Plain named tuples and string enums, cheap to import; no I/O here.
"""

import unicodedata
from collections.abc import Hashable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from engage_cli import scoring

K = TypeVar("K", bound=Hashable)

# The ledger schema this version reads and writes; the oldest schema whose
# engage reads the records this version exports (schema 4 added edits, folds
# and the fields they change); and the oldest ledger file whose records this
# version reads as they are (another device's ledger, merged without migrating it).
# Schema 5 added promises, remembered days and follow-ups, and records of them;
# schema 6 the marks of derived state every 30 days, schema 7 those marks kept by
# moment and a covering index of the entries that serve goals (no new records).
SCHEMA_VERSION = 7
RECORDS_SINCE = 5
READS_SINCE = 1


class Circle(StrEnum):
    """How close a contact is, after Dunbar's layers (about 5, 15, 50 and 150 people)."""

    INNER = "inner"
    CLOSE = "close"
    ACTIVE = "active"
    WIDE = "wide"


class ContactKind(StrEnum):
    PERSON = "person"
    ORG = "org"
    CAUSE = "cause"


def a_kind(kind: str) -> str:
    """A contact's kind with its article: a person, an org, a cause."""
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def closest(name: str, keys: dict[str, str], limit: int = 3) -> list[str]:
    """Of names by their `name_key` (`keys`: key -> name shown), those closest to
    `name`: the ones it starts or is a word of, then look-alikes, the closest first
    (of two as close, the first by name)."""
    import difflib

    key = name_key(name)
    found: list[str] = []
    for k, n in keys.items():
        if key and (k.startswith(key) or key in k.split()) and n not in found:
            found.append(n)
    scored = sorted(
        (-difflib.SequenceMatcher(None, key, k).ratio(), keys[k])
        for k in difflib.get_close_matches(key, list(keys), n=limit, cutoff=0.6)
    )
    for _, n in scored:
        if n not in found:
            found.append(n)
    return found[:limit]


def name_key(name: str) -> str:
    """The form names are compared in: Unicode-normalised, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class Contact(NamedTuple):
    id: int
    uid: str
    name: str
    kind: str
    circle: str
    tags: list[str]
    note: str
    created_at: datetime
    org: str = ""
    nickname: str = ""
    birthday: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    sector: str = ""
    org_id: int | None = None  # the organisation (a contact of kind org) they belong to
    aliases: tuple[str, ...] = ()
    archived_at: datetime | None = None
    folded_into: int | None = None  # folded: the live contact that holds its entries now
    mode: str = "engagement"  # engagement, personal or transactional (inputs.MODES)


class Entry(NamedTuple):
    id: str
    contact: str
    kind: str
    points: float
    occurred_at: datetime
    logged_at: datetime
    note: str
    tags: list[str]
    batch: str
    voided_by: str | None
    status: str | None = None
    resolved_at: datetime | None = None
    source_id: str | None = None
    via: str | None = None
    void_reason: str | None = None  # why it was voided, when it was
    intro: str | None = None  # an introduction you made: whom they were introduced to
    goal: str | None = None  # the shared goal it serves

    @property
    def impulse(self) -> scoring.Impulse:
        return scoring.impulse(self.occurred_at.timestamp(), self.kind, self.points)


class Goal(NamedTuple):
    """A shared goal that entries serve (`engage goal add`, `log --goal`)."""

    id: int
    uid: str
    name: str
    why: str
    sectors: tuple[str, ...]
    created_at: datetime
    closed_at: datetime | None = None
    outcome: str | None = None  # achieved or dropped, once closed


GOAL_OUTCOMES = ("achieved", "dropped")


class Promise(NamedTuple):
    """Something you committed to do for a contact, by a day (or none), until kept or dropped."""

    id: str
    contact: str  # the name of the contact that holds it (a fold moves it)
    contact_id: int
    what: str
    due_at: datetime | None  # the end of the day it is due
    made_at: datetime
    state: str  # open, kept or dropped (as of the moment it was read for)
    settled_at: datetime | None = None
    entry_id: str | None = None  # kept: the deposit it logged
    batch: str = ""

    def weight(self, as_of: float, half_life_days: float, rule: scoring.PromiseRule) -> float:
        """What it adds to its contact's charge at `as_of` (docs/scoring.md)."""
        if self.due_at is None:
            return 0.0
        settled = self.settled_at.timestamp() if self.settled_at is not None else None
        return scoring.promise_weight(
            self.due_at.timestamp(), self.made_at.timestamp(), settled, as_of, half_life_days, rule
        )


class Dated(NamedTuple):
    """A day worth remembering about a contact: a talk (one day) or an anniversary (yearly)."""

    id: str
    contact: str
    contact_id: int
    kind: str  # remember or anniversary
    what: str
    day: str  # 2027-04-12, or --04-12 (every year)


class NewEntry(NamedTuple):
    """An entry to write: what `log` is given for each contact."""

    contact: Contact
    kind: str
    points: float
    occurred_at: datetime
    note: str
    tags: list[str]
    via: Contact | None = None
    source_id: str | None = None
    intro_with: Contact | None = None  # an introduction: the contact they were introduced to


class Facts(NamedTuple):
    """A contact as reports need it, as of one moment."""

    contact: Contact
    charge: float
    last_contact: datetime | None
    last_ask: datetime | None
    gave: float = 0.0  # what you gave, decayed like the charge
    received: float = 0.0  # what they gave unasked, decayed like the charge


class Sums(NamedTuple):
    """Points by kind: what you gave, what you asked, what they gave unasked."""

    deposits: float = 0.0
    withdrawals: float = 0.0
    received: float = 0.0

    def plus(self, other: "Sums") -> "Sums":
        return Sums(
            self.deposits + other.deposits,
            self.withdrawals + other.withdrawals,
            self.received + other.received,
        )


class Ask(NamedTuple):
    """An ask (a withdrawal) with what became of it."""

    entry: Entry
    returned: float  # points given back as a deposit when it was done


class Change(NamedTuple):
    """One field of a contact changed: from what, to what (values as edits hold them)."""

    field: str
    before: Any
    after: Any


class Written(NamedTuple):
    """An entry just written, with its contact's charge right after it."""

    entry: Entry
    charge_after: float


def fold_targets(folds: Iterable[tuple[K, K]]) -> dict[K, K]:
    """Where each folded contact's entries live, from the folds that stand (duplicate,
    into) in the order they were made: the first fold of a contact wins, a fold that
    would close a circle counts for nothing, and a chain ends at a contact not folded."""
    parent: dict[K, K] = {}

    def root(c: K) -> K:
        seen = set()
        while c in parent and c not in seen:
            seen.add(c)
            c = parent[c]
        return c

    for dup, into in folds:
        if dup in parent or root(into) == dup:
            continue
        parent[dup] = into
    return {c: root(c) for c in parent}
