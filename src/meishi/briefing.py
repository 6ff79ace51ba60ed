"""`meishi brief`: what to know before going (back) to a gathering.

The verdict on going back and its reasons, the people met at its earlier occurrences with
how each relationship stands, whom you never thanked and what you talked about, and what
you still owe its organizer: one plain record, read in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from meishi.contacts import topics_of
from meishi.errors import MeishiError
from meishi.models import Contact, Encounter, Event, id_of
from meishi.relationships.facts import relationships_of
from meishi.relationships.rules import STATES
from meishi.should_return.facts import judged, occurrences_named, occurrences_of, remember
from meishi.should_return.rules import Reason, Verdict
from meishi.store.resolve import find_event

if TYPE_CHECKING:
    from meishi.store.engine import Store


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


def brief_for(store: Store, text: str, today: dt.date, now: dt.datetime) -> Brief:
    """The brief for the event named (or a series' next occurrence); the verdict it gives is
    kept, as `should-return` keeps it, so the agenda knows it was looked at."""
    with store.write() as session:
        event = event_to_brief(session, text, today)
        series, events = occurrences_of(session, event)
        verdict = judged(session, series, events, today)
        remember(session, verdict, now)
        so_far = [id_of(other) for other in events if other.date <= event.date]
        return Brief(
            event_id=id_of(event),
            name=event.name,
            on=event.date,
            days_ahead=(event.date - today).days,
            series=series,
            organizer=event.organizer_name,
            status=event.attendance,
            verdict=verdict,
            people=people_met(session, so_far, today),
        )


def event_to_brief(session: Session, text: str, today: dt.date) -> Event:
    """The event named; a series (or a name its events share) stands for its next occurrence,
    or its latest when none is ahead."""
    try:
        return find_event(session, text)
    except MeishiError as unresolved:  # kept: it names the closest events
        try:
            _, events = occurrences_named(session, text)
        except MeishiError:
            raise unresolved from None
        if not events:
            raise unresolved from None
        ahead = [event for event in events if event.date >= today]
        return ahead[0] if ahead else events[-1]


def people_met(session: Session, event_ids: list[int], today: dt.date) -> tuple[Person, ...]:
    """Everyone met at these events: sprouting first (STATES' order), then the latest met
    first, then the first recorded."""
    query = (
        select(Encounter, Contact, Event)
        .join(Contact, col(Contact.id) == col(Encounter.contact_id))
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .where(col(Encounter.event_id).in_(event_ids))
        .order_by(col(Event.date), col(Event.id), col(Encounter.id))
    )
    met: dict[int, tuple[Contact, list[Meeting], list[str]]] = {}
    for encounter, contact, event in session.exec(query).all():
        _, meetings, topics = met.setdefault(id_of(contact), (contact, [], []))
        thanked = encounter.thanked_at is not None
        meetings.append(Meeting(id_of(event), event.name, event.date, thanked))
        topics.extend(topics_of(session, encounter))
    states = relationships_of(session, set(met), today)
    people = [
        _person(contact, states[key].state, meetings, topics)
        for key, (contact, meetings, topics) in met.items()
    ]
    people.sort(key=lambda person: (-person.meetings[-1].on.toordinal(), person.contact_id))
    people.sort(key=lambda person: STATES.index(person.state))
    return tuple(people)


def _person(contact: Contact, state: str, meetings: list[Meeting], topics: list[str]) -> Person:
    """Someone met, with each topic once, in the order first talked about."""
    return Person(
        contact_id=id_of(contact),
        name=contact.full_name,
        reading=contact.reading,
        company=contact.company,
        state=state,
        meetings=tuple(meetings),
        topics=tuple(dict.fromkeys(topics)),
    )
