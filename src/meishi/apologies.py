"""Apology drafts to an organizer after a last-minute cancellation or a no-show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.attendance.changes import Change, cancellation_reason, change_attendance
from meishi.attendance.owed import apology_owed_ever
from meishi.attendance.rules import CANCELLED, NO_SHOW, has_started
from meishi.drafts import templates as drafts
from meishi.drafts.box import EmlFiles, save_draft
from meishi.drafts.context import ApologyFacts, apology_vars
from meishi.drafts.finish import draft_letters
from meishi.drafts.states import PENDING
from meishi.errors import BadValue, MissingSetting
from meishi.mail.message import check_headers
from meishi.models import Event, id_of
from meishi.store.drafting import StoredDraft
from meishi.store.resolve import find_event, raw_connection

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.home import Home
    from meishi.store.engine import Store

# The letters to an organizer: an apology owed, or a notice that you cannot come after all.
APOLOGY, NOTICE = "apology", "notice"


@dataclass
class PreparedApology:
    """An apology draft and the event it is about."""

    draft: StoredDraft
    event: Event

    def letters(self) -> list[tuple[StoredDraft, Event]]:
        """The draft with its event, as its .eml file is written from it."""
        return [(self.draft, self.event)]


@dataclass(frozen=True)
class ApologyRequest:
    """What `meishi apology` was asked to draft: the event, template and folder."""

    event: str
    template: str | None
    templates: Path  # the user's own templates
    out: Path | None
    send: bool


def prepare_apology(
    session: Session,
    event: Event,
    me: dict[str, str],
    now: dt.datetime,
    template: str | None,
    user_templates: Path,
) -> PreparedApology:
    """Render (or re-render) the stored apology draft to the event's organizer."""
    if event.attendance not in (CANCELLED, NO_SHOW) or not apology_owed_ever(
        raw_connection(session), event
    ):
        raise BadValue(
            f"{event.name} is {event.attendance}, not a last-minute cancellation or a no-show: "
            "no apology is owed"
        )
    draft = _organizer_letter(session, event, me, now, APOLOGY, template, user_templates)
    return PreparedApology(draft, event)


def _organizer_letter(
    session: Session,
    event: Event,
    me: dict[str, str],
    now: dt.datetime,
    kind: str,
    template: str | None,
    user_templates: Path,
) -> StoredDraft:
    """The stored draft of a letter of kind (apology, notice) to the event's organizer."""
    _check_organizer_email(event)
    assert event.organizer_email is not None
    lang = drafts.choose_language(None, event.organizer_name, event.name)
    name = template or f"{kind}-{lang}"
    facts = ApologyFacts(cancellation_reason(session, event), not has_started(event, now))
    context = apology_vars(event, facts, me, lang, now.date())
    rendered = drafts.render_draft(name, context, user_templates, lang)
    draft = StoredDraft(
        kind=kind,
        state=PENDING,
        event_id=id_of(event),
        contact_id=None,
        encounter_id=None,
        template=name,
        to_name=event.organizer_name or "",
        to_addr=event.organizer_email,
        subject=rendered.subject,
        body=rendered.body,
    )
    check_headers(draft, me, now, f"event '{event.name}'")
    return save_draft(raw_connection(session), draft, now)


def _check_organizer_email(event: Event) -> None:
    """Refuse a letter to an organizer whose address is not known, saying how to add it."""
    if not event.organizer_email:
        raise MissingSetting(
            f"{event.name} has no organizer email: "
            f"meishi event edit {event.id} --organizer-email ADDRESS"
        )


def draft_apology(
    store: Store,
    settings: dict[str, str],
    wanted: ApologyRequest,
    now: dt.datetime,
    home: Home,
) -> tuple[PreparedApology, EmlFiles]:
    """The stored apology draft for the event asked for, and its .eml file when a folder
    was given."""

    def prepare(session: Session, me: dict[str, str]) -> PreparedApology:
        found = find_event(session, wanted.event)
        return prepare_apology(session, found, me, now, wanted.template, wanted.templates)

    return draft_letters(
        store.write,
        raw_connection,
        settings,
        prepare,
        PreparedApology.letters,
        wanted.out,
        wanted.send,
        now,
        home,
    )


@dataclass(frozen=True)
class Cancellation:
    """What `meishi cancel` was told: when you cancelled and why, and the last-minute window."""

    at: dt.datetime | None
    reason: str | None
    window: dt.timedelta


@dataclass
class CancelledWithNotice:
    """A cancellation, and the notice drafted to the organizer when it came in good time."""

    change: Change
    event: Event
    notice: StoredDraft | None  # None for a last-minute cancellation: an apology is owed instead

    def letters(self) -> list[tuple[StoredDraft, Event]]:
        """The notice with its event, as its .eml file is written from it."""
        return [(self.notice, self.event)] if self.notice else []


def cancel_with_notice(
    store: Store,
    settings: dict[str, str],
    wanted: ApologyRequest,
    cancellation: Cancellation,
    now: dt.datetime,
    home: Home,
) -> tuple[CancelledWithNotice, EmlFiles]:
    """Cancel the event and, in the same write, draft a notice to its organizer (unless the
    cancellation is last-minute); refused as a whole when the organizer's address is unknown."""

    def prepare(session: Session, me: dict[str, str]) -> CancelledWithNotice:
        event = find_event(session, wanted.event)
        _check_organizer_email(event)
        at, reason, window = cancellation.at, cancellation.reason, cancellation.window
        change = change_attendance(session, event, CANCELLED, now, at, reason, window)
        if change.change.last_minute:
            return CancelledWithNotice(change, event, None)
        notice = _organizer_letter(
            session, event, me, now, NOTICE, wanted.template, wanted.templates
        )
        return CancelledWithNotice(change, event, notice)

    return draft_letters(
        store.write,
        raw_connection,
        settings,
        prepare,
        CancelledWithNotice.letters,
        wanted.out,
        False,
        now,
        home,
    )
