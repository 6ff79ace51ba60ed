"""The plain write connection (store/writer.py) on both engines: committed together or not at
all, the search index kept current, what it writes read back by the ORM and the reader."""

from __future__ import annotations

import datetime as dt

import pytest

from meishi.run import running
from meishi.store.search import search
from meishi.store.sql import clock, day, moment

NOW = "2026-12-01 09:30:00.000000"


def test_what_a_writer_writes_is_committed_and_searchable() -> None:
    with running() as run:
        with run.writer() as connection:
            row = connection.execute(
                "INSERT INTO contact (full_name, company, created_at, updated_at) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                ("山田 花子", "カブシキガイシャ テスト", NOW, NOW),
            ).fetchone()
        with run.reader() as reading:
            names = [r["full_name"] for r in reading.execute("SELECT full_name FROM contact")]
            found = [hit["id"] for hit in search(reading, "てすと", None).rows]
    assert names == ["山田 花子"]
    assert found == [row["id"]]


def test_a_writer_that_raises_leaves_the_store_as_it_was() -> None:
    with running() as run:
        with run.writer() as connection:
            connection.execute(
                "INSERT INTO decision (series, verdict, decided_at) VALUES (?, ?, ?)",
                ("AI勉強会", "return", NOW),
            )
        with pytest.raises(ZeroDivisionError), run.writer() as connection:
            connection.execute(
                "INSERT INTO decision (series, verdict, decided_at) VALUES (?, ?, ?)",
                ("AI勉強会", "skip", NOW),
            )
            _ = 1 / 0
        with run.reader() as reading:
            kept = [tuple(r) for r in reading.execute("SELECT series, verdict FROM decision")]
    assert kept == [("AI勉強会", "return")]


def test_a_statement_the_database_refuses_undoes_the_writes_before_it() -> None:
    with running() as run:
        with pytest.raises(Exception, match=r"(?i)null"), run.writer() as connection:
            connection.execute(
                "INSERT INTO decision (series, verdict, decided_at) VALUES (?, ?, ?)",
                ("AI勉強会", "return", NOW),
            )
            connection.execute("INSERT INTO encounter (contact_id, event_id) VALUES (9, 9)")
        with run.reader() as reading:
            assert reading.execute("SELECT count(*) FROM decision").fetchone()[0] == 0


def test_stamps_and_days_read_back_the_same_on_both_engines() -> None:
    with running() as run:
        with run.writer() as connection:
            connection.execute(
                "INSERT INTO event (name, date, start_time, attendance, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                ("勉強会", "2026-11-29", "19:00:00", "attended", NOW),
            )
        with run.reader() as reading:
            row = reading.execute("SELECT date, start_time, created_at FROM event").fetchone()
    assert day(row["date"]) == dt.date(2026, 11, 29)
    assert clock(row["start_time"]) == dt.time(19, 0)
    assert moment(row["created_at"]) == dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
