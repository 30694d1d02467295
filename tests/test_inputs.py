"""Checks of what people type, directly: birthdays, the one field read in many forms."""

from __future__ import annotations

import pytest

from engage_cli.inputs import clean_birthday


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1985-04-12", "1985-04-12"),
        ("1985/04/12", "1985-04-12"),
        ("04-12", "--04-12"),
        ("--04-12", "--04-12"),
        ("12 April", "--04-12"),
        ("April 12, 1985", "1985-04-12"),
        ("12 apr 1985", "1985-04-12"),
        ("Feb 29", "--02-29"),
        ("29 feb 2024", "2024-02-29"),
        ("", ""),
    ],
)
def test_birthdays_people_write(typed: str, stored: str) -> None:
    assert clean_birthday(typed) == stored


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("1985-04-12T10:00", "a birthday is a day"),
        ("12", "a birthday is a day"),
        ("April", "a birthday is a day"),
        ("0229", "a birthday is a day"),
        ("2999-01-01", "from 1900 to this year"),
        ("1899-12-31", "from 1900 to this year"),
        ("29 Feb 2023", "no such day"),
        ("02-30", "no such day"),
        ("4/12/1985", "reads both ways"),
        ("12.04.85", "reads both ways"),
    ],
)
def test_birthdays_that_cannot_be_read_one_way_are_refused(typed: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        clean_birthday(typed)
