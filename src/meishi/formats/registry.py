"""Reading other programs' files: which format a file is in, and its records.

Each format has its own small parser yielding plain records with the line they
start on; importing.py applies them to the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from meishi.errors import BadValue

# The commands read the table below for their --format help: this module stays light
# (named tuples, not dataclasses; the readers imported only when a file is opened).
if TYPE_CHECKING:
    from meishi.inputs import Record


class Format(NamedTuple):
    """A file format meishi reads: its name, its file extensions, and whether it also writes it."""

    name: str
    extensions: tuple[str, ...]
    exported: bool = False


# Every format, in the order the help and the error messages name them.
REGISTRY = (
    Format("vcard", (".vcf", ".vcard"), exported=True),
    Format("csv", (".csv", ".tsv", ".txt"), exported=True),
    Format("ics", (".ics", ".ical")),
    Format("json", (".json",), exported=True),
)
FORMATS = tuple(fmt.name for fmt in REGISTRY)
EXPORT_FORMATS = tuple(fmt.name for fmt in REGISTRY if fmt.exported)
EXTENSIONS = {extension: fmt.name for fmt in REGISTRY for extension in fmt.extensions}


def spoken(names: tuple[str, ...]) -> str:
    """Names as a sentence lists them: "vcard, csv or json"."""
    return f"{', '.join(names[:-1])} or {names[-1]}"


class Source(NamedTuple):
    """A file checked to be importable: its format and how to read its records."""

    path: Path
    format: str
    records: Callable[[], Iterator[Record]]


def open_source(
    path: Path, fmt: str | None, mapping: dict[str, str] | None, today: dt.date
) -> Source:
    """Check a file can be imported (readable, known format, --map fits) before any is.

    The mapping applies to CSV files only; other files beside them ignore it."""
    if fmt is not None and fmt not in FORMATS:
        raise BadValue(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
    from meishi.formats.textfile import detect_encoding, head_text

    encoding = detect_encoding(path)
    fmt = fmt or detect_format(path, head_text(path, encoding))
    if fmt == "vcard":
        from meishi.formats.vcard import read_vcards

        return Source(path, fmt, lambda: read_vcards(path))
    if fmt == "csv":
        from meishi.formats.csvfile import layout_of, read_csv

        layout = layout_of(path, mapping)
        return Source(path, fmt, lambda: read_csv(path, layout))
    if fmt == "ics":
        from meishi.formats.ics import read_calendar

        return Source(path, fmt, lambda: read_calendar(path, today))
    from meishi.formats.json_dump import read_dump

    return Source(path, fmt, lambda: read_dump(path))


def detect_format(path: Path, head: str) -> str:
    """The format a file's first bytes show (its extension when they do not)."""
    start = head.lstrip("\ufeff \t\r\n")
    upper = start[:2000].upper()
    if upper.startswith("BEGIN:VCARD"):
        return "vcard"
    if upper.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if start.startswith("{"):
        return "json"
    if path.suffix.lower() in EXTENSIONS:
        return EXTENSIONS[path.suffix.lower()]
    if "," in start or "\t" in start:
        return "csv"
    raise BadValue(f"cannot tell what {path} holds; give --format ({', '.join(FORMATS)})")
