"""Keeping your word: attendance rules, last-minute cancellations, and your record.

Pure functions of the recorded facts; the thresholds live here, in one place.
Organizers resent a last-minute cancellation (ドタキャン) more than anything, and
they talk to each other; someone who rarely cancels is forgiven when it happens.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, Protocol

from meishi.errors import BadValue, NothingToDo

REGISTERED, ATTENDED, CANCELLED, NO_SHOW = "registered", "attended", "cancelled", "no-show"
STATUSES = (REGISTERED, ATTENDED, CANCELLED, NO_SHOW)
# What a last-minute cancellation or a no-show leaves you owing the organizer.
APOLOGY, FEE = "apology", "fee"
# A cancellation this close to the start (or closer) is last-minute.
LAST_MINUTE_WINDOW = dt.timedelta(hours=24)
# This many last-minute cancellations or no-shows within PATTERN_DAYS form a pattern.
PATTERN_COUNT = 2
PATTERN_DAYS = 90
# An event added after it took place is assumed attended until you say otherwise.
ASSUMED = "assumed: added after it took place"


class Scheduled(Protocol):
    """What the rules read of an event: the ORM's row or a plain record of it."""

    @property
    def name(self) -> str:
        """The event's name."""

    @property
    def date(self) -> dt.date:
        """Its day."""

    @property
    def start_time(self) -> dt.time | None:
        """When it starts, if known."""

    @property
    def attendance(self) -> str:
        """Your status: registered, attended, cancelled or no-show."""


def event_start(on: dt.date, at: dt.time | None, tz: dt.tzinfo | None = None) -> dt.datetime:
    """When an event starts; without a start time, at 00:00 of its date (local time)."""
    naive = dt.datetime.combine(on, at or dt.time(0, 0))
    # astimezone() on a naive time applies the local zone's rules for that very date (DST).
    return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()


def is_last_minute(
    start: dt.datetime, cancelled_at: dt.datetime, window: dt.timedelta = LAST_MINUTE_WINDOW
) -> bool:
    """True when a cancellation comes within the window before the start (its edge included)."""
    # In UTC: aware times sharing one zone compare and subtract as wall clocks (DST!).
    start, cancelled_at = start.astimezone(dt.UTC), cancelled_at.astimezone(dt.UTC)
    if cancelled_at > start:
        raise BadValue(
            f"a cancellation at {_local(cancelled_at)} is after the start ({_local(start)}); "
            "not going without cancelling is a no-show: meishi no-show EVENT"
        )
    return start - cancelled_at <= window


def day_open(on: dt.date, at: dt.time | None, now: dt.datetime) -> bool:
    """True during the day of an event without a start time: it may not have started yet."""
    if at is not None:
        return False
    return event_start(on, None) <= now < event_start(on + dt.timedelta(days=1), None)


def cancelled_late(
    on: dt.date, at: dt.time | None, cancelled_at: dt.datetime, window: dt.timedelta
) -> bool:
    """True for a last-minute cancellation; on the day of an event without a start time,
    any cancellation is one (same-day), since the event has not started until the day ends."""
    if day_open(on, at, cancelled_at):
        return True
    return is_last_minute(event_start(on, at), cancelled_at, window)


def check_change(
    name: str, current: str, new: str, started: bool, open_day: bool = False, ref: str = "EVENT"
) -> None:
    """Refuse a status change that contradicts what already happened.

    open_day: the event has no start time and its day is not over (see day_open()).
    """
    too_late_to_register = new == REGISTERED and started and not open_day
    # A past event added as attended is registered underneath: say it started, not "already".
    if current == new and not too_late_to_register:
        raise NothingToDo(f"{name} is already marked {new}")
    refusal = _REFUSALS.get((current, new))
    if refusal is None and open_day and new == NO_SHOW:
        refusal = (
            "has no start time, so it has not started until the day ends; not going today is a "
            f"same-day cancellation: meishi cancel {ref}; if it has started, give its time: "
            f"meishi event edit {ref} --time HH:MM"
        )
    if refusal is None and not started and new in (ATTENDED, NO_SHOW):
        refusal = "has not started yet"
    if refusal is None and too_late_to_register:
        refusal = "has already started"
    if refusal:
        raise BadValue(f"{name} {refusal}")


_REFUSALS = {
    (ATTENDED, CANCELLED): "was attended; an event you went to cannot be cancelled",
    (ATTENDED, NO_SHOW): "was attended, so it was not a no-show",
    (ATTENDED, REGISTERED): "was attended already",
    (NO_SHOW, CANCELLED): "is recorded as a no-show; a cancellation comes before the start",
    (NO_SHOW, REGISTERED): "is recorded as a no-show already",
    (CANCELLED, NO_SHOW): "was cancelled, so it was not a no-show",
}


def has_started(event: Scheduled, now: dt.datetime) -> bool:
    """True once the event's start time has come."""
    return now >= event_start(event.date, event.start_time)


