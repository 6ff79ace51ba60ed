"""Apology drafts to an organizer after a last-minute cancellation or a no-show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from meishi.attendance.changes import cancellation_reason, has_started
from meishi.attendance.owed import apology_owed_ever
from meishi.attendance.rules import CANCELLED, NO_SHOW
from meishi.drafts import templates as drafts
from meishi.drafts.box import EmlFiles, save_draft
from meishi.drafts.context import ApologyFacts, apology_vars
from meishi.drafts.finish import draft_letters
from meishi.errors import BadValue, MissingSetting
from meishi.mail.message import message_for
from meishi.models import Draft, Event, id_of
from meishi.store.resolve import find_event

if TYPE_CHECKING:
    from meishi.store.engine import Store


@dataclass
class PreparedApology:
    """An apology draft and the event it is about."""

    draft: Draft
    event: Event

    def letters(self) -> list[tuple[Draft, Event]]:
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
    if event.attendance not in (CANCELLED, NO_SHOW) or not apology_owed_ever(session, event):
        raise BadValue(
            f"{event.name} is {event.attendance}, not a last-minute cancellation or a no-show: "
            "no apology is owed"
        )
    if not event.organizer_email:
        raise MissingSetting(
            f"{event.name} has no organizer email: "
            f"meishi event edit {event.id} --organizer-email ADDRESS"
        )
    lang = drafts.choose_language(None, event.organizer_name, event.name)
    name = template or f"apology-{lang}"
    facts = ApologyFacts(cancellation_reason(session, event), not has_started(event, now))
    context = apology_vars(event, facts, me, lang, now.date())
    rendered = drafts.render_draft(name, context, user_templates, lang)
    draft = Draft(
        kind="apology",
        event_id=id_of(event),
        template=name,
        to_name=event.organizer_name or "",
        to_addr=event.organizer_email,
        subject=rendered.subject,
        body=rendered.body,
    )
    message_for(draft, me, now, f"event '{event.name}'")  # only the headers are checked here
    return PreparedApology(save_draft(session, draft), event)


def draft_apology(
    store: Store,
    settings: dict[str, str],
    wanted: ApologyRequest,
    now: dt.datetime,
) -> tuple[PreparedApology, EmlFiles]:
    """The stored apology draft for the event asked for, and its .eml file when a folder
    was given."""

    def prepare(session: Session, me: dict[str, str]) -> PreparedApology:
        found = find_event(session, wanted.event)
        return prepare_apology(session, found, me, now, wanted.template, wanted.templates)

    return draft_letters(
        store, settings, prepare, PreparedApology.letters, wanted.out, wanted.send, now
    )
