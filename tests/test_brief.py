"""Before going back: `meishi brief EVENT`, and the reminders `meishi todo` gives about a
gathering (its follow-up window closing, its next occurrence's verdict). The pure rules
first, then what the user sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from helpers import add_event, add_person, day, error_of, fails, json_of, ok, snapshot
from meishi.followups.window import FOLLOW_UP_DAYS
from meishi.should_return.reminders import (
    CLOSING_NOTICE_DAYS,
    COMING_UP_DAYS,
    closing_window,
    coming_up,
    window_closes_on,
    worth_deciding,
)
from test_relationships_shown import record

HELD = dt.date(2026, 11, 1)


def after(days: int) -> dt.date:
    """HELD plus days."""
    return HELD + dt.timedelta(days=days)


# --- the pure rules -------------------------------------------------------------------


def test_the_follow_up_window_closes_thirty_days_after_the_event() -> None:
    assert FOLLOW_UP_DAYS == 30
    assert window_closes_on(HELD) == dt.date(2026, 12, 1)


def test_the_window_is_told_from_a_few_days_before_it_closes_to_the_day_it_does() -> None:
    closes = window_closes_on(HELD)
    first = FOLLOW_UP_DAYS - CLOSING_NOTICE_DAYS
    assert closing_window(HELD, True, False, after(first - 1)) is None
    assert closing_window(HELD, True, False, after(first)) == closes
    assert closing_window(HELD, True, False, closes) == closes
    assert closing_window(HELD, True, False, after(FOLLOW_UP_DAYS + 1)) is None


def test_the_window_is_not_told_when_followed_up_or_not_attended() -> None:
    closes = window_closes_on(HELD)
    assert closing_window(HELD, True, True, closes) is None
    assert closing_window(HELD, False, False, closes) is None


def test_an_occurrence_is_coming_up_from_today_to_the_horizon() -> None:
    assert coming_up(HELD, HELD)
    assert coming_up(after(COMING_UP_DAYS), HELD)
    assert not coming_up(after(COMING_UP_DAYS + 1), HELD)
    assert not coming_up(after(-1), HELD)


def test_a_verdict_is_worth_deciding_until_you_were_told_it_since_your_last_visit() -> None:
    assert not worth_deciding(None, None, None, "unknown")  # you never went
    assert worth_deciding(HELD, None, None, "wait")  # never asked
    assert worth_deciding(HELD, after(-1), "wait", "wait")  # asked before the last visit
    assert not worth_deciding(HELD, HELD, "wait", "wait")  # asked on the day of it
    assert worth_deciding(HELD, after(3), "wait", "return")  # the verdict changed since


# --- what `meishi brief` shows ----------------------------------------------------------


def brief(*args: str) -> dict[str, Any]:
    """What `meishi brief ARGS --json` reports."""
    return json_of(ok("brief", *args, "--json"))


def todo() -> list[dict[str, Any]]:
    """What `meishi todo --json` reports."""
    return json_of(ok("todo", "--json"))


@pytest.fixture
def series() -> dict[str, int]:
    """A study session visited twice, its organizer following up after the latest, the next
    one in a week; people met there in every relationship state."""
    ids = {
        "first": add_event("もくもく会 #1", -40, "--series", "もくもく会", "--organizer", "佐藤"),
        "second": add_event("もくもく会 #2", -10, "--series", "もくもく会", "--organizer", "佐藤"),
        "next": add_event("もくもく会 #3", 7, "--series", "もくもく会", "--organizer", "佐藤"),
    }
    ok("followup", "もくもく会 #2", "thanks", "--date", day(-9))
    ids["none"] = add_person("もくもく会 #1", "山本 一郎", "--topic", "読書会")
    ids["one-way"] = add_person("もくもく会 #1", "佐藤 花子", "--email", "hanako.s@example.jp")
    ids["sprouting"] = add_person(
        "もくもく会 #1",
        "田中 太郎",
        *("--reading", "たなか たろう", "--company", "Acme株式会社"),
        *("--email", "taro@example.jp", "--topic", "LLM", "--topic", "評価"),
    )
    again = ("--email", "taro@example.jp", "--topic", "評価", "--topic", "RAG")
    add_person("もくもく会 #2", "田中 太郎", *again)
    ids["in touch"] = add_person(
        "もくもく会 #2", "Sarah Johnson", "--company", "Globex", "--email", "sarah@example.com"
    )
    ok("thank", "--mark-sent", "Sarah Johnson", "--event", str(ids["second"]))
    for days, direction in ((30, "out"), (20, "in"), (12, "in")):
        record(ids["sprouting"], days, direction, "勉強会のお礼")
    record(ids["in touch"], 8, "out", "Thanks")
    record(ids["in touch"], 7, "in", "Re: Thanks")
    record(ids["one-way"], 35, "out", "先日はありがとうございました")
    return ids


def test_brief_gives_the_verdict_and_the_people_sprouting_first(series: dict[str, int]) -> None:
    found = brief("もくもく会 #3")
    assert found["event"]["id"] == series["next"]
    assert found["event"]["days_ahead"] == 7 and found["event"]["status"] == "registered"
    assert found["verdict"]["verdict"] == "return"
    assert [p["state"] for p in found["people"]] == ["sprouting", "in touch", "one-way", "none"]
    taro, sarah, hanako, ichiro = found["people"]
    assert (taro["name"], taro["reading"], taro["company"]) == (
        "田中 太郎",
        "たなか たろう",
        "Acme株式会社",
    )
    assert taro["topics"] == ["LLM", "評価", "RAG"]  # each once, in the order talked about
    assert [m["event_id"] for m in taro["meetings"]] == [series["first"], series["second"]]
    assert taro["never_thanked"] and not sarah["never_thanked"]
    assert sarah["meetings"][0]["thanked"] is True
    assert hanako["topics"] == [] and ichiro["topics"] == ["読書会"]
    assert found["owed"] == []


def test_brief_as_text_names_each_person_with_what_you_talked_about(
    series: dict[str, int],
) -> None:
    text = ok("brief", "もくもく会 #3").stdout
    lines = text.splitlines()
    assert lines[0] == f"Brief for もくもく会 #3 — {day(7)}, in 7 days"
    assert lines[1] == "You are registered · series もくもく会 · organizer 佐藤"
    assert "Should you go back? return: Go back" in lines
    assert "People you met there: 4 (1 sprouting, 1 in touch, 1 one-way, 1 no mail yet);" in text
    assert "3 never thanked" in text
    taro = lines.index("  • 田中 太郎 (たなか たろう), Acme株式会社 — sprouting; never thanked")
    assert lines[taro + 1] == (
        f"    met at もくもく会 #2 ({day(-10)}, not thanked);"
        f" もくもく会 #1 ({day(-40)}, not thanked)"
    )
    assert lines[taro + 2] == "    talked about: LLM; 評価; RAG"
    assert "  • Sarah Johnson, Globex — in touch" in lines
    assert text.rstrip().endswith("You owe the organizer nothing.")


def test_a_series_stands_for_its_next_occurrence_else_its_latest(series: dict[str, int]) -> None:
    assert brief("もくもく会")["event"]["id"] == series["next"]
    assert brief("もくもく")["event"]["id"] == series["next"]  # a prefix its events share
    add_event("Lightning Talks #1", -60, "--series", "LT")
    latest = add_event("Lightning Talks #2", -30, "--series", "LT")
    assert brief("LT")["event"]["id"] == latest


def test_a_past_occurrence_counts_the_people_met_up_to_it_not_after(
    series: dict[str, int],
) -> None:
    found = brief(str(series["first"]))
    assert found["event"]["days_ahead"] == -40 and found["event"]["status"] == "attended"
    names = {person["name"] for person in found["people"]}
    assert names == {"田中 太郎", "佐藤 花子", "山本 一郎"}  # Sarah was met later, at #2
    (taro,) = [p for p in found["people"] if p["name"] == "田中 太郎"]
    assert taro["topics"] == ["LLM", "評価"]
    assert "40 days ago" in ok("brief", str(series["first"])).stdout


def test_an_event_with_nothing_yet_says_what_to_record() -> None:
    event = add_event("Tokyo AI Night", 3)
    found = brief("Tokyo AI Night")
    assert found["verdict"]["verdict"] == "unknown"
    assert found["people"] == [] and found["owed"] == []
    assert found["event"]["series"] == "Tokyo AI Night" and found["event"]["organizer"] is None
    text = ok("brief", "Tokyo AI Night").stdout
    assert "Should you go back? unknown: Unknown" in text
    assert "People you met there: nobody recorded yet." in text
    assert f"After you go, record them: meishi add --event {event}" in text
    assert "organizer" not in text.splitlines()[1]


def test_what_you_owe_the_organizer_is_shown_apart_from_the_reasons() -> None:
    missed = add_event(
        "Fee night #1", -3, "--series", "Fee night", "--organizer", "鈴木", "--fee", "3000"
    )
    ok("no-show", str(missed))
    add_event("Fee night #2", 4, "--series", "Fee night", "--organizer", "鈴木")
    found = brief("Fee night")
    owed = [reason["kind"] for reason in found["owed"]]
    assert owed == ["apology", "fee"]
    assert all(reason["event_id"] == missed for reason in found["owed"])
    text = ok("brief", "Fee night").stdout
    reasons, owed_part = text.split("You still owe the organizer:\n")
    assert "¥3,000" not in reasons  # said once, in its own part
    assert f"¥3,000 fee for Fee night #1 on {day(-3)}" in owed_part
    assert f"(meishi paid {missed})" in owed_part


def test_long_lists_are_cut_with_how_many_more_unless_all() -> None:
    event = add_event("Big mixer", -2)
    topics = [arg for n in range(7) for arg in ("--topic", f"topic {n}")]
    add_person("Big mixer", "Aoki Ken", *topics)
    for n in range(12):
        add_person("Big mixer", f"Guest {n:02d}")
    text = ok("brief", "Big mixer").stdout
    assert text.count("\n  • Guest") + text.count("\n  • Aoki") == 10
    assert f"  … and 3 more; meishi brief {event} --all shows everyone" in text
    assert "topic 0; topic 1; topic 2; topic 3; topic 4; and 2 more" in text
    everything = ok("brief", "Big mixer", "--all").stdout
    assert everything.count("\n  • Guest") == 12 and "… and" not in everything
    assert "topic 5; topic 6" in everything
    assert len(brief("Big mixer")["people"]) == 13  # JSON is never cut


def people_part(text: str) -> list[str]:
    """The lines of a brief from its people's tally to what is owed."""
    lines = text.splitlines()
    start = next(at for at, line in enumerate(lines) if line.startswith("People you met"))
    return lines[start : lines.index("", start)]


