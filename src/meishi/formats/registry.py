"""The file formats meishi reads and writes: one table, and finding a file's format.

Each format is one module in formats/ holding its reader (and its writer, when meishi
exports it): `reader(path, options)` checks a file and gives its records, `write(session,
options)` gives the export as pieces of text. A new format is that module and a row of
REGISTRY; the commands' --format help and the error messages are made from the table.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from meishi.errors import BadValue

# The commands read the table below for their --format help: this module stays light
# (named tuples, not dataclasses; a format's module imported only when a file is opened).
if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.inputs import Record


class Format(NamedTuple):
    """A file format: its name, what users call it, its file extensions, and how to tell it."""

    name: str
    title: str  # how the help names its files
    extensions: tuple[str, ...]
    module: str  # meishi.formats.<module> holds its reader (and its writer)
    starts: str = ""  # what its files start with (upper-cased): a sure sign
    exported: bool = False
    guess: str = ""  # characters that suggest it in a file nothing else tells


# Every format, in the order the help and the error messages name them.
REGISTRY = (
    Format("vcard", "vCard", (".vcf", ".vcard"), "vcard", "BEGIN:VCARD", exported=True),
    Format("csv", "CSV", (".csv", ".tsv", ".txt"), "csvfile", exported=True, guess=",\t"),
    Format("ics", "iCalendar", (".ics", ".ical"), "ics", "BEGIN:VCALENDAR"),
    Format("json", "meishi JSON", (".json",), "json_dump", "{", exported=True),
)


class ReadOptions(NamedTuple):
    """What the reader of a file may need: the columns --map names, and today's date."""

    mapping: dict[str, str] | None
    today: dt.date


class WriteOptions(NamedTuple):
    """What a writer may need: the vCard version asked for."""

    version: str = "3.0"


class Source(NamedTuple):
    """A file checked to be importable: its format and how to read its records."""

    path: Path
    format: str
    records: Callable[[], Iterator[Record]]


def names(exported: bool = False) -> tuple[str, ...]:
    """The formats' names: all of them, or those meishi exports."""
    return tuple(fmt.name for fmt in REGISTRY if fmt.exported or not exported)


def spoken(words: tuple[str, ...]) -> str:
    """Words as a sentence lists them: "vcard, csv or json"."""
    return f"{', '.join(words[:-1])} or {words[-1]}"


def files_help() -> str:
    """The import command's help for its files: every format, as users call them."""
    return f"{spoken(tuple(fmt.title for fmt in REGISTRY))} files."


def open_source(path: Path, fmt: str | None, options: ReadOptions) -> Source:
    """Check a file can be imported (readable, known format, --map fits) before any is.

    The mapping applies to CSV files only; other files beside them ignore it."""
    if fmt is not None:
        _known(fmt, exported=False)
    from meishi.formats.textfile import detect_encoding, head_text

    encoding = detect_encoding(path)
    fmt = fmt or detect_format(path, head_text(path, encoding))
    return Source(path, fmt, _module(fmt).reader(path, options))


def writer(fmt: str) -> Callable[[Session, WriteOptions], Iterator[str]]:
    """The function writing a format meishi exports."""
    _known(fmt, exported=True)
    write: Callable[[Session, WriteOptions], Iterator[str]] = _module(fmt).write
    return write


def detect_format(path: Path, head: str) -> str:
    """The format a file's first bytes show (its extension when they do not)."""
    start = head.lstrip("\ufeff \t\r\n")
    upper = start[:2000].upper()
    for fmt in REGISTRY:
        if fmt.starts and upper.startswith(fmt.starts):
            return fmt.name
    for fmt in REGISTRY:
        if path.suffix.lower() in fmt.extensions:
            return fmt.name
    for fmt in REGISTRY:
        if any(mark in start for mark in fmt.guess):
            return fmt.name
    raise BadValue(f"cannot tell what {path} holds; give --format ({', '.join(names())})")


def _known(fmt: str, exported: bool) -> None:
    """Refuse a format name that is not in the table (or that meishi does not export)."""
    if fmt not in names(exported):
        raise BadValue(f"unknown format '{fmt}'; use one of: {', '.join(names(exported))}")


def _module(fmt: str) -> Any:
    """The module holding a format's reader and writer, imported now that it is needed."""
    module = next(entry.module for entry in REGISTRY if entry.name == fmt)
    return importlib.import_module(f"meishi.formats.{module}")
