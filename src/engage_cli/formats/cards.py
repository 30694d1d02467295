"""Address-book cards in: vCard 3.0/4.0 (parsed with vobject) and CSV exports.

Pure parsing, no ledger: text in, `Card`s and `Problem`s out. A card that
cannot be read is reported with its position and skipped; the rest still count.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from engage_cli.errors import InputError
from engage_cli.inputs import (
    MAX_BIRTHDAY,
    MAX_EMAIL,
    MAX_ITEMS,
    MAX_PHONE,
    clean_field,
    clean_items,
    clean_name,
    clean_note,
    clean_tags,
)


class Card(NamedTuple):
    position: int  # 1-based: the card in a vCard file, the data row in a CSV
    name: str
    kind: str = "person"
    org: str = ""
    nickname: str = ""
    birthday: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    note: str = ""
    anniversary: str = ""  # a vCard's ANNIVERSARY, as ISO (1999-06-12 or --06-12)


class Named(NamedTuple):
    """What an import's report keeps of a card: 100,000 cards stay small."""

    position: int
    name: str


class Problem(NamedTuple):
    position: int
    reason: str


def _email(value: str) -> str:
    return value.strip().removeprefix("mailto:").strip().lower()


def _phone(value: str) -> str:
    return value.strip().removeprefix("tel:").strip()


def _birthday(value: str) -> str:
    """ISO dates as ISO (19850412 → 1985-04-12, --0412 → --04-12); anything else as given."""
    v = value.strip()
    if v in ("0/0/00", "0/0/0000", "00/00/0000", "1604-01-01"):  # exporters' "no birthday"
        return ""
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", v)
    if m:
        return f"{m[1]}-{m[2]}-{m[3]}"
    m = re.fullmatch(r"--(\d{2})-?(\d{2})", v)
    if m:
        return f"--{m[1]}-{m[2]}"
    return v[:40]


def _tags(values: list[str]) -> tuple[str, ...]:
    """The card's usable tags, each once, in order (linear: a dict keeps them)."""
    out: dict[str, None] = {}
    for v in values:
        try:
            out.update(dict.fromkeys(clean_tags([v])))
        except ValueError:
            continue  # an unusable category is dropped, not the whole card
    return tuple(out)[:MAX_ITEMS]


def _card(position: int, fields: dict[str, Any]) -> Card | Problem:
    raw = str(fields.get("name") or "").strip()
    if not raw:
        return Problem(position, "no name (neither FN nor N)")
    try:
        name = clean_name(raw)
        note = clean_note(str(fields.get("note", ""))[:10_000].replace("\x00", ""))
        org = clean_field(str(fields.get("org", "")), "an organisation", cut=True)
        nickname = clean_field(str(fields.get("nickname", "")), "a nickname", cut=True)
        birthday = clean_field(
            _birthday(str(fields.get("birthday", ""))), "a birthday", MAX_BIRTHDAY, cut=True
        )
        emails = clean_items(
            [_email(e) for e in fields.get("emails", [])], "email", MAX_EMAIL, cut=True
        )
        phones = clean_items(
            [_phone(p) for p in fields.get("phones", [])], "phone", MAX_PHONE, cut=True
        )
        tags = _tags(list(fields.get("tags", [])))
        anniversary = _birthday(str(fields.get("anniversary", "")))
        if not re.fullmatch(r"(\d{4}|-)-\d{2}-\d{2}", anniversary):
            anniversary = ""  # only a day it names for sure
    except ValueError as exc:
        return Problem(position, f"{exc} ({raw[:40]!r})")
    return Card(
        position=position,
        name=name,
        kind=fields.get("kind", "person"),
        org=org,
        nickname=nickname,
        birthday=birthday,
        emails=tuple(emails),  # lower case already (_email)
        phones=tuple(phones),
        tags=tags,
        note=note,
        anniversary=anniversary,
    )


# --- vCard ---------------------------------------------------------------------------

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.I)
_END = re.compile(r"^END:VCARD\s*$", re.I)


# Properties whose value is one text: many exporters leave their commas unescaped,
# and a vCard parser would cut the value at the first one ("Lee, Ann" -> "Lee").
_TEXT_PROPS = re.compile(r"^(?:[\w-]+\.)?(FN|NOTE|NICKNAME|TITLE|ROLE)([;:])", re.I)


