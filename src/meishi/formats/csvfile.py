"""CSV files: read from Eight, Google Contacts, LinkedIn, meishi itself, or any with --map;
written with meishi's own columns.

Each file is read as a stream: one row at a time, with the line it starts on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.card_fields import CSV, FIELDS, REPEATABLE, card_fields
from meishi.errors import BadValue
from meishi.formats.textfile import (
    detect_encoding,
    head_text,
    numbered_lines,
    record_too_long,
    size_of,
)
from meishi.inputs import BadRecord, CardRecord, Record
from meishi.text import blank_to_none

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.formats.registry import ReadOptions, WriteOptions

HEADER_SEARCH = 20  # LinkedIn puts notes above its header; look this far down for one
EIGHT = {
    "会社名": "company",
    "部署名": "department",
    "役職": "title",
    "姓": "family_name",
    "名": "given_name",
    "e-mail": "email",
    "郵便番号": "note",
    "住所": "note",
    "TEL会社": "phone",
    "TEL部門": "phone",
    "TEL直通": "phone",
    "Fax": "note",
    "携帯電話": "phone",
    "URL": "note",
    "名刺交換日": "met_on",
}
EIGHT_LAST = "名刺交換日"  # the columns after it are Eight's tags
GOOGLE = {
    "Name": "name",
    "First Name": "given_name",
    "Given Name": "given_name",
    "Last Name": "family_name",
    "Family Name": "family_name",
    "Phonetic First Name": "given_reading",
    "Given Name Yomi": "given_reading",
    "Phonetic Last Name": "family_reading",
    "Family Name Yomi": "family_reading",
    "Yomi Name": "reading",
    "Organization Name": "company",
    "Organization 1 - Name": "company",
    "Organization Title": "title",
    "Organization 1 - Title": "title",
    "Organization Department": "department",
    "Organization 1 - Department": "department",
    "Notes": "note",
    "Labels": "tags",
    "Group Membership": "tags",
}
GOOGLE_NUMBERED = {r"E-mail \d+ - Value": "email", r"Phone \d+ - Value": "phone"}
LINKEDIN = {
    "First Name": "given_name",
    "Last Name": "family_name",
    "URL": "note",
    "Email Address": "email",
    "Company": "company",
    "Position": "title",
}
# Google's own labels, not the user's tags.
GOOGLE_SYSTEM_LABELS = {"* myContacts", "* starred", "* other"}
CSV_COLUMNS = card_fields(CSV)  # the columns meishi writes
EMAIL_SEPARATOR = "; "  # several addresses in one CSV cell; import splits them again
# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list, and the
# full-width forms Japanese spreadsheets also accept); such a cell gets a leading quote.
FORMULA_STARTS = "=+-@\t\r＝＋－＠"
_NEUTRALIZED = re.compile(f"'*[{re.escape(FORMULA_STARTS)}]")


@dataclass(frozen=True)
class Layout:
    """Which field each column of a CSV file fills, and where its header is."""

    kind: str
    header_line: int
    delimiter: str
    columns: tuple[str | None, ...]  # a field per column, None to ignore it
    header: tuple[str, ...]


def reader(path: Path, options: ReadOptions) -> Callable[[], Iterator[Record]]:
    """How to read a CSV file's records, its columns found (or --map checked) first."""
    layout = layout_of(path, options.mapping)
    return lambda: read_csv(path, layout)


