"""Text from people and files made safe to print: the one place it is done.

Names, notes, calendar titles and vCard fields can hold control characters
and escape sequences (an OSC 52 sequence writes the clipboard, OSC 8 makes a
hyperlink, CSI 2J clears the screen). Every view prints such text through
`visible`, on a terminal and piped alike, so that each control character
shows as a visible stand-in of the same width (U+241B SYMBOL FOR ESCAPE for
ESC, ...) and nothing reaches the terminal as a command. Bidirectional
overrides and isolates are shown too: they can make one text read as another.
"""

from __future__ import annotations

import unicodedata

# C0 controls and DEL as their Control Pictures (U+2400 block); C1 controls,
# bidi controls and other invisible format characters as U+FFFD.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Joiners are part of how some scripts and emoji are written; they stay.
_KEPT_FORMAT = {"\u200c", "\u200d"}


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def _unsafe(ch: str, newlines: bool) -> bool:
    if ch == "\n":
        return not newlines
    if ch == "\t":
        return False
    category = unicodedata.category(ch)
    if category == "Cc":
        return True
    return category == "Cf" and (ch in _BIDI or ch not in _KEPT_FORMAT)


def visible(text: str, newlines: bool = True) -> str:
    """`text` with every control or invisible format character replaced one for one.

    With `newlines=False` a line break shows as U+240A (a table cell stays one line).
    Fast for the usual case: text with nothing to replace is returned as is.
    """
    if text.isprintable():
        return text
    # Line breaks and tabs kept, the rest printable: nothing to replace (a whole grid,
    # checked in C rather than a character at a time).
    kept = text.replace("\t", "")
    if (kept.replace("\n", "") if newlines else kept).isprintable():
        return text
    return "".join(_stand_in(ch) if _unsafe(ch, newlines) else ch for ch in text)


def has_invisible(text: str) -> bool:
    """Whether `text` holds a control, bidi or other invisible format character."""
    return not text.isprintable() and any(_unsafe(ch, newlines=False) or ch in "\t" for ch in text)


WIDTH = 80  # what piped output fits, unless COLUMNS says otherwise


def terminal_width() -> int:
    """The width lines must fit: COLUMNS when it says one (shells set it), else the
    terminal's when stdout is one, else 80, so that piped output fits a terminal too."""
    import os
    import shutil
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return WIDTH


def fill(value: str, lead: str = "", indent: str | None = None) -> str:
    """`lead` then `value` (made visible, line breaks as spaces) wrapped at word
    boundaries to `terminal_width()`; further lines start with `indent` (default:
    as many spaces as `lead`), so a long note or name never runs past the edge.
    Widths are terminal cells (a CJK character takes two); a word longer than a
    line, as a sentence in Japanese is, is broken where the line ends."""
    import re

    rest = " " * len(lead) if indent is None else indent
    width = max(terminal_width(), cells(lead) + 20)
    lines: list[str] = []
    line, used, fresh = lead, cells(lead), True
    text = re.sub(r"\s*\n\s*", " ", visible(value)).strip()
    for space, word in re.findall(r"(\s*)(\S+)", text):  # the spacing between words kept
        size = cells(word)
        gap = 0 if fresh else len(space)
        if used + gap + size > width and not fresh and cells(rest) + size <= width:
            lines.append(line)  # the word fits a line of its own: it starts the next
            line, used, gap = rest, cells(rest), 0
        elif used + gap + size > width:  # longer than a line: broken where lines end
            line, used = line + " " * gap, used + gap
            for ch in word:
                if used + cells(ch) > width:
                    lines.append(line)
                    line, used = rest, cells(rest)
                line, used = line + ch, used + cells(ch)
            fresh = False
            continue
        line, used, fresh = line + " " * gap + word, used + gap + size, False
    lines.append(line.rstrip() if fresh else line)
    return "\n".join(lines)


def cells(text: str) -> int:
    """How many terminal cells `text` takes: wide (East Asian) characters two,
    combining marks none."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def cut(line: str, width: int | None = None) -> str:
    """One line of people's text (made visible, line breaks shown) cut with an
    ellipsis to fit `width` cells (default: `terminal_width()`)."""
    line = visible(line, newlines=False)
    room = terminal_width() if width is None else width
    if cells(line) <= room:
        return line
    kept, used = [], 0
    for ch in line:
        used += cells(ch)
        if used > room - 1:
            break
        kept.append(ch)
    return "".join(kept) + "…"
