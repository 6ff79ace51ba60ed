"""Drafts kept in the store and written as .eml files, for thank-yous and apologies alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.drafts.states import HELD, PENDING
from meishi.errors import MeishiError, OutputNotWritable, os_failure
from meishi.files import fit_bytes, private_output, try_writing_in
from meishi.limits import FILE_NAME_BYTES
from meishi.mail import message as mail
from meishi.models import RESTORED, Draft, DraftEncounter, Event, id_of
from meishi.store.drafts import encounter_links, same_purpose
from meishi.store.rows import by_id

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.home import Home

EML = ".eml"
# Drafts that drafting again renders anew: pending and held ones, and those copied from a
# file (which become pending only once drafted here).
REDRAFTABLE = (PENDING, HELD, RESTORED)


def save_draft(session: Session, fresh: Draft, encounters: tuple[int, ...] = ()) -> Draft:
    """Store a draft, updating the one kept for the same purpose rather than adding a twin;
    a thank-you is linked to every meeting it thanks for."""
    found = same_purpose(session, fresh, encounters, REDRAFTABLE)
    if not found:
        session.add(fresh)
        session.flush()
        stored = fresh
    else:
        stored = found[0]
        _redraft(stored, fresh)
        _drop_twins(session, stored, same_purpose(session, fresh, encounters, REDRAFTABLE))
    _link(session, stored, encounters)
    session.flush()
    return stored


def _drop_twins(session: Session, kept: Draft, found: Sequence[Draft]) -> None:
    """Remove the other pending drafts for the same meetings, drafted one event at a time
    before: the one kept now thanks for all of them. One you edited or held stays, and so
    does a record copied from a file."""
    for twin in found:
        if twin.id != kept.id and twin.state == PENDING and twin.edited_at is None:
            for link in encounter_links(session, twin.id):
                session.delete(link)
            session.flush()  # the links first: the draft's row is what they refer to
            session.delete(twin)


def _redraft(stored: Draft, fresh: Draft) -> None:
    """Render a kept draft anew: held stays held, and text you edited stays as you wrote it."""
    changed = stored.state == RESTORED
    stored.state = HELD if stored.state == HELD else PENDING
    names = ["event_id", "encounter_id", "to_name", "to_addr"]
    if stored.edited_at is None:
        names += ["template", "subject", "body"]
    for name in names:
        if getattr(stored, name) != getattr(fresh, name):
            setattr(stored, name, getattr(fresh, name))
            changed = True
    if changed:
        stored.updated_at = fresh.updated_at  # stamped when the fresh draft was made


def _link(session: Session, draft: Draft, encounters: tuple[int, ...]) -> None:
    """Link a thank-you to the meetings it thanks for (and only those)."""
    wanted = set(encounters) or ({draft.encounter_id} if draft.encounter_id else set())
    links = encounter_links(session, draft.id)
    for link in links:
        if link.encounter_id not in wanted:
            session.delete(link)
    for encounter_id in wanted - {link.encounter_id for link in links}:
        session.add(DraftEncounter(draft_id=id_of(draft), encounter_id=encounter_id))


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
    digests: dict[int, str] = field(default_factory=dict)  # SHA-256 of each file written
    left_alone: dict[int, Path] = field(default_factory=dict)  # changed since meishi wrote them
    message_ids: dict[int, str] = field(default_factory=dict)  # each file's Message-ID

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
        path = (out_dir / eml_name(draft, event)).absolute()
        try:
            if _changed_by_user(draft, path):
                files.left_alone[id_of(draft)] = path
                continue
            message = mail.message_for(draft, me, now, f"draft to '{draft.to_name}'")
            data = mail.message_bytes(message)
            with private_output(path, home) as file:
                file.write(data)
        except MeishiError as error:
            files.problems.append(error)
        else:
            files.written[id_of(draft)] = path
            files.digests[id_of(draft)] = hashlib.sha256(data).hexdigest()
            files.message_ids[id_of(draft)] = str(message["Message-ID"])
    return files


def _changed_by_user(draft: Draft, path: Path) -> bool:
    """True when a file is at path that is not exactly what meishi last wrote there."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False  # a link or a device: writing refuses it, saying what it is
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise os_failure(error) from None
    return (draft.eml_path, draft.eml_sha256) != (str(path), digest)


def remember_files(session: Session, files: EmlFiles) -> None:
    """Keep the path and digest of each file written, to tell later whether you changed it,
    and its Message-ID, for sync to know it in the Sent folder."""
    for draft_id, path in files.written.items():
        draft = by_id(session, Draft, draft_id)
        if draft is not None:
            draft.eml_path, draft.eml_sha256 = str(path), files.digests[draft_id]
            draft.message_id = files.message_ids[draft_id]
