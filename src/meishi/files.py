"""Files meishi writes with your data in them: owner-only, whole or not at all, and only
where a file belongs: never through a link, over a device, or over meishi's own files.

Every file meishi writes goes through here. It is written under an unpredictable name,
created exclusively in the target's folder (so nothing planted there can be followed or
reused), synced, and renamed into place; on failure the temporary file is removed.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from meishi.errors import OutputNotWritable, Unavailable
from meishi.limits import FILE_NAME_BYTES, STALE_TEMP_SECONDS

if TYPE_CHECKING:
    from meishi.home import Home

# .NAME.<16 hex digits>.partial: the hex part is what tells meishi's own temporary files
# from anything else, so a stale one can be removed without touching a user's file.
_TEMP_NAME = re.compile(r"\..*\.[0-9a-f]{16}\.partial", re.DOTALL)
_NEW_FILE = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC


@contextmanager
def private_output(path: Path, home: Home, keep: Iterable[Path] = ()) -> Iterator[BinaryIO]:
    """A file the user named, replaced whole: refused when it is one of meishi's own in
    `home` (the database, config.toml, the card images) or one of the files in `keep`."""
    _refuse_own(path, home, keep)
    with own_output(path) as file:
        yield file


@contextmanager
def own_output(path: Path) -> Iterator[BinaryIO]:
    """A file readable by the owner only, renamed into place once whole: a reader never
    sees half of it, and a link, folder, device or pipe at `path` is refused."""
    _require_regular_or_absent(path)
    temp = _temp_path(path)
    try:
        fd = os.open(temp, _NEW_FILE, 0o600)
    except OSError as error:
        raise _failed(path, error) from None
    try:
        with os.fdopen(fd, "wb") as file:
            _remove_stale(path.parent, os.fstat(fd).st_mtime)
            yield file
            file.flush()
            os.fsync(file.fileno())
        _require_regular_or_absent(path)  # again: it may have been swapped while we wrote
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise _failed(path, error) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def try_writing_in(folder: Path) -> None:
    """Create and remove a file in the folder; OSError says why meishi cannot write there."""
    temp = _temp_path(folder / "probe")
    os.close(os.open(temp, _NEW_FILE, 0o600))
    temp.unlink()


def _temp_path(path: Path) -> Path:
    """An unpredictable temporary name beside path, in the pattern _TEMP_NAME matches."""
    stem = fit_bytes(path.name, FILE_NAME_BYTES)
    return path.with_name(f".{stem}.{secrets.token_hex(8)}.partial")


def fit_bytes(text: str, limit: int) -> str:
    """The longest start of text that fits in `limit` UTF-8 bytes, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def database_files(database: Path) -> list[Path]:
    """A SQLite database and the journal, WAL and shared-memory files beside it."""
    return [database, *(database.with_name(database.name + end) for end in _SQLITE_SIDES)]


_SQLITE_SIDES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create a folder readable by the owner only (0700) if it is missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> bool:
    """Create an empty owner-only file (in an owner-only folder) unless one is there; True
    when it was created. Something other than a file at `path` is refused."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, _NEW_FILE, 0o600))
    except FileExistsError:
        if not path.is_file():
            raise Unavailable(f"cannot use {path}: it is not a file; move it aside") from None
        return False
    return True


def _refuse_own(path: Path, home: Home, keep: Iterable[Path]) -> None:
    """Refuse a path that is, or is inside, one of meishi's own files or one of `keep`."""
    where = _real(path)
    for own, what in [*home.own_files(), *((kept, "the file being read") for kept in keep)]:
        mine = _real(own)
        if where == mine or _same_file(path, own):
            inside = ""
        elif where.is_relative_to(mine):
            inside = "inside "
        else:
            continue
        raise OutputNotWritable(
            f"{path} is {inside}{what}; writing there would destroy it: choose another file"
        )


def _real(path: Path) -> Path:
    """The path with its folder's links resolved (the name itself is never followed)."""
    return Path(os.path.realpath(path.parent)) / path.name


def _same_file(one: Path, other: Path) -> bool:
    """True when both names are one file (a hard link, or another spelling of it)."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _require_regular_or_absent(path: Path) -> None:
    """Refuse a link, folder, device, pipe or socket where a file is to be written."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise _failed(path, error) from None
    if stat.S_ISLNK(mode):
        raise OutputNotWritable(
            f"{path} is a symbolic link; meishi does not write through links: "
            "name the file itself, or another file"
        )
    if not stat.S_ISREG(mode):
        raise OutputNotWritable(f"{path} is {_kind(mode)}, not a file; give a file name to write")


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    return "a socket or other special file"


def _remove_stale(folder: Path, now: float) -> None:
    """Remove meishi's own temporary files that a killed run left in the folder; `now` is
    the file system's time (the new temporary file's), so no clock is read here."""
    oldest = now - STALE_TEMP_SECONDS
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if _TEMP_NAME.fullmatch(entry.name):
                    _remove_if_stale(entry, oldest)
    except OSError:
        return  # creating the new temporary file will say what is wrong


def _remove_if_stale(entry: os.DirEntry[str], oldest: float) -> None:
    """Remove a temporary file of this user's not written to since `oldest`."""
    try:
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and info.st_mtime < oldest:
            os.unlink(entry.path)
    except OSError:
        return  # gone already, or not ours to remove


def _failed(path: Path, error: OSError) -> Unavailable:
    """The one-line error for a file the system would not let meishi write."""
    return Unavailable(f"cannot write {path}: {error.strerror or error}; choose another place")
