"""`meishi brief`: what to know before going (back) to a gathering.

The verdict on going back and its reasons, the people met at its earlier occurrences with
how each relationship stands, whom you never thanked and what you talked about, and what
you still owe its organizer: one plain record, read in one transaction over the plain
connection (store/).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from typing import NamedTuple

from meishi.errors import MeishiError
from meishi.relationships.facts import StatesOfPeopleMet, states_of_people_met
from meishi.relationships.rules import NONE, RANKS, STATES
from meishi.should_return.facts import judged, occurrences_named, occurrences_of, remember
from meishi.should_return.rules import Reason, Verdict
from meishi.store.meetings import Met, headcount, latest_met_without_mail, met_at, topics_at
from meishi.store.occurrences import EventRecord, event_by_id
from meishi.store.resolve import event_id_named
from meishi.store.sql import ReadConnection


class Meeting(NamedTuple):
    """One occurrence where you met someone, and whether you thanked them for it."""

    event_id: int
    event: str
    on: dt.date
    thanked: bool

    def to_json(self) -> dict[str, object]:
        """The meeting as JSON-ready values."""
        return {
            "event_id": self.event_id,
            "event": self.event,
            "date": self.on.isoformat(),
            "thanked": self.thanked,
        }


class Person(NamedTuple):
    """Someone met at the gathering: how the relationship stands, and what you talked about."""

    contact_id: int
    name: str
    reading: str | None
    company: str | None
    state: str  # the relationship's state by mail (relationships/rules.py)
    meetings: tuple[Meeting, ...]  # at this gathering, oldest first
    topics: tuple[str, ...]  # talked about there, in the order entered, each once

    @property
    def never_thanked(self) -> bool:
        """True when no meeting at this gathering was followed by your thank-you."""
        return not any(meeting.thanked for meeting in self.meetings)

    def to_json(self) -> dict[str, object]:
        """The person as JSON-ready values."""
        return {
            "contact_id": self.contact_id,
            "name": self.name,
            "reading": self.reading,
            "company": self.company,
            "state": self.state,
            "never_thanked": self.never_thanked,
            "meetings": [meeting.to_json() for meeting in self.meetings],
            "topics": list(self.topics),
        }


class Headcount(NamedTuple):
    """How many people were met at the gathering, by relationship state, and how many of
    them you never thanked."""

    people: int
    states: tuple[tuple[str, int], ...]  # (state, how many): STATES' order, none of those absent
    never_thanked: int


class Brief(NamedTuple):
    """Everything to know before going to one occurrence of a gathering."""

    event_id: int
    name: str
    on: dt.date
    days_ahead: int  # negative: that many days ago
    series: str  # the series, or the name shared by a one-off's occurrences
    organizer: str | None
    status: str  # your own: registered, attended, cancelled or no-show
    verdict: Verdict
    # Those met at it and its earlier occurrences, sprouting first, then in touch, one-way,
    # quiet, none: all of them, or the first few asked for (`met` counts them all).
    people: tuple[Person, ...]
    met: Headcount

    @property
    def owed(self) -> tuple[Reason, ...]:
        """What you still owe the organizer, one sentence each."""
        return self.verdict.owed

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The verdict's reasons but what is owed, which the brief shows on its own."""
        return tuple(reason for reason in self.verdict.reasons if reason not in self.owed)

    def to_json(self) -> dict[str, object]:
        """The brief as JSON-ready values, dates as ISO strings."""
        return {
            "event": {
                "id": self.event_id,
                "name": self.name,
                "date": self.on.isoformat(),
                "days_ahead": self.days_ahead,
                "series": self.series,
                "organizer": self.organizer,
                "status": self.status,
            },
            "verdict": self.verdict.to_json(),
            "people": [person.to_json() for person in self.people],
            "owed": [reason.to_json() for reason in self.owed],
        }


