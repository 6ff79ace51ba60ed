"""The relationship states, straight from the pure rules: from the mail with a contact as the
store counts it (a Tally; tests/test_store_agenda.py counts recorded mail on both engines)."""

from __future__ import annotations

import datetime as dt

import pytest

from meishi.relationships.rules import (
    IN_TOUCH,
    IN_TOUCH_DAYS,
    NO_MAIL,
    NONE,
    ONE_WAY,
    QUIET,
    SPROUTING,
    SPROUTING_DAYS,
    SPROUTING_REPLY_DAYS,
    SPROUTING_TURNS,
    Relationship,
    relationship,
    state_of,
    windows,
)
from meishi.store.exchanges import Tally

TODAY = dt.date(2026, 12, 2)


def counted(
    sent: int = 0, received: int = 0, reply_days: int = 0, turns: int = 0, last: str = "out"
) -> Tally:
    """The counts of a contact's mail, the last one five days before TODAY."""
    return Tally(1, TODAY - dt.timedelta(days=5), last, sent, received, reply_days, turns)


@pytest.mark.parametrize(
    ("tally", "state"),
    [
        (None, NONE),
        (counted(), QUIET),  # mail, but none in the last IN_TOUCH_DAYS
        (counted(sent=2), ONE_WAY),
        (counted(received=1, reply_days=1, last="in"), ONE_WAY),  # they wrote, you never did
        (counted(sent=1, received=1, reply_days=1, turns=1), IN_TOUCH),
        (counted(sent=1, received=2, reply_days=SPROUTING_REPLY_DAYS), SPROUTING),
        (counted(sent=2, received=2, reply_days=1, turns=SPROUTING_TURNS), SPROUTING),
        (counted(sent=1, received=1, reply_days=1, turns=SPROUTING_TURNS - 1), IN_TOUCH),
        # Replies older than SPROUTING_DAYS are not counted in reply_days nor turns.
        (counted(sent=1, received=2, reply_days=0, turns=0), IN_TOUCH),
    ],
)
def test_each_state(tally: Tally | None, state: str) -> None:
    assert state_of(tally) == state
    assert relationship(tally).state == state


def test_the_evidence_says_who_wrote_last_and_when() -> None:
    found = relationship(counted(sent=1, received=2, reply_days=2, turns=1, last="in"))
    assert found == Relationship(SPROUTING, TODAY - dt.timedelta(days=5), "them", 1, 2, 2, 1)
    assert relationship(counted(sent=1, last="out")).last_writer == "you"
    assert relationship(None) == NO_MAIL == Relationship(NONE, None, None, 0, 0, 0, 0)


def test_the_windows_start_so_many_days_before_today() -> None:
    in_touch, sprouting = windows(TODAY)
    assert (TODAY - in_touch).days == IN_TOUCH_DAYS
    assert (TODAY - sprouting).days == SPROUTING_DAYS
