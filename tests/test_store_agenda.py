"""The agenda's read path on either engine: its store queries on the plain connection (what
is owed, the organizers' follow-ups, the mail the relationship rules need) and its commands,
which import no heavy library."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

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
from meishi.relationships.facts import counted_states, replies_to_answer, states_of_people_met
from meishi.relationships.rules import (
    IN_TOUCH,
    IN_TOUCH_DAYS,
    ONE_WAY,
    QUIET,
    REPLY_AFTER_DAYS,
    SPROUTING,
    SPROUTING_DAYS,
    relationship,
    state_of,
    windows,
)
from meishi.store.engine import SCHEMA_REVISION
from meishi.store.exchanges import (
    Counts,
    Tally,
    correspondents_tallied,
    counts_of_people_met,
    mail_awaiting_reply,
    tallies_of_busy,
)
from meishi.store.follow_ups import follow_ups_of
from meishi.store.meetings import headcount
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
    by_subject = add_person("JS Meetup", "高橋 美咲", "--email", "misaki@example.jp")
    record_mail(answered, 10, "in", "資料", thread="<a@x>")
    record_mail(answered, 8, "out", "別件", thread="<a@x>")
    record_mail(waiting, 20, "out", "最初", thread="<c@x>")  # before what waits: left out
    record_mail(waiting, 12, "in", "日程", thread="<d@x>")
    record_mail(waiting, 10, "in", "資料", thread="<b@x>")
    record_mail(waiting, 9, "out", "Re: 日程", thread="<e@x>")  # answers 日程 by subject
    record_mail(fresh, REPLY_AFTER_DAYS, "in", "ランチ")
    record_mail(by_subject, 10, "in", "見積", thread="<f@x>")
    record_mail(by_subject, 9, "out", "Re: 見積", thread="<g@x>")
    before = dt.date.today() - dt.timedelta(days=REPLY_AFTER_DAYS)
    with store_reader() as db:
        found = mail_awaiting_reply(db, before)
        tasks = replies_to_answer(db, dt.date.today())
    by_id = {contact.id: (contact.full_name, mails) for contact, mails in found.items()}
    assert sorted(by_id) == [waiting, by_subject]
    assert by_id[waiting][0] == "鈴木 一郎"
    assert [mail.subject for mail in by_id[waiting][1]] == ["日程", "資料", "Re: 日程"]
    assert [(contact.full_name, mail.subject) for contact, mail in tasks] == [("鈴木 一郎", "資料")]


def test_tallies_of_busy_count_all_the_mail_of_those_busy_lately() -> None:
    add_event("JS Meetup", -40)
    busy = add_person("JS Meetup", "田中 太郎", "--email", "taro@example.jp")
    quiet = add_person("JS Meetup", "鈴木 一郎", "--email", "ichiro@example.jp")
    for days in (200, 30, 20):
        record_mail(busy, days, "in", "近況")
    record_mail(quiet, 30, "in", "近況")
    record_mail(quiet, 200, "in", "近況")
    today = dt.date.today()
    since = today - dt.timedelta(days=90)
    with store_reader() as db:
        found = tallies_of_busy(db, windows(today), since, 2, 4)
    assert list(found) == [busy]
    assert found[busy].received == 2 and found[busy].reply_days == 2  # the old mail: too old
    assert found[busy].last_day == today - dt.timedelta(days=20)


# How the store counts the mail for the rules (a Tally), on either engine: at fixed times,
# against a fixed day, each written as SQLAlchemy writes a stamp (text on SQLite).
TODAY = dt.date(2026, 12, 2)
NOON = dt.datetime(2026, 12, 2, 12)


MESSAGES = itertools.count(1)


def mail_at(contact: int, when: dt.datetime, direction: str) -> None:
    """Store one mail with a contact at a given time (UTC), as sync would have."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f")
    store_rows(
        "INSERT INTO exchange (contact_id, direction, date, subject, message_id, folder, matched,"
        " created_at) VALUES (?, ?, ?, 'Re: 近況', ?, 'INBOX', 'address', ?)",
        *(contact, direction, stamp, f"<{next(MESSAGES)}@example.jp>", stamp),
    )


@pytest.fixture
def mailed() -> Callable[..., int]:
    """Makes a new contact with mail `days` before TODAY at noon, in the directions given."""
    add_event("Mixer", -3)
    made = itertools.count(1)

    def make(*spec: tuple[int, str]) -> int:
        contact = add_person("Mixer", f"Person {next(made)}")
        for days, direction in spec:
            mail_at(contact, NOON - dt.timedelta(days=days), direction)
        return contact

    return make


def tallied() -> dict[int, Tally]:
    """Every contact's Tally on TODAY, by contact."""
    with store_reader() as db:
        return {tally.contact_id: tally for _, tally in correspondents_tallied(db, windows(TODAY))}


