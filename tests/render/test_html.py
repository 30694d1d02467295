"""`engage review --html FILE`: one self-contained page, through the real CLI, read back
with the standard library's HTML parser."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.helpers import AS_OF, Run, fails, ok
from tests.test_startup import PROBE

HOSTILE = "<img src=x onerror=alert(1)>"


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parents: list[Element]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parents = list(parents)
        self.text = ""
        self.children: list[Element] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def inside(self, tag: str, **attrs: str) -> bool:
        return any(
            p.tag == tag and all(p.attrs.get(k) == v for k, v in attrs.items())
            for p in self.parents
        )

    def find(self, tag: str) -> list[Element]:
        found = [c for c in self.children if c.tag == tag]
        for c in self.children:
            found += c.find(tag)
        return found


class Page(HTMLParser):
    """Every element of a page with its attributes, its text and where it sits."""

    VOID: ClassVar[set[str]] = {
        "meta",
        "br",
        "link",
        "img",
        "input",
        "hr",
        "source",
        "area",
        "base",
        "col",
        "wbr",
    }

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.data: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        if self.open:
            self.open[-1].children.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.data.append(data)
        for element in self.open:
            element.text += data

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


def write_page(run: Run, tmp_path: Path, *args: str) -> tuple[Path, str]:
    out = tmp_path / "weekly.html"
    result = ok(run("review", "--as-of", AS_OF, "--html", str(out), *args))
    assert result.stdout == ""
    assert result.stderr.strip() == f"wrote the review to {out}"
    return out, out.read_text(encoding="utf-8")


NOTE = '</title><script>x()</script>"><svg onload=alert(2)>'


@pytest.fixture
def hostile(week: Run) -> Run:
    """The week's ledger and someone whose name and old open ask's note are markup."""
    ok(week("add", HOSTILE, "--circle", "close", "--on", "2026-10-01"))
    ok(week("log", HOSTILE, "-d", "1", "--on", "2026-11-19"))
    ok(week("log", HOSTILE, "-w", "1", "--on", "2026-10-20", "-m", NOTE))
    return week


def test_the_page_is_self_contained_and_fits_a_phone(hostile: Run, tmp_path: Path) -> None:
    _, text = write_page(hostile, tmp_path)
    page = Page(text)
    assert text.startswith("<!doctype html>")
    assert not page.all("script") and "<script" not in text.lower()
    assert not re.search(r"(https?:|//[a-z]|url\(|@import)", text, re.IGNORECASE)
    for element in page.elements:
        assert not {"src", "href", "srcset", "action", "xlink:href"} & set(element.attrs)
        assert not any(name.startswith("on") for name in element.attrs), element.attrs
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    metas = {m.attrs.get("name") or m.attrs.get("http-equiv"): m.attrs for m in page.all("meta")}
    assert metas["viewport"]["content"] == "width=device-width, initial-scale=1"
    assert metas["Content-Security-Policy"]["content"].startswith("default-src 'none'")
    css = page.all("style")[0].text
    assert "@media (max-width:" in css
    assert [s.attrs["id"] for s in page.all("section")] == [
        "balance",
        "weeks",
        "circles",
        "reconnect",
        "prompts",
        "asks",
        "contacts",
    ]


def test_one_bar_per_week_as_high_as_its_points(week: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weeks = run_json("trend", "--weeks", "8", "--as-of", AS_OF)
    _, text = write_page(week, tmp_path)
    page = Page(text)
    (chart,) = [s for s in page.all("svg") if s.attrs.get("id") == "weeks-chart"]
    assert chart.attrs["role"] == "img"
    titles = [t for t in chart.children if t.tag == "title"]
    assert titles and titles[0].text.startswith("Deposits and asks per week, 2026-09-26")
    assert chart.attrs["aria-labelledby"] == titles[0].attrs["id"]
    bars = chart.find("rect")
    for kind, key in (("dep", "deposits"), ("ask", "withdrawals")):
        mine = [b for b in bars if kind in b.classes]
        assert [int(b.attrs["data-week"]) for b in mine] == list(range(8))
        values = [w[key] for w in weeks]
        assert [float(b.attrs["data-value"]) for b in mine] == values
        scale = max(max(w["deposits"], w["withdrawals"]) for w in weeks)
        tallest = max(float(b.attrs["height"]) for b in bars)
        for bar, value in zip(mine, values, strict=True):
            assert float(bar.attrs["height"]) == pytest.approx(value / scale * tallest, abs=0.01)
            # standing on one baseline
            bottom = float(bar.attrs["y"]) + float(bar.attrs["height"])
            assert bottom == pytest.approx(
                float(bars[0].attrs["y"]) + float(bars[0].attrs["height"])
            )
    labels = [t.text for t in chart.find("text")]
    assert "11-14" in labels and "09-26" in labels  # each week's first day
    assert (
        sum(1 for b in bars if float(b.attrs["height"]) > 0) == 3
    )  # the last week's two, a deposit the week before


def test_each_circle_charge_is_what_balance_says_then(week: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, text = write_page(week, tmp_path)
    charts = {
        s.attrs["data-circle"]: s for s in Page(text).all("svg") if "circle-chart" in s.classes
    }
    assert set(charts) == {"inner", "close", "active", "wide"}
    end = datetime.fromisoformat("2026-11-20T23:59:59")
    for i in (7, 6, 4, 0):  # the end of the last week, the one before, ... the first
        moment = end - timedelta(days=7 * (7 - i))
        balance = run_json("balance", "--all", "--as-of", moment.isoformat())
        for circle, chart in charts.items():
            dots = chart.find("circle")
            assert len(dots) == 8
            expected = sum(c["charge"] for c in balance["contacts"] if c["circle"] == circle)
            assert float(dots[i].attrs["data-value"]) == pytest.approx(expected, abs=1e-5)
    # Higher charge, higher dot: the line is drawn to one scale per circle.
    for chart in charts.values():
        dots = [(float(d.attrs["data-value"]), float(d.attrs["cy"])) for d in chart.find("circle")]
        ordered = sorted(dots)
        assert [cy for _, cy in ordered] == sorted((cy for _, cy in dots), reverse=True)
        (line,) = chart.find("polyline")
        assert len(line.attrs["points"].split()) == 8
        assert chart.find("title")[0].text.startswith("Charge of the ")
    assert run_json("balance", "--as-of", AS_OF)["contacts"]  # the moments were not empty


def test_overdue_promises_weigh_on_each_circle_as_balance_says(
    run: Run, run_json, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ok(run("add", "Ann Lee", "--circle", "close", "--on", "2026-10-01"))
    ok(run("add", "Bo Chen", "--on", "2026-10-01"))
    ok(run("log", "Ann Lee", "-d", "2", "--on", "2026-11-15"))
    ok(run("promise", "Ann Lee", "the paper", "--by", "2030-05-10", "--on", "2026-11-16"))
    ok(run("promise", "Bo Chen", "an intro", "--by", "2030-05-03", "--on", "2026-11-16"))
    out = tmp_path / "later.html"
    ok(run("review", "--as-of", "2030-06-01", "--html", str(out)))
    charts = {
        s.attrs["data-circle"]: s
        for s in Page(out.read_text(encoding="utf-8")).all("svg")
        if "circle-chart" in s.classes
    }
    end = datetime.fromisoformat("2030-06-01T23:59:59")
    weighed = set()
    for i in range(8):  # from before the promises weigh to weeks after
        moment = end - timedelta(days=7 * (7 - i))
        balance = run_json("balance", "--all", "--as-of", moment.isoformat())
        for circle in ("close", "active"):
            dots = charts[circle].find("circle")
            expected = sum(c["charge"] for c in balance["contacts"] if c["circle"] == circle)
            assert float(dots[i].attrs["data-value"]) == pytest.approx(expected, abs=1e-5)
            weighed.add(expected < 0)
    assert weighed == {True, False}  # the promises weighed at some moments, not at others


def test_people_text_is_escaped_never_markup(hostile: Run, tmp_path: Path) -> None:
    _, text = write_page(hostile, tmp_path)
    page = Page(text)
    assert HOSTILE not in text and "<svg onload" not in text and "<script" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert not page.all("img") and not page.all("script")
    assert len([t for t in page.all("title") if not t.inside("svg")]) == 1
    assert len(page.all("svg")) == 1 + 4  # the weeks and the four circles: no other
    shown = "".join(page.data)
    assert shown.count(HOSTILE) == 2  # in the old asks and the period's table
    assert NOTE in shown  # read as the text it is


def test_control_characters_show_as_stand_ins(week: Run, tmp_path: Path) -> None:
    ok(week("log", "Ann Lee", "-w", "1", "--on", "2026-10-20", "-m", "right\u202eleft"))
    _, text = write_page(week, tmp_path)
    assert "\u202e" not in text


def test_the_page_is_owner_only(week: Run, tmp_path: Path) -> None:
    out, _ = write_page(week, tmp_path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".weekly.html")]


def test_an_existing_file_is_kept_unless_forced(week: Run, tmp_path: Path) -> None:
    out = tmp_path / "notes.html"
    out.write_text("my own notes", encoding="utf-8")
    out.chmod(0o644)
    message = fails(week("review", "--as-of", AS_OF, "--html", str(out)))
    assert "already exists; add --force to replace it" in message
    assert out.read_text(encoding="utf-8") == "my own notes"
    ok(week("review", "--as-of", AS_OF, "--html", str(out), "--force"))
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_never_a_database_or_the_ledger(week: Run, db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before, ledger = other.read_bytes(), db_path.read_bytes()
    assert "is a SQLite database" in fails(week("review", "--html", str(other), "--force"))
    assert "the ledger" in fails(week("review", "--html", str(db_path), "--force"))
    assert other.read_bytes() == before and db_path.read_bytes() == ledger
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "elsewhere.html")
    assert "symbolic link" in fails(week("review", "--html", str(link)))
    assert not (tmp_path / "elsewhere.html").exists()


def test_html_and_json_are_two_outputs(week: Run, tmp_path: Path) -> None:
    out = tmp_path / "weekly.html"
    assert "give one of them" in fails(week("review", "--html", str(out), "--json"), code=2)
    assert "--force goes with --html" in fails(week("review", "--force"), code=2)
    assert not out.exists()


def test_dash_writes_the_page_to_stdout(week: Run) -> None:
    result = ok(week("review", "--as-of", AS_OF, "--html", "-"))
    assert result.stdout.startswith("<!doctype html>") and result.stderr == ""


def test_a_quiet_ledger_draws_empty_charts(week: Run, tmp_path: Path) -> None:
    out = tmp_path / "quiet.html"
    ok(week("review", "--as-of", "2026-10-01", "--html", str(out)))
    page = Page(out.read_text(encoding="utf-8"))
    bars = [r for r in page.all("rect") if "bar" in r.classes]
    assert len(bars) == 16 and all(float(b.attrs["height"]) == 0 for b in bars)
    charts = [s for s in page.all("svg") if "circle-chart" in s.classes]
    assert len(charts) == 4  # the contacts were added that day
    (inner,) = [c for c in charts if c.attrs["data-circle"] == "inner"]
    assert all(float(d.attrs["data-value"]) == 0 for d in inner.find("circle"))


def test_only_html_loads_the_html_view(week: Run, db_path: Path, tmp_path: Path) -> None:
    def loaded(*args: str) -> set[str]:
        out = tmp_path / "modules.json"
        subprocess.run(
            [sys.executable, "-c", PROBE, str(out), "--db", str(db_path), *args],
            capture_output=True,
            check=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        names: list[Any] = json.loads(out.read_text())
        return set(names)

    assert "engage_cli.render.html" not in loaded("review", "--json")
    assert "engage_cli.render.html" not in loaded("review")
    page = tmp_path / "page.html"
    assert "engage_cli.render.html" in loaded("review", "--html", str(page))
    assert page.exists()
