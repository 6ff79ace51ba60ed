"""Turn the date and time phrases people type, in English or Japanese, into values."""

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TypeAlias

from meishi.errors import BadDate, BadValue
from meishi.validation import check_date

ACCEPTED_FORMS = (
    "2026-11-28, 11/28, 11月28日, today, yesterday, tomorrow, 3 days ago, in 3 days, "
    "fri, last fri, next fri, last week, this week, 今日, 昨日, 明日, 3日前, 3日後, "
    "金曜日, 先週の金曜日, 来週の金曜日, 先週, 今週"
)

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

_ENGLISH_WEEKDAYS: dict[str, int] = {
    name: number
    for number, full in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
    for name in (full, full[:3])
}

_JAPANESE_WEEKDAYS: dict[str, int] = {
    kanji: number for number, kanji in enumerate("月火水木金土日")
}

Match: TypeAlias = re.Match[str]


def _on_or_before(today: date, weekday: int) -> date:
    """The most recent given weekday, today included."""
    return today - timedelta(days=(today.weekday() - weekday) % 7)


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


_ENGLISH_QUALIFIERS: dict[str | None, Callable[[date, int], date]] = {
    None: _on_or_before,
    "last": _before,
    "next": _after,
}


def _full_date(match: Match, today: date) -> date:
    """Year, month and day, all written out."""
    return date(int(match["y"]), int(match["m"]), int(match["d"]))


def _month_day(match: Match, today: date) -> date:
    """Month and day in today's year."""
    return date(today.year, int(match["m"]), int(match["d"]))


def _days_ago(match: Match, today: date) -> date:
    """N days before today."""
    return today - timedelta(days=int(match["n"]))


def _days_ahead(match: Match, today: date) -> date:
    """N days after today."""
    return today + timedelta(days=int(match["n"]))


def _english_weekday(match: Match, today: date) -> date:
    """A weekday name, optionally preceded by last or next."""
    pick = _ENGLISH_QUALIFIERS[match["q"]]
    return pick(today, _ENGLISH_WEEKDAYS[match["w"]])


def _japanese_weekday(match: Match, today: date) -> date:
    """A weekday such as 金曜日, optionally pinned to 先週, 今週 or 来週."""
    weekday = _JAPANESE_WEEKDAYS[match["w"]]
    if match["week"] is None:
        return _on_or_before(today, weekday)
    return _in_week(today, _WEEK_OFFSETS[match["week"]], weekday)


_RULES: list[tuple[re.Pattern[str], Callable[[Match, date], date]]] = [
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


def _normalize(text: str) -> str:
    """Fold width, case and spacing so that equivalent spellings compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _lookup(phrase: str, today: date) -> date | None:
    """The date a normalized phrase names, or None if no form matches it."""
    if phrase in _DAY_OFFSETS:
        return today + timedelta(days=_DAY_OFFSETS[phrase])
    if phrase in _WEEK_OFFSETS:
        return _in_week(today, _WEEK_OFFSETS[phrase], 0)
    for pattern, build in _RULES:
        match = pattern.fullmatch(phrase)
        if match is not None:
            return build(match, today)
    return None


def parse_date(text: str, today: date) -> date:
    """The date a phrase names, counting relative phrases from today."""
    shown = text.strip()
    try:
        found = _lookup(_normalize(text), today)
    except (ValueError, OverflowError) as err:
        # The phrase had a known shape but names a day the calendar lacks (2026-02-30).
        raise BadDate(f"no such date {shown!r}; use one of: {ACCEPTED_FORMS}") from err
    if found is None:
        raise BadDate(f"unknown date {shown!r}; use one of: {ACCEPTED_FORMS}")
    return check_date(found)


_CLOCK = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)", re.ASCII)


def parse_time(text: str) -> time:
    """The clock time in an HH:MM or H:MM phrase; full-width digits are fine."""
    match = _CLOCK.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise BadValue(f"invalid time {text.strip()!r}; use HH:MM, for example 19:00")
    return time(int(match["h"]), int(match["m"]))


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment: `now`, HH:MM (today), a date phrase, or a date phrase then HH:MM."""
    phrase = unicodedata.normalize("NFKC", text).strip()
    if phrase.casefold() in ("now", "今"):
        return now
    day_part, _, clock_part = phrase.rpartition(" ")
    if _CLOCK.fullmatch(clock_part):
        day = parse_date(day_part, now.date()) if day_part else now.date()
        clock = parse_time(clock_part)
    else:
        day, clock = parse_date(phrase, now.date()), time(0, 0)
    # The local zone's rules for that date (daylight saving included).
    return datetime.combine(day, clock).astimezone()
