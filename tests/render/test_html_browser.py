"""The review page as a browser draws it: headless Chromium takes a screenshot, and the
charts' colours are found in its pixels (PNG read with the standard library).

Marked `browser`: left out of the default run, run by `pytest -m browser` (.ci/run
installs Chromium first). Without Chromium the test fails: it is never skipped.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from tests.helpers import AS_OF, Run, ok

from engage_cli.render.html import ASK_COLOR, DEPOSIT_COLOR, LINE_COLOR

pytestmark = pytest.mark.browser


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no chromium or chromium-browser on PATH: install Chromium to run these tests")


def _unfilter(kind: int, row: bytearray, prev: bytes | bytearray, bpp: int) -> bytearray:
    if kind == 0:
        return row
    if kind == 2:
        return bytearray((a + b) & 0xFF for a, b in zip(row, prev, strict=True))
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        up = prev[i]
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        else:  # 4, Paeth
            corner = prev[i - bpp] if i >= bpp else 0
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            guess = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
            row[i] = (row[i] + guess) & 0xFF
    return row


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), prev, bpp)
        prev = bytes(row)
        rows.append(prev if bpp == 3 else bytes(b for i, b in enumerate(prev) if i % 4 != 3))
    return width, height, rows


def where(rows: list[bytes], color: str, slack: int = 6) -> list[tuple[int, int]]:
    """(x, y) of every pixel within `slack` of `color` in each channel."""
    want = bytes.fromhex(color.lstrip("#"))
    found = []
    for y, row in enumerate(rows):
        for x in range(0, len(row), 3):
            if all(abs(row[x + c] - want[c]) <= slack for c in range(3)):
                found.append((x // 3, y))
    return found


def screenshot(page: Path, out: Path, width: int, height: int) -> tuple[int, int, list[bytes]]:
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={out.parent / ('profile-' + out.stem)}",
            f"--screenshot={out}",
            f"--window-size={width},{height}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.exists(), f"chromium wrote no screenshot (exit {result.returncode}): {result.stderr}"
    return read_png(out)


@pytest.mark.parametrize(("width", "height"), [(800, 1200), (400, 1200)])
def test_the_chart_is_drawn(week: Run, tmp_path: Path, width: int, height: int) -> None:
    page = tmp_path / "weekly.html"
    ok(week("review", "--as-of", AS_OF, "--html", str(page)))
    shot_w, shot_h, rows = screenshot(page, tmp_path / f"shot{width}.png", width, height)
    assert (shot_w, shot_h) == (width, height)
    # The page is not blank: most of it is background, some of it is text.
    assert len({row[x : x + 3] for row in rows[::40] for x in range(0, len(row), 60)}) > 3
    deposits, asks = where(rows, DEPOSIT_COLOR), where(rows, ASK_COLOR)
    # The bars: the last week's deposits (2) and asks (4), the week before's deposit (1);
    # the legend's swatches are a few pixels, each bar far more.
    assert len(deposits) > 600 and len(asks) > 600, (len(deposits), len(asks))
    columns: dict[int, int] = {}
    for x, _ in asks:
        columns[x] = columns.get(x, 0) + 1
    assert max(columns.values()) > 50, "the ask bar is drawn as a bar, not a line"
    # Inside the page, not off its right edge.
    assert max(x for x, _ in deposits + asks) < width - 8
    # The bars stand on one baseline: the asks' lowest row is the deposits' lowest row.
    assert abs(max(y for _, y in deposits) - max(y for _, y in asks)) <= 1
    # The circles' charge lines are drawn too (below the bars, where the window reaches).
    lines = where(rows, LINE_COLOR, slack=10)
    assert lines and min(y for _, y in lines) > max(y for _, y in asks)
