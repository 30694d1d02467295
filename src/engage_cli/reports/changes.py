"""What an edit, a fold or an undo changed: shapes with `to_json`."""

from __future__ import annotations

from typing import Any, NamedTuple

from engage_cli.domain import Change


class Edited(NamedTuple):
    """A contact's fields changed by one edit (none: it was already so)."""

    name: str  # the contact's name before the edit
    changes: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {
            "contact": self.name,
            "changes": [
                {"field": c.field, "before": c.before, "after": c.after} for c in self.changes
            ],
        }


class Folded(NamedTuple):
    duplicate: str
    into: str
    moved: int  # entries that moved (logged for it, or brokered by it)

    def to_json(self) -> dict[str, Any]:
        return {"folded": self.duplicate, "into": self.into, "entries_moved": self.moved}
