"""Plain lines for what write commands print: cheap to import (no rich), so `log` stays instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engage_cli.dates import fmt_local
from engage_cli.domain import Change, Contact, Entry, Promise, Written
from engage_cli.ids import short
from engage_cli.scoring import shown
from engage_cli.terminal import cut

SIGNS = {"deposit": "+", "withdrawal": "-"}


def written(entries: Sequence[Written]) -> list[str]:
    """One line per entry just written, with the contact's charge after it."""
    from engage_cli.terminal import cells, cut, terminal_width

    lines = []
    for w in entries:
        head = f"logged {w.entry.kind:<10} {SIGNS.get(w.entry.kind, '')}{w.entry.points:g}  "
        tail = (
            f"  {fmt_local(w.entry.occurred_at)}  "
            f"charge {shown(w.charge_after):+.1f}  [{short(w.entry.id)}]"
        )
        room = terminal_width() - cells(head) - cells(tail)  # a long name is cut, not the id
        lines.append(head + cut(w.entry.contact, max(room, 8)) + tail)
    return lines


def promise_line(p: Promise, verb: str = "promised") -> str:
    """A promise as write commands print it: to whom, what, by when, and its id."""
    due = f", due {fmt_local(p.due_at, with_time=False)}" if p.due_at else ""
    return f"{verb} {p.contact}: {p.what}{due}  [{short(p.id)}]"


def described(entries: Sequence[Entry]) -> str:
    """Entries as an indented list, for confirmations and what was undone."""
    return "\n".join(
        cut(
            f"  [{short(e.id)}] {fmt_local(e.occurred_at)}  {e.contact}  {e.kind} "
            f"{SIGNS.get(e.kind, '')}{e.points:g}" + (f"  {e.note}" if e.note else "")
        )
        for e in entries
    )


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def shown_value(field: str, value: object) -> str:
    """A field's value as `edit` and `show` print it."""
    if value is None and field == "archived":
        return "(not archived)"
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field == "birthday":
        return birthday_text(str(value))
    if field == "archived":
        from engage_cli.dates import fmt_local, from_store

        return "since " + fmt_local(from_store(str(value)))
    return str(value)


def change_text(change: Any, width: int) -> str:
    """`circle: active -> close`; a long value (a note) on one line, cut to `width`
    characters with an ellipsis."""

    def cut(value: object) -> str:
        text = " ".join(shown_value(change.field, value).split())
        return text if len(text) <= width else text[: width - 1].rstrip() + "…"

    return f"{change.field}: {cut(change.before)} -> {cut(change.after)}"


def change_lines(changes: Sequence[Any]) -> list[str]:
    """One indented line per changed field, within 80 columns."""
    return [f"  {change_text(c, 32)}" for c in changes]


def action_lines(action: Any, redoing: bool) -> tuple[list[str], str]:
    """What undo (or redo) is about to take back (or do again), and the question to ask."""
    kind = action.kind
    names = [c.name for c in action.contacts]
    stash = action.detail.get("redo", {})
    if redoing and kind in _FOLLOW_THROUGH:
        return _follow_through_lines(action, redoing)
    if redoing:
        if kind == "edit":
            changes = [Change(*c) for c in action.detail.get("changes", [])]
            return [f"The last undone action edited {', '.join(names)}:", *change_lines(changes)], (
                "Do it again?"
            )
        what = {
            "add": f"adding {stash.get('row', {}).get('name') or ', '.join(names) or 'a contact'}",
            "log": f"a log of {plural(len(stash.get('entries', [])), 'entry', 'entries')}",
            "settle": f"marking ask {short(action.entry_id or '')} {action.status}",
            "reopen": f"reopening ask {short(action.entry_id or '')}",
            "fold": f"folding {' into '.join(names)}" if len(names) == 2 else "a fold",
        }.get(kind, f"{_a(kind)} {kind}")
        return [f"The last undone action was {what}."], "Do it again?"
    if kind in _FOLLOW_THROUGH:
        return _follow_through_lines(action, redoing)
    if kind == "add":
        return [f"The last action added contact {names[0]}."], "Remove it?"
    if kind == "log":
        lines = [f"The last log wrote {plural(len(action.entries), 'entry', 'entries')}:"]
        lines.append(described(action.entries))
        if names:
            lines.append(f"and added {', '.join(names)}, who will be removed with it")
        for who, what in action.detail.get("promised", []):
            lines.append(f"and promised {who}: {what} (taken back with it)")
        return lines, "Void it?"
    if kind == "settle":
        lines = [f"The last change marked this ask {action.status}:", described(action.entries)]
        return lines, "Set it back to open?"
    if kind == "reopen":
        return ["The last change reopened this ask:", described(action.entries)], (
            f"Mark it {action.status} again?"
        )
    if kind == "edit":
        changes = [Change(*c) for c in action.detail.get("changes", [])]
        return [f"The last action edited {', '.join(names)}:", *change_lines(changes)], (
            "Edit it back?"
        )
    if kind == "fold":
        return [f"The last action folded {names[0]} into {names[1]}."], "Unfold it?"
    if kind == "void":
        lines = [f"The last action voided {plural(len(action.entries), 'entry', 'entries')}:"]
        return [*lines, described(action.entries)], "Bring it back?"
    if kind == "goal":
        goal = action.detail.get("now", {})
        if "before" in action.detail:
            return [f"The last action closed the goal {goal.get('name')!r} "
                    f"({goal.get('outcome')})."], "Open it again?"  # fmt: skip
        return [f"The last action added the goal {goal.get('name')!r}."], "Take it back?"
    counts = action.detail.get("counts", {})
    said = ", ".join(counted(v, k) for k, v in counts.items() if v) or "nothing new"
    from engage_cli.terminal import fill

    return [fill(f"{_a(kind)} {kind}: {said}.", "The last action was ")], "Take it out?"