def test_the_brief_shows_the_first_ten_of_everyone_met_and_counts_them_all() -> None:
    first = add_event("Data Night #1", -50, "--series", "Data Night")
    add_event("Data Night #2", -20, "--series", "Data Night")
    coming = add_event("Data Night #3", 5, "--series", "Data Night")
    people = {}
    for n in range(14):
        at = "Data Night #1" if n % 3 else "Data Night #2"
        people[n] = add_person(at, f"Guest {n:02d}", "--email", f"g{n}@example.jp")
    for n in (1, 4):  # met again
        ok("add", "--event", "Data Night #2", "--email", f"g{n}@example.jp", "--name", "x")
    ok("thank", "--mark-sent", "Guest 01", "--event", str(first))
    for n, mails in {
        2: ((30, "out"), (20, "in"), (12, "in")),  # sprouting
        3: ((10, "out"), (8, "in")),  # in touch
        4: ((15, "out"), (9, "in")),
        5: ((40, "out"),),  # one-way
        7: ((300, "out"), (290, "in")),  # quiet
        8: ((25, "in"),),
        13: ((5, "out"), (4, "in"), (3, "out"), (2, "in")),  # sprouting, by turns
    }.items():
        for days, direction in mails:
            record(people[n], days, direction, "近況")
    shown = people_part(ok("brief", str(coming)).stdout)
    everyone = people_part(ok("brief", str(coming), "--all").stdout)
    assert (
        shown[0]
        == everyone[0]
        == (
            "People you met there: 14 (2 sprouting, 2 in touch, 2 one-way, 1 quiet,"
            " 7 no mail yet); 13 never thanked"
        )
    )
    assert len(everyone) == 1 + 2 * 14  # each: a name, then where met (no topics here)
    assert shown[:-1] == everyone[:21]  # the first ten, in the same order
    assert shown[-1] == f"  … and 4 more; meishi brief {coming} --all shows everyone"
    # Up to the first occurrence: the nine met there, the same with --all or without.
    before = people_part(ok("brief", str(first)).stdout)
    assert before == people_part(ok("brief", str(first), "--all").stdout)
    assert len(before) == 1 + 2 * 9 and before[0].startswith("People you met there: 9 (")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("もくもく会 #9", "no event matches 'もくもく会 #9'"),
        ("Lightnin Talkz", "did you mean 'Lightning Talks'"),
    ],
)
def test_an_unknown_event_is_one_line_and_changes_nothing(name: str, words: str) -> None:
    add_event("もくもく会 #1", -5)
    add_event("Lightning Talks", 5)
    ok("brief", "Lightning Talks")  # the store exists, and a verdict is kept
    before = snapshot()
    message = error_of(fails("brief", name))
    assert words in message and "meishi event list" in message
    assert snapshot() == before


