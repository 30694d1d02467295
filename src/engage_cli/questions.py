"""The questions the weekly review asks, chosen from what the ledger says this week."""

from __future__ import annotations

from typing import NamedTuple

# The four questions of the Working Out Loud essay on deepening relationships, and
# one of gratitude for those who gave unasked.
CONSIDER = "Who haven't you considered recently in and around your work?"
STRENGTH = "How strong are your work relationships?"
UNDERSTAND = "How do you understand their circumstances, work and needs as well as your own?"
TRUST = "Where might you need to learn more, collaborate more or build trust and understanding?"
THANK = "Whom could you thank this week for something they did without being asked?"


class Signals(NamedTuple):
    """What the ledger says this week, for choosing which questions to ask."""

    due: int = 0  # contacts overdue or due soon
    never: int = 0  # contacts never in touch
    overdrawn: int = 0
    thank_first: int = 0
    open_asks: int = 0


def prompts(s: Signals, most: int = 2) -> list[tuple[str, str]]:
    """The one or two questions that fit the ledger, each with why it was chosen."""

    def n(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"

    found: list[tuple[str, str]] = []
    if s.thank_first:
        found.append((THANK, f"{n(s.thank_first, 'contact gave', 'contacts gave')} unasked "
                             "and got little back"))  # fmt: skip
    if s.never or s.due:
        why = (
            f"{n(s.never, 'contact has', 'contacts have')} had nothing from you yet"
            if s.never
            else f"{n(s.due, 'contact is', 'contacts are')} due"
        )
        found.append((CONSIDER, why))
    if s.open_asks >= 3 or s.overdrawn:
        why = (
            f"{n(s.open_asks, 'ask is', 'asks are')} still open"
            if s.open_asks >= 3
            else f"{n(s.overdrawn, 'contact is', 'contacts are')} overdrawn"
        )
        found.append((TRUST, why))
    if s.overdrawn and len(found) < most:
        found.append((UNDERSTAND, f"{n(s.overdrawn, 'contact is', 'contacts are')} overdrawn"))
    if not found:
        found.append((STRENGTH, "a quiet week: a moment to take stock"))
    return found[:most]
