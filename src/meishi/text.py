"""Small text helpers shared by the domain modules."""

import unicodedata

from meishi.errors import BadValue

JAPANESE_BLOCKS = ("CJK UNIFIED", "HIRAGANA", "KATAKANA", "CJK COMPATIBILITY IDEOGRAPH")


def blank_to_none(value: str | None) -> str | None:
    """Stripped text, with empty meaning not given."""
    value = (value or "").strip()
    return value or None


def required(value: str | None, what: str) -> str:
    """Stripped text that must not be empty."""
    value = blank_to_none(value)
    if value is None:
        raise BadValue(f"the {what} is empty; give one")
    return value


def has_japanese(text: str | None) -> bool:
    """True when the text holds kana or kanji."""
    return any(_is_japanese_char(char) for char in text or "")


def _is_japanese_char(char: str) -> bool:
    """True for hiragana, katakana (full or half width) and CJK ideographs."""
    if char.isascii() or not char.isalpha():
        return char in "々〆ヶ"
    return unicodedata.name(char, "").startswith(JAPANESE_BLOCKS) or "HALFWIDTH KATAKANA" in (
        unicodedata.name(char, "")
    )


def split_name(full_name: str) -> tuple[str | None, str | None]:
    """(family, given) from a full name, when a space or comma shows the split."""
    if "," in full_name:  # "Smith, John"
        family, _, given = full_name.partition(",")
        return blank_to_none(family), blank_to_none(given)
    parts = full_name.replace("\u3000", " ").split()
    if len(parts) < 2:
        return None, None
    if has_japanese(full_name):  # 田中 太郎: family name first
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])
