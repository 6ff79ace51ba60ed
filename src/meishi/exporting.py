"""Exporting: every card, or everything, in a format other programs read.

The formats themselves are written by their modules in formats/ (registry.py names
them); this module reads the store first and then writes the file, the folder of
vCards, or hands the text back for stdout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.files import private_output
from meishi.formats import registry

if TYPE_CHECKING:
    import datetime as dt

    from meishi.home import Home
    from meishi.store.engine import Store


@dataclass(frozen=True)
class Exported:
    """What an export made: text for stdout, or the file or folder written (and how many)."""

    text: list[str] = field(default_factory=list)
    written_to: Path | None = None
    contacts: int | None = None  # for a folder: one file per contact


def export(
    fmt: str,
    version: str,
    out: Path | None,
    home: Home,
    store: Callable[[], AbstractContextManager[Store]],
) -> Exported:
    """Export in a format: to stdout (the text), to a file, or, for vCards, to a folder.

    The format is checked before the store is opened."""
    write = registry.writer(fmt)
    with store() as opened:
        if out is not None and out.is_dir() and fmt == "vcard":
            return Exported(written_to=out, contacts=write_vdir(opened, out, version, home))
        # Everything is read before anything is written: a failure leaves no half file.
        with opened.read() as session:
            text = list(write(session, registry.WriteOptions(version)))
    if out is None:
        return Exported(text=text)
    _write_file(out, text, home)
    return Exported(written_to=out)


def write_vdir(store: Store, folder: Path, version: str, home: Home) -> int:
    """One owner-only .vcf per contact in a folder, the vdir khard and vdirsyncer read;
    how many were written."""
    from meishi.formats.vcard import vcards
    from meishi.store.search import all_cards_in

    with store.read() as session:
        rows = list(all_cards_in(session))
    for row, text in zip(rows, vcards(iter(rows), version), strict=True):
        _write_file(folder / f"meishi-contact-{row['id']}.vcf", [text], home)
    return len(rows)


def _write_file(path: Path, text: list[str] | Iterator[str], home: Home) -> None:
    """Text written to an owner-only file, whole or not at all (never over meishi's own)."""
    with private_output(path, home) as file:
        for chunk in text:
            file.write(chunk.encode("utf-8"))


def back_up_server(
    home: Home,
    now: dt.datetime,
    file: Path | None,
    store: Callable[[], AbstractContextManager[Store]],
) -> Path:
    """A server store's backup: the JSON dump (card images included), owner-only, to `file`
    or by default into the home's backups/ folder; where it went."""
    from meishi.store.backup import backup_file

    target = backup_file(home, now, file, ".json")
    export("json", "", target, home, store)
    return target
