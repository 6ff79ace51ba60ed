"""The checks every way into meishi applies: typed options, prompts, imported files, restores.

Pure: no database. Each check says what was wrong in the user's words and the
bound it broke (the bounds themselves live in limits.py).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from meishi import limits
from meishi.errors import BadDate, BadValue

# Invisible characters that reorder or hide text: a name holding one can show as
# another name (or a file name as another file), so they are refused at input.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Line breaks that unicodedata does not class as control characters (Cc).
LINE_SEPARATORS = frozenset("\u2028\u2029")
# What a multi-line text (a note, a signature, a body) may hold besides printable text.
LINE_CONTROLS = frozenset("\n\t")


# The characters of Unicode's categories Cc (controls) and Cs (surrogates: what Python makes
# of bytes that are not UTF-8), whole, as a regex range; one search is much faster than
# asking unicodedata of each character, which an import of 10,000 cards felt.
_CONTROLS_AND_SURROGATES = r"\x00-\x1f\x7f-\x9f\ud800-\udfff"
_INVISIBLE = "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH))
_REFUSED_IN_LINE = re.compile(
    f"[{_CONTROLS_AND_SURROGATES}{_INVISIBLE}{''.join(sorted(LINE_SEPARATORS))}]"
)
_REFUSED_IN_LINES = re.compile(
    f"(?![{''.join(LINE_CONTROLS)}])[{_CONTROLS_AND_SURROGATES}{_INVISIBLE}]"
)


def forbidden_char(text: str, lines: bool = False) -> str | None:
    """The first character refused in such text (one line, or several), or None."""
    found = (_REFUSED_IN_LINES if lines else _REFUSED_IN_LINE).search(text)
    return found.group() if found else None


def describe(char: str) -> str:
    """What a refused character is, in words, with its code point."""
    code = f"(U+{ord(char):04X})"
    if unicodedata.category(char) == "Cs":  # what Python makes of bytes that are not UTF-8
        return f"bytes that are not valid UTF-8 {code}"
    if char in BIDI_CONTROLS:
        return f"an invisible text-direction override {code}"
    if char in ZERO_WIDTH:
        return f"an invisible zero-width character {code}"
    return f"a line break or control character {code}"


def check_chars(text: str, what: str, lines: bool = False) -> str:
    """The text, if it holds no character refused in it."""
    char = forbidden_char(text, lines)
    if char is not None:
        raise BadValue(f"the {what} contains {describe(char)}; remove it and try again")
    return text


def check_text(value: str, what: str, limit: int, lines: bool = False) -> str:
    """The text stripped (line ends as \\n), if its characters and length are allowed."""
    if lines:  # a note pasted from Windows: CR LF is a line break, not a control character
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = check_chars(value, what, lines).strip()  # checked first: a leading CR is refused too
    return check_length(value, what, limit)


def check_length(text: str, what: str, limit: int) -> str:
    """The text, if it is no longer than limit characters."""
    if len(text) > limit:
        raise BadValue(
            f"the {what} is {len(text):,} characters long; at most {limit:,} are allowed"
        )
    return text


def optional_text(value: str | None, what: str, limit: int, lines: bool = False) -> str | None:
    """Checked text, with empty meaning not given."""
    if value is None:
        return None
    return check_text(value, what, limit, lines) or None


def required_text(value: str | None, what: str, limit: int, lines: bool = False) -> str:
    """Checked text that must not be empty."""
    text = optional_text(value, what, limit, lines)
    if text is None:
        raise BadValue(f"the {what} is empty; give one")
    return text


def check_count(count: int, limit: int, what: str, owner: str, would: bool = False) -> None:
    """Refuse more than limit of a repeatable thing (emails of a contact, topics of a meeting)."""
    if count > limit:
        has = "would have" if would else "has"
        raise BadValue(f"{owner} {has} {count:,} {what}; at most {limit:,} are allowed")


def check_choice(value: str, choices: Iterable[str], what: str) -> str:
    """One of the known values."""
    known = tuple(choices)
    if value not in known:
        raise BadValue(f"unknown {what} {_shown(value)}; use one of: {', '.join(known)}")
    return value


def check_amount(value: int, what: str, hint: str, smallest: int = 0) -> int:
    """A yen amount from smallest to limits.AMOUNT_MAX."""
    if not smallest <= value <= limits.AMOUNT_MAX:
        raise BadValue(
            f"invalid {what} {_cut(str(value))}; {hint}, "
            f"from {smallest:,} to {limits.AMOUNT_MAX:,} yen"
        )
    return value


def id_in(text: str) -> int | None:
    """The id a text names when it is a number an id can be (full-width digits too), else None."""
    text = text.strip()
    if not text.isdecimal() or len(text) > len(str(limits.ID_MAX)):
        return None
    number = int(text)
    return number if number <= limits.ID_MAX else None


def is_id(number: int) -> bool:
    """True for a number that can be a stored row's id (SQLite's integers are 64-bit)."""
    return 0 < number <= limits.ID_MAX


def check_date(day: dt.date, what: str = "date") -> dt.date:
    """A date from limits.EARLIEST_YEAR to limits.LATEST_YEAR."""
    if not limits.EARLIEST_YEAR <= day.year <= limits.LATEST_YEAR:
        raise BadDate(
            f"the {what} {day.isoformat()[:10]} is out of range; give a date from "
            f"{limits.EARLIEST_YEAR} to {limits.LATEST_YEAR}"
        )
    return day


def check_arguments(arguments: Iterable[str]) -> None:
    """Refuse a command-line argument that is not valid UTF-8 (Python keeps such bytes as
    lone surrogates, which nothing downstream can store or print)."""
    for argument in arguments:
        if any(unicodedata.category(char) == "Cs" for char in argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise BadValue(
                f"the argument {_shown(shown)} is not valid UTF-8 text; "
                "retype it, or set the terminal to UTF-8"
            )


def _shown(text: str) -> str:
    """A value quoted for a message, cut short when long."""
    return f"'{_cut(text)}'"


def _cut(text: str, most: int = 60) -> str:
    """Text cut short for a message when long."""
    return text if len(text) <= most else text[:most] + "…"
