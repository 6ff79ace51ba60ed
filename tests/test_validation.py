"""Property tests: the validators, and JSON restores built from valid and hostile pieces."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import string
import unicodedata
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run
from meishi import limits, validation
from meishi.dates import parse_date
from meishi.errors import BadValue, MeishiError
from meishi.inputs import CardInput
from meishi.mail.message import check_email
from meishi.meeting import check_card

REFUSED = sorted(
    validation.BIDI_CONTROLS | validation.ZERO_WIDTH | validation.LINE_SEPARATORS
    | {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} | {chr(0xD800), chr(0xDCFF)}
)  # fmt: skip
# What a text of several lines may hold (a CR is taken as a line break).
LINE_BREAKS = frozenset("\n\t\r\u2028\u2029")
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from([*REFUSED, "a", "田", " "]), max_size=40),
    st.sampled_from(["x" * 201, "\x1b]0;pwned\x07", "Tanaka [/]", "=?utf-8?b?DQo=?=", "\ufeff"]),
)
# Text a person types on a card: letters, digits, punctuation, kana and kanji, spaces, an IVS.
ORDINARY = st.text(
    alphabet=st.sampled_from(
        [*string.ascii_letters, *string.digits, *"[]/@.-_ 　田中髙𠮷ー", "\U000e0100"]
    ),
    max_size=60,
)


# --- the validators -------------------------------------------------------------------------


@given(text=HOSTILE_TEXT, lines=st.booleans(), limit=st.integers(0, 300))
def test_checked_text_holds_nothing_refused_and_fits(text: str, lines: bool, limit: int) -> None:
    try:
        checked = validation.check_text(text, "name", limit, lines)
    except BadValue as error:
        assert str(error).startswith("the name ")
        return
    assert validation.forbidden_char(checked, lines) is None
    assert len(checked) <= limit and checked == checked.strip()


@given(text=ORDINARY, lines=st.booleans())
def test_ordinary_text_passes_unchanged_but_for_the_spaces_around_it(
    text: str, lines: bool
) -> None:
    assert validation.check_text(text, "name", 60, lines) == text.strip()


@given(before=ORDINARY, char=st.sampled_from(REFUSED), after=ORDINARY, lines=st.booleans())
def test_a_refused_character_is_found_anywhere(
    before: str, char: str, after: str, lines: bool
) -> None:
    if lines and char in LINE_BREAKS:
        validation.check_text(before + char + after, "note", 1000, lines)  # kept, no refusal
        return
    with pytest.raises(BadValue, match=r"the note contains .* \(U\+[0-9A-F]{4}\)"):
        validation.check_text(before + char + after, "note", 1000, lines)


@given(text=st.text(max_size=25))
def test_an_id_is_a_64_bit_number_or_none(text: str) -> None:
    number = validation.id_in(text)
    assert number is None or 0 <= number <= limits.ID_MAX


@given(number=st.integers(0, 2**70))
def test_ids_in_digits_ascii_or_full_width(number: int) -> None:
    expected = number if number <= limits.ID_MAX else None
    full_width = str(number).translate({ord(d): ord("０") + int(d) for d in string.digits})
    assert validation.id_in(str(number)) == validation.id_in(full_width) == expected
    assert validation.id_in(f" {number}²") is None


@given(value=st.integers(-(2**70), 2**70), smallest=st.integers(0, 1))
def test_an_amount_is_yen_sized(value: int, smallest: int) -> None:
    try:
        assert smallest <= validation.check_amount(value, "fee", "give it", smallest) <= 10**8
    except BadValue as error:
        assert str(error).startswith("invalid fee ") and len(str(error)) < 200


@given(phrase=st.one_of(st.text(max_size=30), st.from_regex(r"\d{1,6}[-/]\d{1,2}[-/]\d{1,2}")))
def test_a_date_phrase_is_a_date_in_range_or_a_refusal(phrase: str) -> None:
    try:
        day = parse_date(phrase, dt.date(2026, 1, 10))
    except MeishiError:
        return
    assert limits.EARLIEST_YEAR <= day.year <= limits.LATEST_YEAR


@given(argument=st.text(max_size=20))
def test_arguments_are_refused_exactly_when_they_hold_undecodable_bytes(argument: str) -> None:
    undecodable = any(unicodedata.category(char) == "Cs" for char in argument)
    try:
        validation.check_arguments(["add", argument])
    except BadValue as error:
        assert undecodable and "not valid UTF-8" in str(error)
        str(error).encode("utf-8")  # the message itself can be printed
    else:
        assert not undecodable


@given(
    name=HOSTILE_TEXT,
    company=st.one_of(st.none(), HOSTILE_TEXT),
    emails=st.lists(st.one_of(HOSTILE_TEXT, st.emails()), max_size=25),
    topics=st.lists(HOSTILE_TEXT, max_size=55),
    note=st.one_of(st.none(), HOSTILE_TEXT),
)
def test_a_checked_card_holds_only_valid_values(
    name: str, company: str | None, emails: list[str], topics: list[str], note: str | None
) -> None:
    given_card = CardInput(name, company=company, emails=tuple(emails), topics=tuple(topics))
    try:
        card = check_card(CardInput(**{**given_card.__dict__, "note": note}))
    except MeishiError:
        return
    assert_valid_text(card.name, limits.NAME_CHARS, required=True)
    assert_valid_text(card.company, limits.CARD_FIELD_CHARS)
    assert_valid_text(card.note, limits.NOTE_CHARS, lines=True)
    assert len(card.emails) <= limits.EMAILS_PER_CONTACT
    assert all(check_email(address).lower() == address for address in card.emails)
    assert len(card.topics) <= limits.TOPICS_PER_ENCOUNTER
    for topic in card.topics:
        assert_valid_text(topic, limits.TOPIC_CHARS, required=True)


def assert_valid_text(text: str | None, limit: int, lines: bool = False, required: bool = False):
    """The text is what a validator lets through (None only when not required)."""
    if text is None:
        assert not required
        return
    assert validation.forbidden_char(text, lines) is None, repr(text)
    assert 0 < len(text) <= limit and text == text.strip()


# --- JSON restores -------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE_TEXT,
    st.sampled_from(
        ["0001-01-01", "2026-01-10", "2026-01-10T10:00:00", "0001-01-01T00:00:00+14:00",
         "10:00", "abc", "queued", "sent", "draft", "thank", "apology", "fee", "registered",
         "cards/ab.jpg", "ab" * 32, "{}", '{"fax": "\\u001b"}', "AAAA", "=?utf-8?q?=0D=0A?="]
    ),
)  # fmt: skip
ANY_JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


VALID_ROWS: dict[str, dict[str, Any]] = {
    "contacts": {
        "id": 1, "full_name": "田中 太郎", "company": "株式会社ソフト", "reading": "たなか",
        "emails": ["taro@example.jp"], "note": "メモ", "lang": "ja",
        "created_at": "2026-01-10T10:00:00+09:00",
    },
    "card_images": {
        "id": 1, "contact_id": 1, "path": "cards/ab.jpg", "sha256": "ab" * 32,
        "fields": '{"fax": "03"}',
    },
    "events": {
        "id": 1, "name": "AI勉強会", "date": "2026-01-10", "start_time": "19:00", "fee": 2000,
        "organizer_email": "org@example.jp", "attendance": "attended",
    },
    "attendance_changes": {
        "id": 1, "event_id": 1, "status": "cancelled", "at": "2026-01-09T10:00:00Z",
    },
    "obligations": {"id": 1, "event_id": 1, "kind": "fee", "amount": 2000, "how": None},
    "follow_ups": {"id": 1, "event_id": 1, "kind": "report", "date": "2026-01-11"},
    "encounters": {"id": 1, "contact_id": 1, "event_id": 1, "topics": ["RAG"], "note": "n"},
    "drafts": {
        "id": 1, "kind": "thank", "contact_id": 1, "event_id": 1, "encounter_id": 1,
        "template": "thank-ja", "to_name": "田中 太郎", "to_addr": "taro@example.jp",
        "subject": "お礼", "body": "ありがとうございました。\n", "state": "draft",
    },
    "outbox": {
        "id": 1, "draft_id": 1, "encounter_id": 1, "to_addr": "taro@example.jp",
        "subject": "お礼", "message_id": "<m1@example.jp>", "raw": "RnJvbTogeAo=",
        "state": "queued",
    },
    "decisions": {"id": 1, "series": "AI勉強会", "verdict": "return"},
}  # fmt: skip


@st.composite
def dumps(draw: st.DrawFn) -> dict[str, Any]:
    """A dump with a row in every list, then a few values replaced by anything, or dropped."""
    data: dict[str, Any] = {"meishi": 1, **{name: [dict(row)] for name, row in VALID_ROWS.items()}}
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(VALID_ROWS)))
        key = draw(st.sampled_from([*VALID_ROWS[name], "unknown"]))
        if draw(st.integers(0, 4)):
            data[name][0][key] = draw(st.one_of(HOSTILE_TEXT, ANY_JSON))
        else:
            data[name][0].pop(key, None)
    return data


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at the current schema with nothing in it, to copy for each example."""
    from meishi.store.engine import open_store

    path = tmp_path_factory.mktemp("template") / "meishi.db"
    open_store(path).close()
    return path


