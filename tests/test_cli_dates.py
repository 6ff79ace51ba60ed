"""Dates and times as people write them, through the commands: a day without its year read
towards the past or the future, the forms event sites print, and an untimed event's day."""

import datetime as dt
import json
from typing import Any

import pytest

from helpers import error_of, fails, json_of, ok, snapshot
from meishi.cli import common

# A Wednesday at noon: 12/1 was yesterday (a Tuesday), 12/8 is next Tuesday.
NOON = dt.datetime(2026, 12, 2, 12, 0)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Freeze the commands' clock at NOON, local time."""
    now = NOON.astimezone()
    monkeypatch.setattr(common, "now", lambda: now)
    monkeypatch.setattr(common, "today", lambda: now.date())
    return now


def events() -> dict[str, dict[str, Any]]:
    """The stored events by name, as `event list --json` shows them."""
    return {event["name"]: event for event in json_of(ok("event", "list", "--json"))}


def refused(*args: str) -> str:
    """Run a command that must be refused in one line and leave the store as it was."""
    before = snapshot()
    message = error_of(fails(*args))
    assert snapshot() == before, "the store changed"
    return message


# --- event add: towards the future ---------------------------------------------------


@pytest.mark.parametrize(
    ("written", "said", "day"),
    [
        ("12/8(火)", "12/8(火) → 2026-12-08 (火)", "2026-12-08"),
        ("12/8", "12/8 → 2026-12-08 (Tue)", "2026-12-08"),
        ("1/15", "1/15 → 2027-01-15 (Fri)", "2027-01-15"),
        ("1月15日", "1月15日 → 2027-01-15 (Fri)", "2027-01-15"),
        ("12/2", "12/2 → 2026-12-02 (Wed)", "2026-12-02"),  # today is still ahead
        ("2/29", "2/29 → 2028-02-29 (Tue)", "2028-02-29"),
    ],
)
def test_event_add_reads_a_year_less_day_as_the_next_one_and_says_so(
    written: str, said: str, day: str
) -> None:
    result = ok("event", "add", "Meetup", "--date", written)
    assert result.stdout.splitlines()[0] == said
    assert "(registered)" in result.stdout
    assert events()["Meetup"]["date"] == day


def test_a_full_date_is_not_repeated_back() -> None:
    result = ok("event", "add", "Meetup", "--date", "2026/12/08(火)")
    assert result.stdout.startswith("Added event #1 Meetup on 2026-12-08 (Tue) (registered)")
    assert "→" not in result.stdout
    assert events()["Meetup"]["date"] == "2026-12-08"


@pytest.mark.parametrize(
    ("date", "time", "day", "start"),
    [
        ("2026/12/08(火)", None, "2026-12-08", None),
        ("2026/12/08(火) 19:00〜21:00", None, "2026-12-08", "19:00"),
        ("２０２６/１２/０８（火） １９：００～２１：００", None, "2026-12-08", "19:00"),
        ("12月8日(火) 19:00", None, "2026-12-08", "19:00"),
        ("12月8日(火)19時半〜", None, "2026-12-08", "19:30"),
        ("2026年12月8日", "19時", "2026-12-08", "19:00"),
        ("2026年12月8日", "19時30分", "2026-12-08", "19:30"),
        ("2026-12-08", "19:00〜", "2026-12-08", "19:00"),
        ("2026-12-08", "１９：００", "2026-12-08", "19:00"),
        ("2026-12-08", "19:00〜21:00", "2026-12-08", "19:00"),
        ("2026/12/08(火) 19:00〜21:00", "19:00", "2026-12-08", "19:00"),  # the same time twice
    ],
)
def test_event_add_takes_the_forms_connpass_and_peatix_print(
    date: str, time: str | None, day: str, start: str | None
) -> None:
    ok("event", "add", "AI勉強会 #12", "--date", date, *(["--time", time] if time else []))
    stored = events()["AI勉強会 #12"]
    assert (stored["date"], stored["time"]) == (day, start)


def test_a_past_event_pasted_with_its_year_is_attended() -> None:
    result = ok("event", "add", "Last night", "--date", "2026/12/01(火) 19:00〜21:00")
    assert "on 2026-12-01 (Tue) 19:00 (attended)" in result.stdout


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("12/1(火)", "'12/1(火)' says 火, but 2027-12-01 is a Wednesday (水); for 2026-12-01, "
         "write its year: 2026/12/01"),
        ("12/8(木)", "'12/8(木)' says 木, but 2026-12-08 is a Tuesday (火); check the date"),
        ("12/8(月)", "2026-12-08 is a Tuesday (火); for 2025-12-08, write its year: 2025/12/08"),
        ("2026/12/08(水) 19:00", "but 2026-12-08 is a Tuesday (火)"),
        ("12/8 (Mon)", "but 2026-12-08 is a Tuesday (Tue)"),
        ("2/30", "no such date '2/30'"),
        ("12/8 25:00", "invalid time '12/8 25:00'"),
    ],
)  # fmt: skip
def test_event_add_refuses_a_date_that_contradicts_itself(date: str, words: str) -> None:
    ok("event", "add", "Earlier", "--date", "2026-11-01")  # a store to keep as it is
    assert words in refused("event", "add", "Meetup", "--date", date)


