"""vCard files: read (2.1, 3.0 and 4.0; one CardRecord per card, with the line it starts
on) and written (3.0 or 4.0).

vobject parses each card; meishi first joins vCard 2.1's quoted-printable soft
line breaks and decodes those values itself, because vobject decodes
CHARSET=SHIFT_JIS with Python's shift_jis codec, which refuses 髙, ① and ～.
vobject is given only the properties meishi reads, within limits.PARSED_LINES and
PARSED_LINE_BYTES: it takes about a hundred times a line's size in memory.
"""

from __future__ import annotations

import codecs
import quopri
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.errors import BadValue
from meishi.formats.textfile import (
    JAPANESE_WINDOWS,
    content_lines,
    detect_encoding,
    numbered_lines,
    property_name,
    record_too_long,
    size_of,
    too_much_to_parse,
)
from meishi.inputs import BadRecord, CardRecord, Record, reason
from meishi.text import blank_to_none

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.formats.registry import ReadOptions, WriteOptions

# vCard 2.1 charset names as phones and Outlook wrote them, read as CP932.
SHIFT_JIS_NAMES = {"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "cp932", "windows-31j"}
# The properties _record_of reads; the others are dropped before vobject sees them.
READ_PROPERTIES = {
    "VERSION",
    "FN",
    "N",
    "SORT-STRING",
    "X-PHONETIC-LAST-NAME",
    "X-PHONETIC-FIRST-NAME",
    "SOUND",
    "ORG",
    "TITLE",
    "EMAIL",
    "TEL",
    "URL",
    "ADR",
    "NOTE",
    "CATEGORIES",
}
VERSIONS = ("3.0", "4.0")  # the versions meishi writes


def reader(path: Path, _options: ReadOptions) -> Callable[[], Iterator[Record]]:
    """How to read a vCard file's records."""
    return lambda: read_vcards(path)


def read_vcards(path: Path) -> Iterator[Record]:
    """Each card in a vCard file as a record (or what is wrong with it)."""
    encoding = detect_encoding(path)
    for start, lines in _cards(path, encoding):
        if isinstance(lines, str):
            yield BadRecord(start, lines)
        else:
            yield _card_record(start, lines, encoding)


def read_vcard_text(text: str) -> Record:
    """One vCard given as text (a QR code's payload), or what is wrong with it."""
    lines = list(enumerate(text.replace("\r\n", "\n").split("\n"), start=1))
    inner = [
        (n, line)
        for n, line in lines
        if line.strip().upper() not in ("BEGIN:VCARD", "END:VCARD", "")
    ]
    return _card_record(1, inner, "utf-8")


def _cards(path: Path, encoding: str) -> Iterator[tuple[int, list[tuple[int, str]] | str]]:
    """(line, physical lines) of each BEGIN:VCARD..END:VCARD; (line, problem) for junk.

    A card longer than limits.IMPORT_RECORD_BYTES is a problem as soon as it is that long:
    its lines are let go rather than kept for vobject.
    """
    card: list[tuple[int, str]] | None = None
    start = size = 0
    for number, line in numbered_lines(path, encoding):
        upper = line.strip().upper()
        if card is None:
            if upper == "BEGIN:VCARD":
                card, start, size = [], number, 0
            elif upper:
                yield number, f"expected BEGIN:VCARD, found '{line.strip()[:40]}'"
                return
        elif upper == "END:VCARD":
            if size <= limits.IMPORT_RECORD_BYTES:
                yield start, card
            card = None
        elif size <= limits.IMPORT_RECORD_BYTES:
            size += size_of(line)
            card.append((number, line))
            if size > limits.IMPORT_RECORD_BYTES:
                card.clear()
                yield start, record_too_long("card")
    if card is not None:
        yield start, "the card is not closed: END:VCARD is missing"


def _decode_qp(line: str, encoding: str) -> str:
    """A content line with its quoted-printable value decoded, in vCard 3.0 form."""
    head, _, value = line.partition(":")
    params = head.split(";")
    upper = [p.upper() for p in params]
    if not any("QUOTED-PRINTABLE" in p for p in upper) and not any(
        p.startswith("CHARSET=") for p in upper
    ):
        return line
    charset = next((p[8:].lower() for p in upper if p.startswith("CHARSET=")), None)
    if any("QUOTED-PRINTABLE" in p for p in upper):
        raw = quopri.decodestring(value.encode(encoding if encoding != "utf-16" else "utf-8"))
        value = _text(raw, charset)
        value = value.replace("\r\n", "\n").replace("\n", "\\n")
    kept = [p for p in params if not p.upper().startswith(("ENCODING=Q", "CHARSET="))]
    kept = [p for p in kept if p.upper() != "QUOTED-PRINTABLE"]
    return ";".join(kept) + ":" + value


def _text(raw: bytes, charset: str | None) -> str:
    """Decoded bytes of a quoted-printable value: its charset, else UTF-8, else CP932."""
    if charset in SHIFT_JIS_NAMES:
        charset = JAPANESE_WINDOWS
    for name in (charset, "utf-8", JAPANESE_WINDOWS):
        if name is None:
            continue
        try:
            return raw.decode(codecs.lookup(name).name)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


def _card_record(start: int, lines: list[tuple[int, str]], encoding: str) -> Record:
    """A parsed card, or what is wrong with it (at the line of the culprit if known)."""
    import vobject

    kept = [line for line in content_lines(lines) if _read_by_meishi(line[1])]
    logical = [(number, _decode_qp(line, encoding)) for number, line in kept]
    problem = too_much_to_parse(start, logical, "one card")
    if problem is not None:
        return BadRecord(*problem)
    text = "\r\n".join(["BEGIN:VCARD", *(line for _, line in logical), "END:VCARD", ""])
    try:
        # vobject raises ParseError, ValueError, binascii errors... on odd input; any of
        # them means the card is unreadable, never that meishi should crash.
        card = vobject.readOne(text, allowQP=False)
    except Exception as error:
        number = getattr(error, "lineNumber", None)
        line = (
            logical[number - 2][0]
            if isinstance(number, int) and 2 <= number <= len(logical) + 1
            else start
        )
        return BadRecord(line, f"not a valid vCard: {reason(error)}")
    return _record_of(start, card)


def _read_by_meishi(line: str) -> bool:
    """Whether a content line is one meishi reads (a photo, a logo, a key are not)."""
    name = property_name(line)
    if name == "SOUND":  # only 2.1's reading of the name, SOUND;X-IRMC-N:
        return "X-IRMC-N" in line.partition(":")[0].upper()
    return name in READ_PROPERTIES


def _record_of(start: int, card: Any) -> CardRecord:
    """The card fields meishi keeps, read from a parsed vCard."""
    contents = card.contents
    record = CardRecord(line=start)
    record.name = _first_text(contents, "fn")
    names = contents.get("n")
    if names:
        value = names[0].value
        record.family_name = _joined(getattr(value, "family", None))
        record.given_name = _joined(getattr(value, "given", None))
        sort_as = names[0].params.get("SORT-AS")
        if sort_as:
            record.reading = _reading(" ".join(sort_as).replace(",", " "))
    record.reading = _reading(_first_text(contents, "sort-string")) or record.reading
    record.family_reading = _reading(_first_text(contents, "x-phonetic-last-name"))
    record.given_reading = _reading(_first_text(contents, "x-phonetic-first-name"))
    _irmc_reading(record, contents)
    orgs = contents.get("org")
    if orgs:
        # An unescaped comma (common in real files) makes vobject split a unit: rejoin it.
        units = (", ".join(str(u).strip() for u in _list(v)) for v in _list(orgs[0].value))
        parts = [p for p in map(blank_to_none, units) if p]
        record.company = parts[0] if parts else None
        record.department = " ".join(parts[1:]) or None
    record.title = _first_text(contents, "title")
    record.emails = [e for e in (_plain(line.value) for line in contents.get("email", [])) if e]
    record.phones = [_phone(line.value) for line in contents.get("tel", []) if _plain(line.value)]
    record.typed_phones = [
        (_phone_kind(line), _phone(line.value))
        for line in contents.get("tel", [])
        if _plain(line.value)
    ]
    record.urls = [u for u in (_plain(line.value) for line in contents.get("url", [])) if u]
    for line in contents.get("adr", [])[:1]:
        value = line.value
        names = ("box", "extended", "street", "city", "region", "code", "country")
        record.address_parts = [_joined(getattr(value, name, None)) or "" for name in names]
    record.notes = [n for n in (_plain(line.value) for line in contents.get("note", [])) if n]
    for line in contents.get("categories", []):
        record.tags.extend(t for t in (blank_to_none(str(v)) for v in _list(line.value)) if t)
    return record


def _phone_kind(line: Any) -> str:
    """phone, mobile or fax, from a TEL line's TYPE parameters."""
    kinds = {kind.upper() for value in line.params.get("TYPE", []) for kind in value.split(",")}
    return "fax" if "FAX" in kinds else "mobile" if "CELL" in kinds else "phone"


def _irmc_reading(record: CardRecord, contents: dict[str, Any]) -> None:
    """The reading from vCard 2.1's SOUND;X-IRMC-N:family;given (Japanese phones)."""
    for line in contents.get("sound", []):
        if "X-IRMC-N" in [p.upper() for p in line.singletonparams]:
            family, _, rest = str(line.value).partition(";")
            record.family_reading = record.family_reading or _reading(family)
            record.given_reading = record.given_reading or _reading(rest.partition(";")[0])


def _first_text(contents: dict[str, Any], name: str) -> str | None:
    """The first value of a property as stripped text, or None."""
    for line in contents.get(name, []):
        value = _plain(line.value)
        if value:
            return value
    return None


def _plain(value: Any) -> str | None:
    """A property value as one stripped text (lists joined), or None."""
    return blank_to_none(_joined(value))


def _joined(value: Any) -> str | None:
    """Text from a value that may be a list of texts."""
    if value is None or isinstance(value, bytes):
        return None
    return " ".join(str(v) for v in _list(value) if v) or None


def _list(value: Any) -> list[Any]:
    """A value as a list."""
    return list(value) if isinstance(value, list | tuple) else [value]


def _phone(value: Any) -> str:
    """A phone number, without the tel: of a vCard 4.0 URI."""
    text = _plain(value) or ""
    return text[4:] if text.lower().startswith("tel:") else text


def _reading(text: str | None) -> str | None:
    """A reading with half-width katakana made full-width (ﾀﾅｶ → タナカ)."""
    text = blank_to_none(text)
    return unicodedata.normalize("NFKC", text) if text else None


# --- writing -----------------------------------------------------------------------------


def write(session: Session, options: WriteOptions) -> Iterator[str]:
    """Every contact as a vCard, oldest first."""
    from meishi.store.search import all_cards_in

    return vcards(all_cards_in(session), options.version)


def vcards(rows: Iterator[dict[str, Any]], version: str = "3.0") -> Iterator[str]:
    """Each card as a vCard: 3.0 (what iOS and macOS Contacts read) or 4.0."""
    if version not in VERSIONS:
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
    if row["reading"]:
        _add_reading(card, name, row["reading"], version)
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


def _add_reading(card: Any, name: Any, reading: str, version: str) -> None:
    """The reading of the name, where each version and each phone's contacts look for it."""
    family_reading, _, given_reading = reading.partition(" ")
    if version == "3.0":
        card.add("sort-string").value = reading
    else:  # 4.0 dropped SORT-STRING; the reading goes on N
        name.params["SORT-AS"] = [family_reading, given_reading] if given_reading else [reading]
    # What iOS, macOS and Android Contacts show as the phonetic name.
    card.add("x-phonetic-last-name").value = family_reading
    if given_reading:
        card.add("x-phonetic-first-name").value = given_reading


def _org(company: str | None, department: str | None) -> list[str]:
    """ORG's components: the company, then the department."""
    return [company or "", *([department] if department else [])]
