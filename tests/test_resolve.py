"""Events and contacts found the way people type them: folded, by reading, by part, with hints."""

from __future__ import annotations

import pytest

from helpers import add_event, add_person, error_of, fails, json_of, ok, snapshot, store_reader
from meishi.store.resolve import Likeness, closest, contact_id_named, event_id_named
from meishi.text import fold


def score(needle: str, name: str) -> float:
    """likeness() of a name to a needle, both folded."""
    return Likeness(fold(needle)).score(fold(name))


# Pure: folding and ranking.


@pytest.mark.parametrize(
    "typed", ["AI 勉強会", "Tokyo AI勉強会", "ｔｏｋｙｏ　ａｉ", "tokyo ai 勉強会 #12"]
)
def test_what_people_type_folds_into_the_name(typed: str) -> None:
    assert fold(typed) in fold("Tokyo AI 勉強会 #12")


def test_a_reading_in_katakana_or_hiragana_folds_alike() -> None:
    assert fold("タナカ タロウ").startswith(fold("たなか"))
    assert fold("ﾀﾅｶ") == fold("たなか")


def test_a_typo_inside_a_long_name_is_still_alike() -> None:
    assert score("AI勉強界", "Tokyo AI 勉強会 #12") >= 0.6
    assert score("Design Nite", "Design Night") >= 0.6
    assert score("Nobody", "田中 太郎") < 0.6
    assert score("zebra", "Tokyo AI 勉強会 #12") < 0.6


def test_closest_ranks_the_most_alike_first_and_keeps_three() -> None:
    names = [
        (1, "Data Night", fold("Data Night")),
        (2, "Design Night", fold("Design Night")),
        (3, "Design Nights", fold("Design Nights")),
        (4, "Dosign Nite", fold("Dosign Nite")),
        (5, "Chess Club", fold("Chess Club")),
    ]
    found = closest(fold("Desing Night"), names)
    assert [key for key, _ in found][:2] == [2, 3]
    assert len(found) == 3 and 5 not in [key for key, _ in found]


def test_closest_names_a_person_once_when_name_and_reading_are_both_alike() -> None:
    names = [(7, "田中 太郎", fold("田中 太郎")), (7, "田中 太郎", fold("タナカ タロウ"))]
    assert closest(fold("たなかたろ"), names) == [(7, "田中 太郎")]


# Through the store's own connection: the order in which matches are tried.


def test_a_whole_name_wins_over_a_longer_name_that_starts_with_it() -> None:
    add_event("Data Night", -3)
    add_event("Data Night #2", -2)
    with store_reader() as db:
        assert event_id_named(db, "data  night") == 1
        assert event_id_named(db, "ＤＡＴＡ ＮＩＧＨＴ #2") == 2


def test_a_start_wins_over_a_part() -> None:
    add_event("Tokyo Salon", -3)
    add_event("Salon Osaka", -2)
    with store_reader() as db:
        assert event_id_named(db, "salon") == 2


def test_a_family_name_or_reading_is_a_whole_name() -> None:
    add_event("Meetup", -1)
    add_person("Meetup", "田中 太郎", "--reading", "タナカ タロウ")
    add_person("Meetup", "山田中子", "--reading", "やまだ なかこ")
    with store_reader() as db:
        assert contact_id_named(db, "田中") == 1  # 山田中子 only holds it inside
        assert contact_id_named(db, "たなか") == 1


# Through the commands.


@pytest.fixture
def study_group() -> None:
    """An event as connpass names it, and two people met there."""
    add_event("Tokyo AI 勉強会 #12", -1)
    add_event("Design Night", -3)
    add_person("Tokyo AI 勉強会 #12", "田中 太郎", "--reading", "タナカ タロウ")
    add_person("Tokyo AI 勉強会 #12", "Alice Smith", "--company", "Northwind")


@pytest.mark.usefixtures("study_group")
@pytest.mark.parametrize("typed", ["AI 勉強会", "Tokyo AI勉強会", "ｔｏｋｙｏ ａｉ", "勉強会 #12"])
def test_event_show_finds_the_event_as_people_type_it(typed: str) -> None:
    assert json_of(ok("event", "show", typed, "--json"))["name"] == "Tokyo AI 勉強会 #12"


@pytest.mark.usefixtures("study_group")
@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("たなか", "田中 太郎"),
        ("タナカ", "田中 太郎"),
        ("ﾀﾅｶ ﾀﾛｳ", "田中 太郎"),
        ("太郎", "田中 太郎"),
        ("SMITH", "Alice Smith"),
        ("alicesmith", "Alice Smith"),
    ],
)
def test_contacts_show_finds_by_reading_and_part(typed: str, name: str) -> None:
    assert json_of(ok("contacts", "show", typed, "--json"))["name"] == name


@pytest.mark.usefixtures("study_group")
def test_a_mistyped_event_gets_did_you_mean_and_nothing_changes() -> None:
    before = snapshot()
    message = error_of(fails("followup", "AI勉強界", "thanks"))
    assert message == (
        "no event matches 'AI勉強界'; did you mean 'Tokyo AI 勉強会 #12' (#1)? "
        "See `meishi event list`"
    )
    assert snapshot() == before


@pytest.mark.usefixtures("study_group")
def test_a_mistyped_contact_reading_gets_did_you_mean() -> None:
    message = error_of(fails("contacts", "show", "たなかたろ-"))
    assert "did you mean '田中 太郎' (#1)?" in message
    assert error_of(fails("contacts", "show", "Alise Smyth")).startswith(
        "no contact matches 'Alise Smyth'; did you mean 'Alice Smith' (#2)?"
    )


@pytest.mark.usefixtures("study_group")
def test_nothing_alike_says_where_to_look() -> None:
    message = error_of(fails("event", "show", "zzz"))
    assert message == "no event matches 'zzz'; see `meishi event list`"


def test_a_part_of_several_names_lists_the_candidates_with_ids() -> None:
    add_event("Tokyo AI 勉強会 #11", -8)
    add_event("Tokyo AI 勉強会 #12", -1)
    message = error_of(fails("event", "show", "ai 勉強会"))
    assert message.startswith("'ai 勉強会' matches 2 events: #1 Tokyo AI 勉強会 #11 (")
    assert "#2 Tokyo AI 勉強会 #12 (" in message
