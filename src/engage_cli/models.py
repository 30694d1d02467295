"""The gate: validated shapes of what engage accepts from people (pydantic).

Every way a contact enters (`add`, `log --new`, imports, merges) goes through
the same annotated types, so nothing is stored that `add` would refuse.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from engage_cli.domain import Circle, ContactKind
from engage_cli.errors import InputError
from engage_cli.inputs import clean_name, clean_note, clean_tags

# What people and files give for a contact, cleaned the same way wherever it comes from.
Name = Annotated[str, AfterValidator(clean_name)]
Tags = Annotated[list[str], AfterValidator(clean_tags)]
Note = Annotated[str, AfterValidator(clean_note)]


def first_error(exc: ValidationError) -> tuple[Any, str]:
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
    mode: Literal["engagement", "personal", "transactional"] = "engagement"

    @classmethod
    def parse(cls, **values: object) -> ContactIn:
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise InputError(first_error(exc)[1]) from None
