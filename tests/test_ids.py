"""Entry and contact ids: unique, and sortable by time (UUIDv7)."""

from __future__ import annotations


def test_ids_are_unique_and_time_sortable() -> None:
    from engage_cli.ids import uuid7

    ids = [uuid7() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(i[14] == "7" for i in ids)  # version nibble
