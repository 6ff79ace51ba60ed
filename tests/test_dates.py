"""Date and time phrases, in English and Japanese, from a fixed today."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meishi.dates import (
    ACCEPTED_FORMS,
    JAPANESE_DAY_NAMES,
    Direction,
    Reading,
    direction_of,
    parse_date,
    parse_moment,
    parse_time,
    read_date,
    resolved,
    start_time,
)
from meishi.errors import BadDate, BadValue

PAST, FUTURE = Direction.PAST, Direction.FUTURE

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
    ("19時", time(19, 0)),
    ("１９時", time(19, 0)),
    ("19時30分", time(19, 30)),
    ("9時5分", time(9, 5)),
    ("19時半", time(19, 30)),
    ("0時", time(0, 0)),
    ("19:00〜", time(19, 0)),
    ("19:00～", time(19, 0)),
    ("19:00〜21:00", time(19, 0)),
    ("19:00 - 21:00", time(19, 0)),
    ("１９：００〜２１：００", time(19, 0)),
    ("19時から", time(19, 0)),
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
    "24時",
    "19時60分",
    "19時間",
    "〜21:00",
    "19:00〜25:00",
    "19:00〜21",
    "12/1 19:00",
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


# --- a day without its year, towards the past or the future ------------------------------

# (phrase, today, direction, the day meant)
YEAR_LESS = [
    ("1/15", date(2026, 12, 2), PAST, date(2026, 1, 15)),
    ("1/15", date(2026, 12, 2), FUTURE, date(2027, 1, 15)),
    ("1月15日", date(2026, 12, 2), PAST, date(2026, 1, 15)),
    ("1月15日", date(2026, 12, 2), FUTURE, date(2027, 1, 15)),
    ("12/1", date(2026, 12, 2), PAST, date(2026, 12, 1)),
    ("12/1", date(2026, 12, 2), FUTURE, date(2027, 12, 1)),
    ("12/2", date(2026, 12, 2), PAST, date(2026, 12, 2)),  # today counts either way
    ("12/2", date(2026, 12, 2), FUTURE, date(2026, 12, 2)),
    ("12/31", date(2027, 1, 1), PAST, date(2026, 12, 31)),
    ("12/31", date(2027, 1, 1), FUTURE, date(2027, 12, 31)),
    ("1/1", date(2026, 12, 31), PAST, date(2026, 1, 1)),
    ("1/1", date(2026, 12, 31), FUTURE, date(2027, 1, 1)),
    ("2/29", date(2026, 12, 2), PAST, date(2024, 2, 29)),
    ("2/29", date(2026, 12, 2), FUTURE, date(2028, 2, 29)),
    ("2/29", date(2028, 2, 29), PAST, date(2028, 2, 29)),
    ("2/29", date(2028, 3, 1), FUTURE, date(2032, 2, 29)),
    ("2/29", date(2101, 1, 1), PAST, date(2096, 2, 29)),  # 2100 is no leap year
    ("12/1(火)", date(2026, 12, 2), PAST, date(2026, 12, 1)),
    ("12/1 (Tue)", date(2026, 12, 2), PAST, date(2026, 12, 1)),
    ("12月1日(火)", date(2026, 12, 2), PAST, date(2026, 12, 1)),
    ("12月1日（火曜日）", date(2026, 12, 2), PAST, date(2026, 12, 1)),
    ("１２／１（火）", date(2026, 12, 2), PAST, date(2026, 12, 1)),
    ("12/8(火)", date(2026, 12, 2), FUTURE, date(2026, 12, 8)),
    ("1/1(金・祝)", date(2026, 12, 2), FUTURE, date(2027, 1, 1)),
    # A weekday named alone follows the direction too.
    ("fri", date(2026, 12, 2), PAST, date(2026, 11, 27)),
    ("fri", date(2026, 12, 2), FUTURE, date(2026, 12, 4)),
    ("水曜日", date(2026, 12, 2), FUTURE, date(2026, 12, 2)),
    ("金曜", date(2026, 12, 2), FUTURE, date(2026, 12, 4)),
]


@pytest.mark.parametrize(("text", "today", "direction", "expected"), YEAR_LESS)
def test_a_year_less_day_is_the_nearest_one_in_the_direction(
    text: str, today: date, direction: Direction, expected: date
) -> None:
    reading = read_date(text, today, direction)
    assert reading.day == expected
    assert reading.start is None


def test_only_a_day_written_without_its_year_is_marked_so() -> None:
    today = date(2026, 12, 2)
    assert read_date("12/1", today).year_less is True
    assert read_date("12月1日", today).year_less is True
    assert read_date("2026/12/01", today).year_less is False
    assert read_date("yesterday", today).year_less is False


# The forms connpass and Peatix print, read on 2026-12-02 towards the future.
SITE_FORMS = [
    ("2026/12/01(火)", date(2026, 12, 1), None),
    ("2026/12/01(火) 19:00〜21:00", date(2026, 12, 1), time(19, 0)),
    ("2026/12/01（火）19:00～21:00", date(2026, 12, 1), time(19, 0)),
    ("2026/12/08(火) 19:00 - 21:30", date(2026, 12, 8), time(19, 0)),
    ("12月8日(火) 19:00", date(2026, 12, 8), time(19, 0)),
    ("12月8日(火)19時〜", date(2026, 12, 8), time(19, 0)),
    ("2026年12月1日", date(2026, 12, 1), None),
    ("2026年12月1日(火) 19時30分", date(2026, 12, 1), time(19, 30)),
    ("２０２６/１２/０８(火) １９：００〜", date(2026, 12, 8), time(19, 0)),
    ("tomorrow 9:30", date(2026, 12, 3), time(9, 30)),
]


@pytest.mark.parametrize(("text", "day", "start"), SITE_FORMS)
def test_the_forms_event_sites_print_are_read(text: str, day: date, start: time | None) -> None:
    reading = read_date(text, date(2026, 12, 2), FUTURE)
    assert (reading.day, reading.start) == (day, start)


WRONG_WEEKDAYS = [
    # (phrase, direction, what the message must say)
    ("12/1(月)", PAST, "2026-12-01 is a Tuesday (火)"),
    ("2026/12/01(水)", FUTURE, "2026-12-01 is a Tuesday (火)"),
    ("12月1日(火) 19:00", FUTURE, "2027-12-01 is a Wednesday (水); for 2026-12-01, write its "),
    ("12/1 (mon)", PAST, "2026-12-01 is a Tuesday (Tue)"),
    ("1/1(木)", FUTURE, "2027-01-01 is a Friday (金)"),
]


@pytest.mark.parametrize(("text", "direction", "said"), WRONG_WEEKDAYS)
def test_a_weekday_that_is_not_the_dates_is_refused_saying_which_it_is(
    text: str, direction: Direction, said: str
) -> None:
    with pytest.raises(BadDate) as caught:
        read_date(text, date(2026, 12, 2), direction)
    message = str(caught.value)
    assert said in message
    assert repr(text) in message and "\n" not in message


def test_the_right_year_is_named_when_the_other_side_of_today_fits_the_weekday() -> None:
    with pytest.raises(BadDate, match=r"write its year: 2026/12/01$"):
        read_date("12/1(火)", date(2026, 12, 2), FUTURE)
    with pytest.raises(BadDate, match=r"check the date and the day$"):
        read_date("12/1(月)", date(2026, 12, 2), FUTURE)


@pytest.mark.parametrize("text", ["12/1 19:00", "2026/12/01(火) 19:00〜21:00", "昨日 19時"])
def test_a_day_only_phrase_refuses_a_time(text: str) -> None:
    with pytest.raises(BadDate, match="holds a time, but only a day is asked for here"):
        parse_date(text, date(2026, 12, 2))


@pytest.mark.parametrize(
    "text", ["12/1 25:00", "12/1 19:00〜24:30", "2/30(月)", "12/1(火曜日", "12/1(x)", "19:00"]
)
def test_broken_date_and_time_phrases_are_refused(text: str) -> None:
    with pytest.raises((BadDate, BadValue)) as caught:
        read_date(text, date(2026, 12, 2), PAST)
    assert repr(text.strip()) in str(caught.value)


def test_the_resolution_is_said_with_the_weekday_as_written() -> None:
    today = date(2026, 12, 2)
    assert resolved("12/1", read_date("12/1", today)) == "12/1 → 2026-12-01 (Tue)"
    assert resolved("12/1(火)", read_date("12/1(火)", today)) == "12/1(火) → 2026-12-01 (火)"
    assert resolved(" 1/15 ", read_date("1/15", today, FUTURE)) == "1/15 → 2027-01-15 (Fri)"


def test_the_start_time_comes_from_the_date_or_from_time_and_both_must_agree() -> None:
    with_time = Reading(date(2026, 12, 1), time(19, 0))
    assert start_time(with_time, None) == time(19, 0)
    assert start_time(with_time, "19時") == time(19, 0)
    assert start_time(Reading(date(2026, 12, 1)), "18:30") == time(18, 30)
    assert start_time(Reading(date(2026, 12, 1)), None) is None
    with pytest.raises(BadValue, match="the date says 19:00 but --time says 18:00"):
        start_time(with_time, "18:00")


def test_a_correction_looks_on_the_side_of_today_the_event_is_on() -> None:
    today = date(2026, 12, 2)
    assert direction_of(date(2026, 11, 30), today) is PAST
    assert direction_of(today, today) is FUTURE
    assert direction_of(date(2027, 1, 5), today) is FUTURE


def test_a_moment_without_its_year_lies_in_the_past() -> None:
    now = datetime(2026, 12, 2, 12, 0).astimezone()
    assert parse_moment("12/1 18:30", now) == datetime(2026, 12, 1, 18, 30).astimezone()
    assert parse_moment("12/3 18時", now) == datetime(2025, 12, 3, 18, 0).astimezone()
    assert parse_moment("９時半", now) == datetime(2026, 12, 2, 9, 30).astimezone()
    assert parse_moment("now", now) == now


days = st.dates(min_value=date(1910, 1, 1), max_value=date(2190, 12, 31))


@given(today=days, meant=days, direction=st.sampled_from(Direction))
def test_a_year_less_day_lands_on_its_side_of_today_within_its_cycle(
    today: date, meant: date, direction: Direction
) -> None:
    found = parse_date(f"{meant.month}/{meant.day}", today, direction)
    assert (found.month, found.day) == (meant.month, meant.day)
    assert found <= today if direction is PAST else found >= today
    # The nearest: a year for most days; 2/29 comes round within eight years.
    cycle = timedelta(days=366 if (meant.month, meant.day) != (2, 29) else 8 * 366)
    assert abs(found - today) < cycle


@given(today=days, meant=days, direction=st.sampled_from(Direction))
def test_a_date_with_its_own_weekday_reads_as_without_it(
    today: date, meant: date, direction: Direction
) -> None:
    plain = f"{meant.year}/{meant.month}/{meant.day}"
    noted = f"{plain}({JAPANESE_DAY_NAMES[meant.weekday()]})"
    assert read_date(noted, today, direction).day == read_date(plain, today, direction).day
