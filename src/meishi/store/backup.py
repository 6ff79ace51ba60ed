"""Backups: a consistent, checked, owner-only copy of the database, even while meishi is in
use, by default into backups/ in meishi's home."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.errors import NothingToDo
from meishi.files import database_files, private_dir, private_output
from meishi.store.engine import database_errors, ensure_current
from meishi.store.sqlite import damaged, prepare_connection, read_only

if TYPE_CHECKING:
    from meishi.home import Home


def back_up(home: Home, now: dt.datetime, file: Path | None = None) -> Path:
    """Back the home's database up to `file`, into it when it is a folder, or by default into
    the home's backups/ folder; a name given by the time `now`. Where the copy went."""
    return backup(backup_file(home, now, file, ".db"), home.database, home)


def backup_file(home: Home, now: dt.datetime, file: Path | None, suffix: str) -> Path:
    """Where a backup goes: `file`, inside it when it is a folder, or by default the home's
    backups/ folder; a name given by the time `now` and the kind of copy (`suffix`)."""
    name = f"meishi-{now:%Y%m%d-%H%M%S}{suffix}"
    if file is None:
        return private_dir(home.backups) / name
    return file / name if file.is_dir() else file


def backup(target: Path, source: Path, home: Home) -> Path:
    """A consistent, owner-only copy of the database at `source`, written to `target`.

    SQLite's online backup API copies a snapshot into memory; the copy passes
    integrity_check, and only then is written, through files.private_output, to the
    name asked for (which may not be the database itself or another of meishi's files).
    """
    if not source.exists():
        raise NothingToDo(f"nothing to back up yet: {source} does not exist")
    ensure_current(source)
    with database_errors(source):  # a damaged page shows while copying or checking
        copy = _copy_checked(source)
    with private_output(target, home, keep=database_files(source)) as file:
        file.write(copy)
    return target


def _copy_checked(source: Path) -> bytearray:
    """The database as the bytes of one self-contained file, checked for integrity."""
    original = read_only(source)
    duplicate = sqlite3.connect(":memory:")
    try:
        prepare_connection(original)
        original.backup(duplicate)
        verdict = duplicate.execute("PRAGMA integrity_check").fetchone()[0]
        image = bytearray(duplicate.serialize())
    finally:
        duplicate.close()
        original.close()
    if verdict != "ok":  # the copy holds the database's pages as they are
        raise damaged(source, f"SQLite's integrity check: {verdict}")
    # The copy keeps the source's WAL marks (header bytes 18 and 19); 1 and 1 make it a
    # rollback-journal database, one self-contained file, as PRAGMA journal_mode=DELETE would.
    image[18:20] = b"\x01\x01"
    return image
