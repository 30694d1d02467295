"""Validated shapes of what engage accepts from people and files (pydantic)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from engage_cli.errors import InputError
from engage_cli.inputs import clean_name, clean_note, clean_tags
from engage_cli.vocab import Circle, ContactKind

if TYPE_CHECKING:
    from pathlib import Path

    from engage_cli.policy import Policy


# What people and files give for a contact, cleaned the same way wherever it comes from.
Name = Annotated[str, AfterValidator(clean_name)]
Tags = Annotated[list[str], AfterValidator(clean_tags)]
Note = Annotated[str, AfterValidator(clean_note)]


def _first_error(exc: ValidationError) -> tuple[Any, str]:
    """The first error of a validation, and its message without pydantic's prefix."""
    err = exc.errors()[0]
    return err, str(err.get("msg", "invalid value")).removeprefix("Value error, ")


class ContactIn(BaseModel):
    """A contact as typed by a person, before it is stored."""

    model_config = ConfigDict(frozen=True)

    name: Name
    kind: ContactKind = ContactKind.PERSON
    circle: Circle = Circle.ACTIVE
    tags: Tags = Field(default_factory=list)
    note: Note = ""

    @classmethod
    def parse(cls, **values: object) -> ContactIn:
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise InputError(_first_error(exc)[1]) from None


# --- the config file ---------------------------------------------------------------

_STRICT = ConfigDict(extra="forbid", frozen=True)


class CircleFile(BaseModel):
    model_config = _STRICT
    half_life_days: float | None = Field(default=None, gt=0, le=36_500)
    cadence_days: float | None = Field(default=None, gt=0, le=36_500)


class VerdictFile(BaseModel):
    model_config = _STRICT
    engaged_min_ratio: float | None = Field(default=None, gt=0, le=1000)
    engaged_max_ratio: float | None = Field(default=None, gt=0, le=1000)


class UntappedFile(BaseModel):
    model_config = _STRICT
    charge: float | None = Field(default=None, gt=0, le=10_000)
    days: float | None = Field(default=None, gt=0, le=36_500)


class PolicyFile(BaseModel):
    """`config.toml`: every key optional; what is missing keeps its default."""

    model_config = _STRICT
    period: str | None = None
    synergy: float | None = Field(default=None, ge=0, le=1)
    ask_reserve: float | None = Field(default=None, ge=0, le=10)
    verdict: VerdictFile = Field(default_factory=VerdictFile)
    untapped: UntappedFile = Field(default_factory=UntappedFile)
    circles: dict[Circle, CircleFile] = Field(default_factory=dict)

    @field_validator("period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None:
            from engage_cli.dates import parse_period

            try:
                parse_period(v)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return v


def _accepted(loc: tuple[Any, ...]) -> str:
    """The keys accepted where an unknown key `loc` was found."""
    parent = tuple(str(p) for p in loc[:-1])
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): PolicyFile,
        ("verdict",): VerdictFile,
        ("untapped",): UntappedFile,
    }
    model = models.get(parent)
    if model is None and len(parent) == 2 and parent[0] == "circles":
        model = CircleFile
    return ", ".join(model.model_fields) if model else ""