def _logical_lines(text: str) -> Iterator[str]:
    """Unfold lines (RFC 6350 3.2) and quoted-printable soft breaks (vCard 2.1).

    Splits on CRLF or LF only: U+2028 or a form feed inside a value stays in it.
    Linear in the size of the text: each logical line is gathered as parts and
    joined once, and whether it is quoted-printable is read once, from its
    first physical line (a 50 MB folded PHOTO costs one pass, not one per fold).
    One line at a time: the text is never held twice.
    """
    parts: list[str] = []
    qp = False
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end].removesuffix("\r")
        start = end + 1
        if parts and line[:1] in (" ", "\t"):
            parts.append(line[1:])
        elif parts and qp and parts[-1].endswith("="):
            parts[-1] = parts[-1][:-1]
            parts.append(line)
        else:
            if parts:
                yield "".join(parts)
            parts = [line]
            qp = "QUOTED-PRINTABLE" in line.partition(":")[0].upper()
    if parts:
        yield "".join(parts)


def _escape_text_commas(line: str) -> str:
    m = _TEXT_PROPS.match(line)
    if not m:
        return line
    head, sep, value = line.partition(":")
    return f"{head}{sep}" + re.sub(r"(?<!\\),", r"\\,", value)


# Properties engage never reads and which can be megabytes of base64 each, and any
# line longer than a note may be: left out before the parser sees the card.
MAX_LINE = 100_000
_IGNORED = re.compile(r"^(?:[\w-]+\.)?(PHOTO|LOGO|SOUND|KEY)[;:]", re.I)


def _split_cards(text: str) -> Iterator[str]:
    """Each BEGIN:VCARD … END:VCARD block as its own text, lines unfolded."""
    block: list[str] = []
    inside = False
    lines = (
        line for line in _logical_lines(text) if len(line) <= MAX_LINE and not _IGNORED.match(line)
    )
    for line in map(_escape_text_commas, lines):
        if _BEGIN.match(line):
            if inside:  # the previous card never ended: hand it over, let it fail
                yield "\r\n".join(block) + "\r\n"
            block, inside = [line], True
        elif inside:
            block.append(line)
            if _END.match(line):
                inside = False
                yield "\r\n".join(block) + "\r\n"
    if inside:
        yield "\r\n".join(block) + "\r\n"  # unterminated: let the parser say so


def _values(component: Any, key: str) -> list[Any]:
    return [line.value for line in component.contents.get(key, [])]


