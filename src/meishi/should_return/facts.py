"""Gather the facts about a gathering and ask the verdict module whether to go back.

Read over the plain connection (store/): the occurrences, what was met and thanked at
each, the organizer's follow-ups and the relationships by mail, a few queries for all the
occurrences together, however many there are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from meishi import limits
from meishi.attendance.rules import ATTENDED
from meishi.errors import Ambiguous, NotFound
from meishi.relationships.facts import StatesOfPeopleMet, counted_states, states_of_people_met
from meishi.relationships.rules import IN_TOUCH, SPROUTING
from meishi.should_return.rules import (
    FollowUpFact,
    Occurrence,
    OwedFact,
    Verdict,
    decide,
    with_owed,
)
from meishi.store import occurrences as held
from meishi.store.decisions import keep_decision
from meishi.store.follow_ups import follow_ups_of
from meishi.store.obligations import open_obligations
from meishi.store.occurrences import EventRecord, event_by_id
from meishi.store.resolve import event_id_named
from meishi.store.sql import ReadConnection

NOBODY: Counter[str] = Counter()  # the states of the people met where none is counted


def verdict_for(connection: ReadConnection, text: str, today: dt.date, now: dt.datetime) -> Verdict:
    """The verdict for the event or series named, kept so the agenda knows it was looked at
    (the connection is a writer's)."""
    verdict = should_return(connection, text, today)
    remember(connection, verdict, now)
    return verdict


def should_return(connection: ReadConnection, text: str, today: dt.date) -> Verdict:
    """The verdict for the event or series the user named, with anything still owed."""
    return judged(connection, *occurrences_named(connection, text), today)


def judged(
    connection: ReadConnection,
    label: str,
    events: list[EventRecord],
    today: dt.date,
    by_mail: StatesOfPeopleMet | None = None,
    people: bool = True,
) -> Verdict:
    """The verdict on these occurrences of one gathering, with anything still owed (the
    relationships with the people met there read here, unless given).

    Without `people`, whom you met there is not read, and the verdict counts no one: its
    verdict and first reason never depend on them, and they are all the agenda shows."""
    ids = [event.id for event in events]
    met = held.met_and_thanked(connection, ids) if people else {}
    if people and by_mail is None:
        by_mail = states_of_people_met(connection, ids, today, recent=True)
    states = counted_states(by_mail, ids) if by_mail is not None else {}
    follow_ups = defaultdict(list)
    for found in follow_ups_of(connection, ids):
        follow_ups[found.event_id].append(
            FollowUpFact(found.kind, found.date, found.note, found.subject, found.message_id)
        )
    occurrences = [
        Occurrence(
            event_id=event.id,
            name=event.name,
            on=event.date,
            attended=event.attendance == ATTENDED,
            status=event.attendance,
            follow_ups=tuple(follow_ups[event.id]),
            people_met=met.get(event.id, (0, 0))[0],
            thanked=met.get(event.id, (0, 0))[1],
            sprouting=states.get(event.id, NOBODY)[SPROUTING],
            in_touch=states.get(event.id, NOBODY)[IN_TOUCH],
        )
        for event in events
    ]
    verdict = decide(label, occurrences, today)
    return with_owed(verdict, owed_to_organizers(connection, events))


def remember(connection: ReadConnection, verdict: Verdict, now: dt.datetime) -> None:
    """Keep the verdict given, so the agenda knows the decision was looked at."""
    if verdict.verdict != "unknown":
        keep_decision(connection, verdict.series, verdict.verdict, now)


def owed_to_organizers(connection: ReadConnection, events: list[EventRecord]) -> list[OwedFact]:
    """Open obligations toward the organizers of these events, or within their series."""
    organizers = {e.organizer for e in events if e.organizer}
    ids = {e.id for e in events}
    return [
        OwedFact(o.kind, o.event_id, o.event_name, o.event_date, o.organizer, o.amount)
        for o in open_obligations(connection)
        if o.event_id in ids or o.organizer in organizers
    ]


def occurrences_named(connection: ReadConnection, text: str) -> tuple[str, list[EventRecord]]:
    """The series (or single gathering) a name stands for, with all its events."""
    needle = text.strip().lower()
    if len(needle) > limits.EVENT_FIELD_CHARS:  # no series has such a name (nor may SQLite LIKE it)
        needle = ""
    series = _one_series(text, held.series_named(connection, needle, exact=True), needle)
    if series is None:
        try:
            event = event_by_id(connection, event_id_named(connection, text))
        except Ambiguous:
            series = _one_series_of_prefix(connection, needle)
            if series is None:
                raise
            return series, held.events_of_series(connection, series)
        except NotFound:
            found = held.series_named(connection, needle, exact=False) if needle else []
            series = _one_series(text, found, needle)
            if series is None:
                raise NotFound(
                    f"no event or series matches '{text}'; see `meishi event list`"
                ) from None
        else:
            return occurrences_of(connection, event)
    return series, held.events_of_series(connection, series)


def occurrences_of(connection: ReadConnection, event: EventRecord) -> tuple[str, list[EventRecord]]:
    """The series an event belongs to (a one-off: the events of its name), with all its events."""
    if event.series is None:
        return event.name, held.events_named(connection, event.name)
    return event.series, held.events_of_series(connection, event.series)


def _one_series(text: str, names: list[str], needle: str) -> str | None:
    """The one series of those found, if any; several are ambiguous."""
    if not needle:
        return None
    if len(names) > 1:
        raise Ambiguous(f"'{text}' matches several series: {', '.join(names)}; be more specific")
    return names[0] if names else None


def _one_series_of_prefix(connection: ReadConnection, needle: str) -> str | None:
    """The series shared by every event whose name starts with the needle, if they share one."""
    if not needle:
        return None
    series = held.series_of_names_starting(connection, needle)
    return series.pop() if len(series) == 1 and None not in series else None