def test_an_ambiguous_event_lists_the_candidates() -> None:
    add_event("Tokyo Meetup", -5)
    add_event("Tokyo Meetup", -12)
    before = snapshot()
    message = error_of(fails("brief", "Tokyo"))
    assert "matches 2 events" in message and "#1 Tokyo Meetup" in message
    assert snapshot() == before


# --- what `meishi todo` reminds you of --------------------------------------------------


def test_todo_says_the_follow_up_window_closes_a_few_days_before_it_does() -> None:
    first = FOLLOW_UP_DAYS - CLOSING_NOTICE_DAYS
    closing = add_event("ハンズオン #1", -first)
    add_event("Too early", -(first - 1))
    add_event("Closed", -(FOLLOW_UP_DAYS + 1))
    (task,) = [t for t in todo() if t["kind"] == "follow-up-window"]
    assert task["due"] == day(CLOSING_NOTICE_DAYS)
    assert task["text"] == (
        f"The follow-up window for ハンズオン #1 ({day(-first)}) closes on"
        f" {day(CLOSING_NOTICE_DAYS)}: no thank-you, survey or report from the organizer"
        " is recorded yet"
    )
    assert task["command"].startswith(f"meishi followup {closing} thanks|survey|report")
    assert f"{task['text']}\n   → {task['command']}" in ok("todo").stdout