def _vcard_fields(component: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    fn = [v for v in _values(component, "fn") if str(v).strip()]
    if fn:
        fields["name"] = str(fn[0])
    else:
        for n in _values(component, "n"):
            parts = [n.prefix, n.given, n.additional, n.family, n.suffix]
            flat = [" ".join(p) if isinstance(p, list) else str(p) for p in parts]
            name = " ".join(p for p in flat if p.strip())
            if name:
                fields["name"] = name
                break
    orgs = _values(component, "org")
    if orgs:
        org = orgs[0]
        fields["org"] = ", ".join(p for p in org if p) if isinstance(org, list) else str(org)
    nick = _values(component, "nickname")
    if nick:
        fields["nickname"] = str(nick[0])
    bday = _values(component, "bday")
    if bday:
        fields["birthday"] = str(bday[0])
    anniversary = _values(component, "anniversary") or _values(component, "x-anniversary")
    if anniversary:
        fields["anniversary"] = str(anniversary[0])
    fields["emails"] = [str(v) for v in _values(component, "email")]
    fields["phones"] = [str(v) for v in _values(component, "tel")]
    tags: list[str] = []
    for cats in _values(component, "categories"):
        tags += [str(c) for c in (cats if isinstance(cats, list) else [cats])]
    fields["tags"] = tags
    notes = _values(component, "note")
    if notes:
        fields["note"] = "\n".join(str(n) for n in notes)
    kinds = [str(k).lower() for k in _values(component, "kind")]
    if "org" in kinds or (
        "x-abshowas" in component.contents
        and any(str(v).upper() == "COMPANY" for v in _values(component, "x-abshowas"))
    ):
        fields["kind"] = "org"
    return fields


def _quiet_vobject() -> Any:
    import logging

    import vobject  # only `engage import contacts` pays for it

    # vobject logs what it skips to stderr; engage reports problems itself.
    # vobject.base has a handler and a level of its own: silence it too, or a
    # crafted card's bytes reach the terminal through the log (escape sequences).
    for name in ("vobject", "vobject.base"):
        quiet = logging.getLogger(name)
        quiet.setLevel(logging.CRITICAL + 1)
        quiet.propagate = False
        quiet.handlers = [logging.NullHandler()]
    return vobject


def _count_vcards(text: str) -> int:
    """How many cards _split_cards will hand over (a pass that parses nothing)."""
    return sum(1 for line in _logical_lines(text) if len(line) <= MAX_LINE and _BEGIN.match(line))


def _vcards(text: str) -> Iterator[Card | Problem]:
    """Each card of a vCard file, or the problem that makes it unreadable, as read."""
    vobject = _quiet_vobject()
    for position, block in enumerate(_split_cards(text), 1):
        try:
            component = vobject.readOne(block, ignoreUnreadable=True)
            got = _card(position, _vcard_fields(component))
        except Exception as exc:  # vobject raises many kinds for broken cards
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            got = Problem(position, f"unreadable card: {reason[:120]}")
        yield got


_NO_VCARD = Problem(0, "no BEGIN:VCARD found: not a vCard file")


def read_vcards(text: str) -> tuple[list[Card], list[Problem]]:
    if not _count_vcards(text):
        return [], [_NO_VCARD]
    return _sorted(_vcards(text))


def _sorted(items: Iterable[Card | Problem]) -> tuple[list[Card], list[Problem]]:
    cards: list[Card] = []
    problems: list[Problem] = []
    for got in items:
        (cards if isinstance(got, Card) else problems).append(got)  # type: ignore[arg-type]
    return cards, problems


# --- CSV -----------------------------------------------------------------------------

FIELDS = ("name", "first", "middle", "last", "nickname", "org", "birthday", "note", "tags")
_ALIASES = {
    "name": ("name", "full name", "display name", "fn", "contact"),
    "first": ("first name", "given name", "firstname"),
    "middle": ("middle name", "additional name"),
    "last": ("last name", "family name", "surname", "lastname"),
    "nickname": ("nickname", "nick name"),
    "org": ("organization", "organization name", "organization 1 - name", "company", "org"),
    "birthday": ("birthday", "bday", "birth date", "date of birth"),
    "note": ("notes", "note"),
    "tags": ("labels", "group membership", "categories", "tags", "groups"),
}


def _multi(value: str) -> list[str]:
    """The values of a multi-valued CSV cell (Google's " ::: ", or ";"), stripped.

    Split by plain string methods, not a regex with a leading `\\s*`, which
    backtracks quadratically on a long run of spaces.
    """
    return [v.strip() for part in value.split(":::") for v in part.split(";")]


def _column_kind(header: str) -> str | None:
    h = header.strip().lower()
    if re.search(r"\b(type|label|display)\b", h):
        return None
    if "e-mail" in h or "email" in h:
        return "email"
    if "phone" in h or h in ("mobile", "tel", "telephone"):
        return "phone"
    return None


MAX_COLUMNS = 10_000
# A cell may be as long as this (csv's default is 128 KiB); a longer one is an error
# that names its row, not a crash.
MAX_CELL = 1 << 20


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The reader's rows, numbered from 1; a malformed file is a ValueError naming the row."""
    csv.field_size_limit(MAX_CELL)
    position = 0
    while True:
        position += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"row {position} of the CSV cannot be read: {exc}") from None
        yield position, row


def read_csv(text: str, mapping: dict[str, str] | None = None) -> tuple[list[Card], list[Problem]]:
    """Google Contacts, Outlook or any CSV with a header row; `mapping` names columns by field."""
    deck = _csv(text, mapping)
    return ([], [deck.problem]) if deck.problem else _sorted(deck.items)


def _widest(body: str, delimiter: str) -> int:
    """The most delimiters on one line (as str.splitlines cuts them), a line at a time."""
    return max((m[0].count(delimiter) for m in _LINE.finditer(body)), default=0)


