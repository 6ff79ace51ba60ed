"""`meishi drafts push` and `thank --to-drafts`: put drafts into the mailbox's Drafts
folder, to be adjusted and sent from the user's own mail client on any device.

Each draft is APPENDed as the message meishi would send (with its Message-ID, so that
sync knows it in Sent), flagged \\Draft and \\Seen. The server's APPENDUID is kept on the
draft, so pushing it again replaces that copy instead of adding another; each draft's
place is committed as soon as it is on the server, so a lost connection doubles nothing.

A draft in the Drafts folder is the mail client's to send: `meishi send` leaves it alone
(mail/outbox.py), so that it never goes out twice. `meishi drafts pull` takes it back:
its copy is deleted from the folder and the draft is meishi's to send again, unless the
copy is found in Sent, which means it went out from the mail client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meishi.config import require_me
from meishi.drafts.review import shown_state
from meishi.drafts.states import HELD, PENDING
from meishi.errors import BadValue, NothingToDo
from meishi.mail import imap
from meishi.mail import message as mail
from meishi.mail.outbox import find_draft
from meishi.models import Draft, id_of, in_utc
from meishi.store.engine import Store

if TYPE_CHECKING:
    from meishi.mail.imap import Mailbox

# What a lost connection leaves: each draft's place is committed once it is on the server.
KEPT = "the drafts put there so far are kept: run it again to put the others"
KEPT_PULLING = "the drafts taken back so far are kept: run it again to take the others"
# What became of a draft's copy in the Drafts folder when it was taken back.
REMOVED, GONE, SENT_FROM_CLIENT = "removed", "gone", "sent"
# Drafts not yet sent nor discarded (a record copied from a file is drafted again first).
PUSHABLE = (PENDING, HELD)


@dataclass(frozen=True)
class Pushed:
    """One draft put into the Drafts folder: to whom, where, and whether it replaced one."""

    draft_id: int
    to: str
    email: str
    folder: str
    replaced: bool


@dataclass(frozen=True)
class _Letter:
    """A draft's message as it goes to the server, and where its last copy was put."""

    draft_id: int
    to: str
    email: str
    raw: bytes
    message_id: str
    old: imap.Placed | None
    fresh: bool  # its Message-ID is new: the draft had none yet


def push_drafts(
    store: Store,
    settings: Mapping[str, str],
    keyring_named: str | None,
    draft_ids: Sequence[int],
    now: dt.datetime,
) -> list[Pushed]:
    """Put each draft into the Drafts folder, replacing the copy pushed before."""
    me = require_me(settings)
    server = imap.imap_settings(settings, keyring_named)
    with store.read() as session:
        letters = [_letter(find_draft(session, i), me, now) for i in dict.fromkeys(draft_ids)]
    with imap.lost_connection(server, KEPT), imap.imap_session(server) as client:
        folder = imap.drafts_folder(client, imap.chosen_folders(settings))
        return [_push(client, store, folder, letter) for letter in letters]


def _push(client: Mailbox, store: Store, folder: str, letter: _Letter) -> Pushed:
    """Put one draft into the folder, and commit where it went before the next."""
    if letter.fresh:  # kept before it goes, so that a copy whose answer was lost is known
        with store.write() as session:
            _name(session.get(Draft, letter.draft_id), letter.message_id)
    placed = imap.put_draft(client, folder, letter.raw, letter.old, letter.message_id)
    with store.write() as session:
        _remember(session.get(Draft, letter.draft_id), placed, letter.message_id)
    replaced = letter.old is not None and letter.old.uid is not None
    return Pushed(letter.draft_id, letter.to, letter.email, folder, replaced)


def _letter(draft: Draft, me: dict[str, str], now: dt.datetime) -> _Letter:
    """The message for a draft that may be pushed, keeping the Message-ID it was given."""
    if draft.state not in PUSHABLE:
        raise BadValue(
            f"draft #{draft.id} is {shown_state(draft)}: only pending or held drafts go to "
            "the Drafts folder (see meishi drafts)"
        )
    message = mail.message_for(draft, me, now, f"draft to '{draft.to_name}'", unsent=False)
    if draft.message_id:  # the one in its .eml file or last push: sync knows it by that
        del message["Message-ID"]
        message["Message-ID"] = draft.message_id
    return _Letter(
        id_of(draft),
        draft.to_name or draft.to_addr,
        draft.to_addr,
        mail.message_bytes(message),
        str(message["Message-ID"]),
        _placed(draft),
        not draft.message_id,
    )


