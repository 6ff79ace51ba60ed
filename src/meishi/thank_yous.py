"""Thank-you drafts: one per person met, referring back to what you talked about."""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from meishi.contacts import emails_of, encounters_of, topics_of
from meishi.drafts import templates as drafts
from meishi.drafts.box import REDRAFTABLE, EmlFiles, save_draft
from meishi.drafts.context import Meeting, thank_vars
from meishi.drafts.finish import draft_letters
from meishi.drafts.states import DISCARDED, LATE_AFTER_DAYS
from meishi.errors import Ambiguous, NotFound, NothingToDo
from meishi.mail.message import message_for
from meishi.models import Contact, ContactEmail, Draft, DraftEncounter, Encounter, Event, id_of
from meishi.store.drafts import thanked_for
from meishi.store.resolve import find_event

if TYPE_CHECKING:
    from meishi.home import Home
    from meishi.store.engine import Store


@dataclass
class PreparedDraft:
    """A thank-you draft with what it was made from: one person, one or more meetings."""

    draft: Draft
    contact: Contact
    event: Event  # the latest meeting's
    topics: list[str]
    days_after: int  # since the latest meeting
    events: list[Event] = field(default_factory=list)  # every meeting it thanks for

    @property
    def late(self) -> bool:
        """True when the event is more than LATE_AFTER_DAYS old."""
        return self.days_after > LATE_AFTER_DAYS

    @property
    def topic_command(self) -> str | None:
        """For a draft with no topic to refer back to (a generic one), the command that
        records one; else None."""
        if self.topics:
            return None
        # The address finds the person: by name alone, add would take them for someone new.
        name, address = (shlex.quote(text) for text in (self.contact.full_name, self.draft.to_addr))
        who = f"--name {name} --email {address}"
        return f"meishi add --event {self.event.id} {who} --topic TOPIC"


@dataclass(frozen=True)
class Skipped:
    """Someone who gets no draft, and why."""

    contact: Contact
    event: Event
    reason: str


@dataclass(frozen=True)
class ThankRequest:
    """What `meishi thank` was asked to draft: the period or event, template and folder."""

    since: dt.date | None
    event: str | None
    template: str | None
    templates: Path  # the user's own templates
    out: Path | None
    send: bool
    lang: str | None = None  # every draft in this language, whatever the person's


@dataclass
class ThankRun:
    """The drafts `meishi thank` prepared and the people it skipped."""

    drafts: list[PreparedDraft]
    skipped: list[Skipped]
    since: dt.date | None = None  # the first day looked at
    met: int = 0  # the people met in the period, thanked already or not

    def why_nothing(self) -> str:
        """Why no draft was made, in one line (empty when some were)."""
        if self.drafts:
            return ""
        period = f"since {self.since}" if self.since else "in that period"
        if not self.met:
            return f"No one to thank: you met no one {period}; record who you met with meishi add."
        if self.skipped:
            return f"No one to thank: no one met {period} and not yet thanked has an email."
        return f"No one to thank: everyone met {period} has been thanked."

    def letters(self) -> list[tuple[Draft, Event]]:
        """Each draft with its event, as .eml files are written from them."""
        return [(item.draft, item.event) for item in self.drafts]


def default_since(event: Event | None, today: dt.date) -> dt.date:
    """Where thanking starts without --since: the event's day, whatever it is, else yesterday."""
    return event.date if event is not None else today - dt.timedelta(days=1)


def unthanked(
    session: Session,
    since: dt.date,
    event: Event | None,
    today: dt.date,
    with_email: bool = False,
) -> list[tuple[Encounter, Contact, Event]]:
    """Encounters at events from `since` to today whose thank-you has not gone out."""
    query = _met(since, event, today).where(col(Encounter.thanked_at).is_(None))
    if with_email:  # only people you can write to
        has_email = select(ContactEmail.contact_id).where(ContactEmail.contact_id == Contact.id)
        query = query.where(has_email.exists())
    return [(enc, contact, ev) for enc, contact, ev in session.exec(query).all()]


