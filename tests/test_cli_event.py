"""`meishi event add/list/show`: recording the gatherings you go to."""

import pytest

from helpers import add_event, add_person, day, error_of, fails, json_of, ok, run


def test_event_add_stores_every_field() -> None:
    result = ok(
        "event",
        "add",
        "AI勉強会 #12",
        "--date",
        day(-1),
        "--time",
        "19:00",
        "--series",
        "AI勉強会",
        "--organizer",
        "佐藤 健",
        "--organizer-email",
        "Sato@Example.JP",
        "--place",
        "渋谷",
        "--fee",
        "2000",
        "--name-en",
        "AI Study Group #12",
    )
    assert result.stdout.startswith(f"Added event #1 AI勉強会 #12 on {day(-1)} (")
    assert "19:00" in result.stdout
    [event] = json_of(ok("event", "list", "--json"))
    assert event == {
        "id": 1,
        "name": "AI勉強会 #12",
        "name_en": "AI Study Group #12",
        "date": day(-1),
        "time": "19:00",
        "place": "渋谷",
        "series": "AI勉強会",
        "organizer": "佐藤 健",
        "organizer_email": "Sato@example.jp",
        "fee": 2000,
        "status": "attended",
    }


def test_event_add_understands_date_phrases() -> None:
    add_event("placeholder", -30)
    ok("event", "add", "Yesterday's", "--date", "yesterday")
    ok("event", "add", "Three days ago", "--date", "3日前")
    dates = {e["name"]: e["date"] for e in json_of(ok("event", "list", "--json"))}
    assert dates["Yesterday's"] == day(-1)
    assert dates["Three days ago"] == day(-3)


def test_event_list_shows_newest_first() -> None:
    add_event("Middle", -10)
    add_event("Oldest", -40)
    add_event("Newest", 5)
    events = json_of(ok("event", "list", "--json"))
    assert [e["name"] for e in events] == ["Newest", "Middle", "Oldest"]
    lines = ok("event", "list").stdout.splitlines()
    assert [line.split("\t")[3] for line in lines] == ["Newest", "Middle", "Oldest"]
    assert lines[0].split("\t")[:2] == ["3", day(5)]


def test_event_list_when_empty_says_how_to_add() -> None:
    assert "meishi event add" in ok("event", "list").stdout
    assert json_of(ok("event", "list", "--json")) == []


def test_event_show_lists_people_topics_and_follow_ups() -> None:
    add_event("Salon #3", -2, "--series", "Salon", "--organizer", "Ken")
    add_event("Salon #2", -30, "--series", "Salon")
    add_person("Salon #3", "田中 太郎", "--email", "taro@example.jp", "--topic", "生成AI")
    add_person("Salon #3", "Bob Lee", "--topic", "hiking", "--topic", "tea")
    add_person("Salon #2", "Carol King", "--topic", "jazz")
    ok("followup", "Salon #3", "survey", "--date", day(-1), "--note", "five questions")

    text = ok("event", "show", "Salon #3").stdout
    assert text.splitlines()[0] == "#1 Salon #3 (you attended)"
    assert "  organizer: Ken" in text
    assert "People met (2):" in text
    assert "田中 太郎 — 生成AI [pending]" in text
    assert "Bob Lee — hiking, tea [no email]" in text
    assert "Carol King" not in text
    assert f"  #1 {day(-1)} survey — five questions" in text

    detail = json_of(ok("event", "show", "1", "--json"))
    assert detail["name"] == "Salon #3"
    assert [(p["name"], p["topics"], p["thank_you"]) for p in detail["people"]] == [
        ("田中 太郎", ["生成AI"], "pending"),
        ("Bob Lee", ["hiking", "tea"], "no email"),
    ]
    assert detail["follow_ups"] == [
        {
            "id": 1,
            "kind": "survey",
            "date": day(-1),
            "note": "five questions",
            "source": "hand",
            "subject": None,
        }
    ]


def test_event_show_without_people_or_follow_ups() -> None:
    add_event("Quiet", -1)
    text = ok("event", "show", "Quiet").stdout
    assert "People met (0):" in text
    assert "No organizer follow-up yet." in text


def test_event_show_by_prefix_and_ambiguous_prefix() -> None:
    add_event("Design Meetup", -5)
    add_event("Data Night #1", -4)
    add_event("Data Night #2", -3)
    assert json_of(ok("event", "show", "design", "--json"))["name"] == "Design Meetup"
    message = error_of(fails("event", "show", "Data"))
    assert "'Data' matches 2 events" in message
    assert "#2 Data Night #1" in message and "#3 Data Night #2" in message


def test_event_show_unknown() -> None:
    add_event("Known", -1)
    assert "no event matches 'Unknown'" in error_of(fails("event", "show", "Unknown"))


@pytest.mark.parametrize("time", ["25:00", "7pm", "19:60", "1900"])
def test_invalid_time_is_refused_in_one_line(time: str) -> None:
    message = error_of(fails("event", "add", "X", "--date", "yesterday", "--time", time))
    assert f"invalid time '{time}'" in message
    assert "HH:MM" in message
    assert json_of(ok("event", "list", "--json")) == []


def test_unknown_date_phrase_lists_the_accepted_forms() -> None:
    message = error_of(fails("event", "add", "X", "--date", "someday"))
    assert "unknown date 'someday'" in message
    for form in ("yesterday", "3 days ago", "昨日", "2026-11-28", "last fri"):
        assert form in message


def test_impossible_calendar_date_is_refused() -> None:
    assert "no such date '2026-02-30'" in error_of(
        fails("event", "add", "X", "--date", "2026-02-30")
    )


def test_negative_fee_is_refused() -> None:
    message = error_of(fails("event", "add", "X", "--date", "yesterday", "--fee", "-500"))
    assert "invalid fee -500" in message


def test_zero_fee_is_fine() -> None:
    add_event("Free", -1, "--fee", "0")
    assert json_of(ok("event", "show", "Free", "--json"))["fee"] == 0


def test_invalid_organizer_email_is_refused() -> None:
    message = error_of(
        fails("event", "add", "X", "--date", "yesterday", "--organizer-email", "sato-at-example")
    )
    assert "invalid email 'sato-at-example'" in message
    assert json_of(ok("event", "list", "--json")) == []


def test_blank_event_name_is_refused() -> None:
    assert "event name is empty" in error_of(fails("event", "add", "  ", "--date", "yesterday"))


def test_event_without_date_is_a_usage_error() -> None:
    result = run("event", "add", "X")
    assert result.exit_code == 2
    assert "--date" in result.stderr
