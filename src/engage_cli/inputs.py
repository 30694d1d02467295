"""Checks and clean-ups of what people type: names, tags, notes and points.

Plain functions with no heavy imports, so that `engage log` stays instant; the
pydantic models in `models.py` call the same functions.
"""

from __future__ import annotations

import math
import unicodedata

from engage_cli.errors import InputError
from engage_cli.terminal import has_invisible

MAX_NAME = 200
MAX_NOTE = 10_000
MAX_TAG = 50
MAX_POINTS = 100.0
MIN_POINTS = 0.01
MAX_FIELD = 200  # an organisation, a nickname
MAX_BIRTHDAY = 40
MAX_EMAIL = 254  # RFC 5321's limit on a path
MAX_PHONE = 64
MAX_ITEMS = 100  # tags, emails or phones of one contact or entry


def _valid_unicode(text: str) -> None:
    """Refuse lone surrogates: text no file can hold (they come from undecodable bytes)."""
    if not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text):
        raise ValueError("text that is not valid Unicode (undecodable bytes?)")


def clean_field(value: str, what: str, limit: int = MAX_FIELD, cut: bool = False) -> str:
    """One line of people's text (an organisation, a nickname, an email, a phone):
    NFC, control and invisible characters removed, whitespace collapsed, and at
    most `limit` characters once normalised (`cut`: shortened to fit, else refused)."""
    text = unicodedata.normalize("NFC", value)
    _valid_unicode(text)
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = " ".join(text.split())
    if len(text) > limit:
        if not cut:
            raise ValueError(f"{what} is at most {limit} characters (got {len(text)})")
        text = text[:limit].rstrip()
    return text


def clean_items(values: list[str], what: str, limit: int, cut: bool = False) -> list[str]:
    """Emails or phones: each a clean field, each once, at most MAX_ITEMS of them."""
    items = dict.fromkeys(v for v in (clean_field(x, what, limit, cut) for x in values) if v)
    if len(items) > MAX_ITEMS:
        if not cut:
            raise ValueError(f"at most {MAX_ITEMS} {what}s (got {len(items)})")
        return list(items)[:MAX_ITEMS]
    return list(items)


def clean_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name:
        raise ValueError("a name cannot be empty")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise ValueError("a name cannot hold control characters")
    if has_invisible(name):
        # Zero-width and bidirectional characters can make two names look the same.
        raise ValueError("a name cannot hold invisible or text-direction characters")
    if len(name) > MAX_NAME:
        raise ValueError(f"a name is at most {MAX_NAME} characters (got {len(name)})")
    return name


def clean_tags(values: list[str]) -> list[str]:
    """Tags cleaned and de-duplicated in their first order (linear: a set of those seen)."""
    tags: dict[str, None] = {}
    for raw in values:
        tag = " ".join(unicodedata.normalize("NFC", raw).split()).lower()
        if not tag:
            raise ValueError("a tag cannot be empty")
        if len(tag) > MAX_TAG or has_invisible(tag):
            raise ValueError(f"a tag is at most {MAX_TAG} printable characters")
        _valid_unicode(tag)
        tags.setdefault(tag)
    if len(tags) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} tags (got {len(tags)})")
    return list(tags)


def clean_note(value: str) -> str:
    note = unicodedata.normalize("NFC", value).strip()
    _valid_unicode(note)
    if "\x00" in note:
        raise ValueError("a note cannot hold NUL characters")
    if len(note) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE} characters (got {len(note)})")
    return note


def parse_points(text: str, what: str = "points") -> float:
    """Points as typed: a positive, finite number up to MAX_POINTS ("1", "2.5")."""
    raw = text.strip()
    if not raw.isascii():  # float() reads fullwidth and Arabic-Indic digits too
        raise InputError(f"{what} must be a number such as 2 or 2.5, got {text!r}")
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
        hint = ""
        if what in ("deposit points", "withdrawal points", "points"):
            hint = "; use --deposit for what you gave and --withdrawal for what you asked"
        raise InputError(f"{what} must be greater than 0, got {text!r}{hint}")
    if value < MIN_POINTS:
        raise InputError(f"{what} must be at least {MIN_POINTS:g}, got {text!r}")
    if value > MAX_POINTS:
        raise InputError(
            f"{what} must be at most {MAX_POINTS:g} (scale: 1 a thank-you, 3 a real favour, "
            f"5 a life-changing introduction), got {text!r}"
        )
    return value


