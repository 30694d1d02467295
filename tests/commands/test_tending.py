"""Tending contacts, through the CLI: edit, rename, archive, unarchive, fold; undo and
redo of every kind of action; and edits and folds carried by export, import and merge."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import AS_OF, Run, complete, digest, fails, ok

# Edits, archives and folds happen now; an --as-of this far on comes after all of them.
LATER = "2099-12-31"

# What `show --json` says of a contact's charge and history (to compare two ledgers).
NUMBERS = (
    "charge", "gave", "received", "gave_decayed", "received_decayed",
    "deposits_total", "withdrawals_total", "received_total",
)  # fmt: skip
FACTS = ("entry_count", "last_contact", "status", "days_since", "half_life_days")


def names(run_json: Any, *args: str) -> list[str]:
    return [c["name"] for c in run_json("contacts", *args)]


def profile(run_json: Any, name: str, as_of: str = AS_OF) -> dict[str, Any]:
    report: dict[str, Any] = run_json("show", name, "--as-of", as_of)
    return report


def on(run: Run, db: Path, *args: str) -> Any:
    """`engage --db DB ARGS... --json` on another device's ledger, read back."""
    return json.loads(ok(run("--db", str(db), *args, "--json")).stdout)


def same_numbers(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    for key in NUMBERS:
        assert mine[key] == pytest.approx(theirs[key], rel=1e-9, abs=1e-12), key
    for key in FACTS:
        assert mine[key] == theirs[key], key


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """`a == b`, but floats within rel=1e-9: two ledgers sum the same entries in
    another order (derived state built as they came)."""
    if isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), (where, a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), (where, sorted(a), sorted(b))
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, (where, a, b)


def live(run_json: Any) -> list[dict[str, Any]]:
    return [e for e in run_json("history") if not e["voided"]]


# --- edit -----------------------------------------------------------------------------


def test_edit_changes_every_field_and_says_each_change(people: Run, run_json: Any) -> None:
    asked = [
        "--circle", "inner", "--tag", "mentor", "--untag", "design", "-m", "met at a fair",
        "--email", "Ann@Example.org", "--org", "Cy Young", "--sector", "nonprofit",
        "--birthday", "1985-04-12", "--alias", "Annie", "--kind", "person",
    ]  # fmt: skip
    out = ok(people("edit", "ann lee", *asked)).stdout
    lines = out.splitlines()
    assert lines[0] == "edited Ann Lee:"
    for line in (
        "  circle: close -> inner",
        "  tags: design -> mentor",
        "  note: (none) -> met at a fair",
        "  emails: (none) -> ann@example.org",
        "  org: (none) -> Cy Young",
        "  sector: (none) -> nonprofit",
        "  aliases: (none) -> Annie",
    ):
        assert line in lines, out
    assert any(line.startswith("  birthday: (none) -> ") for line in lines)
    assert not any("kind" in line for line in lines)  # already a person: no change
    ann = profile(run_json, "Ann Lee")
    assert (ann["circle"], ann["half_life_days"], ann["tags"]) == ("inner", 30, ["mentor"])
    assert (ann["note"], ann["emails"]) == ("met at a fair", ["ann@example.org"])
    assert (ann["organisation"], ann["sector"]) == ("Cy Young", "nonprofit")
    assert (ann["birthday"], ann["aliases"], ann["archived"]) == ("1985-04-12", ["Annie"], None)
    (row,) = [c for c in run_json("contacts") if c["name"] == "Ann Lee"]
    assert (row["circle"], row["tags"]) == ("inner", ["mentor"])


def test_edit_json_gives_the_contact_and_its_changes(people: Run, run_json: Any) -> None:
    report = run_json("edit", "Bob Stone", "--circle", "close", "--untag", "investor")
    assert report["contact"] == "Bob Stone"
    assert sorted(report["changes"], key=lambda c: c["field"]) == [
        {"field": "circle", "before": "active", "after": "close"},
        {"field": "tags", "before": ["investor", "design"], "after": ["design"]},
    ]
    # asking for what is so already changes nothing, and says so
    assert run_json("edit", "Bob Stone", "--circle", "close")["changes"] == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1985-04-12", "1985-04-12"), ("04-12", "--04-12"), ("12 April", "--04-12")],
)
def test_edit_reads_a_birthday_in_each_form(
    people: Run, run_json: Any, typed: str, stored: str
) -> None:
    ok(people("edit", "Bob Stone", "--birthday", typed, "--sector", "academia"))
    bob = profile(run_json, "Bob Stone")
    assert (bob["birthday"], bob["sector"]) == (stored, "academia")
    ok(people("edit", "Bob Stone", "--birthday", "", "--sector", ""))
    bob = profile(run_json, "Bob Stone")
    assert (bob["birthday"], bob["sector"]) == ("", "")


def test_edit_takes_emails_aliases_and_tags_away(people: Run, run_json: Any) -> None:
    ok(people("edit", "Bob Stone", "--email", "b@x.example", "--email", "bob@y.example"))
    ok(people("edit", "Bob Stone", "--alias", "Bobby", "--alias", "Stoney"))
    ok(people("edit", "Bob Stone", "--unemail", "b@x.example", "--unalias", "bobby"))
    ok(people("edit", "Bob Stone", "--untag", "investor", "--org", "Cy Young"))
    ok(people("edit", "Bob Stone", "--org", ""))
    bob = profile(run_json, "Bob Stone")
    assert (bob["emails"], bob["aliases"], bob["tags"]) == (
        ["bob@y.example"],
        ["Stoney"],
        ["design"],
    )
    assert bob["organisation"] is None
    assert "no tag 'nope'" in fails(people("edit", "Bob Stone", "--untag", "nope"))


@pytest.mark.parametrize(
    "args",
    [
        ("edit", "Ann Le", "--circle", "wide"),
        ("rename", "Ann Le", "Ann Li"),
        ("archive", "Ann Le"),
        ("unarchive", "Ann Le"),
        ("fold", "Ann Le", "Bob Stone"),
        ("fold", "Bob Stone", "Ann Le"),
        ("edit", "Bob Stone", "--org", "Cy Yung"),
    ],
)
def test_an_unknown_name_is_refused_with_the_close_ones(
    people: Run, db_path: Path, args: tuple[str, ...]
) -> None:
    before = digest(db_path)
    msg = fails(people(*args))
    assert "no contact named" in msg
    assert "did you mean" in msg and ("'Ann Lee'" in msg or "'Cy Young'" in msg)
    assert digest(db_path) == before