def _met(since: dt.date, event: Event | None, today: dt.date) -> Any:
    """A query for the encounters at events from `since` to today (at one event, if given)."""
    query = (
        select(Encounter, Contact, Event)
        .join(Contact, col(Contact.id) == col(Encounter.contact_id))
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .where(Event.date >= since, Event.date <= today)
        .order_by(col(Event.date), col(Event.id), col(Encounter.id))
    )
    return query if event is None else query.where(Event.id == event.id)


def met_count(session: Session, since: dt.date, event: Event | None, today: dt.date) -> int:
    """How many people were met at events from `since` to today, thanked or not."""
    return len(session.exec(_met(since, event, today)).all())


def prepare_thanks(
    session: Session,
    encounters: list[tuple[Encounter, Contact, Event]],
    me: dict[str, str],
    today: dt.date,
    template: str | None,
    user_templates: Path,
    lang: str | None = None,
) -> ThankRun:
    """Render (or re-render) one stored draft per person with an email: one mail thanks for
    every meeting with them in the period."""
    run = ThankRun([], [])
    for contact, meetings in _by_person(encounters):
        emails = emails_of(session, contact)
        kept = []
        for encounter, event in meetings:
            reason = _why_no_draft(session, encounter, emails)
            if reason:
                run.skipped.append(Skipped(contact, event, reason))
            else:
                kept.append((encounter, event))
        if kept:
            mail = Letter(contact, emails[0], me, today, template, user_templates, lang)
            run.drafts.append(_prepared(session, mail, kept))
    return run


def _by_person(
    encounters: list[tuple[Encounter, Contact, Event]],
) -> list[tuple[Contact, list[tuple[Encounter, Event]]]]:
    """The meetings with each person, in the order met (people in order of first meeting)."""
    people: dict[int, Contact] = {}
    meetings: dict[int, list[tuple[Encounter, Event]]] = {}
    for encounter, contact, event in encounters:
        people.setdefault(id_of(contact), contact)
        meetings.setdefault(id_of(contact), []).append((encounter, event))
    return [(people[key], found) for key, found in meetings.items()]


@dataclass(frozen=True)
class Letter:
    """Who a thank-you goes to, and how it is written."""

    contact: Contact
    address: str
    me: dict[str, str]
    today: dt.date
    template: str | None
    user_templates: Path
    lang: str | None  # asked for this run; else the person's, else guessed


def _prepared(
    session: Session, letter: Letter, meetings: list[tuple[Encounter, Event]]
) -> PreparedDraft:
    """The stored draft thanking one person for these meetings (the latest one last)."""
    met = [Meeting(event, topics_of(session, enc), enc.note) for enc, event in meetings]
    encounter, event = meetings[-1]
    topics = list(dict.fromkeys(topic for m in met for topic in m.topics))
    draft = _render(encounter, event, topics, met, letter)
    stored = save_draft(session, draft, tuple(id_of(enc) for enc, _ in meetings))
    days = (letter.today - event.date).days
    return PreparedDraft(stored, letter.contact, event, topics, days, [e for _, e in meetings])


def _render(
    encounter: Encounter,
    event: Event,
    topics: list[str],
    meetings: list[Meeting],
    letter: Letter,
) -> Draft:
    """A draft for one person and their meetings, its headers checked."""
    contact, me, today = letter.contact, letter.me, letter.today
    # A Japanese topic says more about the language you spoke than a romanized name does.
    texts = (contact.full_name, contact.company, *topics)
    lang = drafts.choose_language(letter.lang or contact.lang, *texts)
    name = letter.template or f"thank-{lang}"
    note = "\n".join(m.note for m in meetings if m.note) or None
    context = thank_vars(contact, letter.address, event, topics, note, me, lang, today, meetings)
    rendered = drafts.render_draft(name, context, letter.user_templates, lang)
    draft = Draft(
        kind="thank",
        contact_id=contact.id,
        event_id=id_of(event),
        encounter_id=encounter.id,
        template=name,
        to_name=contact.full_name,
        to_addr=letter.address,
        subject=rendered.subject,
        body=rendered.body,
    )
    when = dt.datetime.combine(today, dt.time(), dt.UTC)  # only the headers are checked here
    message_for(draft, me, when, f"contact '{contact.full_name}'")
    return draft


