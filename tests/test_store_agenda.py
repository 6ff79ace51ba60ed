"""The agenda's read path on either engine: its store queries on the plain connection (what
is owed, the organizers' follow-ups, the mail the relationship rules need) and its commands,
which import no heavy library."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import (
    add_event,
    add_person,
    day,
    heavy_modules_after,
    json_of,
    ok,
    record_mail,
    server_url,
    store_reader,
    store_rows,
)
from meishi.relationships.facts import counted_states, replies_to_answer
from meishi.relationships.rules import IN_TOUCH, REPLY_AFTER_DAYS, SPROUTING
from meishi.store.engine import SCHEMA_REVISION
from meishi.store.exchanges import mail_awaiting_reply, mail_of_busy
from meishi.store.follow_ups import follow_ups_of
from meishi.store.obligations import open_obligations


def test_open_obligations_carry_their_event_and_leave_the_settled_out() -> None:
    first = add_event("Design Night", -3, "--organizer", "佐藤 健", "--fee", "2000")
    second = add_event("Data Night", -2)
    ok("no-show", str(first))
    ok("no-show", str(second))
    ok("paid", str(first))
    with store_reader() as db:
        owed = open_obligations(db)
        one = open_obligations(db, second)
    assert [(o.kind, o.event_id) for o in owed] == [("apology", first), ("apology", second)]
    apology = owed[0]
    assert (apology.event_name, apology.event_date, apology.organizer) == (
        "Design Night",
        dt.date.fromisoformat(day(-3)),
        "佐藤 健",
    )
    assert apology.created_at.tzinfo is not None and apology.amount is None
    assert [o.event_id for o in one] == [second]


def test_follow_ups_of_some_events_oldest_first_as_dates() -> None:
    first = add_event("Design Night", -9)
    second = add_event("Data Night", -8)
    other = add_event("Chess Club", -7)
    ok("followup", str(second), "survey", "--date", day(-2), "--note", "5 questions")
    ok("followup", str(first), "thanks", "--date", day(-5))
    ok("followup", str(other), "report", "--date", day(-1))
    with store_reader() as db:
        found = follow_ups_of(db, [first, second])
        assert follow_ups_of(db, []) == []
    assert [(f.event_id, f.kind, f.date) for f in found] == [
        (first, "thanks", dt.date.fromisoformat(day(-5))),
        (second, "survey", dt.date.fromisoformat(day(-2))),
    ]
    assert (found[1].note, found[1].source, found[1].subject) == ("5 questions", "hand", None)


# The mail the relationship rules are given: only what could change their answer.


def test_mail_awaiting_reply_leaves_out_threads_you_answered_and_fresh_mail() -> None:
    add_event("JS Meetup", -40)
    answered = add_person("JS Meetup", "田中 太郎", "--email", "taro@example.jp")
    waiting = add_person("JS Meetup", "鈴木 一郎", "--email", "ichiro@example.jp")
    fresh = add_person("JS Meetup", "佐藤 健", "--email", "ken@example.jp")
    record_mail(answered, 10, "in", "資料", thread="<a@x>")
    record_mail(answered, 8, "out", "別件", thread="<a@x>")
    record_mail(waiting, 10, "in", "資料", thread="<b@x>")
    record_mail(waiting, 20, "out", "最初", thread="<c@x>")
    record_mail(fresh, REPLY_AFTER_DAYS, "in", "ランチ")
    before = dt.date.today() - dt.timedelta(days=REPLY_AFTER_DAYS)
    with store_reader() as db:
        found = mail_awaiting_reply(db, before)
        tasks = replies_to_answer(db, dt.date.today())
    assert sorted(found) == [waiting]
    assert sorted(mail.subject for mail in found[waiting]) == ["最初", "資料"]
    assert [(contact.full_name, mail.subject) for contact, mail in tasks] == [("鈴木 一郎", "資料")]


def test_mail_of_busy_takes_all_the_mail_of_those_busy_lately() -> None:
    add_event("JS Meetup", -40)
    busy = add_person("JS Meetup", "田中 太郎", "--email", "taro@example.jp")
    quiet = add_person("JS Meetup", "鈴木 一郎", "--email", "ichiro@example.jp")
    for days in (200, 30, 20):
        record_mail(busy, days, "in", "近況")
    record_mail(quiet, 30, "in", "近況")
    record_mail(quiet, 200, "in", "近況")
    since = dt.date.today() - dt.timedelta(days=90)
    with store_reader() as db:
        found = mail_of_busy(db, since, 2, 4)
    assert sorted(found) == [busy] and len(found[busy]) == 3  # the old mail too
    assert all(mail.when.tzinfo is not None for mail in found[busy])


def test_counted_states_count_each_person_met_once_per_event() -> None:
    add_event("JS Meetup #1", -60, "--series", "JS Meetup")
    add_event("JS Meetup #2", -30, "--series", "JS Meetup")
    both = add_person("JS Meetup #1", "田中 太郎", "--email", "taro@example.jp")
    ok("add", "--event", "JS Meetup #2", "--email", "taro@example.jp", "--name", "田中 太郎")
    once = add_person("JS Meetup #2", "鈴木 一郎", "--email", "ichiro@example.jp")
    for days, direction in ((20, "out"), (15, "in"), (10, "out"), (5, "in")):
        record_mail(both, days, direction, "近況")
    record_mail(once, 20, "out", "お礼")
    record_mail(once, 12, "in", "Re: お礼")
    with store_reader() as db:
        counts = counted_states(db, [1, 2], dt.date.today())
    assert counts[1] == {SPROUTING: 1}
    assert counts[2] == {SPROUTING: 1, IN_TOUCH: 1}


# The agenda's commands read over the plain connection: no ORM, no Jinja, no Rich tables.


def stocked_store() -> None:
    """People met at past occurrences of a series with one ahead, a no-show owing an apology,
    a follow-up, a topic, and mail both ways."""
    add_event("Tokyo AI 勉強会 #1", -20, "--series", "Tokyo AI 勉強会", "--organizer", "佐藤 健")
    add_event("Tokyo AI 勉強会 #2", -6, "--series", "Tokyo AI 勉強会", "--organizer", "佐藤 健")
    ahead = add_event("Tokyo AI 勉強会 #3", 10, "--series", "Tokyo AI 勉強会")
    no_show = add_event("Design Night", -3)
    ok("no-show", str(no_show))
    tanaka = add_person(
        "Tokyo AI 勉強会 #1", "田中 太郎", "--email", "t@example.jp", "--topic", "RAG"
    )
    add_person("Tokyo AI 勉強会 #2", "鈴木 一郎", "--email", "s@example.jp")
    ok("followup", "Tokyo AI 勉強会 #1", "thanks", "--date", day(-18))
    record_mail(tanaka, 15, "out", "お礼")
    record_mail(tanaka, 12, "in", "Re: お礼")
    record_mail(tanaka, 9, "in", "次回")
    assert ahead == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["todo"],
        ["todo", "--json"],
        ["should-return", "Tokyo AI 勉強会"],
        ["should-return", "Tokyo AI 勉強会", "--json"],
        ["relationships"],
        ["relationships", "--state", "none", "--json"],
        ["brief", "3"],
        ["brief", "Tokyo AI 勉強会", "--json"],
    ],
)
def test_the_agenda_commands_never_import_heavy_libraries(argv: list[str]) -> None:
    stocked_store()
    assert ok(*argv).stdout  # they have something to say
    assert heavy_modules_after(argv) == []


def test_should_return_and_brief_keep_the_verdict_they_gave() -> None:
    stocked_store()
    ok("should-return", "Tokyo AI 勉強会")
    ok("brief", "3")
    kept = store_rows("SELECT series, verdict FROM decision ORDER BY id")
    assert [series for series, _ in kept] == ["Tokyo AI 勉強会"] * 2
    assert kept[0][1] == kept[1][1] != "unknown"
    assert not any(t["kind"] == "decide" for t in json_of(ok("todo", "--json")))


def test_a_store_at_0016_gains_the_index_of_encounters_by_event_and_thank_you() -> None:
    add_event("Design Night", -3)
    store_rows("DROP INDEX ix_encounter_event_thanked")  # as 0016 left it
    if server_url():  # and without 0018's index of characters
        store_rows("DROP INDEX contact_text_doc_chars")
        store_rows("DROP FUNCTION meishi_chars(text)")
    store_rows("UPDATE alembic_version SET version_num = '0016'")
    ok("todo")
    assert store_rows("SELECT version_num FROM alembic_version") == [(SCHEMA_REVISION,)]
    store_rows("DROP INDEX ix_encounter_event_thanked")  # there again: the migration made it