def _placed(draft: Draft) -> imap.Placed | None:
    """Where the draft was last pushed, if it was."""
    if draft.imap_folder is None:
        return None
    return imap.Placed(draft.imap_folder, draft.imap_uidvalidity, draft.imap_uid)


def _name(draft: Draft | None, message_id: str) -> None:
    """Give the draft the Message-ID it is pushed with."""
    if draft is not None:  # else deleted meanwhile by another meishi
        draft.message_id = message_id


def _remember(draft: Draft | None, placed: imap.Placed, message_id: str) -> None:
    """Keep where the draft now is on the server, and the Message-ID it went with."""
    if draft is None:  # deleted meanwhile by another meishi: nothing to remember it on
        return
    draft.imap_folder, draft.imap_uidvalidity = placed.folder, placed.uidvalidity
    draft.imap_uid, draft.message_id = placed.uid, message_id


@dataclass(frozen=True)
class Pulled:
    """One draft taken back from the Drafts folder, and what became of its copy there:
    removed, gone (deleted or changed in the mail client) or sent (found in Sent: the
    draft is left as it is, for sync to record)."""

    draft_id: int
    to: str
    folder: str
    copy: str


def pull_drafts(
    store: Store,
    settings: Mapping[str, str],
    keyring_named: str | None,
    draft_ids: Sequence[int],
    now: dt.datetime,
) -> list[Pulled]:
    """Take drafts back from the Drafts folder, so that meishi sends them: each copy there is
    deleted, unless that mail went out from the mail client already."""
    server = imap.imap_settings(settings, keyring_named)
    with store.read() as session:
        copies = [_pushed(find_draft(session, i)) for i in dict.fromkeys(draft_ids)]
    with imap.lost_connection(server, KEPT_PULLING), imap.imap_session(server) as client:
        found = imap.find_folders(client, imap.chosen_folders(settings))
        sent = next(folder.name for folder in found if folder.role == "sent")
        return [_pull(client, store, sent, copy, now) for copy in copies]


@dataclass(frozen=True)
class _Copy:
    """A draft's copy in the Drafts folder: whose, where, and its Message-ID."""

    draft_id: int
    to: str
    message_id: str
    place: imap.Placed


def _pushed(draft: Draft) -> _Copy:
    """Where a draft that may be taken back is in the Drafts folder; refused otherwise."""
    place = _placed(draft)
    if place is None:
        raise NothingToDo(
            f"draft #{draft.id} is not in your Drafts folder; meishi send {draft.id} sends it"
        )
    if draft.state not in PUSHABLE:
        raise BadValue(
            f"draft #{draft.id} is {shown_state(draft)}: only a pending or held draft can be "
            "taken back from the Drafts folder"
        )
    return _Copy(id_of(draft), draft.to_name or draft.to_addr, draft.message_id or "", place)


def _pull(client: Mailbox, store: Store, sent: str | None, copy: _Copy, now: dt.datetime) -> Pulled:
    """Delete one draft's copy from the folder and make the draft meishi's again; a copy
    found in Sent instead leaves it as it is."""
    what = REMOVED if imap.take_back(client, copy.place, copy.message_id) else GONE
    if what == GONE and copy.message_id and imap.holds_message(client, sent, copy.message_id):
        what = SENT_FROM_CLIENT
    else:
        with store.write() as session:
            _forget(session.get(Draft, copy.draft_id), now)
    return Pulled(copy.draft_id, copy.to, copy.place.folder, what)


def _forget(draft: Draft | None, now: dt.datetime) -> None:
    """The draft is no longer in the Drafts folder (its Message-ID stays: sync knows it)."""
    if draft is None:  # deleted meanwhile by another meishi
        return
    draft.imap_folder = draft.imap_uidvalidity = draft.imap_uid = None
    draft.updated_at = in_utc(now)