@pytest.mark.parametrize(
    ("spec", "state"),
    [
        (((3, "out"),), ONE_WAY),
        (((3, "out"), (10, "out")), ONE_WAY),
        (((10, "out"), (9, "in")), IN_TOUCH),
        (((10, "out"), (9, "in"), (5, "in")), SPROUTING),  # replies on two days
        (((10, "out"), (9, "in"), (9, "in")), IN_TOUCH),  # two replies, one day
        (((10, "out"), (9, "in"), (8, "out"), (7, "in")), SPROUTING),  # three turns
        (((IN_TOUCH_DAYS + 1, "out"), (IN_TOUCH_DAYS + 1, "in")), QUIET),
        (((SPROUTING_DAYS + 5, "in"), (SPROUTING_DAYS + 2, "in"), (3, "out")), IN_TOUCH),
    ],
)
def test_the_store_counts_the_mail_into_each_state(
    mailed: Callable[..., int], spec: tuple[tuple[int, str], ...], state: str
) -> None:
    contact = mailed(*spec)
    assert relationship(tallied()[contact]).state == state
    with store_reader() as db:  # as the people met at an event: the counts alone
        counts, _ = counts_of_people_met(db, [1], windows(TODAY))
    assert state_of(counts[contact]) == state


def test_a_tally_says_who_wrote_last_and_when_and_counts_each_window(
    mailed: Callable[..., int],
) -> None:
    contact = mailed((SPROUTING_DAYS + 1, "in"), (10, "out"), (9, "in"), (5, "in"))
    older = mailed((IN_TOUCH_DAYS + 30, "in"), (IN_TOUCH_DAYS + 20, "out"))
    found = tallied()
    assert found[contact] == Tally(contact, TODAY - dt.timedelta(days=5), "in", 1, 3, 2, 1)
    long_ago = TODAY - dt.timedelta(days=IN_TOUCH_DAYS + 20)
    assert found[older] == Tally(older, long_ago, "out", 0, 0, 0, 0)
    assert set(found) == {contact, older}  # and no one without mail


def test_a_window_starts_at_midnight_of_its_first_day(mailed: Callable[..., int]) -> None:
    in_touch, sprouting = (dt.datetime.combine(day, dt.time()) for day in windows(TODAY))
    tick = dt.timedelta(microseconds=1)
    contact = mailed()
    for when, direction in (
        (in_touch - tick, "out"),  # not counted
        (in_touch, "out"),
        (sprouting - tick, "in"),  # counted as received, not as a day they wrote
        (sprouting, "in"),
        (sprouting + dt.timedelta(hours=23), "in"),  # the same day
    ):
        mail_at(contact, when, direction)
    last = sprouting.date()
    assert tallied()[contact] == Tally(contact, last, "in", 1, 3, 1, 0)


def test_at_one_moment_their_mail_comes_first_and_yours_last(mailed: Callable[..., int]) -> None:
    both = mailed()
    mail_at(both, NOON, "out")  # recorded first, but theirs comes first at that moment
    mail_at(both, NOON, "in")
    turning = mailed((10, "out"))
    mail_at(turning, NOON - dt.timedelta(days=5), "out")
    mail_at(turning, NOON - dt.timedelta(days=5), "in")  # out, in, out: two turns
    found = tallied()
    assert (found[both].last_direction, found[both].turns) == ("out", 1)
    assert (found[turning].last_direction, found[turning].turns) == ("out", 2)


def test_the_people_met_at_some_events_are_tallied_with_each_of_their_meetings() -> None:
    first = add_event("JS Meetup #1", -60, "--series", "JS Meetup")
    second = add_event("JS Meetup #2", -30, "--series", "JS Meetup")
    elsewhere = add_event("Chess Club", -10)
    both = add_person("JS Meetup #1", "田中 太郎", "--email", "taro@example.jp")
    ok("add", "--event", "JS Meetup #2", "--email", "taro@example.jp", "--name", "田中 太郎")
    old = add_person("JS Meetup #2", "鈴木 一郎", "--email", "ichiro@example.jp")
    add_person("JS Meetup #2", "佐藤 健", "--email", "ken@example.jp")  # no mail
    other = add_person("Chess Club", "山田 花子", "--email", "hanako@example.jp")
    mail_at(both, NOON - dt.timedelta(days=5), "in")
    mail_at(old, NOON - dt.timedelta(days=IN_TOUCH_DAYS + 5), "out")
    mail_at(other, NOON - dt.timedelta(days=5), "in")
    since = windows(TODAY)[0]
    with store_reader() as db:
        counts, met = counts_of_people_met(db, [first, second], windows(TODAY))
        recent, met_lately = counts_of_people_met(db, [first, second], windows(TODAY), since)
        assert counts_of_people_met(db, [], windows(TODAY)) == ({}, [])
        assert list(counts_of_people_met(db, [elsewhere], windows(TODAY))[0]) == [other]
    assert sorted(counts) == [both, old] and sorted(recent) == [both]
    assert sorted(met) == [(first, both), (second, both), (second, old)]
    assert sorted(met_lately) == [(first, both), (second, both)]
    assert counts[both] == recent[both] == Counts(both, 0, 1, 1, 0)
    assert counts[old] == Counts(old, 0, 0, 0, 0)  # counted, though its mail is too old


