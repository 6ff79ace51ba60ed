"""The agenda's store queries on the plain connection, on either engine: what is owed, the
organizers' follow-ups."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

from helpers import add_event, day, ok
from meishi.home import resolve
from meishi.store.follow_ups import follow_ups_of
from meishi.store.obligations import open_obligations
from meishi.store.reader import ReadConnection, reader


def connection() -> AbstractContextManager[ReadConnection]:
    """A connection to the test's store, as the fast read paths open it."""
    return reader(resolve().location)


def test_open_obligations_carry_their_event_and_leave_the_settled_out() -> None:
    first = add_event("Design Night", -3, "--organizer", "佐藤 健", "--fee", "2000")
    second = add_event("Data Night", -2)
    ok("no-show", str(first))
    ok("no-show", str(second))
    ok("paid", str(first))
    with connection() as db:
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
    with connection() as db:
        found = follow_ups_of(db, [first, second])
        assert follow_ups_of(db, []) == []
    assert [(f.event_id, f.kind, f.date) for f in found] == [
        (first, "thanks", dt.date.fromisoformat(day(-5))),
        (second, "survey", dt.date.fromisoformat(day(-2))),
    ]
    assert (found[1].note, found[1].source, found[1].subject) == ("5 questions", "hand", None)
