"""Globally unique, time-sortable identifiers (UUID version 7, RFC 9562)."""

from __future__ import annotations

import os
import time

_last_ms = -1
_last_seq = 0


def uuid7(now_ns: int | None = None) -> str:
    """A UUIDv7 string: 48 bits of Unix milliseconds, then random bits.

    Identifiers made by one process are strictly increasing, even within the
    same millisecond (a 12-bit counter seeded at random takes the `rand_a` bits).
    """
    global _last_ms, _last_seq
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    if ms <= _last_ms:
        ms = _last_ms
        _last_seq += 1
        if _last_seq > 0xFFF:
            ms += 1
            _last_seq = 0
    else:
        _last_seq = int.from_bytes(os.urandom(2), "big") & 0x7FF
    _last_ms = ms
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= _last_seq << 64
    value |= 0b10 << 62
    value |= rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def short(entry_id: str) -> str:
    """The short form people type: the last eight hex digits (random, so distinct)."""
    return entry_id.replace("-", "")[-8:]
