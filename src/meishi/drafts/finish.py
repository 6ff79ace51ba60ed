"""Letters drafted for a command: checked first, rendered and stored in one write, then filed.

Thank-yous and apologies share this: who you are, the mail settings when the
letters are to be sent, and the folder for .eml files are all checked before
anything is drafted, so a refusal leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from meishi.config import require_me
from meishi.drafts.box import EmlFiles, check_out_folder, remember_files, write_eml_files
from meishi.models import Draft, Event

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.store.engine import Store

Prepared = TypeVar("Prepared")
Letters = list[tuple[Draft, Event]]


def draft_letters(
    store: Store,
    settings: dict[str, str],
    prepare: Callable[[Session, dict[str, str]], Prepared],
    letters: Callable[[Prepared], Letters],
    out: Path | None,
    send: bool,
    now: dt.datetime,
) -> tuple[Prepared, EmlFiles]:
    """What `prepare` drafted (stored in one write) and the .eml files written into out."""
    me = require_me(settings)
    if send:
        from meishi.mail.outbox import sender_from

        sender_from(settings)  # refuse before drafting when sending cannot work
    if out:
        check_out_folder(out)
    with store.write() as session:
        prepared = prepare(session, me)
    files = write_eml_files(letters(prepared), out, me, now) if out else EmlFiles()
    if files.written:
        with store.write() as session:
            remember_files(session, files)
    return prepared, files
