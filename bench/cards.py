"""Write a deterministic address book of synthetic vCards, for timing `engage import contacts`.

    python bench/cards.py --cards 100000 --out /tmp/cards.vcf

Each card has a full and structured name (unique: it ends with its number), an
email and a phone; about half an organisation, a third a birthday, one in five
a nickname, a note or categories; one in ten is a vCard 4.0 card, the rest 3.0,
folded at 75 octets as address books write them.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

FIRST = ("Ann", "Bob", "Cy", "Dee", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo", "Kai", "José")
LAST = ("Lee", "Stone", "Young", "Park", "Ng", "Kim", "Díaz", "Okafor", "Weiss", "Rossi")
ORGS = ("Civic Lab", "Food Hub", "River Trust", "Open Data Co", "City Library", "Bike Works")
CATEGORIES = ("work", "family", "friends", "conference", "neighbours")


def _fold(line: str) -> str:
    """A content line folded at 75 octets, as RFC 6350 asks (continuations start with a space)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        end = min(len(data), start + (75 if not parts else 74))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a character
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def cards(count: int, seed: int = 1) -> Iterator[str]:
    """The cards, one vCard (CRLF line ends) each."""
    rng = random.Random(seed)
    for i in range(count):
        first, last = rng.choice(FIRST), f"{rng.choice(LAST)} {i:06d}"
        version = "4.0" if rng.random() < 0.1 else "3.0"
        lines = ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{first} {last}", f"N:{last};{first};;;"]
        lines.append(f"EMAIL;TYPE=INTERNET:{first.lower()}.{i}@example.org")
        lines.append(f"TEL;TYPE=CELL:+1 555 {i // 10000:03d} {i % 10000:04d}")
        if rng.random() < 0.5:
            lines.append(f"ORG:{rng.choice(ORGS)}")
        if rng.random() < 0.33:
            lines.append(f"BDAY:{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-"
                         f"{rng.randint(1, 28):02d}")  # fmt: skip
        if rng.random() < 0.2:
            lines.append(f"NICKNAME:{first}{i % 100}")
        if rng.random() < 0.2:
            lines.append(f"NOTE:met at the {rng.choice(ORGS)} meetup\\, talked about a long "
                         "project on food policy and the river clean-up")  # fmt: skip
        if rng.random() < 0.2:
            lines.append("CATEGORIES:" + ",".join(rng.sample(CATEGORIES, 2)))
        lines.append("END:VCARD")
        yield "".join(_fold(line) + "\r\n" for line in lines)


def write(count: int, out: Path, seed: int = 1) -> None:
    with out.open("w", encoding="utf-8", newline="") as fh:
        for card in cards(count, seed):
            fh.write(card)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write(args.cards, args.out, args.seed)


if __name__ == "__main__":
    main()