@pytest.mark.parametrize(
    "args",
    [
        ("edit", "Ann Lee", "--name", "bob STONE"),
        ("rename", "Ann Lee", "  Bob   Stone "),
        ("edit", "Ann Lee", "--alias", "BOB STONE"),
    ],
)
def test_a_name_another_contact_has_is_taken(
    people: Run, db_path: Path, args: tuple[str, ...]
) -> None:
    before = digest(db_path)
    msg = fails(people(*args))
    assert "the name" in msg and "is taken" in msg
    assert digest(db_path) == before


def test_an_alias_of_another_contact_is_taken_too(people: Run, db_path: Path) -> None:
    ok(people("edit", "Bob Stone", "--alias", "Bobby"))
    before = digest(db_path)
    assert "is taken" in fails(people("rename", "Ann Lee", "bobby"))
    assert "is taken" in fails(people("edit", "Cy Young", "--alias", "Bobby"))
    assert digest(db_path) == before


def test_renaming_a_contact_in_another_case_is_not_taken(people: Run, run_json: Any) -> None:
    ok(people("rename", "Ann Lee", "ann LEE"))
    assert names(run_json) == ["ann LEE", "Bob Stone", "Cy Young"]


def test_the_organisation_must_be_an_organisation(people: Run, db_path: Path) -> None:
    before = digest(db_path)
    msg = fails(people("edit", "Ann Lee", "--org", "Bob Stone"))
    assert "Bob Stone" in msg and "not an organisation" in msg
    assert digest(db_path) == before


def test_edit_without_any_change_asked_is_a_usage_error(people: Run, db_path: Path) -> None:
    before = digest(db_path)
    msg = fails(people("edit", "Ann Lee"), code=2)
    assert "--name" in msg
    assert digest(db_path) == before


def test_an_unknown_sector_is_refused_with_the_sectors(people: Run, db_path: Path) -> None:
    before = digest(db_path)
    line = fails(people("edit", "Ann Lee", "--sector", "farming"))
    assert "unknown sector 'farming'; sectors are business" in line
    assert digest(db_path) == before


@pytest.mark.parametrize(
    ("args", "word"),
    [(("--birthday", "32 Foo"), "birthday"), (("--name", ""), "name")],
)
def test_a_bad_value_is_refused_in_words(
    people: Run, db_path: Path, args: tuple[str, ...], word: str
) -> None:
    before = digest(db_path)
    msg = fails(people("edit", "Ann Lee", *args))
    assert word in msg
    assert "unexpected" not in msg and "ENGAGE_DEBUG" not in msg  # an input error, not a crash
    assert digest(db_path) == before


# --- rename -----------------------------------------------------------------------------


def test_rename_is_edit_name(week: Run, run_json: Any) -> None:
    out = ok(week("rename", "bob stone", "Robert Stone")).stdout.splitlines()
    assert out[:2] == ["renamed Bob Stone:", "  name: Bob Stone -> Robert Stone"]
    assert names(run_json) == ["Ann Lee", "Cy Young", "Dee Park", "Robert Stone"]
    assert {e["contact"] for e in run_json("history", "Robert Stone")} == {"Robert Stone"}
    assert profile(run_json, "Robert Stone")["entry_count"] == 2
    ok(week("log", "Robert Stone", "-d", "1", "--on", "2026-11-19"))
    report = run_json("rename", "Robert Stone", "Rob Stone")
    assert report["changes"] == [{"field": "name", "before": "Robert Stone", "after": "Rob Stone"}]


# --- archive and unarchive --------------------------------------------------------------


def test_an_archived_contact_leaves_the_lists(week: Run, run_json: Any, db_path: Path) -> None:
    out = ok(week("archive", "Bob Stone")).stdout
    assert out.startswith("archived Bob Stone")
    assert names(run_json) == ["Ann Lee", "Cy Young", "Dee Park"]
    assert names(run_json, "--as-of", LATER) == ["Ann Lee", "Cy Young", "Dee Park"]
    assert names(run_json, "--archived") == ["Bob Stone"]
    assert names(run_json, "--archived", "--as-of", LATER) == ["Bob Stone"]
    neglected = run_json("who-neglected", "--as-of", LATER)["contacts"]
    assert "Bob Stone" not in [c["name"] for c in neglected]
    assert {c["name"] for c in neglected} >= {"Ann Lee", "Cy Young"}
    review = run_json("review", "--as-of", LATER)
    assert "Bob Stone" not in [c["name"] for c in review["reconnect"]["contacts"]]
    assert "Bob Stone" not in [c["name"] for c in review["balance"]["contacts"]]
    assert complete(db_path, "engage show Bo") == []
    assert complete(db_path, "engage show An") == ["Ann\\ Lee"]
    bob = profile(run_json, "Bob Stone", LATER)  # still found by name, history kept
    assert bob["archived"] is not None and bob["entry_count"] == 2
    ok(week("unarchive", "Bob Stone"))
    assert names(run_json) == ["Ann Lee", "Bob Stone", "Cy Young", "Dee Park"]
    assert names(run_json, "--archived") == []
    assert profile(run_json, "Bob Stone")["archived"] is None


def test_an_archived_contact_still_counts_before_it_was_archived(week: Run, run_json: Any) -> None:
    listed = run_json("contacts", "--as-of", AS_OF)
    neglected = run_json("who-neglected", "--as-of", AS_OF)
    balance = run_json("balance", "--as-of", AS_OF, "--all")
    ok(week("archive", "Bob Stone"))
    assert run_json("contacts", "--as-of", AS_OF) == listed
    assert "Bob Stone" in [c["name"] for c in listed]
    assert run_json("who-neglected", "--as-of", AS_OF) == neglected
    assert run_json("balance", "--as-of", AS_OF, "--all") == balance
    assert run_json("contacts", "--archived", "--as-of", AS_OF) == []


