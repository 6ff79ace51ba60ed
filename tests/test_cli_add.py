"""`meishi add` and `meishi contacts`: the people met, and what you talked about."""

import datetime as dt

import pytest

from helpers import (
    add_event,
    add_person,
    day,
    db_dump,
    error_of,
    fails,
    json_of,
    ok,
    on_terminal,
    run,
    table_count,
)


def contacts() -> list[dict]:
    """Every contact, as `contacts list --json` shows them."""
    return json_of(ok("contacts", "list", "--json"))


def detail(contact: str) -> dict:
    """One contact, as `contacts show --json` shows it."""
    return json_of(ok("contacts", "show", contact, "--json"))


# --- add -------------------------------------------------------------------------------


def test_add_with_event_stores_the_card_and_topics() -> None:
    add_event("AI勉強会 #12", -1)
    add_event("Other", -1)
    result = ok(
        "add",
        "--event",
        "AI勉強会",
        "--name",
        "田中 太郎",
        "--reading",
        "たなか たろう",
        "--company",
        "株式会社サンプル",
        "--department",
        "AI戦略室",
        "--title",
        "部長",
        "--phone",
        "03-1234-5678",
        "--email",
        "Taro.Tanaka@Example.CO.JP",
        "--email",
        "taro@home.example",
        "--topic",
        "生成AIの社内導入",
        "--topic",
        "RAGの評価",
        "--note",
        "紹介してもらった",
        "--lang",
        "ja",
    )
    assert result.stdout.strip() == "Added #1 田中 太郎 (株式会社サンプル) with 2 new topics."
    card = detail("1")
    assert {key: card[key] for key in ("name", "family_name", "given_name", "reading")} == {
        "name": "田中 太郎",
        "family_name": "田中",
        "given_name": "太郎",
        "reading": "たなか たろう",
    }
    assert (card["company"], card["department"], card["title"]) == (
        "株式会社サンプル",
        "AI戦略室",
        "部長",
    )
    assert (card["phone"], card["lang"]) == ("03-1234-5678", "ja")
    assert card["emails"] == ["taro.tanaka@example.co.jp", "taro@home.example"]
    [encounter] = card["encounters"]
    assert encounter["event"] == {"id": 1, "name": "AI勉強会 #12", "date": day(-1)}
    assert encounter["topics"] == ["生成AIの社内導入", "RAGの評価"]
    assert encounter["note"] == "紹介してもらった"


def test_add_without_event_uses_the_latest_started_one_and_says_so() -> None:
    add_event("Last month", -30)
    add_event("Yesterday", -1, "--time", "19:00")
    add_event("Next week", 7)
    result = ok("add", "--name", "Bob Lee", "--topic", "hiking")
    assert result.stdout.splitlines()[0].startswith(f"Event: #2 Yesterday on {day(-1)} (")
    assert "(the latest; --event to choose)" in result.stdout
    assert [e["event"]["name"] for e in detail("Bob Lee")["encounters"]] == ["Yesterday"]


def test_add_without_event_and_only_a_future_event_refuses() -> None:
    add_event("Next week", 7)
    message = error_of(fails("add", "--name", "Bob Lee"))
    assert "no event has started yet" in message
    assert "meishi event add" in message
    assert table_count("contact") == 0


def test_add_with_no_event_at_all_refuses_clearly() -> None:
    message = error_of(fails("add", "--name", "Bob Lee"))
    assert message == "no event has started yet; add one: meishi event add NAME --date DATE"


def test_add_without_event_skips_an_event_later_today() -> None:
    later = dt.datetime.now() + dt.timedelta(hours=1)
    if later.date() != dt.date.today():
        pytest.skip("too close to midnight for an event later today")
    add_event("Last night", -1, "--time", "19:00")
    add_event("Tonight", 0, "--time", later.strftime("%H:%M"))
    result = ok("add", "--name", "Bob Lee")
    assert "Event: #1 Last night" in result.stdout


