"""The facts the relationship rules weigh: the mail sync recorded, contact by contact."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlmodel import Session, col, func, select

from meishi.errors import BadValue
from meishi.models import Contact, Encounter, Event, Exchange, id_of
from meishi.relationships.rules import (
    NONE,
    STATES,
    Mail,
    Relationship,
    needs_next_step,
    relationship,
    unanswered,
)


def relationships(session: Session, today: dt.date, state: str | None) -> list[dict[str, Any]]:
    """Every contact in `state` (default: all but none), with the evidence, as JSON-ready rows:
    by state, then the most recent mail first."""
    if state is not None and state not in STATES:
        raise BadValue(f"unknown state '{state}'; use one of: {', '.join(STATES)}")
    mail = _mail_by_contact(session)
    rows = []
    for contact in session.exec(select(Contact).order_by(col(Contact.id))).all():
        found = relationship(mail.get(id_of(contact), []), today)
        if found.state == state or (state is None and found.state != NONE):
            rows.append(_row(contact, found.__dict__))
    rows.sort(key=lambda row: row["last_day"] or "", reverse=True)
    rows.sort(key=lambda row: STATES.index(row["state"]))
    return rows


def _mail_by_contact(session: Session, only: set[int] | None = None) -> dict[int, list[Mail]]:
    """The day, direction, subject and thread of every recorded exchange (with `only` these
    contacts, if given), by contact."""
    found: dict[int, list[Mail]] = defaultdict(list)
    query = select(Exchange)
    if only is not None:
        query = query.where(col(Exchange.contact_id).in_(only))
    for mail in session.exec(query).all():
        found[mail.contact_id].append(
            Mail(mail.date, mail.direction, mail.subject, mail.thread_root)
        )
    return found


def states_of(session: Session, contacts: set[int], today: dt.date) -> Counter[str]:
    """How many of these contacts are in each relationship state on `today`."""
    return Counter(found.state for found in relationships_of(session, contacts, today).values())


def relationships_of(
    session: Session, contacts: set[int], today: dt.date
) -> dict[int, Relationship]:
    """The relationship with each of these contacts on `today`, by contact id."""
    mails = _mail_by_contact(session, contacts)
    return {contact: relationship(mails.get(contact, []), today) for contact in contacts}


def replies_to_answer(session: Session, today: dt.date) -> list[tuple[Contact, Mail]]:
    """Each contact's mails still waiting for your answer on `today`, oldest first."""
    waiting = []
    for contact_id, mails in _mail_by_contact(session).items():
        contact = session.get(Contact, contact_id)
        assert contact is not None
        waiting += [(contact, mail) for mail in unanswered(mails, today)]
    return sorted(waiting, key=lambda pair: pair[1].when)


def next_steps(session: Session, today: dt.date) -> list[tuple[Contact, Relationship]]:
    """Sprouting relationships with no meeting since their last mail."""
    met = _last_met(session)
    found = []
    for contact_id, mails in _mail_by_contact(session).items():
        judged = relationship(mails, today)
        if needs_next_step(judged, met.get(contact_id)):
            contact = session.get(Contact, contact_id)
            assert contact is not None
            found.append((contact, judged))
    return found


def _last_met(session: Session) -> dict[int, dt.date]:
    """The day of the last gathering where you met each contact."""
    query = (
        select(Encounter.contact_id, func.max(Event.date))
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .group_by(col(Encounter.contact_id))
    )
    return {contact: day for contact, day in session.exec(query).all()}


def _row(contact: Contact, evidence: dict[str, Any]) -> dict[str, Any]:
    """One contact's relationship as JSON-ready values."""
    last = evidence["last_day"]
    return {
        "contact_id": contact.id,
        "name": contact.full_name,
        "company": contact.company,
        **evidence,
        "last_day": last.isoformat() if last else None,
    }