def test_an_invitation_leaves_the_window_reminder_a_thank_you_settles_it() -> None:
    add_event("ハンズオン #1", -(FOLLOW_UP_DAYS - 1))
    ok("followup", "ハンズオン #1", "invite", "--date", day(-3))
    assert [t["kind"] for t in todo()] == ["follow-up-window"]
    ok("followup", "ハンズオン #1", "survey", "--date", day(-2))
    assert todo() == []


def test_an_event_you_missed_has_no_window_to_remind_of() -> None:
    event = add_event("Missed night", -(FOLLOW_UP_DAYS - 1))
    ok("no-show", str(event))
    assert [t["kind"] for t in todo()] == ["apology"]


def test_todo_gives_a_coming_occurrence_its_verdict_and_the_first_reason() -> None:
    add_event("Rust.Tokyo #1", -20, "--series", "Rust.Tokyo")
    coming = add_event("Rust.Tokyo #2", 10, "--series", "Rust.Tokyo")
    (task,) = [t for t in todo() if t["kind"] == "decide"]
    assert task["verdict"] == "skip" and task["due"] == day(10)
    assert task["text"].startswith(
        f"Decide whether to go back to Rust.Tokyo: next on {day(10)}; should-return says skip:"
        f" The 14-day follow-up window after Rust.Tokyo #1 on {day(-20)} has passed"
    )
    assert task["command"] == f'meishi should-return "Rust.Tokyo", or meishi brief {coming}'


def test_a_verdict_told_leaves_the_agenda_until_it_changes() -> None:
    add_event("Rust.Tokyo #1", -20, "--series", "Rust.Tokyo")
    add_event("Rust.Tokyo #2", 10, "--series", "Rust.Tokyo")
    ok("brief", "Rust.Tokyo")  # told: skip
    assert [t for t in todo() if t["kind"] == "decide"] == []
    ok("followup", "Rust.Tokyo #1", "report", "--date", day(-5))
    (task,) = [t for t in todo() if t["kind"] == "decide"]
    assert task["verdict"] == "return"
    assert "should-return says return: The organizer followed up" in task["text"]
    ok("should-return", "Rust.Tokyo")
    assert [t for t in todo() if t["kind"] == "decide"] == []


def test_no_verdict_on_the_agenda_for_a_series_you_never_went_to_or_far_ahead() -> None:
    add_event("New #1", 5, "--series", "New")
    add_event("Far #1", -15, "--series", "Far")
    add_event("Far #2", COMING_UP_DAYS + 1, "--series", "Far")
    assert [t for t in todo() if t["kind"] == "decide"] == []
