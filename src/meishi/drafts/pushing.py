"""`meishi drafts push` and `thank --to-drafts`: put drafts into the mailbox's Drafts
folder, to be adjusted and sent from the user's own mail client on any device.

Each draft is APPENDed as the message meishi would send (with its Message-ID, so that
sync knows it in Sent), flagged \\Draft and \\Seen. The server's APPENDUID is kept on the
draft, so pushing it again replaces that copy instead of adding another; each draft's
place is committed as soon as it is on the server, so a lost connection doubles nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meishi.config import require_me
from meishi.drafts.box import HELD, PENDING
from meishi.drafts.review import shown_state
from meishi.errors import BadValue
from meishi.mail import imap
from meishi.mail import message as mail
from meishi.mail.outbox import find_draft
from meishi.models import Draft, id_of
from meishi.store.engine import Store

if TYPE_CHECKING:
    from meishi.mail.imap import Mailbox

# What a lost connection leaves: each draft's place is committed once it is on the server.
KEPT = "the drafts put there so far are kept: run it again to put the others"
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
    placed = imap.put_draft(client, folder, letter.raw, letter.old)
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
    )


def _placed(draft: Draft) -> imap.Placed | None:
    """Where the draft was last pushed, if it was."""
    if draft.imap_folder is None:
        return None
    return imap.Placed(draft.imap_folder, draft.imap_uidvalidity, draft.imap_uid)


def _remember(draft: Draft | None, placed: imap.Placed, message_id: str) -> None:
    """Keep where the draft now is on the server, and the Message-ID it went with."""
    if draft is None:  # deleted meanwhile by another meishi: nothing to remember it on
        return
    draft.imap_folder, draft.imap_uidvalidity = placed.folder, placed.uidvalidity
    draft.imap_uid, draft.message_id = placed.uid, message_id