_ONE = {"contacts": "contact", "entries": "entry", "voids": "void", "edits": "edit",
        "folds": "fold", "promises": "promise", "dates": "date", "goals": "goal"}  # fmt: skip


def counted(n: int, what: str) -> str:
    """ "1 entry added", "2 entries added": a count and its words."""
    noun, _, rest = what.partition(" ")
    return f"{n} {_ONE.get(noun, noun) if n == 1 else noun} {rest}".rstrip()


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def birthday_text(value: str) -> str:
    """A stored birthday as people read it: 12 Apr 1985, or 29 Feb without a year."""
    import re

    m = re.fullmatch(r"(?:(\d{4})|-)-(\d{2})-(\d{2})", value)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return value  # as an address book gave it
    day = f"{int(m.group(3))} {_MONTHS[int(m.group(2)) - 1]}"
    return f"{day} {m.group(1)}" if m.group(1) else day


_FOLLOW_THROUGH = {
    "promise": ("a promise to", "Take it back?", "taken back"),
    "keep": ("keeping a promise to", "Set it back to open?", "the promise is open again"),
    "drop": ("dropping a promise to", "Set it back to open?", "the promise is open again"),
    "remember": ("remembering a day of", "Forget it?", "forgotten"),
}


def _follow_through_lines(action: Any, redoing: bool) -> tuple[list[str], str]:
    what, question, _ = _FOLLOW_THROUGH[action.kind]
    row = action.detail.get("row") or action.detail.get("redo", {}).get("rows", [{}])[0]
    said = f"{what} {row.get('contact', 'a contact')}: {row.get('what', '')}"
    if redoing:
        return [f"The last undone action was {said}."], "Do it again?"
    return [f"The last action was {said}."], question


def action_done(action: Any, redoing: bool, stash: dict[str, Any]) -> str:
    """What undo (or redo) did, in one line (`stash`: what undo kept for redo)."""
    if redoing:
        return "done again"
    names = [c.name for c in action.contacts]
    if action.kind == "add" and stash.get("archived"):
        return (
            f"archived {names[0]}: entries logged for them stay in the history, voided, "
            "so the contact stays too, out of the lists"
        )
    if action.kind == "log":
        voided = [e for e in action.entries if e.contact not in names]
        said = [f"voided {plural(len(voided), 'entry', 'entries')}"] if voided else []
        if names:
            said.append(f"removed {', '.join(names)} and what was logged for them")
        if stash.get("archived"):
            said.append(
                f"archived {plural(len(stash['archived']), 'contact', 'contacts')} it added"
            )
        return "; ".join(said)
    if action.kind in _FOLLOW_THROUGH:
        return _FOLLOW_THROUGH[action.kind][2]
    if action.kind == "goal":
        return "the goal is open again" if "before" in action.detail else "took the goal back"
    if action.kind == "void":
        return "the entry counts again"
    return {
        "add": f"removed {names[0] if names else 'the contact'}",
        "settle": "the ask is open again",
        "reopen": f"the ask is {action.status} again",
        "edit": "edited back",
        "fold": f"unfolded {names[0]} from {names[1]}" if len(names) == 2 else "unfolded",
    }.get(action.kind, f"took the {action.kind} out (run it again to redo it)")


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def command_lines(command: str, indent: str) -> str:
    """A shell command broken between its words (with `\\` continuations) to fit
    the width; a word is never split, so what is copied still runs."""
    import shlex

    from engage_cli.terminal import cells, terminal_width, visible

    width = terminal_width() - 2  # room for the continuation
    lines, line = [], indent
    for word in shlex.split(command):
        quoted = shlex.quote(word) if word != "--" else word
        if line.strip() and cells(line) + 1 + cells(quoted) > width:  # columns, not characters
            lines.append(line + " \\")
            line = indent + "  "
        line += ("" if not line.strip() else " ") + quoted
    lines.append(line)
    return visible("\n".join(lines))


def unusual_dates(
    found: Sequence[Contact | str],
    added: Sequence[Contact],
    at: datetime,
    now: datetime,
    years: float,
) -> list[str]:
    """What is odd about a date that was logged anyway: before the contact was
    added, or more than `years` back (a year typed wrong is noticed)."""
    day = fmt_local(at, False)
    fresh = {c.id for c in added}
    before = [
        c for c in found if not isinstance(c, str) and c.id not in fresh and at < c.created_at
    ]
    said = [
        f"{day} is before {c.name} was added ({fmt_local(c.created_at, False)}); "
        "`engage undo` if a typo"
        for c in before
    ]
    if not said and (now - at).days > years * 365.25:
        said.append(f"{day} is more than {years:g} years ago; `engage undo` if a typo")
    return said
