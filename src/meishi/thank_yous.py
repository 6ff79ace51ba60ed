"""Thank-you drafts: one per person met, referring back to what you talked about."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.drafts import templates as drafts
from meishi.drafts.box import REDRAFTABLE, EmlFiles, save_draft
from meishi.drafts.context import Meeting, thank_vars
from meishi.drafts.finish import draft_letters
from meishi.drafts.states import DISCARDED, LATE_AFTER_DAYS, PENDING
from meishi.errors import Ambiguous, NotFound, NothingToDo
from meishi.mail.message import check_headers
from meishi.store import adding, drafting, meetings
from meishi.store.adding import StoredContact
from meishi.store.drafting import StoredDraft
from meishi.store.events import EventRecord, event_of
from meishi.store.resolve import event_named

if TYPE_CHECKING:
    from meishi.home import Home
    from meishi.store.meetings import Met
    from meishi.store.sql import ReadConnection


@dataclass
class PreparedDraft:
    """A thank-you draft with what it was made from: one person, one or more meetings."""

    draft: StoredDraft
    contact: StoredContact
    event: EventRecord  # the latest meeting's
    topics: list[str]
    days_after: int  # since the latest meeting
    events: list[EventRecord] = field(default_factory=list)  # every meeting it thanks for

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

    contact: StoredContact
    event: EventRecord
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

    def letters(self) -> list[tuple[StoredDraft, EventRecord]]:
        """Each draft with its event, as .eml files are written from them."""
        return [(item.draft, item.event) for item in self.drafts]


def default_since(event: EventRecord | None, today: dt.date) -> dt.date:
    """Where thanking starts without --since: the event's day, whatever it is, else yesterday."""
    return event.date if event is not None else today - dt.timedelta(days=1)


def unthanked(
    connection: ReadConnection, since: dt.date, event_id: int | None, today: dt.date
) -> tuple[list[Met], int]:
    """The meetings at events from `since` to today (at one event, if given) whose thank-you
    has not gone out, in the order met; and how many meetings there were, thanked or not."""
    met = [
        meeting
        for meeting in meetings.met_between(connection, since, today)
        if event_id is None or meeting.event_id == event_id
    ]
    return [meeting for meeting in met if not meeting.thanked], len(met)


@dataclass(frozen=True)
class Drafting:
    """How this run writes its thank-yous: as whom, when, with which template and language."""

    me: dict[str, str]
    today: dt.date
    now: dt.datetime  # the stamp of what is stored
    template: str | None
    user_templates: Path
    lang: str | None  # asked for this run; else the person's, else guessed


def prepare_thanks(connection: ReadConnection, met: list[Met], how: Drafting) -> ThankRun:
    """Render (or re-render) one stored draft per person with an email: one mail thanks for
    every meeting with them in the period."""
    run = ThankRun([], [])
    events: dict[int, EventRecord] = {}
    for contact_id, theirs in _by_person(met):
        contact = adding.contact_by_id(connection, contact_id)
        assert contact is not None  # read in the same transaction as their meetings
        emails = adding.emails_of(connection, contact_id)
        kept = []
        for meeting in theirs:
            if meeting.event_id not in events:
                events[meeting.event_id] = event_of(connection, meeting.event_id)
            event = events[meeting.event_id]
            reason = _why_no_draft(connection, meeting.encounter_id, emails)
            if reason:
                run.skipped.append(Skipped(contact, event, reason))
            else:
                kept.append((meeting, event))
        if kept:
            run.drafts.append(_prepared(connection, Letter(contact, emails[0], how), kept))
    return run


def _by_person(met: list[Met]) -> list[tuple[int, list[Met]]]:
    """The meetings with each person, in the order met (people in order of first meeting)."""
    people: dict[int, list[Met]] = {}
    for meeting in met:
        people.setdefault(meeting.contact_id, []).append(meeting)
    return list(people.items())


@dataclass(frozen=True)
class Letter:
    """Who a thank-you goes to, and how it is written."""

    contact: StoredContact
    address: str
    how: Drafting


def _prepared(
    connection: ReadConnection, letter: Letter, kept: list[tuple[Met, EventRecord]]
) -> PreparedDraft:
    """The stored draft thanking one person for these meetings (the latest one last)."""
    met = [
        Meeting(event, adding.topics_of(connection, meeting.encounter_id), meeting.note)
        for meeting, event in kept
    ]
    latest, event = kept[-1]
    topics = list(dict.fromkeys(topic for m in met for topic in m.topics))
    draft = _render(latest.encounter_id, event, topics, met, letter)
    encounters = tuple(meeting.encounter_id for meeting, _ in kept)
    stored = save_draft(connection, draft, letter.how.now, encounters)
    days = (letter.how.today - event.date).days
    return PreparedDraft(stored, letter.contact, event, topics, days, [e for _, e in kept])