def test_archiving_twice_fails(people: Run, db_path: Path) -> None:
    ok(people("archive", "Bob Stone"))
    before = digest(db_path)
    assert "is archived already" in fails(people("archive", "bob stone"))
    assert digest(db_path) == before
    assert "not archived" in fails(people("unarchive", "Ann Lee"))
    assert digest(db_path) == before


def test_an_archived_contact_is_not_edited_nor_logged(
    people: Run, run_json: Any, db_path: Path
) -> None:
    ok(people("archive", "Bob Stone"))
    before = digest(db_path)
    for args in (
        ("edit", "Bob Stone", "--circle", "close"),
        ("rename", "Bob Stone", "Robert Stone"),
        ("log", "Bob Stone", "-d", "1", "--on", "2026-11-01"),
        ("log", "Ann Lee", "Bob Stone", "-d", "1", "--on", "2026-11-01"),
    ):
        msg = fails(people(*args))
        assert "Bob Stone is archived" in msg
        if args[0] != "log":
            assert "engage unarchive" in msg
    assert digest(db_path) == before
    ok(people("unarchive", "Bob Stone"))
    ok(people("edit", "Bob Stone", "--circle", "close"))
    ok(people("log", "Bob Stone", "-d", "1", "--on", "2026-11-01"))
    assert profile(run_json, "Bob Stone")["circle"] == "close"


# --- aliases and show -------------------------------------------------------------------


def test_an_alias_finds_the_contact_in_log_and_show(people: Run, run_json: Any) -> None:
    ok(people("edit", "Ann Lee", "--alias", "Annie"))
    ok(people("log", "ANNIE", "-d", "2", "--on", "2026-11-02"))
    assert [e["contact"] for e in run_json("history")] == ["Ann Lee"]
    ann = profile(run_json, "annie")
    assert (ann["name"], ann["aliases"], ann["entry_count"]) == ("Ann Lee", ["Annie"], 1)
    assert "is taken" in fails(people("add", "Annie"))
    ok(people("edit", "Ann Lee", "--unalias", "Annie"))
    assert "no contact named 'Annie'" in fails(people("show", "Annie"))


def test_show_json_has_the_new_keys_and_every_change(people: Run, run_json: Any) -> None:
    ok(people("edit", "Ann Lee", "--circle", "inner"))
    ok(people("edit", "Ann Lee", "--org", "Cy Young", "--sector", "academia"))
    ok(people("rename", "Ann Lee", "Ann Li"))
    ann = profile(run_json, "Ann Li", LATER)
    assert (ann["organisation"], ann["sector"], ann["aliases"]) == ("Cy Young", "academia", [])
    assert ann["archived"] is None
    changes = ann["changes"]
    assert all(sorted(c) == ["after", "at", "before", "field"] for c in changes)
    assert [(c["field"], c["before"], c["after"]) for c in changes if c["field"] != "org"] == [
        ("circle", "close", "inner"),
        ("sector", "", "academia"),
        ("name", "Ann Lee", "Ann Li"),
    ]
    (org,) = [c for c in changes if c["field"] == "org"]
    assert (org["before"], org["after"]) == (None, "Cy Young")
    moments = [datetime.fromisoformat(c["at"]) for c in changes]
    assert moments == sorted(moments)
    ok(people("archive", "Ann Li"))
    ann = profile(run_json, "Ann Li", LATER)
    assert datetime.fromisoformat(ann["archived"]) >= moments[-1]
    assert ann["changes"][-1]["field"] == "archived" and ann["changes"][-1]["before"] is None


# --- fold -------------------------------------------------------------------------------


def _lisa(run: Run) -> None:
    """Lisa Chen, and her duplicate Lisa Chan (typed once by mistake), who brokered for Bob."""
    ok(run("add", "Lisa Chen", "--circle", "close", "--on", "2026-01-01"))
    ok(run("add", "Bob", "--on", "2026-01-01"))
    ok(run("log", "Lisa Chen", "-d", "1", "--on", "2026-09-01"))
    ok(run("log", "Lisa Chan", "--new", "-d", "2", "--on", "2026-10-01"))
    ok(run("edit", "Lisa Chan", "--circle", "wide", "--alias", "LC", "--email", "lc@x.example"))
    ok(run("log", "Lisa Chan", "-w", "1", "--on", "2026-10-05 09:00"))
    ok(run("log", "Lisa Chan", "-r", "1.5", "--on", "2026-10-06 09:00"))
    ok(run("log", "Bob", "-d", "1", "--via", "Lisa Chan", "--on", "2026-10-02"))


def test_fold_moves_every_entry_and_brokered_link(run: Run, run_json: Any) -> None:
    _lisa(run)
    report = run_json("fold", "lisa chan", "Lisa Chen")
    assert report["into"] == "Lisa Chen"
    assert names(run_json) == ["Bob", "Lisa Chen"]
    entries = run_json("history")
    assert sorted(e["contact"] for e in entries) == ["Bob", *["Lisa Chen"] * 4]
    assert [e["via"] for e in entries if e["contact"] == "Bob"] == ["Lisa Chen"]
    lisa = profile(run_json, "Lisa Chen")
    assert lisa["entry_count"] == 4
    assert (lisa["deposits_total"], lisa["withdrawals_total"], lisa["received_total"]) == (
        3,
        1,
        1.5,
    )
    assert [e["contact"] for e in lisa["brokered"]] == ["Bob"]
    assert "Lisa Chan" in lisa["aliases"]
    text = ok(run("show", "Lisa Chen", "--as-of", AS_OF)).stdout
    assert "also known as" in text and "Lisa Chan" in text
    # the duplicate's name shows the contact kept
    assert profile(run_json, "Lisa Chan")["name"] == "Lisa Chen"


def test_a_folded_contacts_names_and_emails_find_the_one_kept(
    run: Run, run_json: Any, tmp_path: Path
) -> None:
    _lisa(run)
    ok(run("fold", "Lisa Chan", "Lisa Chen"))
    ok(run("log", "lisa chan", "-d", "1", "--on", "2026-11-01"))
    ok(run("log", "LC", "-d", "1", "--on", "2026-11-02"))
    assert {e["contact"] for e in run_json("history")} == {"Bob", "Lisa Chen"}
    assert profile(run_json, "lc")["name"] == "Lisa Chen"
    assert profile(run_json, "Lisa Chen")["entry_count"] == 6
    card = tmp_path / "lisa.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:L. Chan\r\nEMAIL:LC@x.example\r\nTEL:+15550100\r\n"
        "END:VCARD\r\n"
    )
    out = ok(run("import", "contacts", str(card))).stdout
    assert "Lisa Chen" in out
    assert names(run_json) == ["Bob", "Lisa Chen"]  # matched by the duplicate's email
    assert "+15550100" in profile(run_json, "Lisa Chen")["phones"]