# The fields of a contact that can be edited, as edits name them.
EDIT_FIELDS = (
    "name", "kind", "circle", "tags", "note", "emails",
    "org", "sector", "birthday", "aliases", "archived", "mode",
)  # fmt: skip
# What a relationship is for: working together toward shared goals (engagement), a
# friend or family (personal), or an exchange of services (transactional).
MODES = ("engagement", "personal", "transactional")
# Where a contact works, after the essays' multi-sector collaboration.
SECTORS = ("business", "nonprofit", "government", "academia", "community")
_KINDS = ("person", "org", "cause")


def parse_sector(text: str, none_ok: bool = False) -> str:
    """A sector as typed (any case); with `none_ok`, '' or 'none' for no sector."""
    sector = text.strip().lower()
    if none_ok and sector in ("", "none"):
        return ""
    if sector not in SECTORS:
        extra = " (or '' for none)" if none_ok else ""
        raise ValueError(f"unknown sector {text!r}; sectors are {', '.join(SECTORS)}{extra}")
    return sector


_CIRCLES = ("inner", "close", "active", "wide")


_MONTHS = {
    m: n
    for n, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        1,
    )
    for m in names
}  # fmt: skip


def clean_birthday(text: str) -> str:
    """A birthday as people write it, stored as ISO: 1985-04-12, or --04-12 without a year.

    Accepts 1985-04-12 (or 1985/04/12), 04-12 and --04-12 (month, day), and the
    month by name: 12 April, April 12, 12 Apr 1985, April 12, 1985. A day in
    numbers only, such as 4/12/1985, is refused: it reads both ways.
    """
    import re

    raw = " ".join(text.split()).lower().replace(",", " ")
    if not raw:
        return ""
    forms = "such as 1985-04-12, 04-12 or 12 April"
    if len(raw) > MAX_BIRTHDAY or not raw.isprintable():
        raise ValueError(f"a birthday is a day {forms} (got {text!r})")
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", raw):
        return _birthday_of(int(m[1]), int(m[2]), int(m[3]), text)
    if m := re.fullmatch(r"(?:--)?(\d{1,2})-(\d{1,2})", raw):
        return _birthday_of(None, int(m[1]), int(m[2]), text)
    words = raw.replace(".", " ").split()
    if len(words) in (2, 3):
        day_first = words[0].isdigit() and words[1] in _MONTHS
        month_first = words[0] in _MONTHS and words[1].isdigit()
        year = words[2] if len(words) == 3 else None
        if (day_first or month_first) and (year is None or re.fullmatch(r"\d{4}", year)):
            day, month = (words[0], words[1]) if day_first else (words[1], words[0])
            return _birthday_of(int(year) if year else None, _MONTHS[month], int(day), text)
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", raw):
        raise ValueError(
            f"{text!r} reads both ways (day or month first); write 1985-04-12 or 12 April 1985"
        )
    raise ValueError(f"a birthday is a day {forms} (got {text!r})")


def _birthday_of(year: int | None, month: int, day: int, text: str) -> str:
    import calendar
    from datetime import date

    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        raise ValueError(f"no such day as {text!r}")
    if year is not None and not 1900 <= year <= date.today().year:
        raise ValueError(f"a birthday's year is from 1900 to this year (got {year})")
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def clean_change(field: str, value: object) -> object:
    """One edit's value, checked as `add` and imports check it (the one gate for edits).

    Lists are JSON lists of text; `org` is the organisation's uid or None;
    `archived` a stored moment or None.
    """
    if field not in EDIT_FIELDS:
        raise ValueError(f"{field!r} is not a field of a contact")
    if field in ("org", "archived"):
        if value is None:
            return None
        if not isinstance(value, str) or not 0 < len(value) <= 64 or not value.isprintable():
            raise ValueError(f"{field} is a text of at most 64 characters or null")
        return value
    if field in ("tags", "emails", "aliases"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{field} is a list of texts")
        if field == "tags":
            return clean_tags(value)
        if field == "emails":
            return clean_items([v.lower() for v in value], "email", MAX_EMAIL)
        names = list(dict.fromkeys(clean_name(v) for v in value))
        if len(names) > MAX_ITEMS:
            raise ValueError(f"at most {MAX_ITEMS} aliases (got {len(names)})")
        return names
    if not isinstance(value, str):
        raise ValueError(f"{field} is a text")
    choices = {"kind": _KINDS, "circle": _CIRCLES, "sector": ("", *SECTORS), "mode": MODES}.get(
        field
    )
    if choices is not None:
        if value not in choices:
            raise ValueError(f"{field} is one of {', '.join(c for c in choices if c)}")
        return value
    if field == "name":
        return clean_name(value)
    if field == "note":
        return clean_note(value)
    return clean_birthday(value)
