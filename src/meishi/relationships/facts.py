"""The facts the relationship rules weigh: the mail sync recorded, contact by contact.

Read over the plain connection (store/exchanges.py). What a question needs is read alone:
a sprouting relationship needs only the last SPROUTING_DAYS of mail, and the states the
verdict counts (sprouting, in touch) only the last IN_TOUCH_DAYS.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Any

from meishi.errors import BadValue
from meishi.relationships.rules import (
    IN_TOUCH_DAYS,
    NONE,
    REPLY_AFTER_DAYS,
    SPROUTING,
    SPROUTING_DAYS,
    SPROUTING_REPLY_DAYS,
    SPROUTING_TURNS,
    STATES,
    Relationship,
    needs_next_step,
    relationship,
    unanswered,
)
from meishi.store import exchanges
from meishi.store.exchanges import Correspondent, Exchanged, names_of
from meishi.store.meetings import last_met
from meishi.store.sql import ReadConnection


def relationships(
    connection: ReadConnection, today: dt.date, state: str | None
) -> list[dict[str, Any]]:
    """Every contact in `state` (default: all but none), with the evidence, as JSON-ready rows:
    by state, then the most recent mail first."""
    if state is not None and state not in STATES:
        raise BadValue(f"unknown state '{state}'; use one of: {', '.join(STATES)}")
    if state == NONE:  # no mail: nothing to judge
        nothing = relationship([], today).__dict__
        return [_row(contact, nothing) for contact in exchanges.correspondents(connection, False)]
    mail = exchanges.all_mail(connection)
    rows = []
    for contact in exchanges.correspondents(connection, True):
        found = relationship(mail.get(contact.id, []), today)
        if state is None or found.state == state:
            rows.append(_row(contact, found.__dict__))
    rows.sort(key=lambda row: row["last_day"] or "", reverse=True)
    rows.sort(key=lambda row: STATES.index(row["state"]))
    return rows


def counted_states(
    connection: ReadConnection, event_ids: Collection[int], today: dt.date
) -> dict[int, Counter[str]]:
    """For each of these events, how many of the people met there are in each state on
    `today`, but none and quiet (which take no mail of the last IN_TOUCH_DAYS)."""
    since = today - dt.timedelta(days=IN_TOUCH_DAYS)
    mail = exchanges.mail_of_people_met(connection, event_ids, since)
    states = {contact: relationship(mails, today).state for contact, mails in mail.items()}
    counts: dict[int, Counter[str]] = {event: Counter() for event in event_ids}
    for event, contact in exchanges.met_with_mail(connection, event_ids, since):
        counts[event][states[contact]] += 1
    return counts


def relationships_of_people_met(
    connection: ReadConnection, event_ids: Collection[int], today: dt.date
) -> dict[int, Relationship]:
    """The relationship on `today` with each person met at these events who has mail."""
    mail = exchanges.mail_of_people_met(connection, event_ids)
    return {contact: relationship(mails, today) for contact, mails in mail.items()}


def replies_to_answer(
    connection: ReadConnection, today: dt.date
) -> list[tuple[Correspondent, Exchanged]]:
    """Each contact's mails still waiting for your answer on `today`, oldest first."""
    before = today - dt.timedelta(days=REPLY_AFTER_DAYS)
    mail = exchanges.mail_awaiting_reply(connection, before)
    names = names_of(connection, mail)
    waiting = [
        (names[contact], found)
        for contact, mails in mail.items()
        for found in unanswered(mails, today)
    ]
    return sorted(waiting, key=lambda pair: pair[1].when)


def next_steps(
    connection: ReadConnection, today: dt.date
) -> list[tuple[Correspondent, Relationship]]:
    """Sprouting relationships with no meeting since their last mail, by contact id."""
    since = today - dt.timedelta(days=SPROUTING_DAYS)
    # Sprouting takes replies on SPROUTING_REPLY_DAYS days, or SPROUTING_TURNS turns (one
    # mail more than that): no contact with less mail of the last SPROUTING_DAYS sprouts.
    busy = exchanges.mail_of_busy(connection, since, SPROUTING_REPLY_DAYS, SPROUTING_TURNS + 1)
    judged = {contact: relationship(mails, today) for contact, mails in busy.items()}
    sprouting = {contact: found for contact, found in judged.items() if found.state == SPROUTING}
    met = last_met(connection, sprouting)
    names = names_of(connection, sprouting)
    return [
        (names[contact], found)
        for contact, found in sorted(sprouting.items())
        if needs_next_step(found, met.get(contact))
    ]


def _row(contact: Correspondent, evidence: dict[str, Any]) -> dict[str, Any]:
    """One contact's relationship as JSON-ready values."""
    last = evidence["last_day"]
    return {
        "contact_id": contact.id,
        "name": contact.full_name,
        "company": contact.company,
        **evidence,
        "last_day": last.isoformat() if last else None,
    }
