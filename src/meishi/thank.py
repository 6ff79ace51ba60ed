"""Thank-you drafts: one per person met, referring back to what you talked about."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from meishi import drafts, mail
from meishi.contacts import emails_of, encounters_of, topics_of
from meishi.errors import Ambiguous, MissingSetting, NotFound, NothingToDo, OutputNotWritable
from meishi.models import Contact, Draft, Encounter, Event, id_of, utcnow

# The day after is best; past this many days a thank-you is flagged as late.
LATE_AFTER_DAYS = 3


@dataclass
class PreparedDraft:
    """A thank-you draft with what it was made from."""

    draft: Draft
    contact: Contact
    event: Event
    topics: list[str]
    days_after: int

    @property
    def late(self) -> bool:
        """True when the event is more than LATE_AFTER_DAYS old."""
        return self.days_after > LATE_AFTER_DAYS


@dataclass(frozen=True)
class Skipped:
    """Someone who gets no draft, and why."""

    contact: Contact
    event: Event
    reason: str


@dataclass
class ThankRun:
    """The drafts `meishi thank` prepared and the people it skipped."""

    drafts: list[PreparedDraft]
    skipped: list[Skipped]


def require_me(settings: Mapping[str, str]) -> dict[str, str]:
    """Your own details for signatures; me.name must be set."""
    if not settings.get("me.name"):
        raise MissingSetting(
            "me.name is not set; drafts are signed with it: meishi config set me.name 'Your Name'"
        )
    keys = ("name", "email", "company", "title", "signature")
    return {key: settings.get(f"me.{key}", "") for key in keys}


def unthanked(
    session: Session, since: dt.date, event: Event | None, today: dt.date
) -> list[tuple[Encounter, Contact, Event]]:
    """Encounters at events from `since` to today whose thank-you has not gone out."""
    query = (
        select(Encounter, Contact, Event)
        .join(Contact, col(Contact.id) == col(Encounter.contact_id))
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .where(col(Encounter.thanked_at).is_(None), Event.date >= since, Event.date <= today)
        .order_by(col(Event.date), col(Event.id), col(Encounter.id))
    )
    if event is not None:
        query = query.where(Event.id == event.id)
    return [(enc, contact, ev) for enc, contact, ev in session.exec(query).all()]


def prepare_thanks(
    session: Session,
    encounters: list[tuple[Encounter, Contact, Event]],
    me: dict[str, str],
    today: dt.date,
    template: str | None,
    user_templates: Path,
) -> ThankRun:
    """Render (or re-render) one stored draft per encounter whose contact has an email."""
    run = ThankRun([], [])
    for encounter, contact, event in encounters:
        emails = emails_of(session, contact)
        if not emails:
            run.skipped.append(Skipped(contact, event, "no email address"))
            continue
        topics = topics_of(session, encounter)
        draft = _render(
            encounter, contact, event, emails[0], topics, me, today, template, user_templates
        )
        run.drafts.append(
            PreparedDraft(_save(session, draft), contact, event, topics, (today - event.date).days)
        )
    return run


def _render(
    encounter: Encounter,
    contact: Contact,
    event: Event,
    address: str,
    topics: list[str],
    me: dict[str, str],
    today: dt.date,
    template: str | None,
    user_templates: Path,
) -> Draft:
    """A draft for one encounter, its headers checked."""
    lang = drafts.choose_language(contact.lang, contact.full_name, contact.company)
    name = template or f"thank-{lang}"
    context = draft_context(contact, address, event, topics, encounter.note, me, lang, today)
    rendered = drafts.render_draft(name, context, user_templates, lang)
    draft = Draft(
        kind="thank",
        contact_id=contact.id,
        event_id=id_of(event),
        encounter_id=encounter.id,
        template=name,
        to_name=contact.full_name,
        to_addr=address,
        subject=rendered.subject,
        body=rendered.body,
    )
    message_for(draft, me, dt.datetime.now(dt.UTC), f"contact '{contact.full_name}'")
    return draft


def draft_context(
    contact: Contact,
    address: str,
    event: Event,
    topics: list[str],
    note: str | None,
    me: dict[str, str],
    lang: str,
    today: dt.date,
) -> dict[str, Any]:
    """The variables a thank-you template sees; plain values, never template code."""
    return {
        "contact": {
            "full_name": contact.full_name,
            "family_name": contact.family_name or "",
            "given_name": contact.given_name or "",
            "reading": contact.reading or "",
            "company": contact.company or "",
            "department": contact.department or "",
            "title": contact.title or "",
            "email": address,
        },
        "event": {
            "name": event.name,
            "date": event.date,
            "place": event.place or "",
            "series": event.series or "",
            "organizer_name": event.organizer_name or "",
        },
        "topics": topics,
        "note": note or "",
        "me": me,
        "lang": lang,
        "today": today,
    }


def _save(session: Session, fresh: Draft) -> Draft:
    """Store the draft, updating the encounter's pending one rather than adding a twin."""
    stored = session.exec(
        select(Draft).where(
            Draft.encounter_id == fresh.encounter_id, Draft.kind == "thank", Draft.state == "draft"
        )
    ).first()
    if stored is None:
        session.add(fresh)
        session.flush()
        return fresh
    changed = False
    for name in ("template", "to_name", "to_addr", "subject", "body"):
        if getattr(stored, name) != getattr(fresh, name):
            setattr(stored, name, getattr(fresh, name))
            changed = True
    if changed:
        stored.updated_at = utcnow()
    session.flush()
    return stored


