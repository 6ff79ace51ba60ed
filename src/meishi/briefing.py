"""`meishi brief`: what to know before going (back) to a gathering.

The verdict on going back and its reasons, the people met at its earlier occurrences with
how each relationship stands, whom you never thanked and what you talked about, and what
you still owe its organizer: one plain record, read in one transaction over the plain
connection (store/).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from meishi.errors import MeishiError
from meishi.relationships.facts import relationships_of_people_met
from meishi.relationships.rules import NONE, STATES
from meishi.should_return.facts import judged, occurrences_named, occurrences_of, remember
from meishi.should_return.rules import Reason, Verdict
from meishi.store.meetings import Met, met_at, topics_at
from meishi.store.occurrences import EventRecord, event_by_id
from meishi.store.resolve import event_id_named
from meishi.store.sql import ReadConnection


@dataclass(frozen=True)
class Meeting:
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


@dataclass(frozen=True)
class Person:
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


@dataclass(frozen=True)
class Brief:
    """Everything to know before going to one occurrence of a gathering."""

    event_id: int
    name: str
    on: dt.date
    days_ahead: int  # negative: that many days ago
    series: str  # the series, or the name shared by a one-off's occurrences
    organizer: str | None
    status: str  # your own: registered, attended, cancelled or no-show
    verdict: Verdict
    people: tuple[Person, ...]  # sprouting first, then in touch, one-way, quiet, none

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


def brief_for(connection: ReadConnection, text: str, today: dt.date, now: dt.datetime) -> Brief:
    """The brief for the event named (or a series' next occurrence); the verdict it gives is
    kept, as `should-return` keeps it, so the agenda knows it was looked at (the connection
    is a writer's)."""
    event = event_to_brief(connection, text, today)
    series, events = occurrences_of(connection, event)
    verdict = judged(connection, series, events, today)
    remember(connection, verdict, now)
    so_far = [other.id for other in events if other.date <= event.date]
    return Brief(
        event_id=event.id,
        name=event.name,
        on=event.date,
        days_ahead=(event.date - today).days,
        series=series,
        organizer=event.organizer,
        status=event.attendance,
        verdict=verdict,
        people=people_met(connection, so_far, today),
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


def people_met(
    connection: ReadConnection, event_ids: list[int], today: dt.date
) -> tuple[Person, ...]:
    """Everyone met at these events: sprouting first (STATES' order), then the latest met
    first, then the first recorded."""
    topics = topics_at(connection, event_ids)
    met: dict[int, list[Met]] = defaultdict(list)
    for meeting in met_at(connection, event_ids):
        met[meeting.contact_id].append(meeting)
    states = relationships_of_people_met(connection, event_ids, today)
    people = [
        _person(meetings, states[key].state if key in states else NONE, topics)
        for key, meetings in met.items()
    ]
    people.sort(key=lambda person: (-person.meetings[-1].on.toordinal(), person.contact_id))
    people.sort(key=lambda person: STATES.index(person.state))
    return tuple(people)


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
