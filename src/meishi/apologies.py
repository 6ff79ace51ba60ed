"""Apology drafts to an organizer after a last-minute cancellation or a no-show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from meishi.attendance.owed import apology_owed_ever
from meishi.attendance.rules import CANCELLED, NO_SHOW
from meishi.drafts import templates as drafts
from meishi.drafts.box import save_draft
from meishi.drafts.context import apology_vars
from meishi.errors import BadValue, MissingSetting
from meishi.mail.message import message_for
from meishi.models import Draft, Event, id_of


@dataclass
class PreparedApology:
    """An apology draft and the event it is about."""

    draft: Draft
    event: Event


def prepare_apology(
    session: Session,
    event: Event,
    me: dict[str, str],
    today: dt.date,
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
    rendered = drafts.render_draft(name, apology_vars(event, me, lang, today), user_templates, lang)
    draft = Draft(
        kind="apology",
        event_id=id_of(event),
        template=name,
        to_name=event.organizer_name or "",
        to_addr=event.organizer_email,
        subject=rendered.subject,
        body=rendered.body,
    )
    when = dt.datetime.combine(today, dt.time(), dt.UTC)  # only the headers are checked here
    message_for(draft, me, when, f"event '{event.name}'")
    return PreparedApology(save_draft(session, draft), event)
