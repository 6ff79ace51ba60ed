"""The rules of keeping your word, as pure functions of explicit dates, times and zones."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from meishi.attendance.rules import (
    ATTENDED,
    CANCELLED,
    LAST_MINUTE_WINDOW,
    NO_SHOW,
    PATTERN_COUNT,
    PATTERN_DAYS,
    REGISTERED,
    Outcome,
    Rate,
    build_record,
    cancelled_late,
    check_change,
    day_open,
    event_start,
    is_incident,
    is_last_minute,
    pattern_warnings,
)
from meishi.errors import BadValue, NothingToDo

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)
TODAY = dt.date(2026, 11, 29)


def test_the_thresholds_are_the_ones_the_issue_names() -> None:
    assert dt.timedelta(hours=24) == LAST_MINUTE_WINDOW
    assert (PATTERN_COUNT, PATTERN_DAYS) == (2, 90)


# --- when an event starts ----------------------------------------------------


def test_an_event_starts_at_its_date_and_time_in_the_zone_given() -> None:
    start = event_start(dt.date(2026, 3, 10), dt.time(19, 0), TOKYO)
    assert start == dt.datetime(2026, 3, 10, 19, 0, tzinfo=TOKYO)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_an_event_without_a_start_time_starts_at_midnight_of_its_date() -> None:
    assert event_start(dt.date(2026, 3, 10), None, TOKYO) == dt.datetime(
        2026, 3, 10, 0, 0, tzinfo=TOKYO
    )
    assert event_start(dt.date(2026, 3, 10), None, UTC) == dt.datetime(
        2026, 3, 10, 0, 0, tzinfo=UTC
    )


def test_without_a_zone_an_event_starts_in_the_local_zone() -> None:
    start = event_start(dt.date(2026, 3, 10), dt.time(19, 0))
    assert start.tzinfo is not None
    assert start.replace(tzinfo=None) == dt.datetime(2026, 3, 10, 19, 0)
    local = dt.datetime(2026, 3, 10, 19, 0).astimezone()
    assert start.utcoffset() == local.utcoffset()


# --- last-minute: the window and its edge -------------------------------------


@pytest.mark.parametrize("zone", [TOKYO, UTC], ids=["Asia/Tokyo", "UTC"])
def test_the_window_edge_is_exact_to_the_second(zone: dt.tzinfo) -> None:
    start = event_start(dt.date(2026, 3, 10), dt.time(19, 0), zone)
    edge = start - dt.timedelta(hours=24)
    assert is_last_minute(start, edge) is True  # exactly 24 hours: last-minute
    assert is_last_minute(start, edge + SECOND) is True  # one second inside
    assert is_last_minute(start, edge - SECOND) is False  # one second outside
    assert is_last_minute(start, start - dt.timedelta(days=3)) is False
    assert is_last_minute(start, start) is True  # at the very start


def test_an_event_without_a_start_time_is_judged_from_midnight() -> None:
    start = event_start(dt.date(2026, 3, 10), None, TOKYO)
    # Midnight of 10 March in Tokyo is 15:00 UTC on 9 March.
    assert is_last_minute(start, dt.datetime(2026, 3, 8, 15, 0, tzinfo=UTC)) is True
    assert is_last_minute(start, dt.datetime(2026, 3, 8, 14, 59, 59, tzinfo=UTC)) is False
    # The evening before is inside the window, though the event "is tomorrow" all day.
    assert is_last_minute(start, dt.datetime(2026, 3, 9, 20, 0, tzinfo=TOKYO)) is True
    assert is_last_minute(start, dt.datetime(2026, 3, 8, 23, 59, 59, tzinfo=TOKYO)) is False


def test_a_wider_window_makes_an_earlier_cancellation_last_minute() -> None:
    start = event_start(dt.date(2026, 3, 10), dt.time(19, 0), UTC)
    thirty_hours_before = start - dt.timedelta(hours=30)
    assert is_last_minute(start, thirty_hours_before) is False
    assert is_last_minute(start, thirty_hours_before, dt.timedelta(hours=48)) is True
    edge = start - dt.timedelta(hours=48)
    assert is_last_minute(start, edge, dt.timedelta(hours=48)) is True
    assert is_last_minute(start, edge - SECOND, dt.timedelta(hours=48)) is False


def test_a_cancellation_after_the_start_is_refused_as_a_no_show() -> None:
    start = event_start(dt.date(2026, 3, 10), dt.time(19, 0), TOKYO)
    with pytest.raises(BadValue, match=r"after the start.*meishi no-show"):
        is_last_minute(start, start + SECOND)


def test_the_same_instants_are_judged_by_the_zone_the_event_is_in() -> None:
    # An event at 19:00 on 10 March: 10:00 UTC in Tokyo, 23:00 UTC in New York (EDT).
    cancelled_at = dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    in_tokyo = event_start(dt.date(2026, 3, 10), dt.time(19, 0), TOKYO)
    in_new_york = event_start(dt.date(2026, 3, 10), dt.time(19, 0), NEW_YORK)
    assert is_last_minute(in_tokyo, cancelled_at) is True  # 22 hours before
    assert is_last_minute(in_new_york, cancelled_at) is False  # 35 hours before
    # The cancellation written in either zone is the same instant, judged the same.
    assert is_last_minute(in_tokyo, cancelled_at.astimezone(NEW_YORK)) is True
    assert is_last_minute(in_new_york, cancelled_at.astimezone(TOKYO)) is False


def test_the_edge_holds_in_new_york_given_in_utc() -> None:
    start = event_start(dt.date(2026, 3, 10), None, NEW_YORK)  # 04:00 UTC (EDT)
    assert is_last_minute(start, dt.datetime(2026, 3, 9, 4, 0, tzinfo=UTC)) is True
    assert is_last_minute(start, dt.datetime(2026, 3, 9, 3, 59, 59, tzinfo=UTC)) is False


def test_the_window_is_real_hours_across_daylight_saving_changes() -> None:
    # New York springs forward on 8 March 2026: 23:30 on the 7th (EST) is 23.5 real
    # hours before midnight of the 9th (EDT), though 24.5 hours apart on the wall.
    start = event_start(dt.date(2026, 3, 9), None, NEW_YORK)
    cancelled_at = dt.datetime(2026, 3, 7, 23, 30, tzinfo=NEW_YORK)
    assert start.astimezone(UTC) - cancelled_at.astimezone(UTC) == dt.timedelta(hours=23.5)
    assert is_last_minute(start, cancelled_at) is True
    # It falls back on 1 November 2026: 00:30 then is 24.5 real hours before 2 November.
    start = event_start(dt.date(2026, 11, 2), None, NEW_YORK)
    assert is_last_minute(start, dt.datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK)) is False
    assert is_last_minute(start, dt.datetime(2026, 11, 1, 23, 0, tzinfo=NEW_YORK)) is True


# --- which changes are allowed -----------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "started"),
    [
        (REGISTERED, CANCELLED, False),
        (REGISTERED, CANCELLED, True),  # a cancellation recorded afterwards, with --at
        (REGISTERED, ATTENDED, True),
        (REGISTERED, NO_SHOW, True),
        (CANCELLED, REGISTERED, False),
        (NO_SHOW, ATTENDED, True),
        (CANCELLED, ATTENDED, True),  # you went after all
    ],
)
def test_changes_that_fit_what_happened_are_allowed(current: str, new: str, started: bool) -> None:
    check_change("AI勉強会", current, new, started)


@pytest.mark.parametrize(
    ("current", "new", "started", "words"),
    [
        (ATTENDED, CANCELLED, True, "cannot be cancelled"),
        (ATTENDED, CANCELLED, False, "cannot be cancelled"),
        (ATTENDED, NO_SHOW, True, "not a no-show"),
        (ATTENDED, REGISTERED, True, "attended already"),
        (NO_SHOW, CANCELLED, True, "no-show"),
        (NO_SHOW, REGISTERED, True, "no-show already"),
        (CANCELLED, NO_SHOW, True, "not a no-show"),
        (REGISTERED, ATTENDED, False, "has not started yet"),
        (REGISTERED, NO_SHOW, False, "has not started yet"),
        (CANCELLED, REGISTERED, True, "has already started"),
    ],
)
def test_changes_that_contradict_what_happened_are_refused(
    current: str, new: str, started: bool, words: str
) -> None:
    with pytest.raises(BadValue, match=words) as raised:
        check_change("AI勉強会", current, new, started)
    assert str(raised.value).startswith("AI勉強会 ")


@pytest.mark.parametrize("status", [REGISTERED, ATTENDED, CANCELLED, NO_SHOW])
def test_a_change_to_the_same_status_is_nothing_to_do(status: str) -> None:
    started = status != REGISTERED  # registered for an event that started: see the next test
    with pytest.raises(NothingToDo, match=f"already marked {status}"):
        check_change("AI勉強会", status, status, started)


def test_registering_for_an_event_that_started_says_so_even_when_assumed_attended() -> None:
    # A past event added is attended by assumption, registered underneath.
    with pytest.raises(BadValue, match="AI勉強会 has already started"):
        check_change("AI勉強会", REGISTERED, REGISTERED, True)


# --- an event without a start time, on its day -----------------------------------

EVENT_DAY = dt.date(2026, 12, 2)


def local(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    """A local wall-clock time, timezone-aware (as the commands' clock gives it)."""
    return dt.datetime(year, month, day, hour, minute, second).astimezone()


def test_an_untimed_event_is_open_for_its_whole_day_and_no_longer() -> None:
    assert day_open(EVENT_DAY, None, local(2026, 12, 2, 0, 0)) is True
    assert day_open(EVENT_DAY, None, local(2026, 12, 2, 23, 59, 59)) is True
    assert day_open(EVENT_DAY, None, local(2026, 12, 3, 0, 0)) is False
    assert day_open(EVENT_DAY, None, local(2026, 12, 1, 23, 59)) is False
    assert day_open(EVENT_DAY, dt.time(19, 0), local(2026, 12, 2, 12, 0)) is False


def test_cancelling_an_untimed_event_on_its_day_is_same_day_last_minute() -> None:
    window = LAST_MINUTE_WINDOW
    assert cancelled_late(EVENT_DAY, None, local(2026, 12, 2, 22, 0), window) is True
    assert cancelled_late(EVENT_DAY, None, local(2026, 12, 2, 0, 0), window) is True
    assert cancelled_late(EVENT_DAY, None, local(2026, 12, 1, 8, 0), window) is True
    assert cancelled_late(EVENT_DAY, None, local(2026, 11, 30, 8, 0), window) is False
    with pytest.raises(BadValue, match="after the start"):
        cancelled_late(EVENT_DAY, None, local(2026, 12, 3, 9, 0), window)
    # With a start time, the window alone decides, and after the start is refused.
    assert cancelled_late(EVENT_DAY, dt.time(19, 0), local(2026, 12, 2, 9, 0), window) is True
    with pytest.raises(BadValue, match="after the start"):
        cancelled_late(EVENT_DAY, dt.time(19, 0), local(2026, 12, 2, 20, 0), window)


def test_no_show_on_the_open_day_is_refused_pointing_at_cancel_and_the_start_time() -> None:
    with pytest.raises(BadValue) as raised:
        check_change("AI勉強会", REGISTERED, NO_SHOW, True, open_day=True, ref="7")
    message = str(raised.value)
    assert message.startswith("AI勉強会 has no start time")
    assert "same-day cancellation: meishi cancel 7" in message
    assert "meishi event edit 7 --time HH:MM" in message


def test_on_the_open_day_you_may_still_attend_cancel_or_register_again() -> None:
    check_change("AI勉強会", REGISTERED, ATTENDED, True, open_day=True)
    check_change("AI勉強会", REGISTERED, CANCELLED, True, open_day=True)
    check_change("AI勉強会", CANCELLED, REGISTERED, True, open_day=True)


# --- the record --------------------------------------------------------------


def outcome(
    event_id: int,
    days_ago: int,
    status: str,
    last_minute: bool = False,
    organizer: str | None = None,
    series: str | None = None,
) -> Outcome:
    """One event's outcome, dated days before TODAY."""
    return Outcome(
        event_id=event_id,
        name=f"event {event_id}",
        on=TODAY - dt.timedelta(days=days_ago),
        status=status,
        organizer=organizer,
        series=series,
        last_minute=last_minute,
    )


def test_incidents_are_last_minute_cancellations_and_no_shows_only() -> None:
    assert is_incident(outcome(1, 1, NO_SHOW)) is True
    assert is_incident(outcome(1, 1, CANCELLED, last_minute=True)) is True
    assert is_incident(outcome(1, 1, CANCELLED)) is False
    assert is_incident(outcome(1, 1, ATTENDED)) is False
    assert is_incident(outcome(1, 1, REGISTERED)) is False


def test_the_record_counts_statuses_and_rates_overall_by_organizer_and_series() -> None:
    outcomes = [
        outcome(1, 60, ATTENDED, organizer="佐藤", series="AI勉強会"),
        outcome(2, 40, CANCELLED, last_minute=True, organizer="佐藤", series="AI勉強会"),
        outcome(3, 20, CANCELLED, organizer="鈴木", series="AI勉強会"),
        outcome(4, -5, REGISTERED, organizer="佐藤", series="AI勉強会"),
        outcome(5, 10, ATTENDED, organizer="鈴木"),
        outcome(6, 300, NO_SHOW, series="もくもく会"),
    ]
    record = build_record(outcomes, TODAY)
    assert record.counts == {REGISTERED: 1, ATTENDED: 2, CANCELLED: 2, NO_SHOW: 1}
    assert record.last_minute == 1  # the no-show is counted apart
    # Registered events are not decided yet and do not count.
    assert record.overall == Rate(incidents=2, committed=5)
    assert record.overall.share == pytest.approx(0.4)
    assert record.by_organizer == {"佐藤": Rate(1, 2), "鈴木": Rate(0, 2)}
    assert record.by_series == {"AI勉強会": Rate(1, 3), "もくもく会": Rate(1, 1)}
    assert record.warnings == []  # two incidents, but 260 days apart


def test_an_empty_record_has_a_zero_rate() -> None:
    record = build_record([], TODAY)
    assert record.counts == {REGISTERED: 0, ATTENDED: 0, CANCELLED: 0, NO_SHOW: 0}
    assert record.overall == Rate(0, 0)
    assert record.overall.share == 0.0
    assert (record.by_organizer, record.by_series, record.warnings) == ({}, {}, [])


# --- patterns ----------------------------------------------------------------


def test_two_incidents_within_90_days_form_a_pattern() -> None:
    outcomes = [outcome(1, 30, NO_SHOW), outcome(2, 5, CANCELLED, last_minute=True)]
    warnings = pattern_warnings(outcomes, TODAY)
    assert len(warnings) == 1
    assert "2 last-minute cancellations or no-shows in the last 90 days" in warnings[0]
    assert "event 1 (2026-10-30)" in warnings[0] and "event 2 (2026-11-24)" in warnings[0]


def test_one_incident_alone_is_no_pattern() -> None:
    assert pattern_warnings([outcome(1, 5, NO_SHOW)], TODAY) == []
    assert pattern_warnings([outcome(1, 5, CANCELLED, last_minute=True)], TODAY) == []


def test_cancelling_in_good_time_never_forms_a_pattern() -> None:
    outcomes = [outcome(n, n, CANCELLED, organizer="佐藤") for n in range(1, 6)]
    assert pattern_warnings(outcomes, TODAY) == []


def test_two_incidents_more_than_100_days_apart_are_no_recent_pattern() -> None:
    outcomes = [outcome(1, 110, NO_SHOW), outcome(2, 5, NO_SHOW)]
    assert pattern_warnings(outcomes, TODAY) == []


def test_two_incidents_older_than_90_days_are_no_recent_pattern() -> None:
    outcomes = [outcome(1, 220, NO_SHOW), outcome(2, 110, CANCELLED, last_minute=True)]
    assert pattern_warnings(outcomes, TODAY) == []


def test_the_90_day_window_includes_its_first_day() -> None:
    inside = [outcome(1, 90, NO_SHOW), outcome(2, 0, NO_SHOW)]
    outside = [outcome(1, 91, NO_SHOW), outcome(2, 0, NO_SHOW)]
    assert len(pattern_warnings(inside, TODAY)) == 1
    assert pattern_warnings(outside, TODAY) == []


def test_repeated_incidents_with_one_organizer_say_to_apologize_in_person() -> None:
    outcomes = [
        outcome(1, 30, NO_SHOW, organizer="佐藤"),
        outcome(2, 5, CANCELLED, last_minute=True, organizer="佐藤"),
        outcome(3, 10, NO_SHOW, organizer="鈴木"),
    ]
    warnings = pattern_warnings(outcomes, TODAY)
    assert len(warnings) == 2
    assert warnings[0].startswith("3 last-minute cancellations or no-shows in the last 90 days")
    assert warnings[1].startswith("2 last-minute cancellations or no-shows with 佐藤")
    assert "apologize in person" in warnings[1]