def parse_map(text: str) -> dict[str, str]:
    """A --map 'column=field,...' as {column: field}; refuses unknown fields."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        column, equals, field = part.partition("=")
        column, field = column.strip(), field.strip().lower()
        if not equals or not column or not field:
            raise BadValue(
                f"bad --map part '{part.strip()}'; write column=field, e.g. 'Mail=email'"
            )
        if field not in FIELDS:
            raise BadValue(f"unknown field '{field}' in --map; fields: {', '.join(FIELDS)}")
        mapping[column] = field
    return mapping


def layout_of(path: Path, mapping: dict[str, str] | None) -> Layout:
    """Find the header row and decide what each column is (checked before importing)."""
    encoding = detect_encoding(path)
    delimiter = _delimiter(head_text(path, encoding))
    for number, row in _rows(path, encoding, delimiter):
        if number > HEADER_SEARCH:
            break
        header = tuple(cell.strip().lstrip("\ufeff") for cell in row)
        if not any(header):
            continue
        found = _known_layout(header, mapping)
        if found is not None:
            kind, columns = found
            return Layout(kind, number, delimiter, columns, header)
        if mapping is not None:
            missing = [column for column in mapping if column not in header]
            raise BadValue(
                f"{path}:{number}: no column {', '.join(repr(m) for m in missing)} "
                f"for --map; the columns are: {', '.join(header)}"
            )
    raise BadValue(
        f"{path}: not a CSV meishi knows (Eight, Google Contacts, LinkedIn, meishi); "
        f"say which column is which with --map 'column=field,...' (fields: {', '.join(FIELDS)})"
    )


def _known_layout(
    header: tuple[str, ...], mapping: dict[str, str] | None
) -> tuple[str, tuple[str | None, ...]] | None:
    """(kind, field per column) when the header row is one meishi recognizes."""
    names = set(header)
    if mapping is not None:
        if set(mapping) <= names:
            return "mapped", tuple(mapping.get(column) for column in header)
        return None
    if header[:2] == ("会社名", "部署名") and EIGHT_LAST in names:
        tags_from = header.index(EIGHT_LAST) + 1
        return "eight", tuple(
            "tags" if i >= tags_from else EIGHT.get(c) for i, c in enumerate(header)
        )
    if {"First Name", "Last Name", "Connected On"} <= names:
        return "linkedin", tuple(LINKEDIN.get(column) for column in header)
    if any(re.fullmatch(p, c) for p in GOOGLE_NUMBERED for c in header) or (
        {"Given Name", "Family Name"} <= names or "Organization Name" in names
    ):
        return "google", tuple(_google_field(column) for column in header)
    if "name" in names and names <= set(FIELDS) | {""}:
        return "meishi", tuple(column if column in FIELDS else None for column in header)
    return None


def _google_field(column: str) -> str | None:
    """The field a Google Contacts column fills."""
    for pattern, field in GOOGLE_NUMBERED.items():
        if re.fullmatch(pattern, column):
            return field
    return GOOGLE.get(column)


def read_csv(path: Path, layout: Layout) -> Iterator[Record]:
    """Each row after the header as a card record (or what is wrong with it)."""
    encoding = detect_encoding(path)
    for number, row in _rows(path, encoding, layout.delimiter):
        if number <= layout.header_line or not any(cell.strip() for cell in row):
            continue
        try:
            yield _card(number, row, layout)
        except BadValue as error:
            yield BadRecord(number, str(error))


def _rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each starts on (a quoted cell may span lines).

    A cell may be as long as a line; a row longer than limits.IMPORT_RECORD_BYTES
    (cells spanning many lines) is refused while it is read.
    """
    lines = numbered_lines(path, encoding, keep_ends=True)  # a quoted cell keeps its breaks
    line = start = row_size = 0

    def feed() -> Iterator[str]:
        nonlocal line, row_size
        for number, text in lines:
            line, row_size = number, row_size + size_of(text)
            if row_size > limits.IMPORT_RECORD_BYTES:
                raise BadValue(f"{path}:{start}: {record_too_long('row')}")
            yield text

    csv.field_size_limit(limits.IMPORT_LINE_BYTES)
    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    while True:
        start, row_size = line + 1, 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BadValue(f"{path}:{start}: not valid CSV: {error}") from None
        yield start, row


def _delimiter(head: str) -> str:
    """Tab when the file's first lines hold more tabs than commas, else comma."""
    return "\t" if head.count("\t") > head.count(",") else ","