def _render(
    encounter_id: int,
    event: EventRecord,
    topics: list[str],
    meetings: list[Meeting],
    letter: Letter,
) -> StoredDraft:
    """A draft for one person and their meetings, its headers checked."""
    contact, how = letter.contact, letter.how
    # A Japanese topic says more about the language you spoke than a romanized name does.
    texts = (contact.full_name, contact.company, *topics)
    lang = drafts.choose_language(how.lang or contact.lang, *texts)
    name = how.template or f"thank-{lang}"
    note = "\n".join(m.note for m in meetings if m.note) or None
    context = thank_vars(
        contact, letter.address, event, topics, note, how.me, lang, how.today, meetings
    )
    rendered = drafts.render_draft(name, context, how.user_templates, lang)
    draft = StoredDraft(
        kind="thank",
        state=PENDING,
        event_id=event.id,
        contact_id=contact.id,
        encounter_id=encounter_id,
        template=name,
        to_name=contact.full_name,
        to_addr=letter.address,
        subject=rendered.subject,
        body=rendered.body,
    )
    when = dt.datetime.combine(how.today, dt.time(), dt.UTC)  # only the headers are checked here
    check_headers(draft, how.me, when, f"contact '{contact.full_name}'")
    return draft


def _why_no_draft(connection: ReadConnection, encounter_id: int, emails: list[str]) -> str:
    """Why a meeting gets no fresh draft (empty when it does)."""
    if not emails:
        return "no email address"
    kept = drafting.first_thank_draft_not_in(connection, encounter_id, REDRAFTABLE)
    if kept is None:
        return ""
    key, state = kept
    if state == DISCARDED:
        return f"you discarded its thank-you (draft #{key})"
    # A thank-you already in the outbox (queued, failed, unknown) is never drafted again:
    # only `meishi outbox retry` sends it once more.
    return f"its thank-you is {state} in the outbox; see meishi outbox"


def mark_sent(
    connection: ReadConnection, contact: StoredContact, event: EventRecord | None, now: dt.datetime
) -> str:
    """Record that the thank-you to a contact went out (for one event); the event's name."""
    from meishi.store.encounters import meetings_of

    candidates = [
        meeting
        for meeting in meetings_of(connection, contact.id)
        if event is None or meeting.event_id == event.id
    ]
    if not candidates:
        where = f" at {event.name}" if event else ""
        raise NotFound(f"{contact.full_name} was not met{where}; see `meishi contacts show`")
    open_ones = [meeting for meeting in candidates if meeting.thanked_at is None]
    if not open_ones:
        raise NothingToDo(f"the thank-you to {contact.full_name} is already recorded as sent")
    if len(open_ones) > 1:
        names = "; ".join(f"#{m.event_id} {m.event_name} ({m.event_date})" for m in open_ones)
        raise Ambiguous(f"{contact.full_name} was met at several events: {names}; add --event")
    drafting.mark_thanked(connection, open_ones[0].id, now)
    return open_ones[0].event_name


def draft_thank_yous(
    write: Callable[[], AbstractContextManager[ReadConnection]],
    settings: dict[str, str],
    wanted: ThankRequest,
    today: dt.date,
    now: dt.datetime,
    home: Home,
) -> tuple[ThankRun, EmlFiles]:
    """One stored thank-you draft per person met since the day (or at the event) asked for,
    and their .eml files when a folder was given; drafted on `write`'s plain connection."""

    def prepare(connection: ReadConnection, me: dict[str, str]) -> ThankRun:
        named = wanted.event
        met_at = event_named(connection, named) if named else None
        since = wanted.since or default_since(met_at, today)
        to_thank, met = unthanked(connection, since, met_at.id if met_at else None, today)
        how = Drafting(me, today, now, wanted.template, wanted.templates, wanted.lang)
        run = prepare_thanks(connection, to_thank, how)
        run.since, run.met = since, met
        return run

    return draft_letters(
        write, _itself, settings, prepare, ThankRun.letters, wanted.out, wanted.send, now, home
    )


def _itself(connection: ReadConnection) -> ReadConnection:
    """The writer's connection: plain already."""
    return connection
