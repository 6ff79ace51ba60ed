"""Adding a card without the ORM (meeting.py on store/adding.py), on both engines: what it
writes is what the ORM would have written, the latest event is chosen alike, and `add`
imports no heavy library once the event's attendance is settled."""

from __future__ import annotations

import datetime as dt

from helpers import add_event, add_person, day, heavy_modules_after, ok, store_rows
from meishi import meeting
from meishi.inputs import CardInput
from meishi.models import Contact, Encounter, in_utc
from meishi.run import running
from meishi.store import adding
from meishi.store.sql import moment

# 18:30 in Tokyo: 09:30 UTC, as the store keeps stamps.
NOW = dt.datetime(2026, 12, 1, 18, 30, 0, 250, tzinfo=dt.timezone(dt.timedelta(hours=9)))
UTC = dt.datetime(2026, 12, 1, 9, 30, 0, 250, tzinfo=dt.UTC)


def test_a_plain_written_contact_is_stamped_as_the_orm_stamps_one() -> None:
    event = add_event("勉強会", -1)
    with running() as run:
        with run.writer() as connection:
            plain = meeting.add_card(connection, event, CardInput(name="山田 花子"), NOW).contact
        with run.store.write() as session:
            orm = Contact(full_name="田中 太郎", created_at=in_utc(NOW), updated_at=in_utc(NOW))
            session.add(orm)
            session.flush()
            session.add(Encounter(contact_id=orm.id, event_id=event, created_at=in_utc(NOW)))
        with run.store.read() as session:
            read = [session.get(Contact, key) for key in (plain.id, orm.id)]
            assert [(c.created_at, c.updated_at) for c in read if c] == [(UTC, UTC)] * 2
        with run.reader() as reading:
            stamps = reading.execute("SELECT created_at FROM contact ORDER BY id").fetchall()
            assert [moment(row[0]) for row in stamps] == [UTC] * 2
    # Stored alike, to the character on SQLite: so they sort and compare alike too.
    contacts = store_rows("SELECT created_at, updated_at FROM contact ORDER BY id")
    encounters = store_rows("SELECT created_at FROM encounter ORDER BY id")
    assert contacts[0] == contacts[1]
    assert encounters[0] == encounters[1]


def test_the_latest_event_of_a_day_is_the_latest_start_one_without_a_time_last() -> None:
    add_event("前日", -2, "--time", "23:00")
    timed = add_event("朝会", -1, "--time", "10:00")
    add_event("終日", -1)
    add_event("夜会", -1, "--time", "19:00")
    noon = dt.datetime.combine(dt.date.fromisoformat(day(-1)), dt.time(12, 0)).astimezone()
    with running() as run, run.reader() as connection:
        found = adding.latest_started_event(connection, noon)
        before = adding.latest_started_event(connection, noon - dt.timedelta(days=3))
    assert found is not None
    assert (found.id, found.start_time) == (timed, dt.time(10, 0))
    assert before is None


def test_emails_held_by_a_contact_are_found_and_added_after_theirs() -> None:
    add_event("勉強会", -1)
    first = add_person("勉強会", "田中 太郎", "--email", "taro@example.jp")
    second = add_person("勉強会", "佐藤 花子", "--email", "hanako@example.jp")
    with running() as run, run.writer() as connection:
        assert adding.owners_of(connection, ["taro@example.jp", "x@example.jp"]) == {
            "taro@example.jp": first
        }
        assert adding.owners_of(connection, ["taro@example.jp", "hanako@example.jp"]) == {
            "taro@example.jp": first,
            "hanako@example.jp": second,
        }
        assert adding.owners_of(connection, []) == {}
        adding.insert_emails(connection, first, ["t2@example.jp", "t3@example.jp"], 1)
        assert adding.emails_of(connection, first) == [
            "taro@example.jp",
            "t2@example.jp",
            "t3@example.jp",
        ]


def test_adding_imports_no_heavy_library_and_marks_the_event_attended() -> None:
    add_event("勉強会", -1)  # added after it took place: assumed attended
    argv = ["add", "--event", "勉強会", "--name", "佐藤 花子", "--topic", "生成AI"]
    assert heavy_modules_after(argv) == []
    shown = ok("search", "佐藤")  # stored, and the index folded
    assert "佐藤 花子" in shown.stdout
    assert store_rows("SELECT count(*) FROM topic") == [(1,)]
    reasons = store_rows("SELECT status, reason FROM attendancechange ORDER BY id")
    assert reasons[-1] == ("attended", "met someone there")
    assert heavy_modules_after([*argv[:-4], "鈴木 一郎"]) == []  # attended now: no change
    assert len(store_rows("SELECT id FROM attendancechange")) == len(reasons)


def test_forced_at_an_event_ahead_it_is_attended_as_of_its_start() -> None:
    event = add_event("前夜祭", 3, "--time", "19:00")
    ok("add", "--event", "前夜祭", "--name", "田中 太郎", "--force")
    start = dt.datetime.combine(dt.date.fromisoformat(day(3)), dt.time(19, 0)).astimezone()
    with running() as run, run.reader() as connection:
        status, at, late, reason = connection.execute(
            "SELECT status, at, last_minute, reason FROM attendancechange "
            "WHERE event_id = ? ORDER BY id DESC LIMIT 1",
            (event,),
        ).fetchone()
        stored = adding.event_by_id(connection, event)
    assert (status, moment(at), bool(late), reason) == (
        "attended",
        start,
        False,
        "met someone there",
    )
    assert stored is not None and stored.attendance == "attended"
