"""Drafts kept in the store and written as .eml files, for thank-yous and apologies alike."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from meishi import mail
from meishi.errors import OutputNotWritable
from meishi.models import Draft, Event, utcnow
from meishi.outbox import RESTORED

# Drafts that drafting again renders anew: pending ones, and those copied from a file
# (which become pending only once drafted here).
REDRAFTABLE = ("draft", RESTORED)


def save_draft(session: Session, fresh: Draft) -> Draft:
    """Store a draft, updating the pending one for the same purpose rather than adding a twin."""
    query = select(Draft).where(Draft.kind == fresh.kind, col(Draft.state).in_(REDRAFTABLE))
    if fresh.encounter_id is not None:  # a thank-you: one per encounter
        query = query.where(Draft.encounter_id == fresh.encounter_id)
    else:  # to an organizer: one per event
        query = query.where(Draft.event_id == fresh.event_id, col(Draft.encounter_id).is_(None))
    stored = session.exec(query).first()
    if stored is None:
        session.add(fresh)
        session.flush()
        return fresh
    changed = stored.state != "draft"
    stored.state = "draft"
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


def eml_name(draft: Draft, event: Event) -> str:
    """A stable file name: the same person (or organizer) and event always get the same one."""
    safe = re.sub(r"[^\w.-]+", "-", draft.to_name).strip("-.") or "recipient"
    who = f"c{draft.contact_id}" if draft.contact_id else "organizer"
    return f"{draft.kind}-{event.date.isoformat()}-e{event.id}-{who}-{safe}.eml"


def write_eml_files(
    drafts: list[tuple[Draft, Event]], out_dir: Path, me: dict[str, str], now: dt.datetime
) -> list[Path]:
    """Write each draft as an owner-only .eml file in out_dir; all or none."""
    _ensure_writable(out_dir)
    written: list[Path] = []
    try:
        for draft, event in drafts:
            message = message_for(draft, me, now, f"draft to '{draft.to_name}'")
            written.append(
                _write_private(out_dir / eml_name(draft, event), mail.message_bytes(message))
            )
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
    from meishi.files import private_output

    with private_output(path) as file:
        file.write(data)
    return path
