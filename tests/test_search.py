"""Search that understands Japanese, listing in pages, and a start that stays light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    add_event,
    add_person,
    error_of,
    fails,
    heavy_modules_after,
    json_of,
    ok,
    run,
    server_url,
)
from meishi.home import resolve
from meishi.store.reader import reader
from meishi.store.search import search
from meishi.text import fold


@pytest.fixture
def people() -> dict[str, int]:
    """Three contacts with readings, companies, topics and notes, met at two events."""
    add_event("AI勉強会 #3", -2, "--series", "AI勉強会")
    add_event("Fintech Night", -1)
    return {
        "tanaka": add_person(
            "AI勉強会 #3",
            "田中 太郎",
            "--reading",
            "タナカ タロウ",
            "--company",
            "株式会社ソフトバンク",
            "--email",
            "taro@softbank.example",
            "--topic",
            "生成AIの社内導入",
        ),
        "sato": add_person(
            "Fintech Night",
            "佐藤 花子",
            "--reading",
            "さとう はなこ",
            "--company",
            "ＡＢＣ商事",
            "--topic",
            "決済API",
            "--note",
            "田中さんの紹介",
        ),
        "smith": add_person(
            "Fintech Night", "John Smith", "--company", "Northwind Ltd.", "--title", "CTO"
        ),
    }


def names(*args: str) -> list[str]:
    """The names `meishi search` finds, in its order."""
    return [row["name"] for row in json_of(ok("search", *args, "--json"))]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("田中", ["田中 太郎", "佐藤 花子"]),  # name first, then the note that mentions him
        ("田中太郎", ["田中 太郎"]),  # spaces ignored
        ("たなか", ["田中 太郎"]),  # reading stored in katakana, asked in hiragana
        ("タナカ", ["田中 太郎"]),
        ("ﾀﾅｶ", ["田中 太郎"]),  # half-width katakana
        ("サトウ", ["佐藤 花子"]),  # reading stored in hiragana, asked in katakana
        ("ソフト", ["田中 太郎"]),  # a company fragment
        ("abc", ["佐藤 花子"]),  # ＡＢＣ商事 in full width
        ("ＮＯＲＴＨ", ["John Smith"]),
        ("社内導入", ["田中 太郎"]),  # a topic
        ("fintech", ["John Smith", "佐藤 花子"]),  # the event they were met at
        ("softbank.ex", ["田中 太郎"]),  # an email
        ("cto", ["John Smith"]),
        ("AI", ["田中 太郎"]),  # two characters: below a trigram, still found
        ("佐", ["佐藤 花子"]),  # one character
        ("存在しない人", []),
    ],
)
def test_search_finds_contacts_by_any_part(query: str, expected: list[str]) -> None:
    assert names(query) == expected


@pytest.mark.usefixtures("people")
def test_contacts_list_search_uses_the_same_index() -> None:
    listed = json_of(ok("contacts", "list", "--search", "たなか", "--json"))
    assert [row["name"] for row in listed] == ["田中 太郎"]
    by_event = json_of(ok("contacts", "list", "--event", "Fintech", "--search", "株", "--json"))
    assert [row["name"] for row in by_event] == []
    assert [r["name"] for r in json_of(ok("contacts", "list", "--event", "AI", "--json"))] == [
        "田中 太郎"
    ]


@pytest.mark.sqlite_only  # compares FTS5 rows with the SQLite view
def test_the_index_follows_every_change(people: dict[str, int]) -> None:
    # A topic added later, a new email on an existing contact, a renamed event.
    ok(
        "add",
        "--event",
        "Fintech Night",
        "--name",
        "田中 太郎",
        "--email",
        "taro@softbank.example",
        "--topic",
        "量子コンピュータ",
    )
    assert names("量子") == ["田中 太郎"]
    ok("event", "edit", "Fintech Night", "--name", "Payments Meetup")
    assert names("payments") == ["John Smith", "佐藤 花子", "田中 太郎"]  # newest first
    assert names("fintech") == []
    with reader(
        resolve().database
    ) as connection:  # the index holds the same as a fresh rebuild would
        stored = connection.execute("SELECT rowid, * FROM contact_search ORDER BY rowid").fetchall()
        fresh = connection.execute("SELECT * FROM contact_document ORDER BY id").fetchall()
    assert [tuple(row) for row in stored] == [tuple(row) for row in fresh]


def test_name_matches_rank_before_note_matches(people: dict[str, int]) -> None:
    with reader(resolve().location) as connection:
        page = search(connection, "田中", None)
    assert [row["id"] for row in page.rows] == [people["tanaka"], people["sato"]]
    assert page.total == 2


def test_fold_makes_widths_cases_and_kana_one() -> None:
    assert fold("ＡＢＣ ｶﾀｶﾅ", "Tanaka") == fold("abc かたかな", "TANAKA") == "abcかたかな|tanaka"


@pytest.mark.usefixtures("people")
def test_empty_search_is_refused() -> None:
    assert "search text is empty" in error_of(fails("search", "  "))


def test_listing_is_paged_with_a_line_saying_how_many_more() -> None:
    add_event("Big Mixer", -1)
    for number in range(7):
        add_person("Big Mixer", f"Person {number}")
    result = run("contacts", "list", "--limit", "3")
    assert result.exit_code == 0
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == [
        "Person 6",
        "Person 5",
        "Person 4",
    ]
    assert "and 4 more" in result.stderr
    everything = run("contacts", "list", "--all")
    assert len(everything.stdout.splitlines()) == 7
    assert everything.stderr == ""


def test_default_page_is_the_newest_fifty() -> None:
    add_event("Huge Mixer", -1)
    with reader(resolve().location):  # creates the store
        pass
    home = Path(os.environ["MEISHI_HOME"])
    rows = [(f"P{number}",) for number in range(60)]
    script = (
        "import sys; from meishi.store.engine import open_store\n"
        "from meishi.home import resolve\n"
        "from meishi.models import Contact\n"
        "s = open_store(resolve().location)\n"
        "with s.write() as session:\n"
        f"    session.add_all([Contact(full_name=n) for (n,) in {rows!r}])\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ})
    result = run("contacts", "list")
    assert len(result.stdout.splitlines()) == 50
    assert result.stdout.splitlines()[0].split("\t")[1] == "P59"
    assert "and 10 more" in result.stderr
    assert server_url() or home.exists()  # a server store makes nothing in the home


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["search", "田中"],
        ["contacts", "list"],
        ["event", "--help"],
        ["search", "--help"],
    ],
)
def test_read_paths_never_import_heavy_libraries(argv: list[str]) -> None:
    ok("event", "add", "Meetup", "--date", "yesterday")  # an up-to-date store exists
    assert heavy_modules_after(argv) == []


def test_japanese_names_line_up_in_a_terminal_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from io import StringIO

    from rich.console import Console

    from meishi.cli import common
    from meishi.drafts.wrapping import display_width

    out = StringIO()
    monkeypatch.setattr(common, "is_terminal", lambda: True)
    monkeypatch.setattr(common, "console", lambda: Console(file=out, width=120))
    rows = [
        (1, "田中 太郎", "株式会社ソフトバンク"),
        (2, "John Smith", "Acme"),
        (3, "ﾀﾅｶ", "ＡＢＣ"),
    ]
    assert common.print_table(("id", "name", "company"), rows) == 3
    lines = out.getvalue().splitlines()[1:]
    # Each company starts at the same display column, whatever the width of the names.
    starts = {
        display_width(line[: line.index(company)])
        for line, (_, _, company) in zip(lines, rows, strict=True)
    }
    assert len(starts) == 1
