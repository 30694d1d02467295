"""Validated shapes of what engage accepts from people and files (pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engage_cli.errors import InputError
from engage_cli.inputs import clean_name, clean_note, clean_tags
from engage_cli.vocab import Circle, ContactKind


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
