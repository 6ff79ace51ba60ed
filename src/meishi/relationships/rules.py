"""A relationship's state, as a pure function of the mail exchanged with a contact.

The practice after an event is to write first; what shows that a relationship has
sprouted is that replies keep coming. Every threshold is here, and
docs/mailbox.md explains them:

- sprouting: they wrote on at least 2 different days in the last 90 days, or the
  conversation turned at least 3 times (you, them, you, them) in those 90 days;
- in touch: mail both ways in the last 180 days;
- one-way: mail in one direction only in the last 180 days (usually you wrote and
  they never replied). One-way is not a relationship;
- quiet: there was mail, but none in the last 180 days;
- none: no mail at all.

Two decisions feed `meishi todo`: a reply to answer (their mail is the last in a
conversation for more than REPLY_AFTER_DAYS days: the same thread by its first
mail, or the same subject once Re:/返信: is dropped) and a next step to suggest
(a sprouting relationship you have not met since its last mail).

The states are judged from counts (`Counted`, `Tallied`) that the store takes for each contact in
SQL, over the windows `windows(today)` gives, so that a store with much mail is judged
without reading every mail; a reply to answer is judged from the mail itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple, Protocol, TypeVar

from meishi.mail.subjects import thread_subject

SPROUTING_DAYS = 90  # the window in which replies and turns count towards sprouting
SPROUTING_REPLY_DAYS = 2  # different days on which they wrote
SPROUTING_TURNS = 3  # changes of who writes, in order
IN_TOUCH_DAYS = 180  # mail both ways this recently: in touch; none at all: quiet
REPLY_AFTER_DAYS = 3  # their mail left unanswered longer than this: a reply to answer

SPROUTING, IN_TOUCH, ONE_WAY, QUIET, NONE = "sprouting", "in touch", "one-way", "quiet", "none"
STATES = (SPROUTING, IN_TOUCH, ONE_WAY, QUIET, NONE)
RANKS = {state: rank for rank, state in enumerate(STATES)}  # where each state is listed
STATE_MEANINGS = {
    SPROUTING: f"they wrote on {SPROUTING_REPLY_DAYS}+ days, or {SPROUTING_TURNS}+ turns, "
    f"in {SPROUTING_DAYS} days: suggest a next step",
    IN_TOUCH: f"mail both ways in the last {IN_TOUCH_DAYS} days",
    ONE_WAY: f"mail one way only in the last {IN_TOUCH_DAYS} days",
    QUIET: f"no mail for {IN_TOUCH_DAYS} days",
    NONE: "no mail",
}


class Mailed(Protocol):
    """What the rules read of a mail (store/exchanges.Exchanged is one)."""

    @property
    def when(self) -> dt.datetime:
        """When it was sent."""

    @property
    def direction(self) -> str:
        """Who wrote: "out" (you) or "in" (them)."""

    @property
    def subject(self) -> str:
        """Its subject."""

    @property
    def thread(self) -> str | None:
        """The first Message-ID of its thread, when sync knew it."""


M = TypeVar("M", bound=Mailed)


def same_conversation(one: Mailed, other: Mailed) -> bool:
    """True when both are in one thread: by its first mail, or by subject (Re: dropped)."""
    if one.thread is not None and one.thread == other.thread:
        return True
    return thread_subject(one.subject) == thread_subject(other.subject)


class Counted(Protocol):
    """The mail with one contact as its state weighs it, counted by the store over the
    windows `windows(today)` gives (store/exchanges.Counts is one). Mail is in order of time,
    and at one moment theirs comes before yours."""

    @property
    def sent(self) -> int:
        """Mails you wrote from the first day of the IN_TOUCH_DAYS window."""

    @property
    def received(self) -> int:
        """Mails they wrote from that day."""

    @property
    def reply_days(self) -> int:
        """Days on which they wrote, from the first day of the SPROUTING_DAYS window."""

    @property
    def turns(self) -> int:
        """How many times who writes changed, in order, in the SPROUTING_DAYS window."""


class Tallied(Counted, Protocol):
    """Counted, with the last mail, as a relationship shows it (store/exchanges.Tally is one)."""

    @property
    def last_day(self) -> dt.date:
        """The last mail's day."""

    @property
    def last_direction(self) -> str:
        """Who wrote the last mail: "out" (you) or "in" (them)."""


class Relationship(NamedTuple):
    """A state with its evidence (a named tuple: `relationships` judges thousands at once)."""

    state: str
    last_day: dt.date | None  # the last mail's day
    last_writer: str | None  # "you" or "them"
    sent: int  # mails you wrote in the last IN_TOUCH_DAYS
    received: int  # mails they wrote in the last IN_TOUCH_DAYS
    reply_days: int  # days on which they wrote in the last SPROUTING_DAYS
    turns: int  # changes of who writes in the last SPROUTING_DAYS


NO_MAIL = Relationship(NONE, None, None, 0, 0, 0, 0)


def windows(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the windows the counts of a Tallied cover on `today`: the mail of
    the last IN_TOUCH_DAYS, and of the last SPROUTING_DAYS (later mail counts too)."""
    return today - dt.timedelta(days=IN_TOUCH_DAYS), today - dt.timedelta(days=SPROUTING_DAYS)


def state_of(tally: Counted | None) -> str:
    """The state the counts add up to (None: no mail at all)."""
    if tally is None:
        return NONE
    if not tally.sent and not tally.received:
        return QUIET
    if tally.reply_days >= SPROUTING_REPLY_DAYS or tally.turns >= SPROUTING_TURNS:
        return SPROUTING
    if tally.sent and tally.received:
        return IN_TOUCH
    return ONE_WAY


def relationship(tally: Tallied | None) -> Relationship:
    """The state of a relationship with its evidence, from its mail counted for a day (None:
    no mail at all)."""
    if tally is None:
        return NO_MAIL
    writer = "them" if tally.last_direction == "in" else "you"
    counts = tally.sent, tally.received, tally.reply_days, tally.turns
    return Relationship(state_of(tally), tally.last_day, writer, *counts)  # by position: faster


def unanswered(mails: Sequence[M], today: dt.date) -> list[M]:
    """Their mails that end a conversation and have waited more than REPLY_AFTER_DAYS days,
    oldest first."""
    ordered = sorted(mails, key=lambda mail: (mail.when, mail.direction))
    waiting = [
        mail
        for at, mail in enumerate(ordered)
        if mail.direction == "in"
        and not any(same_conversation(mail, later) for later in ordered[at + 1 :])
    ]
    return [mail for mail in waiting if (today - mail.when.date()).days > REPLY_AFTER_DAYS]


def needs_next_step(found: Relationship, last_met: dt.date | None) -> bool:
    """True when the relationship is sprouting and you have not met since its last mail."""
    if found.state != SPROUTING or found.last_day is None:
        return False
    return last_met is None or last_met < found.last_day
