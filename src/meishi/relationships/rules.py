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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol, TypeVar

from meishi.mail.subjects import thread_subject

SPROUTING_DAYS = 90  # the window in which replies and turns count towards sprouting
SPROUTING_REPLY_DAYS = 2  # different days on which they wrote
SPROUTING_TURNS = 3  # changes of who writes, in order
IN_TOUCH_DAYS = 180  # mail both ways this recently: in touch; none at all: quiet
REPLY_AFTER_DAYS = 3  # their mail left unanswered longer than this: a reply to answer

SPROUTING, IN_TOUCH, ONE_WAY, QUIET, NONE = "sprouting", "in touch", "one-way", "quiet", "none"
STATES = (SPROUTING, IN_TOUCH, ONE_WAY, QUIET, NONE)
STATE_MEANINGS = {
    SPROUTING: f"they wrote on {SPROUTING_REPLY_DAYS}+ days, or {SPROUTING_TURNS}+ turns, "
    f"in {SPROUTING_DAYS} days: suggest a next step",
    IN_TOUCH: f"mail both ways in the last {IN_TOUCH_DAYS} days",
    ONE_WAY: f"mail one way only in the last {IN_TOUCH_DAYS} days",
    QUIET: f"no mail for {IN_TOUCH_DAYS} days",
    NONE: "no mail",
}


class Mailed(Protocol):
    """What the rules read of a mail: a Mail, or the store's record of one."""

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


@dataclass(frozen=True)
class Relationship:
    """A state with its evidence."""

    state: str
    last_day: dt.date | None  # the last mail's day
    last_writer: str | None  # "you" or "them"
    sent: int  # mails you wrote in the last IN_TOUCH_DAYS
    received: int  # mails they wrote in the last IN_TOUCH_DAYS
    reply_days: int  # days on which they wrote in the last SPROUTING_DAYS
    turns: int  # changes of who writes in the last SPROUTING_DAYS


def relationship(mails: Sequence[Mailed], today: dt.date) -> Relationship:
    """The state of a relationship from its mail, judged on `today`."""
    ordered = sorted(mails, key=lambda mail: (mail.when, mail.direction))
    recent = _since(ordered, today, IN_TOUCH_DAYS)
    fresh = _since(ordered, today, SPROUTING_DAYS)
    reply_days = len({mail.when.date() for mail in fresh if mail.direction == "in"})
    turns = _turns(fresh)
    last = ordered[-1] if ordered else None
    return Relationship(
        state=_state(ordered, recent, reply_days, turns),
        last_day=last.when.date() if last else None,
        last_writer=(("them" if last.direction == "in" else "you") if last else None),
        sent=sum(mail.direction == "out" for mail in recent),
        received=sum(mail.direction == "in" for mail in recent),
        reply_days=reply_days,
        turns=turns,
    )


def _state(ordered: Sequence[Mailed], recent: Sequence[Mailed], reply_days: int, turns: int) -> str:
    """The state the counts add up to."""
    if not ordered:
        return NONE
    if not recent:
        return QUIET
    if reply_days >= SPROUTING_REPLY_DAYS or turns >= SPROUTING_TURNS:
        return SPROUTING
    if len({mail.direction for mail in recent}) == 2:
        return IN_TOUCH
    return ONE_WAY


def _since(ordered: Sequence[M], today: dt.date, days: int) -> list[M]:
    """The mail of the last `days` days."""
    start = today - dt.timedelta(days=days)
    return [mail for mail in ordered if mail.when.date() >= start]


def _turns(ordered: Sequence[Mailed]) -> int:
    """How many times the writer changed, in order of the mail."""
    return sum(1 for before, after in pairwise(ordered) if before.direction != after.direction)


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