@pytest.fixture
def fresh_homes(tmp_path: Path, empty_store: Path) -> Iterator[Iterator[Path]]:
    """Homes for one example each, every one starting from the empty store."""

    def homes() -> Iterator[Path]:
        for number in range(10**6):
            folder = tmp_path / f"example-{number}"
            folder.mkdir()
            shutil.copy(empty_store, folder / "meishi.db")
            yield folder

    yield homes()


@pytest.mark.sqlite_only  # each example restores into a copy of an empty SQLite file
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=dumps())
def test_a_restore_never_crashes_and_never_stores_anything_invalid(
    fresh_homes: Iterator[Path], data: dict[str, Any]
) -> None:
    folder = next(fresh_homes)
    os.environ["MEISHI_HOME"] = str(folder)  # the autouse fixture restores it afterwards
    path = folder / "dump.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("import", str(path))
    if result.exit_code != 0:
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert_store_valid(folder / "meishi.db")
    for command in (("outbox",), ("contacts", "show", "1")):
        shown = run(*command)
        assert shown.exit_code in (0, 2) and "Traceback" not in shown.output, shown.output


def assert_store_valid(database: Path) -> None:
    """Every stored text passes the validators; nothing can be sent without drafting again."""
    with closing(sqlite3.connect(database)) as connection:

        def values(sql: str) -> list[Any]:
            return [value for (value,) in connection.execute(sql)]

        for column in ("full_name", "family_name", "given_name", "reading"):
            for text in values(f"SELECT {column} FROM contact"):
                assert_valid_text(text, limits.NAME_CHARS, required=column == "full_name")
        for column in ("company", "department", "title", "phone"):
            for text in values(f"SELECT {column} FROM contact"):
                assert_valid_text(text, limits.CARD_FIELD_CHARS)
        for table in ("contact", "encounter", "organizerfollowup"):
            for text in values(f"SELECT note FROM {table}"):
                assert_valid_text(text, limits.NOTE_CHARS, lines=True)
        for address in values("SELECT address FROM contactemail"):
            assert check_email(address).lower() == address
        for text in values("SELECT text FROM topic"):
            assert_valid_text(text, limits.TOPIC_CHARS, required=True)
        for column in ("name", "place", "series", "organizer_name"):
            for text in values(f"SELECT {column} FROM event"):
                assert_valid_text(text, limits.EVENT_FIELD_CHARS, required=column == "name")
        for day in values("SELECT date FROM event"):
            assert limits.EARLIEST_YEAR <= dt.date.fromisoformat(day).year <= limits.LATEST_YEAR
        assert "queued" not in values("SELECT state FROM outbox")
        assert values("SELECT raw FROM outbox WHERE length(raw) > 0") == []
        assert "draft" not in values("SELECT state FROM draft")


@pytest.mark.parametrize("lines", [False, True])
def test_refused_characters_are_exactly_controls_surrogates_and_invisibles(lines: bool) -> None:
    """The fast search refuses what the rule says, character by character, across the BMP."""
    from meishi.validation import (
        BIDI_CONTROLS,
        LINE_CONTROLS,
        LINE_SEPARATORS,
        ZERO_WIDTH,
        forbidden_char,
    )

    def refused(char: str) -> bool:
        if lines and char in LINE_CONTROLS:
            return False
        if not lines and char in LINE_SEPARATORS:
            return True
        return unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS | ZERO_WIDTH

    for code in range(0x10000):
        char = chr(code)
        expected = char if refused(char) else None
        assert forbidden_char(f"名刺{char}x", lines) == expected, hex(code)