@pytest.mark.parametrize("time", ["25時", "19時60分", "19:00〜25:00", "7pm"])
def test_event_add_refuses_a_time_it_cannot_read(time: str) -> None:
    ok("event", "add", "Earlier", "--date", "2026-11-01")
    message = refused("event", "add", "Meetup", "--date", "12/8", "--time", time)
    assert message.startswith(f"invalid time '{time}'") and "19時" in message


def test_a_time_in_the_date_and_another_in_time_is_refused() -> None:
    ok("event", "add", "Earlier", "--date", "2026-11-01")
    message = refused("event", "add", "Meetup", "--date", "12/8 19:00", "--time", "18:00")
    assert message == "the date says 19:00 but --time says 18:00; give the time once"


# --- event edit: towards the side of today the event is on ----------------------------


def test_event_edit_reads_a_year_less_day_on_the_events_side_of_today() -> None:
    ok("event", "add", "Behind", "--date", "2026-11-20")
    ok("event", "add", "Ahead", "--date", "2026-12-20")
    assert "11/30 → 2026-11-30 (Mon)" in ok("event", "edit", "Behind", "--date", "11/30").stdout
    assert "1/10 → 2027-01-10 (Sun)" in ok("event", "edit", "Ahead", "--date", "1/10").stdout
    ok("event", "edit", "Ahead", "--date", "2027/01/10(日) 18:30〜")
    stored = events()
    assert stored["Behind"]["date"] == "2026-11-30"
    assert (stored["Ahead"]["date"], stored["Ahead"]["time"]) == ("2027-01-10", "18:30")


def test_event_edit_refuses_a_wrong_weekday_and_changes_nothing() -> None:
    ok("event", "add", "Ahead", "--date", "2026-12-20")
    assert "is a Tuesday" in refused("event", "edit", "Ahead", "--date", "12/8(水)")


# --- followup: towards the past -----------------------------------------------------


def test_followup_reads_a_year_less_day_as_the_last_one() -> None:
    ok("event", "add", "Last month", "--date", "2026-11-20")
    result = ok("followup", "Last month", "report", "--date", "12/1(火)")
    assert result.stdout.splitlines()[0] == "12/1(火) → 2026-12-01 (火)"
    [recorded] = json_of(ok("event", "show", "Last month", "--json"))["follow_ups"]
    assert recorded["date"] == "2026-12-01"


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("12/1(水)", "2026-12-01 is a Tuesday (火)"),
        ("12/1 19:00", "'12/1 19:00' holds a time, but only a day is asked for here"),
        ("12/3", "2025-12-03 is before the event"),  # the last 12/3 was a year ago
    ],
)
def test_followup_refuses_a_day_it_cannot_take(date: str, words: str) -> None:
    ok("event", "add", "Last month", "--date", "2026-11-20")
    assert words in refused("followup", "Last month", "report", "--date", date)


# --- cancel --at: towards the past ----------------------------------------------------


def test_cancel_at_reads_a_year_less_day_as_the_last_one() -> None:
    ok("event", "add", "Friday", "--date", "2026-12-04", "--time", "19:00")
    ok("cancel", "Friday", "--at", "12/1 18:30")  # 72.5 hours before: in good time
    record = json_of(ok("record", "--json"))
    assert record["counts"]["cancelled"] == 1 and record["last_minute"] == 0


# --- thank --since: towards the past, and JSON stays JSON -------------------------------


def test_thank_since_a_year_less_day_keeps_json_output_clean() -> None:
    ok("config", "set", "me.name", "山田 花子")
    result = ok("thank", "--since", "12/1", "--json")
    assert json.loads(result.stdout)["drafts"] == []


# --- an event dated today without a start time ---------------------------------------


def test_an_untimed_event_today_has_not_started_so_cancelling_is_same_day() -> None:
    added = ok("event", "add", "Tonight", "--date", "today")
    assert "(registered)" in added.stdout
    result = ok("cancel", "Tonight")
    assert "That is a last-minute cancellation." in result.stdout
    assert "meishi event edit 1 --time HH:MM" in result.stdout
    record = json_of(ok("record", "--json"))
    assert record["counts"]["cancelled"] == 1 and record["last_minute"] == 1
    assert record["counts"]["no-show"] == 0


def test_an_untimed_event_today_cannot_be_a_no_show_before_the_day_ends() -> None:
    ok("event", "add", "Tonight", "--date", "today")
    message = refused("no-show", "Tonight")
    assert message.startswith("Tonight has no start time, so it has not started")
    assert "meishi cancel 1" in message and "meishi event edit 1 --time HH:MM" in message


def test_with_its_time_given_an_event_today_is_judged_by_it() -> None:
    ok("event", "add", "Tonight", "--date", "today")
    ok("event", "edit", "Tonight", "--time", "11:00")  # it started an hour ago
    assert "no-show." in ok("no-show", "Tonight").stdout


def test_an_untimed_event_of_yesterday_can_be_a_no_show() -> None:
    ok("event", "add", "Yesterday", "--date", "yesterday")  # assumed attended: you say
    assert "no-show." in ok("no-show", "Yesterday").stdout