def test_same_email_links_to_the_known_contact_and_fills_empty_fields() -> None:
    add_event("First", -20)
    add_event("Second", -1)
    add_person("First", "Alice Smith", "--email", "alice@example.com", "--topic", "tea")
    result = ok(
        "add",
        "--event",
        "Second",
        "--name",
        "A. Smith",
        "--email",
        "ALICE@example.com",
        "--company",
        "Northwind",
        "--title",
        "Director",
        "--topic",
        "jazz",
    )
    assert result.stdout.strip() == (
        "Linked to known contact #1 Alice Smith (Northwind) with 1 new topic; "
        "filled in company, title."
    )
    [only] = contacts()
    assert (only["name"], only["company"], only["title"]) == (
        "Alice Smith",
        "Northwind",
        "Director",
    )
    assert only["emails"] == ["alice@example.com"]
    encounters = detail("alice@example.com")["encounters"]
    assert [(e["event"]["name"], e["topics"]) for e in encounters] == [
        ("Second", ["jazz"]),
        ("First", ["tea"]),
    ]


def test_same_email_keeps_filled_fields_and_appends_topics_without_duplicates() -> None:
    add_event("Meetup", -1)
    add_person("Meetup", "Alice Smith", "--email", "alice@example.com", "--company", "Northwind")
    ok(
        "add",
        "--event",
        "Meetup",
        "--name",
        "Alice",
        "--email",
        "alice@example.com",
        "--topic",
        "tea",
    )
    result = ok(
        "add",
        "--event",
        "Meetup",
        "--name",
        "Alice",
        "--email",
        "alice@example.com",
        "--email",
        "alice@work.example",
        "--company",
        "Contoso",
        "--topic",
        "tea",
        "--topic",
        "jazz",
        "--topic",
        "jazz",
    )
    assert result.stdout.splitlines() == [
        "Linked to known contact #1 Alice Smith (Northwind) with 1 new topic.",
        "Did not change company 'Northwind' (the card says 'Contoso') of #1 Alice Smith; "
        "to take the card's values: meishi contacts edit 1 --company Contoso",
    ]
    [only] = contacts()
    assert only["company"] == "Northwind"
    assert only["emails"] == ["alice@example.com", "alice@work.example"]
    [encounter] = detail("1")["encounters"]
    assert encounter["topics"] == ["tea", "jazz"]
    assert table_count("encounter") == 1


def test_emails_of_two_different_contacts_are_refused() -> None:
    add_event("Meetup", -1)
    add_person("Meetup", "Alice", "--email", "alice@example.com")
    add_person("Meetup", "Bob", "--email", "bob@example.com")
    before = db_dump()
    message = error_of(
        fails("add", "--name", "X", "--email", "alice@example.com", "--email", "bob@example.com")
    )
    assert "belong to different contacts" in message
    assert db_dump() == before


def test_add_off_a_terminal_without_name_refuses() -> None:
    add_event("Meetup", -1)
    message = error_of(fails("add", "--event", "Meetup"))
    assert "--name is required when not on a terminal" in message
    assert table_count("contact") == 0


def test_add_interactive_asks_every_field() -> None:
    add_event("Meetup", -1)
    answers = [
        "",  # an empty name is asked again
        "田中 太郎",
        "たなか たろう",
        "株式会社サンプル",
        "開発部",
        "部長",
        "03-1111-2222",
        "not-an-email",  # asked again
        "taro@example.jp",
        "taro@home.example",
        "",
        "fr",  # asked again
        "ja",
        "生成AI",
        "RAG",
        "",
        "また会いたい",
    ]
    result = ok("add", "--event", "Meetup", "-i", input="\n".join(answers) + "\n")
    assert "invalid email 'not-an-email'" in result.stderr
    assert "please answer ja, en or nothing" in result.stderr
    assert result.stdout.count("Name:") == 2
    assert "Added #1 田中 太郎 (株式会社サンプル) with 2 new topics." in result.stdout
    card = detail("1")
    assert [card[key] for key in ("name", "reading", "company", "department", "title")] == [
        "田中 太郎",
        "たなか たろう",
        "株式会社サンプル",
        "開発部",
        "部長",
    ]
    assert (card["phone"], card["lang"]) == ("03-1111-2222", "ja")
    assert card["emails"] == ["taro@example.jp", "taro@home.example"]
    [encounter] = card["encounters"]
    assert encounter["topics"] == ["生成AI", "RAG"]
    assert encounter["note"] == "また会いたい"