def test_counted_states_count_each_person_met_once_per_event_but_the_quiet() -> None:
    add_event("JS Meetup #1", -60, "--series", "JS Meetup")
    add_event("JS Meetup #2", -30, "--series", "JS Meetup")
    both = add_person("JS Meetup #1", "田中 太郎", "--email", "taro@example.jp")
    ok("add", "--event", "JS Meetup #2", "--email", "taro@example.jp", "--name", "田中 太郎")
    once = add_person("JS Meetup #2", "鈴木 一郎", "--email", "ichiro@example.jp")
    quiet = add_person("JS Meetup #2", "佐藤 健", "--email", "ken@example.jp")
    for days, direction in ((20, "out"), (15, "in"), (10, "out"), (5, "in")):
        record_mail(both, days, direction, "近況")
    record_mail(once, 20, "out", "お礼")
    record_mail(once, 12, "in", "Re: お礼")
    record_mail(quiet, IN_TOUCH_DAYS + 10, "in", "お久しぶりです")
    today = dt.date.today()
    with store_reader() as db:
        lately = states_of_people_met(db, [1, 2], today, recent=True)
        every = states_of_people_met(db, [1, 2], today, recent=False)
    assert every.states == {both: SPROUTING, once: IN_TOUCH, quiet: QUIET}
    assert quiet not in lately.states  # its mail is older than the last IN_TOUCH_DAYS
    for found in (lately, every):  # the quiet are never counted
        counts = counted_states(found, [1, 2])
        assert counts[1] == {SPROUTING: 1}
        assert counts[2] == {SPROUTING: 1, IN_TOUCH: 1}


def test_headcount_counts_each_person_once_whichever_way_it_reads() -> None:
    big = add_event("Tokyo AI #1", -20, "--series", "Tokyo AI")
    also = add_event("Tokyo AI #2", -10, "--series", "Tokyo AI")
    small = add_event("Chess Club", -5)
    for number in range(12):
        add_person("Tokyo AI #1", f"Person {number}", "--email", f"p{number}@example.jp")
    for number in range(3):  # three met again
        ok("add", "--event", "Tokyo AI #2", "--email", f"p{number}@example.jp", "--name", "x")
    ok("thank", "--mark-sent", "Person 0", "--event", str(also))
    ok("thank", "--mark-sent", "Person 5", "--event", str(big))
    add_person("Chess Club", "Person 0", "--email", "p0@example.jp")
    with store_reader() as db:
        # The series holds nearly every meeting: read in the order of contacts.
        assert headcount(db, [big, also]) == (12, 10)
        # One meeting of sixteen: only its own, by the index of events.
        assert headcount(db, [small]) == (1, 1)
        assert headcount(db, [also]) == (3, 2)
        assert headcount(db, []) == (0, 0)


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


def as_0018_left_it() -> None:
    """The store's mail indexed as before migration 0019: by contact alone."""
    store_rows("DROP INDEX ix_exchange_contact_date")
    store_rows("CREATE INDEX ix_exchange_contact_id ON exchange (contact_id)")
    store_rows("UPDATE alembic_version SET version_num = '0018'")


def exchange_indexes() -> list[str]:
    """The names of the indexes of the mail table, by name."""
    if server_url():
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'exchange' ORDER BY 1"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'exchange'"
        query += " AND sql IS NOT NULL ORDER BY 1"  # not the unique constraint's own
    return [name for (name,) in store_rows(query)]


def test_a_store_at_0016_gains_the_index_of_encounters_by_event_and_thank_you() -> None:
    add_event("Design Night", -3)
    as_0018_left_it()
    store_rows("DROP INDEX ix_encounter_event_thanked")  # as 0016 left it
    if server_url():  # and without 0018's index of characters
        store_rows("DROP INDEX contact_text_doc_chars")
        store_rows("DROP FUNCTION meishi_chars(text)")
    store_rows("UPDATE alembic_version SET version_num = '0016'")
    ok("todo")
    assert store_rows("SELECT version_num FROM alembic_version") == [(SCHEMA_REVISION,)]
    store_rows("DROP INDEX ix_encounter_event_thanked")  # there again: the migration made it


def test_a_store_at_0018_indexes_its_mail_by_contact_then_time() -> None:
    add_event("Design Night", -3)
    tanaka = add_person("Design Night", "田中 太郎", "--email", "taro@example.jp")
    record_mail(tanaka, 5, "in", "資料")
    before = exchange_indexes()
    as_0018_left_it()
    assert "ix_exchange_contact_id" in exchange_indexes()
    assert json_of(ok("relationships", "--json"))[0]["state"] == ONE_WAY  # the mail is kept
    assert store_rows("SELECT version_num FROM alembic_version") == [("0019",)]
    assert exchange_indexes() == before  # as a new store's
    assert "ix_exchange_contact_date" in before and "ix_exchange_contact_id" not in before
