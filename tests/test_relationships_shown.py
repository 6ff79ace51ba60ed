"""Relationships where the user looks: replies to answer and next steps in `meishi todo`
(the pure decisions, then what the user sees) and the timeline in `contacts show`."""

from __future__ import annotations

import datetime as dt

from helpers import add_event, add_person, json_of, ok
from helpers import record_mail as record
from meishi.relationships.rules import (
    IN_TOUCH,
    REPLY_AFTER_DAYS,
    SPROUTING,
    Relationship,
    needs_next_step,
    unanswered,
)
from meishi.should_return.rules import Occurrence, decide
from meishi.store.exchanges import Exchanged

TODAY = dt.date(2026, 12, 2)


def sent(days: int, direction: str, subject: str) -> Exchanged:
    """A mail `days` before TODAY at noon."""
    return Exchanged(
        0, dt.datetime.combine(TODAY, dt.time(12)) - dt.timedelta(days=days), direction, subject
    )


def judged(state: str, last_day: dt.date) -> Relationship:
    """A relationship in `state` whose last mail was on `last_day`."""
    return Relationship(state, last_day, "them", 1, 2, 2, 1)


def test_their_mail_last_in_a_thread_waits_for_an_answer_after_the_threshold() -> None:
    late = sent(REPLY_AFTER_DAYS + 1, "in", "Re: 資料")
    fresh = sent(REPLY_AFTER_DAYS, "in", "ランチ")
    assert unanswered([sent(10, "out", "資料"), late, fresh], TODAY) == [late]


def test_your_answer_in_the_same_thread_settles_it_whatever_the_prefix() -> None:
    mails = [sent(10, "in", "資料"), sent(8, "out", "返信: 資料"), sent(20, "in", "Other")]
    assert unanswered(mails, TODAY) == [mails[2]]
    assert unanswered([sent(10, "in", "Ｒｅ： 資料"), sent(9, "out", "RE: 資料")], TODAY) == []


def test_an_answer_in_the_same_thread_under_another_subject_settles_it() -> None:
    theirs = sent(10, "in", "打ち合わせの件")._replace(thread="<a@x>")
    yours = sent(8, "out", "来週の日程について")._replace(thread="<a@x>")
    elsewhere = sent(6, "out", "打ち合わせの件 (別件)")._replace(thread="<b@x>")
    assert unanswered([theirs, yours], TODAY) == []
    assert unanswered([theirs, elsewhere], TODAY) == [theirs]
    # Mail recorded before threads were kept still meets by its subject.
    assert unanswered([theirs, sent(8, "out", "Re: 打ち合わせの件")], TODAY) == []


def test_a_next_step_only_for_sprouting_not_met_since_the_last_mail() -> None:
    last = TODAY - dt.timedelta(days=5)
    assert needs_next_step(judged(SPROUTING, last), None)
    assert needs_next_step(judged(SPROUTING, last), last - dt.timedelta(days=30))
    assert not needs_next_step(judged(SPROUTING, last), last)
    assert not needs_next_step(judged(IN_TOUCH, last), None)


def test_todo_lists_replies_to_answer_and_next_steps() -> None:
    add_event("JS Meetup", -40)
    tanaka = add_person("JS Meetup", "田中 太郎", "--email", "taro@example.jp")
    suzuki = add_person("JS Meetup", "鈴木 一郎", "--email", "ichiro@example.jp")
    record(tanaka, 30, "out", "お礼")
    record(tanaka, 6, "in", "Re: お礼")
    record(suzuki, 20, "out", "資料")
    record(suzuki, 12, "in", "Re: 資料")
    record(suzuki, 9, "in", "勉強会")
    record(suzuki, 8, "out", "Re: 勉強会")
    tasks = [t for t in json_of(ok("todo", "--json")) if t["kind"] in ("reply", "next-step")]
    waited = (dt.date.today() - dt.timedelta(days=6)).isoformat()
    assert [(t["kind"], t["text"]) for t in tasks] == [
        (
            "reply",
            f"鈴木 一郎 wrote on {(dt.date.today() - dt.timedelta(days=12)).isoformat()}"
            " (“Re: 資料”): reply",
        ),
        ("reply", f"田中 太郎 wrote on {waited} (“Re: お礼”): reply"),
        ("next-step", tasks[2]["text"]),
    ]
    assert "鈴木 一郎" in tasks[2]["text"] and "propose a meeting" in tasks[2]["text"]
    text = ok("todo").stdout
    assert "田中 太郎 wrote on" in text and "suggest a next step" in text


