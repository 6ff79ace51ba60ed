"""Turn the date and time phrases people type, in English or Japanese, into values.

Also the forms event sites print (connpass, Peatix): `2026/12/01(火) 19:00〜21:00`.
"""

import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeAlias

from meishi.errors import BadDate, BadValue
from meishi.validation import check_date

ACCEPTED_FORMS = (
    "2026-11-28, 2026/11/28(土), 2026年11月28日, 11/28, 11月28日(土), today, yesterday, "
    "tomorrow, 3 days ago, in 3 days, fri, last fri, next fri, last week, this week, 今日, "
    "昨日, 明日, 3日前, 3日後, 金曜日, 先週の金曜日, 来週の金曜日, 先週, 今週"
)


class Direction(enum.Enum):
    """Which way a day written without its year (or a bare weekday) lies from today."""

    PAST = "past"  # what has happened: meeting someone, a follow-up, a cancellation
    FUTURE = "future"  # what lies ahead: registering for an event


@dataclass(frozen=True)
class Reading:
    """What a date phrase says: the day, a start time if it held one, and how it was written."""

    day: date
    start: time | None = None
    year_less: bool = False  # the year was not written, so the direction chose it
    japanese: bool = False  # the weekday was written in Japanese, e.g. (火)


# Fixed words, as days counted from today.
_DAY_OFFSETS: dict[str, int] = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "今日": 0,
    "本日": 0,
    "昨日": -1,
    "一昨日": -2,
    "おととい": -2,
    "明日": 1,
}

# Week words, as ISO weeks counted from the current one; alone they mean that week's Monday.
_WEEK_OFFSETS: dict[str, int] = {
    "last week": -1,
    "this week": 0,
    "next week": 1,
    "先週": -1,
    "今週": 0,
    "来週": 1,
}

ENGLISH_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
JAPANESE_DAY_NAMES = "月火水木金土日"

_ENGLISH_WEEKDAYS: dict[str, int] = {
    name: number
    for number, full in enumerate(day.casefold() for day in ENGLISH_DAY_NAMES)
    for name in (full, full[:3])
}

_JAPANESE_WEEKDAYS: dict[str, int] = {kanji: n for n, kanji in enumerate(JAPANESE_DAY_NAMES)}

# How far a year-less day may lie: 2/29 comes back within eight years (1900 and 2100 skip it).
_YEARS_TO_TRY = 9

Match: TypeAlias = re.Match[str]
Build: TypeAlias = Callable[[Match, date, Direction], date]


def _on_or_before(today: date, weekday: int) -> date:
    """The most recent given weekday, today included."""
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def _on_or_after(today: date, weekday: int) -> date:
    """The next given weekday, today included."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _before(today: date, weekday: int) -> date:
    """The most recent given weekday strictly before today."""
    return _on_or_before(today - timedelta(days=1), weekday)


def _after(today: date, weekday: int) -> date:
    """The first given weekday strictly after today."""
    return _on_or_before(today + timedelta(days=7), weekday)


def _in_week(today: date, weeks: int, weekday: int) -> date:
    """The given weekday of the ISO week `weeks` away from today's."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=weeks, days=weekday)


def direction_of(day: date, today: date) -> Direction:
    """The side of today a day lies on (today counts as ahead): where a correction of it looks."""
    return Direction.PAST if day < today else Direction.FUTURE


def _bare_weekday(today: date, weekday: int, direction: Direction) -> date:
    """A weekday named alone: the nearest one in the direction, today included."""
    pick = _on_or_before if direction is Direction.PAST else _on_or_after
    return pick(today, weekday)


_ENGLISH_QUALIFIERS: dict[str, Callable[[date, int], date]] = {"last": _before, "next": _after}


def nearest_day(month: int, day: int, today: date, direction: Direction) -> date:
    """The nearest month/day on or before today (PAST) or on or after it (FUTURE)."""
    date(2000, month, day)  # a leap year: raises ValueError for a day no year has (2/30)
    step = -1 if direction is Direction.PAST else 1
    for years in range(_YEARS_TO_TRY):
        try:
            found = date(today.year + step * years, month, day)
        except ValueError:  # 2/29 in a common year
            continue
        if (found <= today) if direction is Direction.PAST else (found >= today):
            return found
    raise ValueError(f"no {month}/{day} within {_YEARS_TO_TRY} years")


def _full_date(match: Match, today: date, direction: Direction) -> date:
    """Year, month and day, all written out."""
    return date(int(match["y"]), int(match["m"]), int(match["d"]))


def _month_day(match: Match, today: date, direction: Direction) -> date:
    """Month and day: the nearest such day in the direction."""
    return nearest_day(int(match["m"]), int(match["d"]), today, direction)


def _days_ago(match: Match, today: date, direction: Direction) -> date:
    """N days before today."""
    return today - timedelta(days=int(match["n"]))