def test_fold_charges_as_if_every_entry_was_logged_for_the_contact_kept(
    run: Run, tmp_path: Path
) -> None:
    folded, direct = tmp_path / "folded.db", tmp_path / "direct.db"
    for db in (folded, direct):
        dup = "Lisa Chan" if db == folded else "Lisa Chen"

        def at(*args: str, db: Path = db) -> Any:
            return ok(run("--db", str(db), *args))

        at("add", "Lisa Chen", "--circle", "close", "--on", "2026-01-01")
        at("add", "Bob", "--circle", "inner", "--on", "2026-01-01")
        at("log", "Lisa Chen", "-d", "1", "--on", "2026-08-01")
        at("log", dup, "--new", "-d", "2", "-w", "0.5", "--on", "2026-09-01")
        at("log", dup, "-w", "3", "--on", "2026-10-01 10:00")
        at("log", dup, "-d", "9", "--on", "2026-10-02")
        at("undo", "--yes")  # voided: counts for nothing either way
        at("log", "Bob", "-r", "2", "--via", dup, "--on", "2026-10-03")
        at("log", dup, "-r", "1", "--on", "2026-11-10")
        ask = next(a for a in on(run, db, "asks") if a["points"] == 3.0)["id"]
        at("done", ask, "--on", "2026-10-20 10:00")
        if db == folded:
            at("edit", "Lisa Chan", "--circle", "wide")  # another half-life until the fold
            at("fold", "Lisa Chan", "Lisa Chen")
        at("log", dup, "-d", "1", "--on", "2026-11-15")  # after the fold: the same contact
    for as_of in ("2026-09-15", "2026-10-25", AS_OF, "2027-06-01"):
        for name in ("Lisa Chen", "Bob"):
            mine = on(run, folded, "show", name, "--as-of", as_of)
            theirs = on(run, direct, "show", name, "--as-of", as_of)
            same_numbers(mine, theirs)
            assert [e["contact"] for e in mine["brokered"]] == [
                e["contact"] for e in theirs["brokered"]
            ]
            assert len(mine["open_asks"]) == len(theirs["open_asks"])
        mine_list = on(run, folded, "contacts", "--as-of", as_of)
        theirs_list = on(run, direct, "contacts", "--as-of", as_of)
        assert [c["name"] for c in mine_list] == [c["name"] for c in theirs_list]
        assert [c["charge"] for c in mine_list] == pytest.approx(
            [c["charge"] for c in theirs_list], rel=1e-9
        )
    assert on(run, folded, "doctor")["ok"]


@pytest.mark.parametrize("into", ["Ann Lee", "ann LEE", "Annie"])
def test_folding_a_contact_into_itself_fails(people: Run, db_path: Path, into: str) -> None:
    ok(people("edit", "Ann Lee", "--alias", "Annie"))
    before = digest(db_path)
    msg = fails(people("fold", "Ann Lee", into))
    assert "Ann Lee" in msg and "fold one contact into another" in msg
    assert digest(db_path) == before


def test_folding_a_folded_contact_again_fails(people: Run, db_path: Path) -> None:
    ok(people("fold", "Bob Stone", "Ann Lee"))
    before = digest(db_path)
    assert "already folded into Ann Lee" in fails(people("fold", "Bob Stone", "Ann Lee"))
    assert digest(db_path) == before


# --- undo and redo ----------------------------------------------------------------------


def test_nothing_to_undo_and_nothing_to_redo(run: Run, db_path: Path) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    assert "nothing to redo" in fails(run("redo", "--yes"))
    ok(run("undo", "--yes"))
    before = digest(db_path)
    result = run("undo", "--yes")
    assert result.exit_code == 1
    assert "nothing to undo" in fails(result)
    assert digest(db_path) == before
    ok(run("redo", "--yes"))
    assert "nothing to redo" in fails(run("redo", "--yes"))


def test_undo_and_redo_an_add(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--circle", "close", "--tag", "design", "--on", "2026-01-01"))
    out = ok(run("undo", "--yes")).stdout
    assert "Ann" in out.splitlines()[0]  # says what it will undo first
    assert run_json("contacts") == []
    assert "no contact named 'Ann'" in fails(run("show", "Ann"))
    ok(run("redo", "--yes"))
    (ann,) = run_json("contacts")
    assert (ann["name"], ann["circle"], ann["tags"]) == ("Ann", "close", ["design"])
    assert profile(run_json, "Ann")["added"] == "2026-01-01T12:00:00Z"


def test_undo_of_a_log_new_removes_the_contact_it_added(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "Zed", "--new", "-d", "2", "--on", "2026-11-01"))
    out = ok(run("undo", "--yes")).stdout
    assert "Zed" in out
    assert names(run_json) == ["Ann"]
    assert "no contact named 'Zed'" in fails(run("show", "Zed"))
    assert live(run_json) == []
    assert profile(run_json, "Ann")["charge"] == 0
    ok(run("redo", "--yes"))
    assert names(run_json) == ["Ann", "Zed"]
    assert sorted((e["contact"], e["points"], e["occurred_at"]) for e in live(run_json)) == [
        ("Ann", 2.0, "2026-11-01T12:00:00Z"),
        ("Zed", 2.0, "2026-11-01T12:00:00Z"),
    ]
    ok(run("undo", "--yes"))  # and back again
    assert names(run_json) == ["Ann"]
    assert live(run_json) == []