def _card(number: int, row: list[str], layout: Layout) -> CardRecord:
    """A card record from one row."""
    record = CardRecord(line=number)
    for column, field, value in zip(layout.header, layout.columns, row, strict=False):
        value = formula_restored(value.strip())  # the quote an export put before a formula
        if field is None or not value:
            continue
        _FILL.get(field, _set)(record, field, value, column, layout.kind)
    return record


def _set(record: CardRecord, field: str, value: str, _column: str, _kind: str) -> None:
    """Fill a single-valued field."""
    if field in REPEATABLE:
        return
    setattr(record, field, value)


def _email(record: CardRecord, _f: str, value: str, _c: str, _k: str) -> None:
    """Add the addresses in a cell (Google joins several with ' ::: ', meishi with '; ')."""
    record.emails.extend(a for a in (blank_to_none(v) for v in re.split(r" ::: |[;,]", value)) if a)


def _phone(record: CardRecord, _f: str, value: str, _c: str, _k: str) -> None:
    """Add the phone numbers in a cell."""
    record.phones.extend(p for p in (blank_to_none(v) for v in value.split(" ::: ")) if p)


def _note(record: CardRecord, _f: str, value: str, column: str, _k: str) -> None:
    """Add a note; a column that is not itself a note is named (住所: ...)."""
    plain = column.lower() in {"note", "notes", "メモ", "備考"}
    record.notes.append(value if plain else f"{column}: {value}")


def _tags(record: CardRecord, _f: str, value: str, column: str, kind: str) -> None:
    """Add tags: Eight marks a tag column with a value; Google joins labels with ' ::: '."""
    if kind == "eight":
        record.tags.append(column if value in {"1", "○", "◯", "TRUE", "true"} else value)
        return
    labels = (label.strip() for label in re.split(r" ::: |,|;", value))
    record.tags.extend(t for t in labels if t and t not in GOOGLE_SYSTEM_LABELS)


def _met_on(record: CardRecord, _f: str, value: str, column: str, _k: str) -> None:
    """The day cards were exchanged: 2024/05/10, 2024-05-10 or 2024年5月10日."""
    found = re.fullmatch(r"(\d{4})[/\-年](\d{1,2})[/\-月](\d{1,2})日?(?:\s.*)?", value)
    try:
        if found is None:
            raise ValueError
        record.met_on = dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise BadValue(f"{column} '{value}' is not a date; write 2024-05-10") from None


_FILL: dict[str, Callable[[CardRecord, str, str, str, str], None]] = {
    "email": _email,
    "phone": _phone,
    "note": _note,
    "tags": _tags,
    "met_on": _met_on,
}


# --- writing -----------------------------------------------------------------------------


def write(session: Session, _options: WriteOptions) -> Iterator[str]:
    """Every contact as a CSV line, after a BOM (which tells Excel it is UTF-8)."""
    from meishi.store.search import all_cards_in

    yield "\ufeff"
    yield from csv_lines(all_cards_in(session))


def csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The cards as CSV text, a header first, one line per contact, every cell quoted and
    none that a spreadsheet would run as a formula."""
    buffer = io.StringIO()
    # CRLF: what Excel writes and expects; every cell quoted, as OWASP recommends.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {**row, "email": EMAIL_SEPARATOR.join(row["emails"])}
        writer.writerow([formula_safe(values[c] or "") for c in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def formula_safe(cell: str) -> str:
    """The cell with a leading quote when a spreadsheet would otherwise run it as a formula.

    A cell that already starts with quotes before such a character gets one more, so that
    formula_restored gives back exactly what was written.
    """
    return f"'{cell}" if _NEUTRALIZED.match(cell) else cell


def formula_restored(cell: str) -> str:
    """A cell as it was before formula_safe: the quote it added taken off again."""
    return cell[1:] if cell.startswith("'") and _NEUTRALIZED.match(cell, 1) else cell