def test_meeting_again_settles_the_next_step_and_an_answer_settles_the_reply() -> None:
    add_event("JS Meetup", -40)
    suzuki = add_person("JS Meetup", "鈴木 一郎", "--email", "ichiro@example.jp")
    record(suzuki, 12, "in", "資料")
    record(suzuki, 9, "in", "Re: 資料")
    assert {t["kind"] for t in json_of(ok("todo", "--json"))} >= {"reply", "next-step"}
    record(suzuki, 5, "out", "RE: 資料")
    add_event("JS Meetup vol.2", -1)
    add_person("JS Meetup vol.2", "鈴木 一郎", "--email", "ichiro@example.jp")
    kinds = {t["kind"] for t in json_of(ok("todo", "--json"))}
    assert not kinds & {"reply", "next-step"}


def test_contacts_show_has_a_timeline_of_meetings_thank_yous_and_mail() -> None:
    event = add_event("JS Meetup", -40)
    tanaka = add_person("JS Meetup", "田中 太郎", "--email", "taro@example.jp")
    ok("thank", "--mark-sent", "田中 太郎", "--event", str(event))
    record(tanaka, 0, "out", "お礼", thanking=1)  # the thank-you sync found in Sent
    record(tanaka, 9, "in", "Re: お礼")
    record(tanaka, 8, "out", "ランチ")
    ago = [(dt.date.today() - dt.timedelta(days=days)).isoformat() for days in (40, 9, 8, 0)]
    timeline = json_of(ok("contacts", "show", "田中", "--json"))["timeline"]
    assert [(entry["date"], entry["kind"], entry["text"]) for entry in timeline] == [
        (ago[0], "met", "met at JS Meetup"),
        (ago[1], "mail in", "they wrote: “Re: お礼”"),
        (ago[2], "mail out", "you wrote: “ランチ”"),
        (ago[3], "thank-you", "thank-you sent for JS Meetup"),
    ]
    text = ok("contacts", "show", "田中").stdout
    assert f"Timeline:\n  {ago[0]}  met at JS Meetup\n  {ago[1]}  they wrote: “Re: お礼”" in text


def test_the_people_reason_counts_those_sprouting_or_in_touch_only_when_mail_says_so() -> None:
    day = dt.date(2026, 3, 10)
    met = Occurrence(1, "Mixer", day, True, (), 3, 2, "", sprouting=2, in_touch=1)
    quiet = Occurrence(1, "Mixer", day, True, (), 3, 2)
    found = decide("Mixer", [met], TODAY)
    assert (found.sprouting, found.in_touch) == (2, 1)
    assert found.reasons[-1].text == (
        "You met 3 people there and thanked 2 of them; by mail, 2 are sprouting and 1 in touch."
    )
    assert decide("Mixer", [quiet], TODAY).reasons[-1].text == (
        "You met 3 people there and thanked 2 of them."
    )


def test_should_return_counts_the_people_met_there_who_sprouted_or_are_in_touch() -> None:
    add_event("Mixer", -30)
    ann = add_person("Mixer", "Ann Ito", "--email", "ann@example.com")
    bob = add_person("Mixer", "Bob Lee", "--email", "bob@example.com")
    add_person("Mixer", "Cy Oda", "--email", "cy@example.com")
    record(ann, 20, "in", "Hello")
    record(ann, 10, "in", "Re: Hello")
    record(bob, 12, "out", "Thanks")
    record(bob, 11, "in", "Re: Thanks")
    found = json_of(ok("should-return", "Mixer", "--json"))
    assert (found["people_met"], found["sprouting"], found["in_touch"]) == (3, 1, 1)
    assert found["reasons"][-1]["text"].endswith("; by mail, 1 is sprouting and 1 in touch.")
