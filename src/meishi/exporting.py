"""Exporting contacts for other programs: vCard (3.0 or 4.0) and CSV.

The complete JSON dump is formats/json_dump.py's; this module writes what address books read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from meishi.errors import BadValue

VCARD_VERSIONS = ("3.0", "4.0")
CSV_COLUMNS = (
    "name",
    "reading",
    "family_name",
    "given_name",
    "company",
    "department",
    "title",
    "email",
    "phone",
    "note",
)
EMAIL_SEPARATOR = "; "  # several addresses in one CSV cell; import splits them again
# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list, and the
# full-width forms Japanese spreadsheets also accept); such a cell gets a leading quote.
FORMULA_STARTS = "=+-@\t\r＝＋－＠"
_NEUTRALIZED = re.compile(f"'*[{re.escape(FORMULA_STARTS)}]")


def vcards(rows: Iterator[dict[str, Any]], version: str = "3.0") -> Iterator[str]:
    """Each card as a vCard: 3.0 (what iOS and macOS Contacts read) or 4.0."""
    if version not in VCARD_VERSIONS:
        raise BadValue(f"unknown vCard version '{version}'; use 3.0 or 4.0")
    for row in rows:
        yield _vcard(row, version).serialize()


def _vcard(row: dict[str, Any], version: str) -> Any:
    """One card as a vobject component."""
    import vobject

    card = vobject.vCard()
    card.add("version").value = version
    card.add("uid").value = f"meishi-contact-{row['id']}"
    card.add("fn").value = row["name"]
    name = card.add("n")
    name.value = vobject.vcard.Name(family=row["family_name"] or "", given=row["given_name"] or "")
    if not (row["family_name"] or row["given_name"]):
        name.value = vobject.vcard.Name(family=row["name"])
    reading = row["reading"]
    if reading:
        family_reading, _, given_reading = reading.partition(" ")
        if version == "3.0":
            card.add("sort-string").value = reading
        else:  # 4.0 dropped SORT-STRING; the reading goes on N
            name.params["SORT-AS"] = [family_reading, given_reading] if given_reading else [reading]
        # What iOS, macOS and Android Contacts show as the phonetic name.
        card.add("x-phonetic-last-name").value = family_reading
        if given_reading:
            card.add("x-phonetic-first-name").value = given_reading
    if row["company"] or row["department"]:
        card.add("org").value = _org(row["company"], row["department"])
    if row["title"]:
        card.add("title").value = row["title"]
    for address in row["emails"]:
        card.add("email").value = address
    for phone in (row["phone"] or "").split(", "):
        if phone.strip():
            card.add("tel").value = phone.strip()
    if row["note"]:
        card.add("note").value = row["note"]
    return card


def _org(company: str | None, department: str | None) -> list[str]:
    """ORG's components: the company, then the department."""
    return [company or "", *([department] if department else [])]


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