def read_policy_file(path: Path, defaults: Policy) -> tuple[Policy, list[str]]:
    """Read and validate a config file; return the policy and the dotted keys it set."""
    import tomllib

    from engage_cli.dates import parse_period
    from engage_cli.policy import CirclePolicy

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the config {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the config {path} is not valid TOML: {exc}") from None
    try:
        cfg = PolicyFile.model_validate(raw)
    except ValidationError as exc:
        err, msg = _first_error(exc)
        loc = tuple(err.get("loc", ()))
        key = ".".join(str(p) for p in loc) or "(top level)"
        if err.get("type") == "extra_forbidden":
            accepted = _accepted(loc)
            msg = f"unknown key; accepted here: {accepted}" if accepted else "unknown key"
            if loc == ("reciprocity_days",):
                msg = (
                    "no longer used: what you gave and what they gave decay with each "
                    "circle's half_life_days, like the charge (docs/scoring.md); remove the key"
                )
        elif err.get("type") == "enum" or (loc and loc[0] == "circles" and len(loc) == 2):
            msg = f"{msg}; circles are {', '.join(c.value for c in Circle)}"
        elif "input" in err and not isinstance(err["input"], dict):
            msg = f"{msg} (got {err['input']!r})"
        raise InputError(f"config {path}: {key}: {msg}") from None

    keys: list[str] = []
    circles = dict(defaults.circles)
    for circle, c in cfg.circles.items():
        base = circles[circle.value]
        circles[circle.value] = CirclePolicy(
            c.half_life_days if c.half_life_days is not None else base.half_life_days,
            c.cadence_days if c.cadence_days is not None else base.cadence_days,
        )
        keys += [f"circles.{circle.value}.{k}" for k in c.model_fields_set]
    values: dict[str, Any] = {"circles": circles}
    if cfg.period is not None:
        values["period_days"] = parse_period(cfg.period)
        keys.append("period")
    for name in ("synergy", "ask_reserve"):
        if getattr(cfg, name) is not None:
            values[name] = getattr(cfg, name)
            keys.append(name)
    for k in cfg.verdict.model_fields_set:
        values[k] = getattr(cfg.verdict, k)
        keys.append(f"verdict.{k}")
    for k in cfg.untapped.model_fields_set:
        values[f"untapped_{k}"] = getattr(cfg.untapped, k)
        keys.append(f"untapped.{k}")
    policy = defaults._replace(**values)
    if policy.engaged_min_ratio > policy.engaged_max_ratio:
        raise InputError(
            f"config {path}: verdict.engaged_min_ratio ({policy.engaged_min_ratio:g}) must not "
            f"exceed verdict.engaged_max_ratio ({policy.engaged_max_ratio:g})"
        )
    return policy, keys


# --- records of an export (engage export / engage import ledger) ---------------------

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_STAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


def _real_time(value: str | None) -> str | None:
    """A stored time that exists on the calendar (the pattern alone lets 2026-13-45 in)."""
    if value is not None:
        from datetime import datetime

        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not a real moment: {value!r} ({exc})") from None
    return value


Stamp = Annotated[str, Field(pattern=_STAMP), AfterValidator(_real_time)]
OptStamp = Annotated[str | None, Field(pattern=_STAMP), AfterValidator(_real_time)]


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
    org: str = Field(default="", max_length=200)
    nickname: str = Field(default="", max_length=200)
    birthday: str = Field(default="", max_length=40)
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)

    @field_validator("emails")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(e.strip().lower() for e in v if e.strip()))


class EntryRecord(_Record):
    type: Literal["entry"]
    id: str = Field(pattern=_UUID)
    contact: str = Field(pattern=_UUID)
    kind: Literal["deposit", "withdrawal", "received"]
    points: float = Field(gt=0, le=100, allow_inf_nan=False)
    occurred_at: Stamp
    logged_at: Stamp
    note: str
    tags: list[str]
    batch: str = Field(pattern=_UUID)
    status: Literal["open", "done", "declined"] | None
    resolved_at: OptStamp
    source: str | None = Field(pattern=_UUID)
    via: str | None = Field(pattern=_UUID)

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
        if self.source is not None and (self.source == self.id or self.kind != "deposit"):
            raise ValueError("only a deposit can come from an ask, and not from itself")
        return self


class VoidRecord(_Record):
    type: Literal["void"]
    id: str = Field(pattern=_UUID)
    entry: str = Field(pattern=_UUID)
    voided_at: Stamp
    reason: str


class HeaderRecord(_Record):
    type: Literal["engage"]
    format: Literal[1]
    schema_version: int = Field(ge=1)

    @field_validator("schema_version")
    @classmethod
    def _known(cls, v: int) -> int:
        from engage_cli.ledger import SCHEMA_VERSION

        if v > SCHEMA_VERSION:
            raise ValueError(
                f"written by a newer engage (schema {v}; this one reads up to "
                f"{SCHEMA_VERSION}): upgrade engage to import it"
            )
        return v

    exported_at: Stamp


Record = Annotated[
    ContactRecord | EntryRecord | VoidRecord | HeaderRecord, Field(discriminator="type")
]


def read_records(lines: Iterable[str], source: str) -> Iterator[dict[str, Any]]:
    """Validate the lines of an export, one JSON record each; errors name the line."""
    import json

    def parsed() -> Iterator[tuple[int, Any]]:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{source} line {n}: not JSON ({exc.msg})") from None

    return validate_records(parsed(), source)


def validate_records(raws: Iterable[tuple[int, Any]], source: str) -> Iterator[dict[str, Any]]:
    """Validate numbered records (as an export holds them); errors name the number."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(Record)
    for n, raw in raws:
        try:
            rec = adapter.validate_python(raw)
        except ValidationError as exc:
            err, msg = _first_error(exc)
            loc = ".".join(str(p) for p in err.get("loc", ()))
            raise InputError(f"{source} line {n}: {loc or 'record'}: {msg}") from None
        yield rec.model_dump()
