"""Gather the facts about a gathering and ask the verdict module whether to go back."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from meishi import limits
from meishi.attendance.owed import open_obligations
from meishi.attendance.rules import ATTENDED
from meishi.errors import Ambiguous, NotFound
from meishi.models import Decision, Encounter, Event, id_of
from meishi.relationships.facts import states_of
from meishi.relationships.rules import IN_TOUCH, SPROUTING
from meishi.should_return.rules import (
    FollowUpFact,
    Occurrence,
    OwedFact,
    Verdict,
    decide,
    with_owed,
)
from meishi.store.follow_ups import follow_ups_of
from meishi.store.resolve import find_event, raw_connection

if TYPE_CHECKING:
    from meishi.store.engine import Store


def verdict_for(store: Store, text: str, today: dt.date, now: dt.datetime) -> Verdict:
    """The verdict for the event or series named, kept so the agenda knows it was looked at."""
    with store.write() as session:
        verdict = should_return(session, text, today)
        remember(session, verdict, now)
    return verdict


def should_return(session: Session, text: str, today: dt.date) -> Verdict:
    """The verdict for the event or series the user named, with anything still owed."""
    return judged(session, *occurrences_named(session, text), today)


def judged(session: Session, label: str, events: list[Event], today: dt.date) -> Verdict:
    """The verdict on these occurrences of one gathering, with anything still owed."""
    verdict = decide(label, [_occurrence(session, event, today) for event in events], today)
    return with_owed(verdict, owed_to_organizers(session, events))


def remember(session: Session, verdict: Verdict, now: dt.datetime) -> None:
    """Keep the verdict given, so the agenda knows the decision was looked at."""
    if verdict.verdict != "unknown":
        session.add(Decision(series=verdict.series, verdict=verdict.verdict, decided_at=now))


def owed_to_organizers(session: Session, events: list[Event]) -> list[OwedFact]:
    """Open obligations toward the organizers of these events, or within their series."""
    organizers = {e.organizer_name for e in events if e.organizer_name}
    ids = {e.id for e in events}
    facts = []
    for obligation in open_obligations(session):
        event = session.get(Event, obligation.event_id)
        if event is not None and (event.id in ids or event.organizer_name in organizers):
            facts.append(
                OwedFact(
                    obligation.kind,
                    id_of(event),
                    event.name,
                    event.date,
                    event.organizer_name,
                    obligation.amount,
                )
            )
    return facts


def occurrences_named(session: Session, text: str) -> tuple[str, list[Event]]:
    """The series (or single gathering) a name stands for, with all its events."""
    series = _series_matching(session, text, exact=True)
    if series is None:
        try:
            event = find_event(session, text)
        except Ambiguous:
            series = _one_series_of_prefix(session, text)
            if series is None:
                raise
            return series, _events_where(session, series=series)
        except NotFound:
            series = _series_matching(session, text, exact=False)
            if series is None:
                raise NotFound(
                    f"no event or series matches '{text}'; see `meishi event list`"
                ) from None
        else:
            return occurrences_of(session, event)
    return series, _events_where(session, series=series)


def occurrences_of(session: Session, event: Event) -> tuple[str, list[Event]]:
    """The series an event belongs to (a one-off: the events of its name), with all its events."""
    if event.series is None:
        return event.name, _events_where(session, name=event.name)
    return event.series, _events_where(session, series=event.series)


def _series_matching(session: Session, text: str, exact: bool) -> str | None:
    """The one series named exactly (or, failing that, by prefix) by text."""
    column = col(Event.series)
    needle = text.strip().lower()
    if len(needle) > limits.EVENT_FIELD_CHARS:  # no series has such a name (nor may SQLite LIKE it)
        return None
    condition = (
        func.lower(column) == needle
        if exact
        else func.lower(column).startswith(needle, autoescape=True)
    )
    names = sorted({name for name in session.exec(select(Event.series).where(condition)) if name})
    if len(names) > 1:
        raise Ambiguous(f"'{text}' matches several series: {', '.join(names)}; be more specific")
    return names[0] if names else None


def _one_series_of_prefix(session: Session, text: str) -> str | None:
    """The series shared by every event whose name starts with text, if they share one."""
    needle = text.strip().lower()
    if len(needle) > limits.EVENT_FIELD_CHARS:  # no event has such a name (nor may SQLite LIKE it)
        return None
    query = select(Event.series).where(
        func.lower(col(Event.name)).startswith(needle, autoescape=True)
    )
    series = set(session.exec(query).all())
    return series.pop() if len(series) == 1 and None not in series else None


def _events_where(session: Session, **equal: str) -> list[Event]:
    """Events whose fields equal the given values, oldest first."""
    query = select(Event).order_by(col(Event.date), col(Event.id))
    for name, value in equal.items():
        query = query.where(func.lower(getattr(Event, name)) == value.lower())
    return list(session.exec(query).all())


def _occurrence(session: Session, event: Event, today: dt.date) -> Occurrence:
    """The facts of one event, as the verdict module needs them, judged on `today`."""
    assert event.id is not None
    met, thanked = session.exec(
        select(func.count(), func.count(col(Encounter.thanked_at))).where(
            Encounter.event_id == event.id
        )
    ).one()
    facts = tuple(
        FollowUpFact(f.kind, f.date, f.note, f.subject, f.message_id)
        for f in follow_ups_of(raw_connection(session), [event.id])
    )
    met_there = select(Encounter.contact_id).where(Encounter.event_id == event.id)
    states = states_of(session, set(session.exec(met_there).all()), today)
    return Occurrence(
        event_id=event.id,
        name=event.name,
        on=event.date,
        attended=event.attendance == ATTENDED,
        status=event.attendance,
        follow_ups=facts,
        people_met=met,
        thanked=thanked,
        sprouting=states[SPROUTING],
        in_touch=states[IN_TOUCH],
    )
