"""Reading address books, through `engage import contacts`: vCard 3.0/4.0 and CSV
(Google, Outlook, any header)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.helpers import CONTACTS, ROOT, Run, by_name, fails, ok

# Real vCards from other projects' test suites, kept beside this repository
# (../shared/fixtures/vcards); ENGAGE_VCARD_CORPUS points elsewhere.


_CANDIDATES = [
    os.environ.get("ENGAGE_VCARD_CORPUS", ""),
    str(ROOT.parent / "shared" / "fixtures" / "vcards"),
    "/work/shared/fixtures/vcards",
]


CORPUS = next((Path(c) for c in _CANDIDATES if c and Path(c).is_dir()), Path(_CANDIDATES[1]))


def test_vcards_of_every_shape(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    out = ok(run("import", "contacts", str(CONTACTS / "varied.vcf"), "--tag", "imported")).stdout
    assert "6 added, 0 updated, 0 unchanged, 2 skipped" in out
    assert "card 5: unreadable card" in out  # never closed: reported by position, the rest import
    assert "card 6: no name" in out
    people = by_name(run_json)
    assert set(people) == {
        "Ann Lee",
        "Dr. Maya Okafor",  # N only, no FN
        "Σοφία Παπαδοπούλου",
        "山田 太郎",
        "With Photo",
        "Open Food Network",
    }
    assert people["Open Food Network"]["kind"] == "org"
    assert people["Open Food Network"]["tags"] == ["non-profit", "imported"]
    ann = run_json("show", "Ann Lee")
    assert ann["emails"] == ["ann@example.org", "ann.lee@work.example"]
    assert ann["phones"] == ["+44 7700 900123", "+44 20 7946 0000"]
    assert (ann["nickname"], ann["birthday"], ann["org"]) == (
        "Annie",
        "1985-04-12",
        "Lisbon Design Studio, Research",
    )
    assert ann["note"] == "Met at PyCon, talked about maps.\nMoving to Lisbon in spring."
    assert ann["tags"] == ["friends", "climbing", "imported"]
    assert ann["circle"] == "wide"  # the default for imports: people from an address book
    assert run_json("show", "Dr. Maya Okafor")["birthday"] == "--07-04"


def test_google_and_outlook_csv(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    google = ok(run("import", "contacts", str(CONTACTS / "google.csv"))).stdout
    assert "2 added" in google and "card 3: no name" in google
    outlook = ok(run("import", "contacts", str(CONTACTS / "outlook.csv"))).stdout
    assert "2 added" in outlook
    jonas = run_json("show", "Jonas Berg")
    assert (jonas["nickname"], jonas["birthday"], jonas["org"]) == (
        "Joe",
        "1990-02-03",
        "Logistics AB",
    )
    assert jonas["phones"] == ["+46 70 123 45 67"]
    assert jonas["tags"] == ["engineering"]  # "* myContacts" is Google's, not yours
    assert run_json("show", "Priya Raman")["tags"] == ["research", "academia"]
    tom = run_json("show", "Tom Whitaker")
    assert (tom["org"], tom["tags"], tom["phones"]) == (
        "Whitaker Angels",
        ["investor", "finance"],
        ["+1 555 0100"],
    )
    assert run_json("show", "Lena M. Fischer")["emails"] == [
        "lena@hire.example",
        "lena.f@mail.example",
    ]


def test_any_csv_with_a_column_map(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    custom = str(CONTACTS / "custom.csv")
    assert "no name column" in fails(run("import", "contacts", custom))
    ok(run("import", "contacts", custom, "--map", "name=Who", "--map", "email=Mail"))
    assert run_json("show", "Sam Patel")["emails"] == ["sam@example.org"]
    assert "no column 'Nope'" in fails(run("import", "contacts", custom, "--map", "name=Nope"))
    assert "FIELD=COLUMN" in fails(run("import", "contacts", custom, "--map", "mood"), code=2)


def test_files_that_are_not_address_books(run: Run, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("")
    assert "no header row" in fails(run("import", "contacts", str(text)))
    assert "no file" in fails(run("import", "contacts", str(tmp_path / "missing.vcf")))
    empty = tmp_path / "empty.vcf"
    empty.write_text("hello\n")
    assert "not a vCard" in fails(run("import", "contacts", str(empty)))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no vCard corpus at {CORPUS}")
def test_the_shared_corpus_of_real_vcards(run: Run, run_json) -> None:  # type: ignore[no-untyped-def]
    files = sorted(CORPUS.glob("*.vcf"))
    assert len(files) >= 10
    added = skipped = 0
    for f in files:
        result = ok(run("import", "contacts", str(f), "--json"))
        import json

        report = json.loads(result.stdout)
        added += report["counts"]["added"]
        skipped += report["counts"]["skipped"]
    names = set(by_name(run_json))
    assert {"최유림", "전도훈", "Joe Citizen", "Wile E. Coyote", "Michael Smith"} <= names
    assert added == len(names) and skipped >= 1  # the unparsable card, and nothing else lost
    assert run_json("show", "Michael Smith")["nickname"] == "Mike"
    assert run_json("show", "ACME Inc.")["kind"] == "org"


def test_messy_cards_from_real_exporters(run: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cards = tmp_path / "messy.vcf"
    cards.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Lee, Ann\r\n"
        b"EMAIL:ann@lee.example\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Bob;;;\r\nFN:Lee, Bob\r\n"
        b"NOTE:Ann's brother, lives in Leeds\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:QP Person\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE:an intro t=\r\no the platform team\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Form Feed\r\nNOTE:one\x0ctwo\r\nEND:VCARD\r\n"
    )
    result = ok(run("import", "contacts", str(cards)))
    assert "4 added" in result.stdout
    assert result.stderr.startswith("engage: started a new ledger at ")  # and nothing else
    assert len(result.stderr.splitlines()) == 1
    names = set(by_name(run_json))
    assert {"Lee, Ann", "Lee, Bob", "QP Person", "Form Feed"} <= names
    assert run_json("show", "Lee, Bob")["note"] == "Ann's brother, lives in Leeds"
    assert run_json("show", "QP Person")["note"] == "an intro to the platform team"


def test_european_and_outlook_csv_quirks(run: Run, run_json, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    semi = tmp_path / "semi.csv"
    semi.write_text("Name;Email;Phone\nAnn Lee;ann@x.example;+1 555\n")
    ok(run("import", "contacts", str(semi)))
    assert run_json("show", "Ann Lee")["emails"] == ["ann@x.example"]
    outlook = tmp_path / "outlook.csv"
    outlook.write_text(
        "First Name,Last Name,E-mail Address,E-mail Type,E-mail Display Name,Birthday\n"
        "Tom,Whitaker,tom@angels.example,SMTP,Tom Whitaker (tom@angels.example),0/0/00\n"
    )
    ok(run("import", "contacts", str(outlook)))
    tom = run_json("show", "Tom Whitaker")
    assert (tom["emails"], tom["birthday"]) == (["tom@angels.example"], "")