def test_undo_and_redo_an_edit(people: Run, run_json: Any) -> None:
    ok(people("log", "Ann Lee", "-d", "3", "--on", "2026-10-01"))
    before = profile(run_json, "Ann Lee")
    ok(people("edit", "Ann Lee", "--circle", "wide", "--tag", "x", "-m", "new note"))
    after = profile(run_json, "Ann Lee")
    assert after["charge"] != pytest.approx(before["charge"])  # another half-life
    out = ok(people("undo", "--yes")).stdout
    assert "Ann Lee" in out
    undone = profile(run_json, "Ann Lee")
    assert (undone["circle"], undone["tags"], undone["note"]) == ("close", ["design"], "")
    assert undone["charge"] == pytest.approx(before["charge"], rel=1e-9)
    ok(people("redo", "--yes"))
    redone = profile(run_json, "Ann Lee")
    assert (redone["circle"], redone["tags"], redone["note"]) == (
        "wide",
        ["design", "x"],
        "new note",
    )
    assert redone["charge"] == pytest.approx(after["charge"], rel=1e-9)


def test_undo_and_redo_a_rename(people: Run, run_json: Any) -> None:
    ok(people("rename", "Ann Lee", "Ann Li"))
    ok(people("undo", "--yes"))
    assert names(run_json) == ["Ann Lee", "Bob Stone", "Cy Young"]
    ok(people("log", "Ann Lee", "-d", "1", "--on", "2026-11-01"))  # the old name is hers again
    ok(people("undo", "--yes"))  # the log
    ok(people("undo", "--yes"))  # walks on past the undone rename: the last add
    assert names(run_json) == ["Ann Lee", "Bob Stone"]


def test_undo_and_redo_a_fold(run: Run, run_json: Any) -> None:
    _lisa(run)
    before = {n: profile(run_json, n) for n in ("Lisa Chen", "Lisa Chan", "Bob")}
    ok(run("fold", "Lisa Chan", "Lisa Chen"))
    folded = profile(run_json, "Lisa Chen")
    out = ok(run("undo", "--yes")).stdout
    assert "Lisa Chan" in out and "Lisa Chen" in out
    assert names(run_json) == ["Bob", "Lisa Chan", "Lisa Chen"]
    for name, was in before.items():
        now = profile(run_json, name)
        assert now["name"] == name
        same_numbers(now, was)
        assert [e["contact"] for e in now["brokered"]] == [e["contact"] for e in was["brokered"]]
    assert [e["via"] for e in run_json("history", "Bob")] == ["Lisa Chan"]
    assert profile(run_json, "LC")["name"] == "Lisa Chan"
    ok(run("redo", "--yes"))
    assert names(run_json) == ["Bob", "Lisa Chen"]
    same_numbers(profile(run_json, "Lisa Chen"), folded)
    assert profile(run_json, "Lisa Chan")["name"] == "Lisa Chen"


def test_undo_and_redo_an_archive(people: Run, run_json: Any) -> None:
    ok(people("archive", "Bob Stone"))
    ok(people("undo", "--yes"))
    assert names(run_json) == ["Ann Lee", "Bob Stone", "Cy Young"]
    assert names(run_json, "--archived") == []
    ok(people("edit", "Bob Stone", "--circle", "close"))  # not archived: edits go through
    ok(people("archive", "Bob Stone"))
    ok(people("undo", "--yes"))
    ok(people("redo", "--yes"))
    assert names(run_json, "--archived") == ["Bob Stone"]
    assert "Bob Stone" not in names(run_json)
    assert profile(run_json, "Bob Stone", LATER)["circle"] == "close"