def brief_for(
    connection: ReadConnection,
    text: str,
    today: dt.date,
    now: dt.datetime,
    most: int | None = None,
) -> Brief:
    """The brief for the event named (or a series' next occurrence), with the first `most`
    people met (default: all); the verdict it gives is kept, as `should-return` keeps it, so
    the agenda knows it was looked at (the connection is a writer's)."""
    event = event_to_brief(connection, text, today)
    series, events = occurrences_of(connection, event)
    # Read once for the verdict and the people: their mail, however old (quiet is shown).
    by_mail = states_of_people_met(connection, [other.id for other in events], today, recent=False)
    verdict = judged(connection, series, events, today, by_mail)
    remember(connection, verdict, now)
    so_far = {other.id: other.date for other in events if other.date <= event.date}
    if most is None:
        people = _people(connection, list(so_far), by_mail.states, None)
        met = _headcount(people)
    else:
        people, met = first_people_met(connection, so_far, by_mail, most)
    return Brief(
        event_id=event.id,
        name=event.name,
        on=event.date,
        days_ahead=(event.date - today).days,
        series=series,
        organizer=event.organizer,
        status=event.attendance,
        verdict=verdict,
        people=people,
        met=met,
    )


def event_to_brief(connection: ReadConnection, text: str, today: dt.date) -> EventRecord:
    """The event named; a series (or a name its events share) stands for its next occurrence,
    or its latest when none is ahead."""
    try:
        return event_by_id(connection, event_id_named(connection, text))
    except MeishiError as unresolved:  # kept: it names the closest events
        try:
            _, events = occurrences_named(connection, text)
        except MeishiError:
            raise unresolved from None
        if not events:
            raise unresolved from None
        ahead = [event for event in events if event.date >= today]
        return ahead[0] if ahead else events[-1]


def first_people_met(
    connection: ReadConnection, events: dict[int, dt.date], by_mail: StatesOfPeopleMet, most: int
) -> tuple[tuple[Person, ...], Headcount]:
    """The first `most` people met at these events (id: date), in _people's order, and how
    many were met in all: ranked by their state and when they were last met there, and only
    those shown read in full (a series where everyone was met holds them all)."""
    latest: dict[int, dt.date] = {}
    for event, contact in by_mail.met:
        if event in events and (contact not in latest or latest[contact] < events[event]):
            latest[contact] = events[event]
    states = {contact: by_mail.states[contact] for contact in latest}
    ranked = sorted(latest, key=lambda key: (RANKS[states[key]], -latest[key].toordinal(), key))
    chosen = ranked[:most] + latest_met_without_mail(connection, events, most - len(ranked))
    people, never = headcount(connection, events)
    by_state = Counter(states.values())
    by_state[NONE] = people - len(states)
    return _people(connection, events, states, chosen), Headcount(
        people, tuple((key, by_state[key]) for key in STATES if by_state[key]), never
    )


def _people(
    connection: ReadConnection,
    event_ids: Collection[int],
    states: dict[int, str],
    contacts: list[int] | None,
) -> tuple[Person, ...]:
    """The people met at these events (or only these contacts): sprouting first (STATES'
    order), then the latest met first, then by id."""
    topics = topics_at(connection, event_ids, contacts)
    met: dict[int, list[Met]] = defaultdict(list)
    for meeting in met_at(connection, event_ids, contacts):
        met[meeting.contact_id].append(meeting)
    people = [_person(meetings, states.get(key, NONE), topics) for key, meetings in met.items()]
    people.sort(key=lambda person: (-person.meetings[-1].on.toordinal(), person.contact_id))
    people.sort(key=lambda person: RANKS[person.state])
    return tuple(people)


def _headcount(people: tuple[Person, ...]) -> Headcount:
    """How many people, by state, and how many never thanked, of a complete list."""
    by_state = Counter(person.state for person in people)
    return Headcount(
        len(people),
        tuple((key, by_state[key]) for key in STATES if by_state[key]),
        sum(person.never_thanked for person in people),
    )


def _person(meetings: list[Met], state: str, topics: dict[int, list[str]]) -> Person:
    """Someone met, with each topic once, in the order first talked about."""
    contact = meetings[0]
    talked = (text for meeting in meetings for text in topics.get(meeting.encounter_id, []))
    return Person(
        contact_id=contact.contact_id,
        name=contact.full_name,
        reading=contact.reading,
        company=contact.company,
        state=state,
        meetings=tuple(
            Meeting(meeting.event_id, meeting.event_name, meeting.event_date, meeting.thanked)
            for meeting in meetings
        ),
        topics=tuple(dict.fromkeys(talked)),
    )