def message_for(
    draft: Draft, me: dict[str, str], when: dt.datetime, owner: str, unsent: bool = True
) -> Any:
    """The RFC 5322 message for a draft, From you and To exactly one person."""
    sender = me.get("email") or None
    return mail.build_message(
        to_name=draft.to_name,
        to_addr=draft.to_addr,
        from_name=me.get("name") or None,
        from_addr=sender,
        subject=draft.subject,
        body=draft.body,
        when=when,
        message_id_domain=sender.rpartition("@")[2] if sender else None,
        draft=unsent,
        owner=owner,
    )


def eml_name(prepared: PreparedDraft) -> str:
    """A stable file name for a draft: the same encounter always gets the same name."""
    safe = re.sub(r"[^\w.-]+", "-", prepared.contact.full_name).strip("-.") or "contact"
    event = prepared.event
    return f"thank-{event.date.isoformat()}-e{event.id}-c{prepared.contact.id}-{safe}.eml"


def write_eml_files(
    prepared: list[PreparedDraft], out_dir: Path, me: dict[str, str], now: dt.datetime
) -> list[Path]:
    """Write each draft as an owner-only .eml file in out_dir; all or none."""
    _ensure_writable(out_dir)
    written: list[Path] = []
    try:
        for item in prepared:
            message = message_for(item.draft, me, now, f"contact '{item.contact.full_name}'")
            written.append(_write_private(out_dir / eml_name(item), mail.message_bytes(message)))
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise OutputNotWritable(
            f"cannot write in {out_dir}: {error.strerror}; choose another --out folder"
        ) from error
    return written


def _ensure_writable(out_dir: Path) -> None:
    """Create the folder if needed and check that files can be written in it."""
    try:
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # drafts hold contact data
    except OSError as error:
        raise OutputNotWritable(
            f"cannot create {out_dir}: {error.strerror}; choose another --out folder"
        ) from error
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputNotWritable(f"cannot write in {out_dir}; choose another --out folder")


def _write_private(path: Path, data: bytes) -> Path:
    """Write a file readable by the owner only, replacing any older one whole."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    partial.replace(path)
    return path


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
    encounter.thanked_at = now
    for draft in session.exec(_drafts_of(encounter)):
        draft.state = "sent"
        draft.updated_at = now
    session.flush()
    return encounter, met_at


def _drafts_of(encounter: Encounter) -> Any:
    """A query for the encounter's thank-you drafts."""
    return select(Draft).where(Draft.encounter_id == encounter.id, Draft.kind == "thank")
