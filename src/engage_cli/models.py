"""Validated shapes of everything engage accepts: contacts, entries and the scoring policy."""

from __future__ import annotations

import math
import unicodedata

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engage_cli.errors import InputError
from engage_cli.vocab import Circle, ContactKind

MAX_NAME = 200
MAX_NOTE = 10_000
MAX_TAG = 50
MAX_POINTS = 100.0
MIN_POINTS = 0.01


def clean_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name:
        raise ValueError("a name cannot be empty")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise ValueError("a name cannot hold control characters")
    if len(name) > MAX_NAME:
        raise ValueError(f"a name is at most {MAX_NAME} characters (got {len(name)})")
    return name


def clean_tags(values: list[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = " ".join(unicodedata.normalize("NFC", raw).split()).lower()
        if not tag:
            raise ValueError("a tag cannot be empty")
        if len(tag) > MAX_TAG or any(unicodedata.category(ch) == "Cc" for ch in tag):
            raise ValueError(f"a tag is at most {MAX_TAG} printable characters")
        if tag not in tags:
            tags.append(tag)
    return tags


def clean_note(value: str) -> str:
    note = unicodedata.normalize("NFC", value).strip()
    if "\x00" in note:
        raise ValueError("a note cannot hold NUL characters")
    if len(note) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE} characters (got {len(note)})")
    return note


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


class ContactIn(BaseModel):
    """A contact as typed by a person, before it is stored."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: ContactKind = ContactKind.PERSON
    circle: Circle = Circle.ACTIVE
    tags: list[str] = Field(default_factory=list)
    note: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_name(v)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return clean_tags(v)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str) -> str:
        return clean_note(v)

    @classmethod
    def parse(cls, **values: object) -> ContactIn:
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise InputError(_first_error(exc)) from None


def parse_points(text: str, what: str = "points") -> float:
    """Points as typed: a positive, finite number up to MAX_POINTS ("1", "2.5")."""
    raw = text.strip()
    if "_" in raw:
        raise InputError(f"{what} must be a number such as 2 or 2.5, got {text!r}")
    if "," in raw:
        raise InputError(f"{what} must be a number such as 2 or 2.5 (use a dot), got {text!r}")
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{what} must be a number such as 2 or 2.5, got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, got {text!r}")
    if value <= 0:
        raise InputError(
            f"{what} must be greater than 0, got {text!r}; "
            "use --deposit for what you gave and --withdrawal for what you asked"
        )
    if value < MIN_POINTS:
        raise InputError(f"{what} must be at least {MIN_POINTS:g}, got {text!r}")
    if value > MAX_POINTS:
        raise InputError(
            f"{what} must be at most {MAX_POINTS:g} (scale: 1 a thank-you, 3 a real favour, "
            f"5 a life-changing introduction), got {text!r}"
        )
    return value


class CirclePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    half_life_days: float = Field(gt=0, le=36_500)
    cadence_days: float = Field(gt=0, le=36_500)


def _default_circles() -> dict[Circle, CirclePolicy]:
    return {
        Circle.INNER: CirclePolicy(half_life_days=30, cadence_days=7),
        Circle.CLOSE: CirclePolicy(half_life_days=60, cadence_days=30),
        Circle.ACTIVE: CirclePolicy(half_life_days=120, cadence_days=90),
        Circle.WIDE: CirclePolicy(half_life_days=240, cadence_days=365),
    }


class Policy(BaseModel):
    """The scoring policy: every number the model uses, with its default (docs/scoring.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    circles: dict[Circle, CirclePolicy] = Field(default_factory=_default_circles)
    # Verdict band on deposits / withdrawals over a period.
    engaged_min_ratio: float = Field(default=1.0, gt=0)
    engaged_max_ratio: float = Field(default=5.0, gt=0)
    # A contact is "untapped" when its charge is at least this and no ask was
    # made of it for `untapped_days` (or ever).
    untapped_charge: float = Field(default=6.0, gt=0)
    untapped_days: float = Field(default=90, gt=0)
    period_days: int = Field(default=7, ge=1)

    @model_validator(mode="after")
    def _band(self) -> Policy:
        if self.engaged_min_ratio > self.engaged_max_ratio:
            raise ValueError("engaged_min_ratio must not exceed engaged_max_ratio")
        missing = set(Circle) - set(self.circles)
        if missing:
            raise ValueError(f"missing circles: {', '.join(sorted(missing))}")
        return self

    def half_life(self, circle: str) -> float:
        return self.circles[Circle(circle)].half_life_days

    def cadence(self, circle: str) -> float:
        return self.circles[Circle(circle)].cadence_days
