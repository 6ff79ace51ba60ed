"""Letters drafted for a command: checked first, rendered and stored in one write, then filed.

Thank-yous and apologies share this: who you are, the mail settings when the
letters are to be sent, and the folder for .eml files are all checked before
anything is drafted, so a refusal leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from meishi.config import require_me
from meishi.drafts.box import (
    EmlFiles,
    Occasion,
    check_out_folder,
    remember_files,
    write_eml_files,
)

if TYPE_CHECKING:
    from meishi.home import Home
    from meishi.store.drafting import StoredDraft
    from meishi.store.sql import ReadConnection

Prepared = TypeVar("Prepared")
Writing = TypeVar("Writing")  # what a write gives: the writer's connection, or a session
Letters = Sequence[tuple["StoredDraft", Occasion]]


def draft_letters(
    write: Callable[[], AbstractContextManager[Writing]],
    plain: Callable[[Writing], ReadConnection],
    settings: dict[str, str],
    prepare: Callable[[Writing, dict[str, str]], Prepared],
    letters: Callable[[Prepared], Letters],
    out: Path | None,
    send: bool,
    now: dt.datetime,
    home: Home,
) -> tuple[Prepared, EmlFiles]:
    """What `prepare` drafted (stored in one `write`) and the .eml files written into out,
    remembered in another (on its `plain` connection)."""
    me = require_me(settings)
    if send:
        from meishi.mail.outbox import sender_from

        sender_from(settings, home.keyring_named)  # refuse before drafting if sending cannot work
    if out:
        check_out_folder(out)
    with write() as writing:
        prepared = prepare(writing, me)
    files = write_eml_files(letters(prepared), out, me, now, home) if out else EmlFiles()
    if files.written:
        with write() as writing:
            remember_files(plain(writing), files)
    return prepared, files