def test_redo_does_the_action_undone_last_even_in_the_same_second(
    people: Run, run_json: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive undone, then an edit done and undone: redo does the edit again, and the
    archive is not redone (something new was done after it was undone). The clock stands
    still, as it does for commands run within one second."""
    import engage_cli.commands.recording as recording
    import engage_cli.commands.tending as tending

    moment = datetime.fromisoformat("2026-11-25T10:00:00+00:00")
    monkeypatch.setattr(recording, "local_now", lambda: moment)
    monkeypatch.setattr(tending, "local_now", lambda: moment)
    ok(people("archive", "Bob Stone"))
    ok(people("undo", "--yes"))
    ok(people("edit", "Bob Stone", "--circle", "close"))
    ok(people("undo", "--yes"))
    out = ok(people("redo", "--yes")).stdout
    assert "archived" not in out
    bob = profile(run_json, "Bob Stone", LATER)
    assert (bob["circle"], bob["archived"]) == ("close", None)
    assert "nothing to redo" in fails(people("redo", "--yes"))
    assert names(run_json, "--archived", "--as-of", LATER) == []


def test_undo_and_redo_a_done(people: Run, run_json: Any) -> None:
    ok(people("log", "Bob Stone", "-w", "4", "--on", "2026-11-01"))
    (ask,) = run_json("asks")
    ok(people("done", ask["id"], "--on", "2026-11-05"))
    ok(people("undo", "--yes"))
    (state,) = run_json("asks")
    assert state["status"] == "open"
    assert [e["kind"] for e in live(run_json)] == ["withdrawal"]
    ok(people("redo", "--yes"))
    (state,) = run_json("asks")
    assert (state["status"], state["resolved_at"]) == ("done", "2026-11-05T12:00:00Z")
    gifts = [e for e in live(run_json) if e["kind"] == "deposit"]
    assert [(g["points"], g["occurred_at"]) for g in gifts] == [(2.0, "2026-11-05T12:00:00Z")]
    ok(people("doctor"))


def test_undo_of_a_reopen_settles_the_ask_again(people: Run, run_json: Any) -> None:
    ok(people("log", "Bob Stone", "-w", "4", "--on", "2026-11-01"))
    (ask,) = run_json("asks")
    ok(people("declined", ask["id"], "--on", "2026-11-03"))
    ok(people("reopen", ask["id"]))
    assert run_json("asks")[0]["status"] == "open"
    ok(people("undo", "--yes"))
    (state,) = run_json("asks")
    assert (state["status"], state["resolved_at"]) == ("declined", "2026-11-03T12:00:00Z")
    ok(people("redo", "--yes"))
    assert run_json("asks")[0]["status"] == "open"


def test_undo_walks_back_through_each_kind_and_redo_walks_forward(run: Run, run_json: Any) -> None:
    def state() -> Any:
        return (
            run_json("contacts", "--as-of", AS_OF),
            run_json("contacts", "--archived", "--as-of", LATER),
            run_json("asks", "--as-of", AS_OF),  # a fixed moment: ages do not move
        )

    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Bob", "--new", "-w", "2", "--on", "2026-10-01"))
    (ask,) = run_json("asks")
    steps = [
        ("edit", "Ann", "--circle", "inner", "--tag", "x"),
        ("log", "Ann", "-d", "3", "--on", "2026-10-02"),
        ("done", ask["id"], "--on", "2026-10-03"),
        ("fold", "Ann", "Bob"),
        ("rename", "Bob", "Robert"),
        ("archive", "Robert"),
    ]
    seen = [state()]
    for step in steps:
        ok(run(*step))
        seen.append(state())
    assert [c["name"] for c in seen[-1][1]] == ["Robert"]
    assert len({json.dumps(s, sort_keys=True) for s in seen}) == len(seen)  # each step shows
    for back in reversed(seen[:-1]):
        ok(run("undo", "--yes"))
        assert_same(state(), back)
    for forward in seen[1:]:
        ok(run("redo", "--yes"))
        assert_same(state(), forward)
    assert "nothing to redo" in fails(run("redo", "--yes"))


def test_redo_is_forgotten_once_something_new_is_done(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("add", "Bob", "--on", "2026-01-01"))
    ok(run("undo", "--yes"))
    ok(run("edit", "Ann", "--circle", "close"))
    assert "nothing to redo" in fails(run("redo", "--yes"))
    assert names(run_json) == ["Ann"]


def test_undo_says_what_it_will_undo_and_can_be_declined(people: Run, run_json: Any) -> None:
    ok(people("edit", "Ann Lee", "--circle", "inner"))
    result = people("undo", input="n\n")
    assert result.exit_code == 0 and "nothing was undone" in result.stdout
    assert "Ann Lee" in result.stdout and "circle" in result.stdout
    assert profile(run_json, "Ann Lee")["circle"] == "inner"
    ok(people("undo", input="y\n"))
    assert profile(run_json, "Ann Lee")["circle"] == "close"


def test_undo_of_an_import_ledger_takes_out_what_it_added(
    run: Run, run_json: Any, tmp_path: Path
) -> None:
    other, dump = tmp_path / "other.db", tmp_path / "other.jsonl"
    ok(run("--db", str(other), "add", "Cy", "--on", "2026-01-01"))
    ok(run("--db", str(other), "log", "Cy", "-d", "1", "--on", "2026-10-01"))
    ok(run("--db", str(other), "edit", "Cy", "--circle", "inner"))
    ok(run("--db", str(other), "export", "-o", str(dump)))
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-d", "2", "--on", "2026-10-02"))
    before = (run_json("contacts", "--as-of", AS_OF), run_json("history"))
    ok(run("import", "ledger", str(dump)))
    assert names(run_json) == ["Ann", "Cy"]
    assert profile(run_json, "Cy")["circle"] == "inner"
    ok(run("undo", "--yes"))
    assert_same((run_json("contacts", "--as-of", AS_OF), run_json("history")), before)
    ok(run("doctor"))
    ok(run("undo", "--yes"))  # then this device's own log
    assert live(run_json) == []


def test_undo_of_an_import_contacts_takes_out_what_it_added(
    run: Run, run_json: Any, tmp_path: Path
) -> None:
    ok(run("add", "Ann Lee", "--on", "2026-01-01"))
    before = profile(run_json, "Ann Lee")
    card = tmp_path / "cards.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoe Park\r\nEMAIL:zoe@x.example\r\nEND:VCARD\r\n"
    )
    ok(run("import", "contacts", str(card)))
    assert names(run_json) == ["Ann Lee", "Zoe Park"]
    assert profile(run_json, "Ann Lee")["emails"] == ["ann@x.example"]
    ok(run("undo", "--yes"))
    assert names(run_json) == ["Ann Lee"]
    assert_same(profile(run_json, "Ann Lee"), before)
    ok(run("doctor"))


def test_undo_of_a_merge_takes_out_what_it_brought(
    run: Run, run_json: Any, tmp_path: Path, db_path: Path
) -> None:
    other = tmp_path / "other.db"
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("--db", str(other), "merge", str(db_path)))
    ok(run("--db", str(other), "log", "Ann", "-d", "1", "--on", "2026-10-01"))
    ok(run("--db", str(other), "edit", "Ann", "--circle", "wide"))
    ok(run("--db", str(other), "log", "Bo", "--new", "-w", "1", "--on", "2026-10-02"))
    before = (run_json("contacts", "--as-of", AS_OF), profile(run_json, "Ann"))
    ok(run("merge", str(other)))
    assert names(run_json) == ["Ann", "Bo"]
    assert profile(run_json, "Ann")["circle"] == "wide"
    out = ok(run("undo", "--yes")).stdout
    assert "merge" in out
    assert_same((run_json("contacts", "--as-of", AS_OF), profile(run_json, "Ann")), before)
    ok(run("doctor"))


# --- edits and folds travel: export, import ledger, merge ------------------------------


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


def test_export_writes_edits_and_folds_and_import_brings_them(
    run: Run, run_json: Any, tmp_path: Path
) -> None:
    _lisa(run)
    ok(run("fold", "Lisa Chan", "Lisa Chen"))
    ok(run("edit", "Lisa Chen", "--note", "met at a fair"))
    dump = tmp_path / "out.jsonl"
    ok(run("export", "-o", str(dump)))
    records = _records(dump)
    uids = {r["name"]: r["uid"] for r in records if r["type"] == "contact"}
    (fold,) = [r for r in records if r["type"] == "fold"]
    assert (fold["contact"], fold["into"]) == (uids["Lisa Chan"], uids["Lisa Chen"])
    assert fold["undone_at"] is None
    edits = [r for r in records if r["type"] == "edit"]
    assert {(r["contact"], r["field"], json.dumps(r["value"])) for r in edits} >= {
        (uids["Lisa Chan"], "circle", '"wide"'),
        (uids["Lisa Chan"], "aliases", '["LC"]'),
        (uids["Lisa Chen"], "note", '"met at a fair"'),
    }
    there = tmp_path / "there.db"
    ok(run("--db", str(there), "import", "ledger", str(dump)))
    listed = run_json("contacts", "--as-of", AS_OF)
    assert_same(on(run, there, "contacts", "--as-of", AS_OF), listed)
    for name in ("Lisa Chen", "Lisa Chan", "LC", "Bob"):
        theirs = on(run, there, "show", name, "--as-of", LATER)
        assert_same(theirs, profile(run_json, name, LATER), name)
    again = ok(run("--db", str(there), "import", "ledger", str(dump))).stdout
    assert "0 entries added" in again
    assert_same(on(run, there, "contacts", "--as-of", AS_OF), listed)


def _two_devices(run: Run, tmp_path: Path) -> tuple[Path, Path]:
    """p with Ann, Annie and Bob (an entry each), and q, a copy made by merging p."""
    p, q = tmp_path / "p.db", tmp_path / "q.db"
    for name in ("Ann", "Annie", "Bob"):
        ok(run("--db", str(p), "log", name, "--new", "-d", "1", "--on", "2026-09-01"))
    ok(run("--db", str(q), "merge", str(p)))
    return p, q


def _everything(run: Run, db: Path) -> Any:
    listed = on(run, db, "contacts", "--as-of", LATER)
    archived = on(run, db, "contacts", "--archived", "--as-of", LATER)
    shown = {c["name"]: on(run, db, "show", c["name"], "--as-of", LATER) for c in listed}
    return listed, archived, shown


def test_the_latest_edit_of_a_field_wins_on_both_devices(run: Run, tmp_path: Path) -> None:
    p, q = _two_devices(run, tmp_path)
    ok(run("--db", str(p), "edit", "Ann", "--circle", "inner", "-m", "from p"))
    ok(run("--db", str(q), "edit", "Ann", "--circle", "wide", "--tag", "q"))  # later: wins
    ok(run("--db", str(p), "edit", "Bob", "--circle", "close"))  # later than q's Bob? none
    ok(run("--db", str(p), "merge", str(q)))
    ok(run("--db", str(q), "merge", str(p)))
    for db in (p, q):
        ann = on(run, db, "show", "Ann", "--as-of", LATER)
        assert (ann["circle"], ann["note"], ann["tags"]) == ("wide", "from p", ["q"])
        assert on(run, db, "show", "Bob", "--as-of", LATER)["circle"] == "close"
    assert_same(_everything(run, p), _everything(run, q))


def test_an_undone_fold_is_undone_everywhere(run: Run, tmp_path: Path) -> None:
    p, q = _two_devices(run, tmp_path)
    ok(run("--db", str(p), "fold", "Annie", "Ann"))
    ok(run("--db", str(q), "merge", str(p)))
    assert [c["name"] for c in on(run, q, "contacts")] == ["Ann", "Bob"]
    assert on(run, q, "show", "Annie")["name"] == "Ann"
    ok(run("--db", str(p), "undo", "--yes"))
    ok(run("--db", str(q), "merge", str(p)))
    ok(run("--db", str(p), "merge", str(q)))
    for db in (p, q):
        assert [c["name"] for c in on(run, db, "contacts")] == ["Ann", "Annie", "Bob"]
        assert on(run, db, "show", "Annie", "--as-of", AS_OF)["entry_count"] == 1
        assert on(run, db, "doctor")["ok"]
    assert_same(_everything(run, p), _everything(run, q))


def test_two_contacts_renamed_to_one_name_stay_apart_and_the_merge_says_so(
    run: Run, tmp_path: Path
) -> None:
    p, q = _two_devices(run, tmp_path)
    ok(run("--db", str(p), "rename", "Annie", "Dee"))
    ok(run("--db", str(q), "rename", "Bob", "dee"))
    ok(run("--db", str(p), "log", "Dee", "-d", "2", "--on", "2026-10-01"))
    ok(run("--db", str(q), "log", "Dee", "-w", "1", "--on", "2026-10-02"))
    merged = ok(run("--db", str(p), "merge", str(q)))
    assert "1 name is now shared by two contacts" in merged.stderr
    ok(run("--db", str(q), "merge", str(p)))
    for db in (p, q):
        listed = [c["name"] for c in on(run, db, "contacts")]
        assert len(listed) == 3 and "Ann" in listed  # two people, still two contacts
        out = tmp_path / f"{db.stem}.out.jsonl"
        ok(run("--db", str(db), "export", "-o", str(out)))
        assert [r for r in _records(out) if r["type"] == "fold"] == []
    assert_same(_everything(run, p), _everything(run, q))
    # the way out: rename one, then they can be told apart (and folded, if one person)
    ok(run("--db", str(p), "rename", "Dee", "Dee Two"))
    assert sorted(c["name"] for c in on(run, p, "contacts")) == ["Ann", "Dee Two", "dee"] or (
        sorted(c["name"] for c in on(run, p, "contacts")) == ["Ann", "Dee", "Dee Two"]
    )


def test_merging_either_way_or_twice_gives_the_same_contacts(run: Run, tmp_path: Path) -> None:
    p, q = _two_devices(run, tmp_path)
    ok(run("--db", str(p), "fold", "Annie", "Ann"))
    ok(run("--db", str(p), "edit", "Bob", "--tag", "p", "--alias", "Bobby"))
    ok(run("--db", str(q), "edit", "Annie", "--circle", "inner", "-m", "q note"))
    ok(run("--db", str(q), "edit", "Bob", "--email", "bob@q.example"))
    ok(run("--db", str(q), "log", "Annie", "-w", "1", "--on", "2026-10-01"))
    ok(run("--db", str(q), "archive", "Bob"))
    p0 = tmp_path / "p0.db"
    ok(run("--db", str(p0), "merge", str(p)))  # p as it was, for q to merge
    ok(run("--db", str(p), "merge", str(q)))
    ok(run("--db", str(q), "merge", str(p0)))
    first = _everything(run, p)
    assert_same(_everything(run, q), first)
    listed, archived, shown = first
    assert [c["name"] for c in listed] == ["Ann"]
    assert [c["name"] for c in archived] == ["Bob"]
    assert shown["Ann"]["entry_count"] == 3  # Annie's entries, from both devices, are Ann's
    ok(run("--db", str(p), "merge", str(q)))
    ok(run("--db", str(q), "merge", str(p)))
    ok(run("--db", str(p), "merge", str(q)))
    assert_same(_everything(run, p), first)
    assert_same(_everything(run, q), first)


# --- what a new user tried next -----------------------------------------------------------


def test_tags_added_on_two_devices_are_both_kept(run: Run, tmp_path: Path) -> None:
    j, k = tmp_path / "j.db", tmp_path / "k.db"
    ok(run("--db", str(j), "add", "Kim", "--tag", "a", "--on", "2026-01-01"))
    ok(run("--db", str(k), "merge", str(j)))
    ok(run("--db", str(j), "edit", "Kim", "--tag", "investor", "--untag", "a"))
    ok(run("--db", str(k), "edit", "Kim", "--tag", "friend"))
    ok(run("--db", str(j), "merge", str(k)))
    ok(run("--db", str(k), "merge", str(j)))
    for db in (j, k):
        assert on(run, db, "show", "Kim")["tags"] == ["friend", "investor"]  # "a" removed


def test_emails_must_be_addresses_and_belong_to_one_contact(people: Run, db_path: Path) -> None:
    before = digest(db_path)
    assert "not an email address" in fails(people("edit", "Ann Lee", "--email", "not an email"))
    assert "not an email address" in fails(people("edit", "Ann Lee", "--email", ""))
    ok(people("edit", "Bob Stone", "--email", "bob@x.example"))
    after_bob = digest(db_path)
    assert before != after_bob
    msg = fails(people("edit", "Ann Lee", "--email", "BOB@x.example"))
    assert "bob@x.example is an email of Bob Stone already" in msg
    assert digest(db_path) == after_bob


def test_an_alias_is_not_the_contacts_own_name_nor_twice_in_another_case(
    people: Run, run_json: Any
) -> None:
    assert "is their name already" in fails(people("edit", "Ann Lee", "--alias", "ann lee"))
    ok(people("edit", "Ann Lee", "--alias", "Annie", "--alias", "ANNIE"))
    assert profile(run_json, "Ann Lee")["aliases"] == ["Annie"]
    assert "both added and removed" in fails(
        people("edit", "Ann Lee", "--tag", "x", "--untag", "x")
    )


def test_fold_refuses_other_kinds_and_archived_targets(run: Run, db_path: Path) -> None:
    ok(run("add", "Acme", "--kind", "org", "--on", "2026-01-01"))
    ok(run("add", "Pat", "--on", "2026-01-01"))
    ok(run("add", "Old", "--on", "2026-01-01"))
    ok(run("archive", "Old"))
    before = digest(db_path)
    assert "make them the same kind first" in fails(run("fold", "Acme", "Pat"))
    assert "Old is archived" in fails(run("fold", "Pat", "Old"))
    assert digest(db_path) == before


def test_a_broker_folded_into_the_contact_is_no_connector_of_itself(
    run: Run, run_json: Any
) -> None:
    for name in ("Target", "Broker"):
        ok(run("add", name, "--on", "2026-01-01"))
    ok(run("log", "Target", "-d", "2", "--via", "Broker", "--on", "2026-11-20"))
    ok(run("fold", "Broker", "Target"))
    (entry,) = run_json("history")
    assert entry["via"] is None
    assert profile(run_json, "Target")["brokered"] == []
    assert run_json("balance", "--as-of", "2026-11-22")["connectors"] == []


def test_redo_of_a_log_lets_the_done_after_it_be_redone(run: Run, run_json: Any) -> None:
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("log", "Ann", "-w", "2", "--on", "2026-11-01"))
    (ask,) = run_json("history")
    ok(run("done", ask["id"], "--on", "2026-11-03"))
    ok(run("undo", "--yes"))  # the done
    ok(run("undo", "--yes"))  # the log
    ok(run("redo", "--yes"))  # the log again, with a new id
    ok(run("redo", "--yes"))  # and the done of it
    live = [e for e in run_json("history") if not e["voided"]]
    assert sorted(e["kind"] for e in live) == ["deposit", "withdrawal"]
    assert next(e for e in live if e["kind"] == "withdrawal")["status"] == "done"


def test_an_undone_import_is_not_redone_and_does_not_block_redo(
    run: Run, run_json: Any, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    ok(run("--db", str(other), "add", "Zed", "--on", "2026-01-01"))
    ok(run("add", "Ann", "--on", "2026-01-01"))
    ok(run("edit", "Ann", "--circle", "close"))
    ok(run("merge", str(other)))
    assert "run it again to redo it" in ok(run("undo", "--yes")).stdout
    ok(run("undo", "--yes"))  # the edit
    ok(run("redo", "--yes"))  # the edit again: the merge is passed over
    assert profile(run_json, "Ann")["circle"] == "close"
    assert [c["name"] for c in run_json("contacts")] == ["Ann"]
    assert "nothing to redo" in fails(run("redo", "--yes"))


def test_undo_of_log_new_archives_a_contact_logged_for_again(run: Run, run_json: Any) -> None:
    ok(run("log", "Carol", "-d", "1", "--new", "--on", "2026-11-01"))
    ok(run("log", "Carol", "-d", "1", "--on", "2026-11-02"))
    ok(run("undo", "--yes"))  # the second log
    said = ok(run("undo", "--yes")).stdout  # the first: Carol has a voided entry, so stays
    assert "archived 1 contact it added" in said
    assert run_json("contacts") == []
    assert [c["name"] for c in run_json("contacts", "--archived")] == ["Carol"]
    ok(run("redo", "--yes"))
    assert [c["name"] for c in run_json("contacts")] == ["Carol"]


def test_show_lists_the_emails_of_a_folded_duplicate(run: Run, run_json: Any) -> None:
    ok(run("add", "Lisa Chen", "--on", "2026-01-01"))
    ok(run("add", "Lisa Chan", "--on", "2026-01-01"))
    ok(run("edit", "Lisa Chan", "--email", "lisa@old.example"))
    ok(run("fold", "Lisa Chan", "Lisa Chen"))
    shown = profile(run_json, "Lisa Chen")
    assert shown["folded_emails"] == ["lisa@old.example"] and shown["emails"] == []
    assert "lisa@old.example" in ok(run("show", "Lisa Chen")).stdout
