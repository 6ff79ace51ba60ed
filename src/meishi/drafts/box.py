"""Drafts kept in the store and written as .eml files, for thank-yous and apologies alike."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from meishi.errors import MeishiError, OutputNotWritable
from meishi.files import fit_bytes, private_output, try_writing_in
from meishi.limits import FILE_NAME_BYTES
from meishi.mail import message as mail
from meishi.models import RESTORED, Draft, Event, id_of

if TYPE_CHECKING:
    from meishi.home import Home

EML = ".eml"
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
        stored.updated_at = fresh.updated_at  # stamped when the fresh draft was made
    session.flush()
    return stored


def eml_name(draft: Draft, event: Event) -> str:
    """A stable, unique file name: the same person (or organizer) and event always get the
    same one, and the ids come first so that cutting a long name to fit keeps it unique."""
    who = f"c{draft.contact_id}" if draft.contact_id else "organizer"
    head = f"{draft.kind}-{event.date.isoformat()}-e{event.id}-{who}-"
    safe = re.sub(r"[^\w.-]+", "-", draft.to_name).strip("-.") or "recipient"
    room = FILE_NAME_BYTES - len(head.encode("utf-8")) - len(EML)
    return f"{head}{fit_bytes(safe, room).rstrip('-.')}{EML}"


@dataclass
class EmlFiles:
    """The .eml files written, by draft id, and why the others could not be."""

    written: dict[int, Path] = field(default_factory=dict)
    problems: list[MeishiError] = field(default_factory=list)

    def path_of(self, draft: Draft) -> str | None:
        """Where the draft was written, or None."""
        path = self.written.get(id_of(draft))
        return str(path) if path else None

    def check(self) -> None:
        """Raise the first problem, once every other file has been written, in one line."""
        if not self.problems:
            return
        first, more = self.problems[0], len(self.problems) - 1
        also = f" (and {more} more .eml file{'s' if more > 1 else ''})" if more else ""
        rest = f"; the other {len(self.written)} were written" if self.written else ""
        raise type(first)(f"{first}{also}{rest}")


def check_out_folder(out_dir: Path) -> None:
    """Create the folder if needed (owner-only) and check that files can be written in it."""
    try:
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # drafts hold contact data
    except OSError as error:
        raise OutputNotWritable(
            f"cannot create {out_dir}: {error.strerror}; choose another --out folder"
        ) from error
    try:
        try_writing_in(out_dir)
    except OSError as error:
        raise OutputNotWritable(
            f"cannot write in {out_dir}: {error.strerror}; choose another --out folder"
        ) from None


def write_eml_files(
    drafts: list[tuple[Draft, Event]],
    out_dir: Path,
    me: dict[str, str],
    now: dt.datetime,
    home: Home,
) -> EmlFiles:
    """Write each draft as an owner-only .eml file in out_dir (checked by check_out_folder),
    never over one of meishi's own files in `home`; one that cannot be written does not
    stop the others."""
    files = EmlFiles()
    for draft, event in drafts:
        path = out_dir / eml_name(draft, event)
        try:
            message = mail.message_for(draft, me, now, f"draft to '{draft.to_name}'")
            with private_output(path, home) as file:
                file.write(mail.message_bytes(message))
        except MeishiError as error:
            files.problems.append(error)
        else:
            files.written[id_of(draft)] = path
    return files
