"""The words of the ledger (circles, kinds) and how names compare; cheap to import."""

from __future__ import annotations

import unicodedata
from enum import StrEnum


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


class EntryKind(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"


def name_key(name: str) -> str:
    """The form names are compared in: Unicode-normalised, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
