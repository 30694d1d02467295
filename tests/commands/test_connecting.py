"""Organisations, sectors, warm paths and the network, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Run, digest, fails, ok

AS_OF = "2026-11-20"


@pytest.fixture
def web(run: Run) -> Run:
    """Civic Lab (nonprofit) with Ann (academia) and Dana (government) at it; Bob met
    through Ann; Eve is warm but linked to nobody."""
    for name, kind in (("Civic Lab", "org"), ("Ann Lee", "person"), ("Bob Stone", "person"),
                       ("Dana Cole", "person"), ("Eve Park", "person")):  # fmt: skip
        ok(run("add", name, "--kind", kind, "--on", "2026-01-01"))
    ok(run("edit", "Civic Lab", "--sector", "nonprofit"))
    ok(run("edit", "Ann Lee", "--org", "Civic Lab", "--sector", "academia"))
    ok(run("edit", "Dana Cole", "--org", "Civic Lab", "--sector", "government"))
    ok(run("log", "Ann Lee", "-d", "2", "--on", "2026-11-10"))
    ok(run("log", "Dana Cole", "-d", "5", "--on", "2026-11-01"))
    ok(run("log", "Eve Park", "-d", "9", "--on", "2026-11-15"))
    ok(run("log", "Bob Stone", "-d", "1", "--via", "Ann Lee", "--on", "2026-11-12"))
    return run


def as_json(run: Run, *args: str) -> Any:
    return json.loads(ok(run(*args, "--json")).stdout)


def test_path_goes_through_an_organisation_warmest_first(web: Run) -> None:
    got = as_json(web, "path", "Civic Lab", "--as-of", AS_OF)
    assert [(p["name"], p["reasons"]) for p in got["paths"]] == [
        ("Dana Cole", ["works at Civic Lab"]),  # charge 5, decayed: warmer than Ann's 2
        ("Ann Lee", ["works at Civic Lab"]),
    ]
    assert got["target"]["name"] == "Civic Lab" and got["total"] == 2
    charges = [p["charge"] for p in got["paths"]]
    assert charges == sorted(charges, reverse=True)


def test_path_goes_through_a_brokered_entry_and_a_colleague(web: Run) -> None:
    got = as_json(web, "path", "Ann Lee", "--as-of", AS_OF)
    reasons = {p["name"]: p["reasons"] for p in got["paths"]}
    assert reasons == {
        "Dana Cole": ["works at Civic Lab, like Ann Lee"],
        "Bob Stone": ["you met through Ann Lee on 2026-11-12"],
        "Civic Lab": ["Ann Lee works there"],
    }
    assert [p["name"] for p in got["paths"]] == ["Dana Cole", "Bob Stone", "Civic Lab"]
    bob = as_json(web, "path", "Bob Stone", "--as-of", AS_OF)["paths"]
    assert [(p["name"], p["reasons"]) for p in bob] == [
        ("Ann Lee", ["brokered your entry with Bob Stone on 2026-11-12"])
    ]
    text = ok(web("path", "Bob Stone", "--as-of", AS_OF)).stdout
    assert "1. brokered your entry with Bob Stone on 2026-11-12" in text


def test_path_sees_the_ledger_as_it_was(web: Run) -> None:
    before = as_json(web, "path", "Bob Stone", "--as-of", "2026-11-11")
    assert before["paths"] == []  # the brokered entry was not logged yet
    assert (
        "nobody you know is linked to them yet"
        in ok(web("path", "Bob Stone", "--as-of", "2026-11-11")).stdout
    )


def test_path_to_an_unknown_name_suggests_close_ones(web: Run, db_path: Path) -> None:
    before = digest(db_path)
    line = fails(web("path", "Civic Labs"))
    assert "no contact named 'Civic Labs'" in line and "Civic Lab" in line
    assert digest(db_path) == before


def test_network_names_the_sectors_not_heard_and_the_bridges(web: Run) -> None:
    got = as_json(web, "network", "--as-of", AS_OF)
    sectors = {s["name"]: (s["contacts"], s["active"]) for s in got["sectors"]}
    assert sectors == {
        "business": (0, 0),
        "nonprofit": (1, 0),  # Civic Lab itself was never contacted
        "government": (1, 1),
        "academia": (1, 1),
        "community": (0, 0),
        "(no sector)": (2, 2),
    }
    assert got["unheard"] == ["business", "nonprofit", "community"]
    bridges = {b["name"]: b["sectors"] for b in got["bridges"]}
    assert bridges["Civic Lab"] == ["academia", "government", "nonprofit"]
    assert bridges["Ann Lee"] == ["academia", "nonprofit"]
    assert "Eve Park" not in bridges
    assert got["connectors"] == [{"name": "Ann Lee", "entries": 1}]
    text = ok(web("network", "--as-of", AS_OF)).stdout
    assert "Voices not heard: business, nonprofit, community" in text


def test_network_as_a_graph_quotes_hostile_names(web: Run) -> None:
    ok(web("add", 'Zed "the" <b>', "--on", "2026-01-01"))
    ok(web("log", "Eve Park", "-d", "1", "--via", 'Zed "the" <b>', "--on", "2026-11-16"))
    dot = ok(web("network", "--format", "dot", "--as-of", AS_OF)).stdout
    assert dot.startswith("graph engage {") and dot.rstrip().endswith("}")
    assert 'label="Zed \\"the\\" <b>"' in dot
    assert dot.count("style=dashed") == 2  # two people at Civic Lab
    mermaid = ok(web("network", "--format", "mermaid", "--as-of", AS_OF)).stdout
    assert mermaid.startswith("graph LR") and "Zed #quot;the#quot; #lt;b#gt;" in mermaid
    assert "<b>" not in mermaid
    assert "is one of text, dot, mermaid" in fails(web("network", "--format", "png"), code=2)


def test_an_organisation_shows_its_people_and_rolls_them_up(web: Run) -> None:
    org = as_json(web, "show", "Civic Lab", "--as-of", AS_OF)
    assert [p["name"] for p in org["people"]] == ["Dana Cole", "Ann Lee"]
    people = sum(
        as_json(web, "show", n, "--as-of", AS_OF)["charge"] for n in ("Ann Lee", "Dana Cole")
    )
    assert org["together"]["charge"] == pytest.approx(org["charge"] + people, abs=1e-12)
    assert org["together"]["deposits"] == 7 and org["together"]["withdrawals"] == 0
    text = ok(web("show", "Civic Lab", "--as-of", AS_OF)).stdout
    assert "People at Civic Lab" in text and "(2 people)" in text
    assert as_json(web, "show", "Eve Park", "--as-of", AS_OF)["together"] is None


def test_groups_and_filters_by_sector_and_organisation(web: Run) -> None:
    by_org = as_json(web, "balance", "--by", "org", "--as-of", AS_OF)["groups"]
    assert {g["name"]: g["contacts"] for g in by_org} == {"Civic Lab": 3, "(no organisation)": 2}
    by_sector = as_json(web, "balance", "--by", "sector", "--as-of", AS_OF)["groups"]
    assert {g["name"]: g["contacts"] for g in by_sector} == {
        "academia": 1, "government": 1, "nonprofit": 1, "(no sector)": 2,
    }  # fmt: skip
    assert [c["name"] for c in as_json(web, "contacts", "--org", "Civic Lab")] == [
        "Ann Lee",
        "Dana Cole",
    ]
    assert [c["name"] for c in as_json(web, "contacts", "--sector", "Government")] == ["Dana Cole"]
    due = as_json(web, "who-neglected", "--all", "--sector", "academia", "--as-of", AS_OF)
    assert [c["name"] for c in due["contacts"]] == ["Ann Lee"]


@pytest.mark.parametrize(
    "args",
    [
        ["contacts", "--sector", "media"],
        ["who-neglected", "--sector", "media"],
        ["edit", "Ann Lee", "--sector", "media"],
    ],
)
def test_an_unknown_sector_lists_the_accepted_ones(
    web: Run, db_path: Path, args: list[str]
) -> None:
    before = digest(db_path)
    line = fails(web(*args))
    assert "unknown sector 'media'; sectors are business, nonprofit, government" in line
    assert digest(db_path) == before


def test_an_introduction_charges_both_and_links_them(web: Run, db_path: Path) -> None:
    before = {
        n: as_json(web, "show", n, "--as-of", AS_OF)["charge"] for n in ("Bob Stone", "Eve Park")
    }
    said = ok(web("intro", "Bob Stone", "Eve Park", "-m", "both cook", "--on", "2026-11-18")).stdout
    assert said.startswith("introduced Bob Stone and Eve Park:")
    for name, other in (("Bob Stone", "Eve Park"), ("Eve Park", "Bob Stone")):
        got = as_json(web, "show", name, "--as-of", AS_OF)
        half_life = got["half_life_days"]
        expected = before[name] + 1 * 2 ** (-(2.5 - 1 / 86400 * 0) / half_life)  # intro_points 1
        assert got["charge"] == pytest.approx(expected, abs=1e-3)
        assert got["introduced"] == [{"name": other, "at": "2026-11-18T12:00:00Z"}]
        assert got["recent"][0]["note"] == f"introduced to {other}: both cook"
    reasons = as_json(web, "path", "Eve Park", "--as-of", AS_OF)["paths"]
    assert [(p["name"], p["reasons"]) for p in reasons] == [
        ("Bob Stone", ["you introduced them to Eve Park on 2026-11-18"])
    ]
    links = as_json(web, "network", "--as-of", AS_OF)["links"]
    assert {"from": "Bob Stone", "to": "Eve Park", "kind": "introduced", "count": 1} in links
    # What one later does for the other through them credits the introduction.
    ok(web("log", "Eve Park", "-d", "1", "--via", "Bob Stone", "--on", "2026-11-19"))
    connectors = as_json(web, "balance", "--as-of", AS_OF)["connectors"]
    bob = next(c for c in connectors if c["name"] == "Bob Stone")
    assert (bob["entries"], bob["introduced"]) == (1, 1)
    assert "Bob Stone (1, 1 after your introduction)" in ok(web("balance", "--as-of", AS_OF)).stdout
    assert as_json(web, "show", "Eve Park", "--as-of", AS_OF)["met_through"] == [
        {"name": "Bob Stone", "at": "2026-11-19T12:00:00Z"}
    ]


def test_introducing_a_pair_again_says_so_and_logs_it_again(web: Run) -> None:
    first = ok(web("intro", "Bob Stone", "Eve Park", "--on", "2026-11-18"))
    assert "introduced them before" not in first.stderr
    again = ok(web("intro", "Eve Park", "Bob Stone", "--on", "2026-11-19"))
    assert "note: you introduced them before, on 2026-11-18" in again.stderr
    assert "`engage undo` if it was the same one" in again.stderr
    entries = as_json(web, "show", "Bob Stone", "--as-of", AS_OF)["recent"]
    assert [e["note"] for e in entries[:2]] == ["introduced to Eve Park"] * 2
    ok(web("undo", "--yes"))  # the second taken back: only the first counts as before
    third = ok(web("intro", "Bob Stone", "Eve Park", "--on", "2026-11-20"))
    assert "note: you introduced them before, on 2026-11-18" in third.stderr


def test_undo_takes_an_introduction_back_whole(web: Run) -> None:
    ok(web("intro", "Bob Stone", "Eve Park", "--on", "2026-11-18"))
    assert "The last log wrote 2 entries" in ok(web("undo", "--yes")).stdout
    assert as_json(web, "show", "Bob Stone", "--as-of", AS_OF)["introduced"] == []
    assert as_json(web, "path", "Eve Park", "--as-of", AS_OF)["paths"] == []
    ok(web("redo", "--yes"))
    assert as_json(web, "show", "Eve Park", "--as-of", AS_OF)["introduced"] == [
        {"name": "Bob Stone", "at": "2026-11-18T12:00:00Z"}
    ]


def test_an_introduction_travels_through_export_and_merge(web: Run, tmp_path: Path) -> None:
    ok(web("intro", "Bob Stone", "Eve Park", "--on", "2026-11-18"))
    dump = tmp_path / "web.jsonl"
    ok(web("export", "-o", str(dump)))
    other = tmp_path / "other.db"
    ok(web("--db", str(other), "import", "ledger", str(dump)))
    ok(web("--db", str(other), "import", "ledger", str(dump)))  # twice: nothing new
    got = json.loads(ok(web("--db", str(other), "show", "Eve Park", "--json")).stdout)
    assert got["introduced"] == [{"name": "Bob Stone", "at": "2026-11-18T12:00:00Z"}]
    theirs = tmp_path / "theirs.db"
    ok(web("--db", str(theirs), "merge", str(other)))
    paths = json.loads(ok(web("--db", str(theirs), "path", "Eve Park", "--json")).stdout)
    assert [p["name"] for p in paths["paths"]] == ["Bob Stone"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["intro", "Bob Stone", "bob stone"], "cannot be introduced to themselves"),
        (["intro", "Bob Stone", "Eve Parker"], "no contact named 'Eve Parker'"),
        (["intro", "Bob Stone", "Eve Park", "--points", "0"], "must be greater than 0"),
        (["intro", "Bob Stone", "Eve Park", "--on", "2030-01-01"], "in the future"),
    ],
)
def test_a_bad_introduction_changes_nothing(
    web: Run, db_path: Path, args: list[str], said: str
) -> None:
    before = digest(db_path)
    assert said in fails(web(*args))
    assert digest(db_path) == before


def test_path_ranks_the_warmer_of_an_introduction_and_a_colleague(web: Run) -> None:
    ok(web("intro", "Eve Park", "Dana Cole", "--on", "2026-11-18"))  # Eve: 9 points, warm
    paths = as_json(web, "path", "Dana Cole", "--as-of", AS_OF)["paths"]
    assert [(p["name"], p["reasons"][0]) for p in paths][:2] == [
        ("Eve Park", "you introduced them to Dana Cole on 2026-11-18"),
        ("Ann Lee", "works at Civic Lab, like Dana Cole"),
    ]


def test_network_as_a_graph_is_not_json_too(web: Run) -> None:
    assert "the graph is not JSON" in fails(web("network", "--format", "dot", "--json"), code=2)


def test_an_introduction_before_they_were_added_is_noted(web: Run) -> None:
    said = ok(web("intro", "Bob Stone", "Eve Park", "--on", "2025-12-01")).stderr
    assert "before Bob Stone was added" in " ".join(said.split())


def test_network_json_lists_the_strongest_links_and_how_many_more(web: Run) -> None:
    every = as_json(web, "network", "--as-of", AS_OF, "--links", "0")
    links = every["links"]
    assert len(links) >= 3 and every["links_more"] == 0
    assert as_json(web, "network", "--as-of", AS_OF)["links"] == links  # fewer than 1000
    two = as_json(web, "network", "--as-of", AS_OF, "--links", "2")
    assert two["links_more"] == len(links) - 2
    strongest = sorted(
        links, key=lambda k: (-k["count"], k["from"].casefold(), k["to"].casefold(), k["kind"])
    )
    assert two["links"] == strongest[:2]
    assert {k["count"] for k in two["links"]} >= {max(k["count"] for k in links)}
    assert "0 or more" in fails(web("network", "--links", "-1"), code=2)