def _days_ahead(match: Match, today: date, direction: Direction) -> date:
    """N days after today."""
    return today + timedelta(days=int(match["n"]))


def _english_weekday(match: Match, today: date, direction: Direction) -> date:
    """A weekday name, optionally preceded by last or next."""
    weekday = _ENGLISH_WEEKDAYS[match["w"]]
    if match["q"] is None:
        return _bare_weekday(today, weekday, direction)
    return _ENGLISH_QUALIFIERS[match["q"]](today, weekday)


def _japanese_weekday(match: Match, today: date, direction: Direction) -> date:
    """A weekday such as 金曜日, optionally pinned to 先週, 今週 or 来週."""
    weekday = _JAPANESE_WEEKDAYS[match["w"]]
    if match["week"] is None:
        return _bare_weekday(today, weekday, direction)
    return _in_week(today, _WEEK_OFFSETS[match["week"]], weekday)


_RULES: list[tuple[re.Pattern[str], Build]] = [
    (re.compile(r"(?P<y>\d{4})([-/])(?P<m>\d{1,2})\2(?P<d>\d{1,2})"), _full_date),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"), _full_date),
    (re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})"), _month_day),
    (re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日"), _month_day),
    (re.compile(r"(?P<n>\d+) days? ago"), _days_ago),
    (re.compile(r"in (?P<n>\d+) days?"), _days_ahead),
    (re.compile(r"(?P<n>\d+) ?日前"), _days_ago),
    (re.compile(r"(?P<n>\d+) ?日後"), _days_ahead),
    (
        re.compile(r"(?:(?P<q>last|next) )?(?P<w>" + "|".join(_ENGLISH_WEEKDAYS) + ")"),
        _english_weekday,
    ),
    (
        re.compile(r"(?:(?P<week>先週|今週|来週)の? ?)?(?P<w>[月火水木金土日])曜日?"),
        _japanese_weekday,
    ),
]

# A clock time as written: 19:00, 19時, 19時30分, 19時半 (digits already folded to ASCII).
_CLOCK_SHAPE = r"\d{1,2}(?::\d{1,2}|時(?:\d{1,2}分|半)?)"
_CLOCK = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)", re.ASCII)
_CLOCK_JA = re.compile(r"(?P<h>[01]?\d|2[0-3])時(?:(?P<m>[0-5]?\d)分|(?P<half>半))?", re.ASCII)
# A start time, then perhaps an end or an open end: 19:00〜21:00, 19:00〜, 19時から.
_TILDE = r"(?:〜|~|-|–|から)"
_TIME_RANGE = re.compile(
    rf"(?P<start>{_CLOCK_SHAPE})(?: ?{_TILDE} ?(?P<end>{_CLOCK_SHAPE})?)?", re.ASCII
)
_DAY_THEN_TIME = re.compile(rf"(?P<day>.*?) ?{_TIME_RANGE.pattern}", re.ASCII)
# A weekday in parentheses after a date: (火), (火曜日), (火・祝), (tue).
_WEEKDAY_NOTE = re.compile(
    r"(?P<day>.*?) ?\((?P<w>[月火水木金土日]|"
    + "|".join(_ENGLISH_WEEKDAYS)
    + r")(?:曜日?)?(?:・?祝)?\)"
)


def _normalize(text: str) -> str:
    """Fold width, case and spacing so that equivalent spellings compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _lookup(phrase: str, today: date, direction: Direction) -> tuple[date, bool] | None:
    """The date a normalized phrase names and whether its year was left out; None if unknown."""
    if phrase in _DAY_OFFSETS:
        return today + timedelta(days=_DAY_OFFSETS[phrase]), False
    if phrase in _WEEK_OFFSETS:
        return _in_week(today, _WEEK_OFFSETS[phrase], 0), False
    for pattern, build in _RULES:
        match = pattern.fullmatch(phrase)
        if match is not None:
            return build(match, today, direction), build is _month_day
    return None


def _clock(text: str) -> time | None:
    """The time a normalized clock phrase names (19:00, 19時, 19時30分, 19時半), or None."""
    match = _CLOCK.fullmatch(text) or _CLOCK_JA.fullmatch(text)
    if match is None:
        return None
    minutes = 30 if match.groupdict().get("half") else int(match["m"] or 0)
    return time(int(match["h"]), minutes)


def _time_of(text: str, shown: str) -> time:
    """A clock phrase's time, or a refusal naming what was typed."""
    found = _clock(text)
    if found is None:
        raise BadValue(f"invalid time {shown!r}; use HH:MM or 19時, for example 19:00")
    return found


def _split_time(phrase: str, shown: str) -> tuple[str, time | None]:
    """The day part of a phrase and the start time written after it (an end time is checked,
    then left: an event keeps only its start)."""
    match = _DAY_THEN_TIME.fullmatch(phrase)
    if match is None:
        return phrase, None
    if match["end"] is not None:
        _time_of(match["end"], shown)
    return match["day"], _time_of(match["start"], shown)


