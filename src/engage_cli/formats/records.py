"""The export format: JSONL records (lossless) and a flat CSV, and their validation.

Pure: no ledger here. The store turns a ledger into records and records into
a ledger; this module says what a record is, reads them from lines (every
field checked by the same rules as what people type) and writes them out.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engage_cli import domain
from engage_cli.domain import Circle, ContactKind
from engage_cli.errors import InputError
from engage_cli.inputs import (
    MAX_BIRTHDAY,
    MAX_EMAIL,
    MAX_ITEMS,
    MAX_PHONE,
    MAX_POINTS,
    MIN_POINTS,
    clean_change,
    clean_field,
    clean_items,
    clean_name,
    clean_note,
    clean_tags,
)
from engage_cli.models import Name, Note, Tags, first_error

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_STAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


# A record's moments must be ones `log` could have written: from 1900 on, and not
# later than a day past now (the slack is for two devices' clocks).
_EARLIEST = "1900-01-01T00:00:00Z"
_SLACK_DAYS = 1


def _real_time(value: str | None, info: ValidationInfo) -> str | None:
    """A stored time that exists on the calendar (the pattern alone lets 2026-13-45 in),
    from 1900 on and, when the validation is given `now`, not after it (plus a day)."""
    global _LATEST
    if value is not None:
        _on_calendar(value)
        if value < _EARLIEST:
            raise ValueError(f"{value} is before 1900")
        context = info.context
        now = context.get("now") if context else None
        if now is not None:
            if _LATEST[0] is not now:  # worked out once for every record of an import
                _LATEST = (now, _stamp(now + timedelta(days=_SLACK_DAYS)))
            # The pattern holds every moment to one width in UTC: as text, later is larger
            # (and a moment of whole seconds is after the limit when after its second).
            if value > _LATEST[1]:
                raise ValueError(f"{value} is in the future")
    return value


_LATEST: tuple[Any, str] = (None, "")  # (now, the latest moment a record may hold)
_DAYS: set[str] = set()  # days found on the calendar (the days since 1900 are few)


def _stamp(moment: datetime) -> str:
    """A moment as the pattern writes it, to the second (UTC)."""
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"


def _on_calendar(value: str) -> None:
    """Refuse a moment (of the pattern) that is not on the calendar, as
    datetime.fromisoformat would: each day is checked once, the time of day by its digits."""
    if (
        value[:10] in _DAYS
        and len(value) == 20
        and value.isascii()
        and value[11:13] < "24"
        and value[14:16] < "60"
        and value[17:19] < "60"
    ):
        return
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not a real moment: {value!r} ({exc})") from None
    if len(_DAYS) < 100_000 and value[:10] >= _EARLIEST[:10]:  # bounded: hostile years too
        _DAYS.add(value[:10])


Stamp = Annotated[str, Field(pattern=_STAMP), AfterValidator(_real_time)]
OptStamp = Annotated[str | None, Field(pattern=_STAMP), AfterValidator(_real_time)]


def _real_day(value: str | None) -> str | None:
    """A moment that may lie ahead (a due date, a follow-up): on the calendar, from 1900."""
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not a real moment: {value!r} ({exc})") from None
        if value < _EARLIEST:
            raise ValueError(f"{value} is before 1900")
    return value


# Due dates and follow-ups: ahead of now is what they are for.
AheadStamp = Annotated[str | None, Field(pattern=_STAMP), AfterValidator(_real_day)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactRecord(_Record):
    type: Literal["contact"]
    uid: str = Field(pattern=_UUID)
    name: Name
    kind: ContactKind
    circle: Circle
    tags: Tags
    note: Note
    created_at: Stamp
    org: str = ""
    nickname: str = ""
    birthday: str = ""
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    # schema 4
    sector: Literal["", "business", "nonprofit", "government", "academia", "community"] = ""
    member_of: str | None = Field(default=None, pattern=_UUID)
    aliases: list[Name] = Field(default_factory=list, max_length=MAX_ITEMS)
    archived_at: OptStamp = None
    mode: Literal["engagement", "personal", "transactional"] = "engagement"

    @field_validator("org", "nickname")
    @classmethod
    def _field(cls, v: str) -> str:
        return clean_field(v, "a field")

    @field_validator("birthday")
    @classmethod
    def _birthday(cls, v: str) -> str:
        return clean_field(v, "a birthday", MAX_BIRTHDAY)

    @field_validator("emails")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        return clean_items([e.lower() for e in v], "email", MAX_EMAIL)  # de-duplicated as lower

    @field_validator("phones")
    @classmethod
    def _phones(cls, v: list[str]) -> list[str]:
        return clean_items(v, "phone", MAX_PHONE)


class EntryRecord(_Record):
    type: Literal["entry"]
    id: str = Field(pattern=_UUID)
    contact: str = Field(pattern=_UUID)
    kind: Literal["deposit", "withdrawal", "received"]
    # strict: `true` is not a point; the bounds are those `log` takes.
    points: float = Field(strict=True, ge=MIN_POINTS, le=MAX_POINTS, allow_inf_nan=False)
    occurred_at: Stamp
    logged_at: Stamp
    note: str
    tags: list[str]
    batch: str = Field(pattern=_UUID)
    status: Literal["open", "done", "declined"] | None
    resolved_at: OptStamp
    source: str | None = Field(pattern=_UUID)
    via: str | None = Field(pattern=_UUID)
    follow_up: AheadStamp = None  # schema 5: an ask's day to check back on it
    intro: str | None = Field(default=None, pattern=_UUID)  # schema 5: introduced to whom
    goal: str | None = None  # schema 5: the goal it served, by name

    @field_validator("goal")
    @classmethod
    def _goal(cls, v: str | None) -> str | None:
        return None if v is None else clean_name(v)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str) -> str:
        return clean_note(v)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return clean_tags(v)

    @model_validator(mode="after")
    def _ask(self) -> EntryRecord:
        if (self.kind == "withdrawal") != (self.status is not None):
            raise ValueError("only an ask (withdrawal) has a status, and every ask has one")
        if (self.status in ("done", "declined")) != (self.resolved_at is not None):
            raise ValueError("a settled ask has a resolved_at, an open one has none")
        if self.resolved_at is not None and self.resolved_at < self.occurred_at:
            raise ValueError("an ask cannot be settled before it was made")
        if self.logged_at < self.occurred_at:
            raise ValueError("an entry cannot happen after it was logged")
        if self.source is not None and (self.source == self.id or self.kind != "deposit"):
            raise ValueError("only a deposit can come from an ask, and not from itself")
        if self.intro is not None and (self.kind != "deposit" or self.intro == self.contact):
            raise ValueError("an introduction is a deposit, and names another contact")
        if self.follow_up is not None and self.kind != "withdrawal":
            raise ValueError("only an ask (withdrawal) has a follow-up")
        return self


class PromiseRecord(_Record):
    type: Literal["promise"]
    id: str = Field(pattern=_UUID)
    contact: str = Field(pattern=_UUID)
    what: Note = Field(min_length=1)
    due_at: AheadStamp = None
    made_at: Stamp
    logged_at: Stamp
    batch: str = Field(pattern=_UUID)
    state: Literal["open", "kept", "dropped"]
    settled_at: OptStamp = None
    entry: str | None = Field(default=None, pattern=_UUID)

    @model_validator(mode="after")
    def _settled(self) -> PromiseRecord:
        if (self.state == "open") != (self.settled_at is None):
            raise ValueError("a kept or dropped promise has a settled_at, an open one has none")
        if self.settled_at is not None and self.settled_at < self.made_at:
            raise ValueError("a promise cannot be settled before it was made")
        if self.entry is not None and self.state != "kept":
            raise ValueError("only a kept promise has the deposit keeping it logged")
        if self.logged_at < self.made_at:
            raise ValueError("a promise cannot be made after it was recorded")
        return self


class DateRecord(_Record):
    type: Literal["date"]
    id: str = Field(pattern=_UUID)
    contact: str = Field(pattern=_UUID)
    kind: Literal["remember", "anniversary"]
    what: Note = Field(min_length=1)
    day: str = Field(pattern=r"^(\d{4}|-)-\d{2}-\d{2}$")
    made_at: Stamp
    batch: str = Field(pattern=_UUID)

    @field_validator("day")
    @classmethod
    def _day(cls, v: str) -> str:
        import calendar

        year, month, day = (int(v[:4]) if v[0] != "-" else 2000), int(v[-5:-3]), int(v[-2:])
        if year < 1900 or not 1 <= month <= 12:
            raise ValueError(f"no such day as {v!r}")
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"no such day as {v!r}")
        return v


class VoidRecord(_Record):
    type: Literal["void"]
    id: str = Field(pattern=_UUID)
    entry: str = Field(pattern=_UUID)
    voided_at: Stamp
    reason: Note


class EditRecord(_Record):
    type: Literal["edit"]
    id: str = Field(pattern=_UUID)
    contact: str = Field(pattern=_UUID)
    field: Literal[
        "name", "kind", "circle", "tags", "note", "emails",
        "org", "sector", "birthday", "aliases", "archived", "mode",
    ]  # fmt: skip
    value: Any
    before: Any = None
    edited_at: Stamp
    batch: str = Field(pattern=_UUID)

    @model_validator(mode="after")
    def _value(self, info: ValidationInfo) -> EditRecord:
        import re

        value = clean_change(self.field, self.value)
        if self.field == "org" and value is not None and not re.match(_UUID, str(value)):
            raise ValueError("an organisation is named by its uid")
        if self.field == "archived" and value is not None:
            if not re.match(_STAMP, str(value)):
                raise ValueError("archived is a moment such as 2026-11-02T14:00:00Z, or null")
            _real_time(str(value), info)
        before = None
        if self.before is not None:
            before = clean_change(self.field, self.before)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "before", before)
        return self


class FoldRecord(_Record):
    type: Literal["fold"]
    id: str = Field(pattern=_UUID)
    contact: str = Field(pattern=_UUID)
    into: str = Field(pattern=_UUID)
    folded_at: Stamp
    undone_at: OptStamp = None

    @model_validator(mode="after")
    def _two(self) -> FoldRecord:
        if self.contact == self.into:
            raise ValueError("a contact cannot be folded into itself")
        if self.undone_at is not None and self.undone_at < self.folded_at:
            raise ValueError("a fold cannot be undone before it was made")
        return self


class GoalRecord(_Record):
    type: Literal["goal"]
    uid: str = Field(pattern=_UUID)
    name: str
    why: Note
    sectors: list[Literal["business", "nonprofit", "government", "academia", "community"]]
    created_at: Stamp
    closed_at: OptStamp = None
    outcome: Literal["achieved", "dropped"] | None = None
    changed_at: Stamp

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_name(v)

    @model_validator(mode="after")
    def _closed(self) -> GoalRecord:
        if (self.closed_at is None) != (self.outcome is None):
            raise ValueError("a closed goal has an outcome, an open one none")
        if self.closed_at is not None and self.closed_at < self.created_at:
            raise ValueError("a goal cannot be closed before it was added")
        return self


class HeaderRecord(_Record):
    type: Literal["engage"]
    format: Literal[1]
    schema_version: int = Field(ge=1)

    @field_validator("schema_version")
    @classmethod
    def _known(cls, v: int) -> int:
        if v > domain.SCHEMA_VERSION:
            raise ValueError(
                f"written by a newer engage (schema {v}; this one reads up to "
                f"{domain.SCHEMA_VERSION}): upgrade engage to import it"
            )
        return v

    exported_at: Stamp


Record = Annotated[
    ContactRecord
    | EntryRecord
    | VoidRecord
    | EditRecord
    | FoldRecord
    | PromiseRecord
    | DateRecord
    | GoalRecord
    | HeaderRecord,
    Field(discriminator="type"),
]


def read_records(
    lines: Iterable[str], source: str, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Validate the lines of an export, one JSON record each; errors name the line.

    With `now`, a moment later than it (plus a day of clock skew) is refused.
    """

    adapter = _adapter()
    context = {"now": now}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:  # parsed and validated at once: what passes here passes the two steps below
            yield dict(adapter.validate_json(line, context=context).__dict__)
            continue
        except ValidationError:
            pass  # the two steps again, for their own words on what is wrong
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source} line {n}: not JSON ({exc.msg})") from None
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, deep nesting
            raise InputError(f"{source} line {n}: not JSON this reads ({exc})") from None
        problem, rec = check_record(raw, now)
        if problem is not None:
            raise InputError(f"{source} line {n}: {problem}")
        yield rec