def test_add_interactive_leaves_optional_fields_empty() -> None:
    add_event("Meetup", -1)
    ok("add", "-i", input="Bob Lee\n" + "\n" * 10)
    card = detail("Bob Lee")
    assert [card[k] for k in ("company", "title", "phone", "lang")] == [None] * 4
    assert card["emails"] == []
    assert card["encounters"][0]["topics"] == []


def test_invalid_lang_is_refused() -> None:
    add_event("Meetup", -1)
    assert "unknown language 'fr'" in error_of(fails("add", "--name", "X", "--lang", "fr"))
    assert table_count("contact") == 0


def test_invalid_email_is_refused() -> None:
    add_event("Meetup", -1)
    assert "invalid email 'bob@'" in error_of(fails("add", "--name", "X", "--email", "bob@"))
    assert table_count("contact") == 0


@pytest.mark.parametrize("field", ["--company", "--department", "--title", "--reading", "--phone"])
@pytest.mark.parametrize("breaker", ["\n", "\r", "\r\n"])
def test_line_break_in_a_card_field_is_refused(field: str, breaker: str) -> None:
    add_event("Meetup", -1)
    before = db_dump()
    message = error_of(fails("add", "--name", "Bob", field, f"Acme{breaker}Bcc: x@evil.example"))
    assert f"{field.removeprefix('--')} contains a line break" in message
    assert db_dump() == before


def test_line_break_in_name_stores_nothing() -> None:
    add_event("Meetup", -1)
    before = db_dump()
    result = run("add", "--name", "Bob\nBcc: x@evil.example")
    assert result.exit_code == 2
    assert "name contains a line break or control character (U+000A)" in result.stderr
    assert db_dump() == before


# --- a real terminal ----------------------------------------------------------------------


def test_add_on_a_real_terminal_prompts_for_the_card() -> None:
    add_event("Terminal Night", -1)
    dialogue = [
        ("Name", "Kenji Sato"),
        ("Reading", ""),
        ("Company", "Acme"),
        ("Department", ""),
        ("Title", "CTO"),
        ("Phone", ""),
        ("Email", "kenji@acme.example"),
        ("Another email", ""),
        ("Language", "en"),
        (">", "robots"),
        (">", ""),
        ("Note", ""),
    ]
    last = "Added #1 Kenji Sato (Acme) with 1 new topic."
    assert on_terminal("add", "--event", "Terminal Night", dialogue=dialogue, last=last) == 0
    card = detail("Kenji Sato")
    assert (card["company"], card["title"], card["lang"]) == ("Acme", "CTO", "en")
    assert card["emails"] == ["kenji@acme.example"]
    assert card["encounters"][0]["topics"] == ["robots"]


# --- contacts ---------------------------------------------------------------------------


@pytest.fixture
def people() -> None:
    """Three people met at two events."""
    add_event("Tokyo AI #1", -10)
    add_event("Design Night", -2)
    add_person(
        "Tokyo AI #1",
        "田中 太郎",
        "--company",
        "株式会社ソフト",
        "--email",
        "taro@example.jp",
        "--topic",
        "生成AI",
    )
    add_person(
        "Design Night", "田中 花子", "--company", "デザイン合同会社", "--topic", "UXリサーチ"
    )
    add_person(
        "Design Night",
        "Alice Smith",
        "--company",
        "Northwind",
        "--email",
        "alice@northwind.example",
        "--topic",
        "bilingual support",
    )