def _why_no_draft(session: Session, encounter: Encounter, emails: list[str]) -> str:
    """Why an encounter gets no fresh draft (empty when it does)."""
    if not emails:
        return "no email address"
    kept = session.exec(
        drafts_for(encounter).where(col(Draft.state).not_in(REDRAFTABLE)).order_by(col(Draft.id))
    ).first()
    if kept is None:
        return ""
    if kept.state == DISCARDED:
        return f"you discarded its thank-you (draft #{kept.id})"
    # A thank-you already in the outbox (queued, failed, unknown) is never drafted again:
    # only `meishi outbox retry` sends it once more.
    return f"its thank-you is {kept.state} in the outbox; see meishi outbox"


def drafts_for(encounter: Encounter) -> Any:
    """A query for the thank-you drafts thanking for a meeting (alone or with others)."""
    linked = select(DraftEncounter.draft_id).where(DraftEncounter.encounter_id == encounter.id)
    return select(Draft).where(
        Draft.kind == "thank",
        (col(Draft.encounter_id) == encounter.id) | col(Draft.id).in_(linked),
    )


def mark_sent(
    session: Session, contact: Contact, event: Event | None, now: dt.datetime
) -> tuple[Encounter, Event]:
    """Record that the thank-you to a contact went out (for one event)."""
    candidates = [
        (enc, ev)
        for enc, ev in encounters_of(session, contact)
        if event is None or ev.id == event.id
    ]
    if not candidates:
        where = f" at {event.name}" if event else ""
        raise NotFound(f"{contact.full_name} was not met{where}; see `meishi contacts show`")
    open_ones = [(enc, ev) for enc, ev in candidates if enc.thanked_at is None]
    if not open_ones:
        raise NothingToDo(f"the thank-you to {contact.full_name} is already recorded as sent")
    if len(open_ones) > 1:
        names = "; ".join(f"#{ev.id} {ev.name} ({ev.date})" for _, ev in open_ones)
        raise Ambiguous(f"{contact.full_name} was met at several events: {names}; add --event")
    encounter, met_at = open_ones[0]
    record_thanked(session, encounter, now)
    return encounter, met_at


def record_thanked(session: Session, encounter: Encounter, now: dt.datetime) -> None:
    """The thank-you for a meeting went out at `now` (typed, or found in the Sent folder):
    its drafts count as sent, and so do the other meetings the same mail thanked for."""
    encounter.thanked_at = now
    for draft in session.exec(drafts_for(encounter)).all():
        draft.state = "sent"
        draft.updated_at = now
        for also in thanked_for(session, draft.encounter_id, draft.id):  # the same mail
            also.thanked_at = also.thanked_at or now
    session.flush()


def draft_thank_yous(
    store: Store,
    settings: dict[str, str],
    wanted: ThankRequest,
    today: dt.date,
    now: dt.datetime,
    home: Home,
) -> tuple[ThankRun, EmlFiles]:
    """One stored thank-you draft per person met since the day (or at the event) asked for,
    and their .eml files when a folder was given."""

    def prepare(session: Session, me: dict[str, str]) -> ThankRun:
        met_at = find_event(session, wanted.event) if wanted.event else None
        since = wanted.since or default_since(met_at, today)
        encounters = unthanked(session, since, met_at, today)
        run = prepare_thanks(
            session, encounters, me, today, wanted.template, wanted.templates, wanted.lang
        )
        run.since, run.met = since, met_count(session, since, met_at, today)
        return run

    return draft_letters(
        store, settings, prepare, ThankRun.letters, wanted.out, wanted.send, now, home
    )
