"""Drafts kept in the store and written as .eml files, for thank-yous and apologies alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from meishi.drafts.states import HELD, PENDING, RESTORED
from meishi.errors import MeishiError, OutputNotWritable, os_failure
from meishi.files import fit_bytes, private_output, try_writing_in
from meishi.limits import FILE_NAME_BYTES
from meishi.mail import message as mail
from meishi.store import drafting
from meishi.store.drafting import StoredDraft

if TYPE_CHECKING:
    from meishi.home import Home
    from meishi.store.sql import ReadConnection

EML = ".eml"
# Drafts that drafting again renders anew: pending and held ones, and those copied from a
# file (which become pending only once drafted here).
REDRAFTABLE = (PENDING, HELD, RESTORED)


class Occasion(Protocol):
    """The event a letter is about, as its file is named: an ORM row or a plain record."""

    @property
    def id(self) -> int | None: ...

    @property
    def date(self) -> dt.date: ...


def save_draft(
    connection: ReadConnection,
    fresh: StoredDraft,
    now: dt.datetime,
    encounters: tuple[int, ...] = (),
) -> StoredDraft:
    """Store a draft, updating the one kept for the same purpose rather than adding a twin
    (stamped now when it changed); a thank-you is linked to every meeting it thanks for."""
    found = drafting.same_purpose(connection, fresh, encounters, REDRAFTABLE)
    if not found:
        stored = replace(fresh, id=drafting.insert_draft(connection, fresh, now))
    else:
        stored = _redraft(connection, found[0], fresh, now)
        _drop_twins(connection, stored, found)
    _link(connection, stored, encounters)
    return stored


def _drop_twins(connection: ReadConnection, kept: StoredDraft, found: list[StoredDraft]) -> None:
    """Remove the other pending drafts for the same meetings, drafted one event at a time
    before: the one kept now thanks for all of them. One you edited or held stays, and so
    does a record copied from a file."""
    for twin in found:
        if twin.id != kept.id and twin.state == PENDING and not twin.edited:
            drafting.delete_draft(connection, _id_of(twin))


def _redraft(
    connection: ReadConnection, stored: StoredDraft, fresh: StoredDraft, now: dt.datetime
) -> StoredDraft:
    """Render a kept draft anew: held stays held, and text you edited stays as you wrote it."""
    names = ["event_id", "encounter_id", "to_name", "to_addr"]
    if not stored.edited:
        names += ["template", "subject", "body"]
    changes = {
        name: getattr(fresh, name)
        for name in names
        if getattr(stored, name) != getattr(fresh, name)
    }
    if stored.state == RESTORED:  # copied from a file: pending once drafted here
        changes["state"] = PENDING
    if changes:
        drafting.update_draft(connection, _id_of(stored), changes, now)
    return replace(stored, **changes)


def _link(connection: ReadConnection, draft: StoredDraft, encounters: tuple[int, ...]) -> None:
    """Link a thank-you to the meetings it thanks for (and only those)."""
    wanted = set(encounters) or ({draft.encounter_id} if draft.encounter_id else set())
    linked = drafting.linked_meetings(connection, _id_of(draft))
    drafting.unlink(connection, _id_of(draft), [key for key in linked if key not in wanted])
    drafting.link(connection, _id_of(draft), sorted(wanted - set(linked)))


def _id_of(draft: StoredDraft) -> int:
    """The id of a stored draft."""
    assert draft.id is not None
    return draft.id


def eml_name(draft: StoredDraft, event: Occasion) -> str:
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

    def path_of(self, draft: StoredDraft) -> str | None:
        """Where the draft was written, or None."""
        path = self.written.get(_id_of(draft))
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
    drafts: Sequence[tuple[StoredDraft, Occasion]],
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
                files.left_alone[_id_of(draft)] = path
                continue
            message = mail.message_for(draft, me, now, f"draft to '{draft.to_name}'")
            data = mail.message_bytes(message)
            with private_output(path, home) as file:
                file.write(data)
        except MeishiError as error:
            files.problems.append(error)
        else:
            files.written[_id_of(draft)] = path
            files.digests[_id_of(draft)] = hashlib.sha256(data).hexdigest()
            files.message_ids[_id_of(draft)] = str(message["Message-ID"])
    return files


def _changed_by_user(draft: StoredDraft, path: Path) -> bool:
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


def remember_files(connection: ReadConnection, files: EmlFiles) -> None:
    """Keep the path and digest of each file written, to tell later whether you changed it,
    and its Message-ID, for sync to know it in the Sent folder."""
    for draft_id, path in files.written.items():
        digest, message_id = files.digests[draft_id], files.message_ids[draft_id]
        drafting.remember_file(connection, draft_id, str(path), digest, message_id)
