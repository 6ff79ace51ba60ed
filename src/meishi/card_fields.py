"""The card-field table: every thing a card can say, its label, its longest length and
where it goes (a contact column, a line of `contacts show`, the CSV export, the scanner).

Apart from inputs.py, whose records the format readers build: the read commands (search,
`contacts show`) need the table alone, and it is plain tuples, quick to import.
"""

from __future__ import annotations

from typing import NamedTuple

from meishi import limits

LANGUAGES = ("ja", "en")


class CardField(NamedTuple):
    """One thing a card says: its name, how a prompt asks for it, and where it goes."""

    name: str
    label: str
    most: int  # its longest length in characters; 0 for a choice or a date
    where: frozenset[str]


# Where a field goes (the `where` of each row below):
COLUMN = "column"  # a column of the contact (its listings and --json show it)
FILLS = "fills"  # filled in later from a card with the same email, or by a merge
SHOWN = "shown"  # a line of `contacts show`
CSV = "csv"  # a column of meishi's CSV export
MAPPED = "mapped"  # a CSV column (or --map) can fill it
REPEATS = "repeats"  # several CSV columns may fill it
SCANNED = "scanned"  # the scanner reads it from a card image
KEPT = "kept"  # no contact column holds it: it is kept beside the card's image


def _field(name: str, label: str, most: int, *where: str) -> CardField:
    """A row of the card-field table."""
    return CardField(name, label, most, frozenset(where))


_NAME, _TEXT = limits.NAME_CHARS, limits.CARD_FIELD_CHARS
# Every card field, once, in the order of the CSV export (and of every list made from it).
CARD_FIELD_TABLE = (
    _field("name", "Name", _NAME, CSV, MAPPED, SCANNED),
    _field("reading", "Reading (furigana)", _NAME, COLUMN, FILLS, SHOWN, CSV, MAPPED, SCANNED),
    _field("family_name", "Family name", _NAME, COLUMN, CSV, MAPPED),
    _field("given_name", "Given name", _NAME, COLUMN, CSV, MAPPED),
    _field("family_reading", "Family name's reading", _NAME, MAPPED),
    _field("given_reading", "Given name's reading", _NAME, MAPPED),
    _field("company", "Company", _TEXT, COLUMN, FILLS, SHOWN, CSV, MAPPED, SCANNED),
    _field("department", "Department", _TEXT, COLUMN, FILLS, SHOWN, CSV, MAPPED, SCANNED),
    _field("title", "Title", _TEXT, COLUMN, FILLS, SHOWN, CSV, MAPPED, SCANNED),
    _field("email", "Email", limits.EMAIL_CHARS, CSV, MAPPED, REPEATS, SCANNED),
    _field("phone", "Phone", _TEXT, COLUMN, FILLS, SHOWN, CSV, MAPPED, REPEATS, SCANNED),
    _field("mobile", "Mobile", _TEXT, SCANNED, KEPT),
    _field("fax", "Fax", _TEXT, SCANNED, KEPT),
    _field("url", "URL", _TEXT, SCANNED, KEPT),
    _field("postal_code", "Postal code", _TEXT, SCANNED, KEPT),
    _field("address", "Address", _TEXT, SCANNED, KEPT),
    _field("lang", "Language for mail", 0, COLUMN, FILLS, SHOWN),
    _field("note", "Note", limits.NOTE_CHARS, COLUMN, SHOWN, CSV, MAPPED, REPEATS),
    _field("tags", "Tags", 0, MAPPED, REPEATS),
    _field("met_on", "Met on", 0, MAPPED),
)


def card_fields(where: str) -> tuple[str, ...]:
    """The names of the card fields that go there, in the table's order."""
    return tuple(row.name for row in CARD_FIELD_TABLE if where in row.where)


def card_field(name: str) -> CardField:
    """A card field's row of the table."""
    return next(row for row in CARD_FIELD_TABLE if row.name == name)


# Card fields that may be filled in later from a card with the same email.
CARD_FIELDS = card_fields(FILLS)
# The card's one-line texts (a line break here is never legitimate and could reach a
# header), each with its longest length.
CARD_TEXTS = {row.name: row.most for row in CARD_FIELD_TABLE if FILLS in row.where and row.most}

# The card fields a CSV column (or --map) can fill; several columns may fill
# email, phone, note and tags.
FIELDS = card_fields(MAPPED)
REPEATABLE = card_fields(REPEATS)
