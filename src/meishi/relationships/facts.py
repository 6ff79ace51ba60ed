"""The facts the relationship rules weigh: the mail sync recorded, contact by contact.

Read over the plain connection (store/exchanges.py). The states are judged from each
contact's mail as the store counts it in SQL (a Tally: one row a contact, whatever their
mail), and what a question needs is read alone: the states the verdict counts (sprouting,
in touch) need only the last IN_TOUCH_DAYS, a sprouting relationship only those with
enough mail of the last SPROUTING_DAYS, a reply to answer the mail of those whose mail
may await it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Any, NamedTuple

from meishi.errors import BadValue
from meishi.relationships.rules import (
    IN_TOUCH_DAYS,
    NO_MAIL,
    NONE,
    QUIET,
    RANKS,
    REPLY_AFTER_DAYS,
    SPROUTING,
    SPROUTING_DAYS,
    SPROUTING_REPLY_DAYS,
    SPROUTING_TURNS,
    STATES,
    Relationship,
    needs_next_step,
    relationship,
    state_of,
    unanswered,
    windows,
)
from meishi.store import exchanges
from meishi.store.exchanges import Correspondent, Exchanged, names_of
from meishi.store.meetings import last_met
from meishi.store.sql import ReadConnection


def relationships(
    connection: ReadConnection, today: dt.date, state: str | None
) -> list[tuple[Correspondent, Relationship]]:
    """Every contact in `state` (default: all but none), with the evidence: by state, then
    the most recent mail first, then by id."""
    if state is not None and state not in STATES:
        raise BadValue(f"unknown state '{state}'; use one of: {', '.join(STATES)}")
    if state == NONE:  # no mail: nothing to judge
        return [(contact, NO_MAIL) for contact in exchanges.without_mail(connection)]
    rows = []
    for contact, tally in exchanges.correspondents_tallied(connection, windows(today)):
        found = relationship(tally)
        if state is None or found.state == state:
            rows.append((contact, found))
    rows.sort(key=lambda row: row[0].id)
    rows.sort(key=lambda row: row[1].last_day or dt.date.min, reverse=True)
    rows.sort(key=lambda row: RANKS[row[1].state])
    return rows


def relationship_json(contact: Correspondent, found: Relationship) -> dict[str, Any]:
    """One contact's relationship as JSON-ready values."""
    return {
        "contact_id": contact.id,
        "name": contact.full_name,
        "company": contact.company,
        "state": found.state,
        "last_day": found.last_day.isoformat() if found.last_day else None,
        "last_writer": found.last_writer,
        "sent": found.sent,
        "received": found.received,
        "reply_days": found.reply_days,
        "turns": found.turns,
    }


class StatesOfPeopleMet(NamedTuple):
    """The relationships with the people met at some events who have mail, on a day: each
    one's state, and (event, contact) for each of their meetings there."""

    states: dict[int, str]
    met: list[tuple[int, int]]


def states_of_people_met(
    connection: ReadConnection, event_ids: Collection[int], today: dt.date, recent: bool
) -> StatesOfPeopleMet:
    """The relationships on `today` with the people met at these events who have mail; with
    `recent`, only those with mail of the last IN_TOUCH_DAYS (no one quiet), the older mail
    not read."""
    since = today - dt.timedelta(days=IN_TOUCH_DAYS) if recent else None
    counts, met = exchanges.counts_of_people_met(connection, event_ids, windows(today), since)
    return StatesOfPeopleMet({key: state_of(found) for key, found in counts.items()}, met)


def counted_states(found: StatesOfPeopleMet, event_ids: Collection[int]) -> dict[int, Counter[str]]:
    """For each of these events, how many of the people met there are in each state, but
    none and quiet (which take no mail of the last IN_TOUCH_DAYS)."""
    counts: dict[int, Counter[str]] = {event: Counter() for event in event_ids}
    for event, contact in found.met:
        state = found.states[contact]
        if event in counts and state != QUIET:
            counts[event][state] += 1
    return counts


def replies_to_answer(
    connection: ReadConnection, today: dt.date
) -> list[tuple[Correspondent, Exchanged]]:
    """Each contact's mails still waiting for your answer on `today`, oldest first."""
    before = today - dt.timedelta(days=REPLY_AFTER_DAYS)
    mail = exchanges.mail_awaiting_reply(connection, before)
    waiting = [
        (contact, found) for contact, mails in mail.items() for found in unanswered(mails, today)
    ]
    return sorted(waiting, key=lambda pair: pair[1].when)


def next_steps(
    connection: ReadConnection, today: dt.date
) -> list[tuple[Correspondent, Relationship]]:
    """Sprouting relationships with no meeting since their last mail, by contact id."""
    since = today - dt.timedelta(days=SPROUTING_DAYS)
    # Sprouting takes replies on SPROUTING_REPLY_DAYS days, or SPROUTING_TURNS turns (one
    # mail more than that): no contact with less mail of the last SPROUTING_DAYS sprouts.
    busy = exchanges.tallies_of_busy(
        connection, windows(today), since, SPROUTING_REPLY_DAYS, SPROUTING_TURNS + 1
    )
    judged = {contact: relationship(tally) for contact, tally in busy.items()}
    sprouting = {contact: found for contact, found in judged.items() if found.state == SPROUTING}
    met = last_met(connection, sprouting)
    names = names_of(connection, sprouting)
    return [
        (names[contact], found)
        for contact, found in sorted(sprouting.items())
        if needs_next_step(found, met.get(contact))
    ]