def _split_weekday(phrase: str) -> tuple[str, int | None, bool]:
    """The day part of a phrase, the weekday written after it in parentheses (if any),
    and whether that weekday was Japanese."""
    match = _WEEKDAY_NOTE.fullmatch(phrase)
    if match is None:
        return phrase, None, False
    name = match["w"]
    if name in _JAPANESE_WEEKDAYS:
        return match["day"], _JAPANESE_WEEKDAYS[name], True
    return match["day"], _ENGLISH_WEEKDAYS[name], False


def weekday_name(day: date, japanese: bool = False) -> str:
    """A date's weekday as meishi shows it: Tue, or 火 when the user writes Japanese."""
    return JAPANESE_DAY_NAMES[day.weekday()] if japanese else ENGLISH_DAY_NAMES[day.weekday()][:3]


def _check_weekday(
    shown: str, found: date, written: int, japanese: bool, other: date | None
) -> None:
    """Refuse a date whose weekday in parentheses is not the day it falls on."""
    if found.weekday() == written:
        return
    names = JAPANESE_DAY_NAMES if japanese else [name[:3] for name in ENGLISH_DAY_NAMES]
    message = (
        f"{shown!r} says {names[written]}, but {found.isoformat()} is a "
        f"{ENGLISH_DAY_NAMES[found.weekday()]} ({names[found.weekday()]})"
    )
    if other is not None and other.weekday() == written:
        message += f"; for {other.isoformat()}, write its year: {other:%Y/%m/%d}"
    else:
        message += "; check the date and the day"
    raise BadDate(message)


def _opposite(direction: Direction) -> Direction:
    """The other direction."""
    return Direction.FUTURE if direction is Direction.PAST else Direction.PAST


def read_date(text: str, today: date, direction: Direction = Direction.PAST) -> Reading:
    """What a date phrase says, counting relative and year-less phrases from today."""
    shown = text.strip()
    day_text, start = _split_time(_normalize(text), shown)
    day_text, written, japanese = _split_weekday(day_text)
    try:
        found = _lookup(day_text, today, direction)
    except (ValueError, OverflowError) as err:
        # The phrase had a known shape but names a day the calendar lacks (2026-02-30).
        raise BadDate(f"no such date {shown!r}; use one of: {ACCEPTED_FORMS}") from err
    if found is None:
        raise BadDate(f"unknown date {shown!r}; use one of: {ACCEPTED_FORMS}")
    day, year_less = found
    if written is not None:
        other = _lookup(day_text, today, _opposite(direction)) if year_less else None
        _check_weekday(shown, day, written, japanese, other[0] if other else None)
    return Reading(check_date(day), start, year_less, japanese)


def day_only(text: str, reading: Reading) -> date:
    """The day a phrase names, refusing one that also holds a time where none is asked for."""
    if reading.start is not None:
        raise BadDate(
            f"{text.strip()!r} holds a time, but only a day is asked for here; leave the time out"
        )
    return reading.day


def parse_date(text: str, today: date, direction: Direction = Direction.PAST) -> date:
    """The day a phrase names, counting relative and year-less phrases from today."""
    return day_only(text, read_date(text, today, direction))


def resolved(text: str, reading: Reading) -> str:
    """How a phrase was read, with the weekday: `12/1 → 2026-12-01 (Tue)`."""
    weekday = weekday_name(reading.day, reading.japanese)
    return f"{text.strip()} → {reading.day.isoformat()} ({weekday})"


def start_time(reading: Reading, time_text: str | None) -> time | None:
    """The start time from --time or from the date phrase; both must agree when both give one."""
    given = parse_time(time_text) if time_text else None
    if given is not None and reading.start is not None and given != reading.start:
        raise BadValue(
            f"the date says {reading.start:%H:%M} but --time says {given:%H:%M}; give the time once"
        )
    return given if given is not None else reading.start


def parse_time(text: str) -> time:
    """The start time in 19:00, 19時, 19時30分 or 19:00〜21:00; full-width digits are fine."""
    shown = text.strip()
    phrase = _normalize(text)
    if _TIME_RANGE.fullmatch(phrase) is None:
        raise BadValue(f"invalid time {shown!r}; use HH:MM or 19時, for example 19:00")
    _, start = _split_time(phrase, shown)
    assert start is not None  # the phrase is a time range, so it has a start
    return start


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment in the past: `now`, a time (today), a date phrase, or a date phrase then a time."""
    phrase = _normalize(text)
    if phrase in ("now", "今"):
        return now
    if _TIME_RANGE.fullmatch(phrase):
        day, clock = now.date(), parse_time(phrase)
    else:
        reading = read_date(text, now.date(), Direction.PAST)
        day, clock = reading.day, reading.start or time(0, 0)
    # The local zone's rules for that date (daylight saving included).
    return datetime.combine(day, clock).astimezone()