_LINE = re.compile("[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


def _csv(text: str, mapping: dict[str, str] | None = None) -> Deck:
    body = text.lstrip("\ufeff")
    first = body.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first else ","  # Europe's Excel uses ";"
    widest = _widest(body, delimiter)
    if widest >= MAX_COLUMNS:
        raise ValueError(f"a row of the CSV has {widest + 1:,} columns; at most {MAX_COLUMNS:,}")
    reader = csv.DictReader(io.StringIO(body), delimiter=delimiter)
    headers = reader.fieldnames or []
    if not headers:
        return Deck("csv", 0, iter(()), Problem(0, "no header row: not a CSV of contacts"))
    lower = {h.strip().lower(): h for h in headers}
    columns: dict[str, str] = {}
    for field, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in lower:
                columns[field] = lower[alias]
                break
    for field, column in (mapping or {}).items():
        if column not in headers:
            raise ValueError(f"no column {column!r} in the CSV; it has: {', '.join(headers)}")
        columns[field] = column
    email_cols = [h for h in headers if _column_kind(h) == "email"]
    phone_cols = [h for h in headers if _column_kind(h) == "phone"]
    if "email" in (mapping or {}):
        email_cols = [mapping["email"]]  # type: ignore[index]
    if "phone" in (mapping or {}):
        phone_cols = [mapping["phone"]]  # type: ignore[index]
    if "name" not in columns and "first" not in columns and "last" not in columns:
        why = f"no name column (looked for: name, first name, last name); has {headers}"
        return Deck("csv", 0, iter(()), Problem(0, why))
    rows = _csv_cards(reader, columns, email_cols, phone_cols)
    return Deck("csv", body.count("\n"), rows, None)


def _csv_cards(
    reader: csv.DictReader[str], columns: dict[str, str], email_cols: list[str],
    phone_cols: list[str],
) -> Iterator[Card | Problem]:  # fmt: skip
    for position, row in _rows(reader):

        def get(field: str, row: dict[str, Any] = row) -> str:
            column = columns.get(field)
            return str(row.get(column) or "").strip() if column else ""

        name = get("name") or " ".join(p for p in (get("first"), get("middle"), get("last")) if p)
        if not name and get("org"):
            name = get("org")
        emails = [e for c in email_cols for e in _multi(str(row.get(c) or "")) if e]
        phones = [
            p.strip() for c in phone_cols for p in str(row.get(c) or "").split(":::") if p.strip()
        ]
        tags = [
            t.lstrip("* ").strip()
            for t in _multi(get("tags"))
            if t and t.strip() not in ("* myContacts", "myContacts")
        ]
        fields = {
            "name": name,
            "org": get("org"),
            "nickname": get("nickname"),
            "birthday": get("birthday"),
            "note": get("note"),
            "emails": emails,
            "phones": phones,
            "tags": tags,
        }
        yield _card(position, fields)


class Deck(NamedTuple):
    """An address book as it is read: its format, about how many cards it holds (for a
    progress bar), its cards and the problems of those it skips, one at a time (a CSV
    row that cannot be read raises ValueError then), and `problem`, what makes the
    whole file unreadable (the deck is then empty)."""

    format: str
    size: int
    items: Iterator[Card | Problem]
    problem: Problem | None

    def cards(self, problems: list[Problem]) -> Iterator[Card]:
        """The cards as they are read, each card skipped added to `problems`; a file that
        cannot be read on is an InputError."""
        try:
            for got in self.items:
                if isinstance(got, Card):
                    yield got
                else:
                    problems.append(got)
        except ValueError as exc:
            raise InputError(str(exc)) from None


def open_cards(text: str, filename: str, mapping: dict[str, str] | None = None) -> Deck:
    """vCard or CSV, by content first and the file name second; what is wrong with the
    whole file (a column --map names that is not there) is a ValueError at once."""
    head = text.lstrip("\ufeff \r\n\t")[:20].upper()
    if head.startswith("BEGIN:VCARD") or filename.lower().endswith((".vcf", ".vcard")):
        size = _count_vcards(text)
        if not size:
            return Deck("vcard", 0, iter(()), _NO_VCARD)
        return Deck("vcard", size, _vcards(text), None)
    return _csv(text, mapping)


def read_cards(
    text: str, filename: str, mapping: dict[str, str] | None = None
) -> tuple[str, list[Card], list[Problem]]:
    """vCard or CSV, by content first and the file name second, all read at once."""
    deck = open_cards(text, filename, mapping)
    if deck.problem:
        return deck.format, [], [deck.problem]
    return (deck.format, *_sorted(deck.items))
