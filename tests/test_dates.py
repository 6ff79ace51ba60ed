"""Date and time phrases, in English and Japanese, from a fixed today."""

from datetime import date, time

import pytest

from meishi.dates import ACCEPTED_FORMS, parse_date, parse_time
from meishi.errors import BadDate, BadValue

SUNDAY = date(2026, 11, 29)
WEDNESDAY = date(2026, 11, 25)

FROM_SUNDAY = [
    # Written-out dates.
    ("2026-11-28", date(2026, 11, 28)),
    ("2026-1-5", date(2026, 1, 5)),
    ("2026/11/28", date(2026, 11, 28)),
    ("2024-02-29", date(2024, 2, 29)),
    ("２０２６－１１－２８", date(2026, 11, 28)),
    ("2026年11月28日", date(2026, 11, 28)),
    ("２０２６年１１月２８日", date(2026, 11, 28)),
    ("11/28", date(2026, 11, 28)),
    ("1/5", date(2026, 1, 5)),
    ("12/31", date(2025, 12, 31)),  # year-less: the last one (the past by default)
    ("11月28日", date(2026, 11, 28)),
    ("１２月３１日", date(2025, 12, 31)),
    # Fixed words, in any case and with stray spaces.
    ("today", SUNDAY),
    ("  Today ", SUNDAY),
    ("ＴＯＤＡＹ", SUNDAY),
    ("yesterday", date(2026, 11, 28)),
    ("tomorrow", date(2026, 11, 30)),
    ("今日", SUNDAY),
    ("本日", SUNDAY),
    ("昨日", date(2026, 11, 28)),
    ("一昨日", date(2026, 11, 27)),
    ("おととい", date(2026, 11, 27)),
    ("明日", date(2026, 11, 30)),
    # Counted days.
    ("0 days ago", SUNDAY),
    ("1 day ago", date(2026, 11, 28)),
    ("3 days ago", date(2026, 11, 26)),
    ("3  DAYS  AGO", date(2026, 11, 26)),
    ("in 1 day", date(2026, 11, 30)),
    ("in 3 days", date(2026, 12, 2)),
    ("3日前", date(2026, 11, 26)),
    ("３日前", date(2026, 11, 26)),
    ("3日後", date(2026, 12, 2)),
    ("30日前", date(2026, 10, 30)),
    # English weekdays; today is Sunday.
    ("sunday", SUNDAY),
    ("sun", SUNDAY),
    ("last sunday", date(2026, 11, 22)),
    ("next sunday", date(2026, 12, 6)),
    ("friday", date(2026, 11, 27)),
    ("Fri", date(2026, 11, 27)),
    ("last friday", date(2026, 11, 27)),
    ("next fri", date(2026, 12, 4)),
    ("monday", date(2026, 11, 23)),
    ("next monday", date(2026, 11, 30)),
    # Japanese weekdays; the ISO week runs Monday 11/23 to Sunday 11/29.
    ("日曜日", SUNDAY),
    ("金曜日", date(2026, 11, 27)),
    ("金曜", date(2026, 11, 27)),
    ("先週の金曜日", date(2026, 11, 20)),
    ("先週金曜", date(2026, 11, 20)),
    ("先週 金曜日", date(2026, 11, 20)),
    ("今週の金曜日", date(2026, 11, 27)),
    ("来週の金曜日", date(2026, 12, 4)),
    ("来週の日曜", date(2026, 12, 6)),
    # Weeks: their Monday.
    ("last week", date(2026, 11, 16)),
    ("先週", date(2026, 11, 16)),
    ("this week", date(2026, 11, 23)),
    ("今週", date(2026, 11, 23)),
    ("next week", date(2026, 11, 30)),
    ("来週", date(2026, 11, 30)),
]

FROM_WEDNESDAY = [
    ("wednesday", WEDNESDAY),
    ("wed", WEDNESDAY),
    ("last wednesday", date(2026, 11, 18)),
    ("next wednesday", date(2026, 12, 2)),
    ("friday", date(2026, 11, 20)),
    ("last friday", date(2026, 11, 20)),
    ("next friday", date(2026, 11, 27)),
    ("tuesday", date(2026, 11, 24)),
    ("last tue", date(2026, 11, 24)),
    ("next tue", date(2026, 12, 1)),
    ("thursday", date(2026, 11, 19)),
    ("next thursday", date(2026, 11, 26)),
    ("水曜日", WEDNESDAY),
    ("金曜日", date(2026, 11, 20)),
    ("先週の金曜日", date(2026, 11, 20)),
    ("先週の月曜日", date(2026, 11, 16)),
    ("今週の金曜日", date(2026, 11, 27)),
    ("来週の金曜日", date(2026, 12, 4)),
    ("last week", date(2026, 11, 16)),
    ("this week", date(2026, 11, 23)),
]

INVALID_DATES = [
    "",
    "   ",
    "fooday",
    "friyay",
    "last",
    "next",
    "days ago",
    "-1 days ago",
    "in -2 days",
    "last today",
    "yesterday please",
    "2026-02-30",
    "2026-13-01",
    "2025-02-29",
    "2026/11-28",
    "2026-11-28T10:00",
    "2/30",
    "13/1",
    "11月32日",
    "99999999 days ago",
    "金",
    "先週の",
    "先々週",
]

VALID_TIMES = [
    ("19:00", time(19, 0)),
    ("9:05", time(9, 5)),
    ("09:05", time(9, 5)),
    ("00:00", time(0, 0)),
    ("23:59", time(23, 59)),
    (" 7:30 ", time(7, 30)),
    ("１９：００", time(19, 0)),
]

INVALID_TIMES = [
    "",
    "25:00",
    "24:00",
    "19:60",
    "19:0",
    "1900",
    "7pm",
    "19:00:00",
    "-1:00",
    "ab:cd",
    "１９：６０",
]


@pytest.mark.parametrize(("text", "expected"), FROM_SUNDAY)
def test_parse_date_from_sunday(text: str, expected: date) -> None:
    assert parse_date(text, SUNDAY) == expected


@pytest.mark.parametrize(("text", "expected"), FROM_WEDNESDAY)
def test_parse_date_from_wednesday(text: str, expected: date) -> None:
    assert parse_date(text, WEDNESDAY) == expected


@pytest.mark.parametrize("text", INVALID_DATES)
def test_parse_date_rejects_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(BadDate) as caught:
        parse_date(text, SUNDAY)
    message = str(caught.value)
    assert f"'{text.strip()}'" in message
    assert "yesterday" in message
    assert "\n" not in message


def test_accepted_forms_is_one_line() -> None:
    assert "\n" not in ACCEPTED_FORMS
    assert "2026-11-28" in ACCEPTED_FORMS


@pytest.mark.parametrize(("text", "expected"), VALID_TIMES)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", INVALID_TIMES)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_time(text)
    message = str(caught.value)
    assert f"'{text.strip()}'" in message
    assert "HH:MM" in message
