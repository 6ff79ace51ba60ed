"""When `meishi todo` reminds you of a gathering: its follow-up window about to close, and
its next occurrence coming up with the verdict on going back.

Pure functions of dates: `today` is passed in. Every threshold of these reminders is here,
and docs/should-return.md explains them.
"""

from datetime import date, timedelta

# The organizer's follow-up is looked for from the event's day to FOLLOW_UP_DAYS after it
# (as far as sync reads the organizer's mail); later mail is not a follow-up any more.
from meishi.followups.window import FOLLOW_UP_DAYS

# Remind this many days before that window closes, while nothing is recorded for the event.
CLOSING_NOTICE_DAYS = 5
# An occurrence of a series you went to this close ahead is coming up: time to decide.
COMING_UP_DAYS = 30


def window_closes_on(held_on: date) -> date:
    """The last day the organizer's follow-up to an event held on `held_on` is looked for."""
    return held_on + timedelta(days=FOLLOW_UP_DAYS)


def closing_window(held_on: date, attended: bool, followed_up: bool, today: date) -> date | None:
    """The day an event's follow-up window closes, when it is time to say so; else None.

    Said for an event you attended with no thank-you, survey or report recorded, from
    CLOSING_NOTICE_DAYS before the window closes to the day it does.
    """
    closes = window_closes_on(held_on)
    notice_from = closes - timedelta(days=CLOSING_NOTICE_DAYS)
    if not attended or followed_up or not notice_from <= today <= closes:
        return None
    return closes


def coming_up(on: date, today: date) -> bool:
    """True when an occurrence dated `on` is today or at most COMING_UP_DAYS ahead."""
    return today <= on <= today + timedelta(days=COMING_UP_DAYS)


def worth_deciding(
    last_visit: date | None, asked_on: date | None, last_verdict: str | None, verdict: str
) -> bool:
    """True when a coming occurrence's verdict belongs on the agenda: you went before, and
    since your last visit you have not asked, or were told something else than now."""
    if last_visit is None:
        return False
    return asked_on is None or asked_on < last_visit or last_verdict != verdict