def names(*options: str) -> list[str]:
    """The names `contacts list --json` shows with these options."""
    return [c["name"] for c in json_of(ok("contacts", "list", "--json", *options))]


@pytest.mark.usefixtures("people")
def test_contacts_list_is_newest_first() -> None:
    assert names() == ["Alice Smith", "田中 花子", "田中 太郎"]
    lines = ok("contacts", "list").stdout.splitlines()
    assert lines[0].split("\t") == ["3", "Alice Smith", "Northwind", "", "alice@northwind.example"]
    assert len(lines) == 3


@pytest.mark.usefixtures("people")
def test_contacts_list_by_event() -> None:
    assert names("--event", "Design") == ["Alice Smith", "田中 花子"]
    assert names("--event", "Tokyo AI #1") == ["田中 太郎"]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("田中", ["田中 花子", "田中 太郎"]),  # name
        ("northwind", ["Alice Smith"]),  # company, case-insensitive
        ("デザイン", ["田中 花子"]),  # company
        ("生成AI", ["田中 太郎"]),  # topic
        ("Bilingual", ["Alice Smith"]),  # topic, case-insensitive
        ("taro@example", ["田中 太郎"]),  # email
        ("nobody", []),
    ],
)
def test_contacts_list_search(text: str, expected: list[str]) -> None:
    assert names("--search", text) == expected


@pytest.mark.usefixtures("people")
def test_contacts_list_search_and_event_together() -> None:
    assert names("--event", "Design Night", "--search", "田中") == ["田中 花子"]
    assert ok("contacts", "list", "--search", "zzz").stdout.strip() == "No contacts match."


def test_contacts_list_when_empty() -> None:
    assert ok("contacts", "list").stdout.strip() == "No contacts yet: meishi add"


@pytest.mark.usefixtures("people")
def test_contacts_show_text() -> None:
    text = ok("contacts", "show", "田中 太郎").stdout
    assert text.splitlines()[0] == "#1 田中 太郎"
    assert "  company: 株式会社ソフト" in text
    assert "  email: taro@example.jp" in text
    assert f"Met at #1 Tokyo AI #1 ({day(-10)})" in text
    assert "  - 生成AI" in text
    assert "  thank-you: not written yet: meishi thank" in text
    no_mail = ok("contacts", "show", "田中 花子").stdout
    assert "  thank-you: no email address to write to" in no_mail


@pytest.mark.usefixtures("people")
def test_contacts_show_json_by_id_email_and_prefix() -> None:
    by_id = detail("3")
    assert by_id["name"] == "Alice Smith"
    assert detail("ALICE@northwind.example") == by_id
    assert detail("alice") == by_id
    assert by_id["encounters"] == [
        {
            "event": {"id": 2, "name": "Design Night", "date": day(-2)},
            "topics": ["bilingual support"],
            "note": None,
            "thank_you": {"state": "pending"},
        }
    ]


@pytest.mark.usefixtures("people")
def test_contacts_show_unknown() -> None:
    message = error_of(fails("contacts", "show", "Nobody"))
    assert message == "no contact matches 'Nobody'; see `meishi contacts list`"
    assert "no contact matches" in error_of(fails("contacts", "show", "nobody@example.com"))


@pytest.mark.usefixtures("people")
def test_contacts_show_ambiguous_prefix_lists_candidates() -> None:
    message = error_of(fails("contacts", "show", "田中"))
    assert "'田中' matches 2 contacts" in message
    assert "#1 田中 太郎, 株式会社ソフト" in message
    assert "#2 田中 花子, デザイン合同会社" in message
    assert "Use the id or a longer name" in message


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("pattern", ["%@northwind.example", "_lice@northwind.example"])
def test_contacts_show_email_is_matched_literally(pattern: str) -> None:
    assert "no contact matches" in error_of(fails("contacts", "show", pattern))
