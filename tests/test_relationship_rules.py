"""The relationship states, straight from the pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from meishi.relationships.rules import (
    IN_TOUCH,
    IN_TOUCH_DAYS,
    NONE,
    ONE_WAY,
    QUIET,
    SPROUTING,
    SPROUTING_DAYS,
    relationship,
)
from meishi.store.exchanges import Exchanged

TODAY = dt.date(2026, 12, 2)


def mails(*spec: tuple[int, str]) -> list[Exchanged]:
    """Mail `days` before TODAY, in the direction given."""
    noon = dt.datetime.combine(TODAY, dt.time(12))
    return [Exchanged(0, noon - dt.timedelta(days=days), direction) for days, direction in spec]


@pytest.mark.parametrize(
    ("spec", "state"),
    [
        ((), NONE),
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
def test_each_state(spec: tuple[tuple[int, str], ...], state: str) -> None:
    assert relationship(mails(*spec), TODAY).state == state


def test_the_evidence_says_who_wrote_last_and_when() -> None:
    found = relationship(mails((10, "out"), (9, "in"), (5, "in")), TODAY)
    assert (found.last_day, found.last_writer) == (TODAY - dt.timedelta(days=5), "them")
    assert (found.sent, found.received, found.reply_days, found.turns) == (1, 2, 2, 1)


def test_the_order_given_does_not_matter() -> None:
    spec = mails((10, "out"), (9, "in"), (8, "out"), (7, "in"))
    assert relationship(spec, TODAY) == relationship(list(reversed(spec)), TODAY)