def validate_records(
    raws: Iterable[tuple[int, Any]], source: str, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Validate numbered records (as an export holds them); errors name the number."""
    for n, raw in raws:
        problem, rec = check_record(raw, now)
        if problem is not None:
            raise InputError(f"{source} line {n}: {problem}")
        yield rec


_ADAPTER: Any = None


def _adapter() -> Any:
    global _ADAPTER
    if _ADAPTER is None:
        from pydantic import TypeAdapter

        _ADAPTER = TypeAdapter(Record)
    return _ADAPTER


def check_record(raw: Any, now: datetime | None = None) -> tuple[str | None, dict[str, Any]]:
    """(what is wrong with one record or None, the record as validated)."""
    try:
        rec = _adapter().validate_python(raw, context={"now": now})
    except ValidationError as exc:
        err, msg = first_error(exc)
        loc = ".".join(str(p) for p in err.get("loc", ()))
        return f"{loc or 'record'}: {msg}", {}
    # Its fields as they are (every record is flat): what model_dump gives, sooner.
    return None, dict(rec.__dict__)


# The order of an export's records, a kind after another (store.exporting writes them
# so): each kind relies only on kinds before it, so they can be merged as they come.
EXPORT_ORDER = ("contact", "edit", "fold", "goal", "entry", "void", "promise", "date")


def read_export(
    lines: Iterable[str], source: str, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The validated records of an export's lines, as they are read; the header must
    come first, and is checked at once (before the first record is asked for)."""
    rest = iter(lines)
    line = next(rest, "").lstrip("\ufeff")
    try:
        first = json.loads(line) if line.strip() else None
    except (ValueError, RecursionError):
        first = None
    if not isinstance(first, dict) or first.get("type") != "engage":
        raise InputError(f"{source} is not an engage export (its first line must be the header)")
    return read_records(itertools.chain([line], rest), source, now)


class ExportFile:
    """An export file's records, read afresh (and validated) each time it is iterated:
    `lines` opens the file's lines. The header is checked on creation."""

    def __init__(
        self, lines: Callable[[], Iterable[str]], source: str, now: datetime | None = None
    ) -> None:
        self.lines, self.source, self.now = lines, source, now
        read_export(self.lines(), source, now)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return read_export(self.lines(), self.source, self.now)