def meeting_confirms(event: Scheduled, assumed: bool, now: dt.datetime) -> bool:
    """True when meeting someone at the event shows you were there and its status does not
    say so yet: it has started, and you were registered, a no-show, or only assumed there."""
    return (event.attendance in (REGISTERED, NO_SHOW) or assumed) and has_started(event, now)


def check_meeting(event: Scheduled, now: dt.datetime, force: bool) -> bool:
    """True when someone can have been met at the event; refuse when not, unless forced."""
    refusal = _why_no_meeting(event, now)
    if refusal is None or event.attendance == ATTENDED:
        return True
    if not force:
        raise BadValue(
            f"{event.name} {refusal}, so you met no one there; if you were there after all, "
            "add --force (the event is then marked attended)"
        )
    return False


def _why_no_meeting(event: Scheduled, now: dt.datetime) -> str | None:
    """Why no one can have been met at the event (None when someone can)."""
    if event.attendance == CANCELLED:
        return "is marked cancelled (you cancelled it)"
    # Without a start time, any moment of its day counts as started.
    local = now.astimezone()
    if event.date > local.date() or (event.start_time is not None and not has_started(event, now)):
        return f"has not started yet (it is on {event.date.isoformat()}{_at(event)})"
    return None


def _at(event: Scheduled) -> str:
    """' at HH:MM' for an event with a start time."""
    return f" at {event.start_time:%H:%M}" if event.start_time else ""


class Outcome(NamedTuple):
    """One event and how your commitment to it ended."""

    event_id: int
    name: str
    on: dt.date
    status: str
    organizer: str | None = None
    series: str | None = None
    last_minute: bool = False  # a last-minute cancellation (no-shows count separately)


class Rate(NamedTuple):
    """Last-minute cancellations and no-shows against the events you committed to."""

    incidents: int
    committed: int

    @property
    def share(self) -> float:
        """The rate as a fraction (0 when there is nothing to count)."""
        return self.incidents / self.committed if self.committed else 0.0


class Record(NamedTuple):
    """Your record: how often you kept your word, and where you did not."""

    counts: dict[str, int]
    last_minute: int
    overall: Rate
    by_organizer: dict[str, Rate]
    by_series: dict[str, Rate]
    warnings: list[str]


def is_incident(outcome: Outcome) -> bool:
    """A last-minute cancellation or a no-show."""
    return outcome.status == NO_SHOW or (outcome.status == CANCELLED and outcome.last_minute)


def build_record(outcomes: Sequence[Outcome], today: dt.date) -> Record:
    """Counts, last-minute rates overall and per organizer and series, and warnings."""
    counts = Counter(o.status for o in outcomes)
    return Record(
        counts={status: counts.get(status, 0) for status in STATUSES},
        last_minute=sum(o.status == CANCELLED and o.last_minute for o in outcomes),
        overall=_rate(outcomes),
        by_organizer=_rates_by(outcomes, lambda o: o.organizer),
        by_series=_rates_by(outcomes, lambda o: o.series),
        warnings=pattern_warnings(outcomes, today),
    )


def _rate(outcomes: Iterable[Outcome]) -> Rate:
    """The incident rate among events that were not merely registered."""
    decided = [o for o in outcomes if o.status != REGISTERED]
    return Rate(sum(map(is_incident, decided)), len(decided))


def _rates_by(outcomes: Sequence[Outcome], key: Callable[[Outcome], str | None]) -> dict[str, Rate]:
    """Rates grouped by organizer or series (events without one are left out)."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        name = key(outcome)
        if name:
            groups[name].append(outcome)
    return {name: _rate(group) for name, group in sorted(groups.items())}


def pattern_warnings(outcomes: Sequence[Outcome], today: dt.date) -> list[str]:
    """Plain words when last-minute cancellations and no-shows start to form a pattern."""
    since = today - dt.timedelta(days=PATTERN_DAYS)
    recent = sorted((o for o in outcomes if is_incident(o) and o.on >= since), key=lambda o: o.on)
    warnings = []
    if len(recent) >= PATTERN_COUNT:
        listed = ", ".join(f"{o.name} ({o.on.isoformat()})" for o in recent)
        warnings.append(
            f"{len(recent)} last-minute cancellations or no-shows in the last {PATTERN_DAYS} "
            f"days: {listed}. Organizers notice and talk to each other; keep your next "
            "commitments, or cancel early."
        )
    by_organizer = Counter(o.organizer for o in outcomes if is_incident(o) and o.organizer)
    for organizer, count in sorted(by_organizer.items()):
        if count >= PATTERN_COUNT:
            warnings.append(
                f"{count} last-minute cancellations or no-shows with {organizer}: "
                "apologize in person next time you meet."
            )
    return warnings


def _local(moment: dt.datetime) -> str:
    """A time in the local zone, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
