"""Small text helpers shared by the domain modules."""

import unicodedata

JAPANESE_BLOCKS = ("CJK UNIFIED", "HIRAGANA", "KATAKANA", "CJK COMPATIBILITY IDEOGRAPH")


def blank_to_none(value: str | None) -> str | None:
    """Stripped text, with empty meaning not given."""
    value = (value or "").strip()
    return value or None


def one_of(choices: list[str]) -> str:
    """Choices as a sentence offers them: 'a', 'a or b', 'a, b or c'."""
    return ", ".join(choices[:-1]) + (" or " if len(choices) > 1 else "") + choices[-1]


def escape_like(text: str) -> str:
    """Text for a LIKE pattern, its wildcards matched literally (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


# Katakana (ァ..ヶ) sit 0x60 above their hiragana; folding them lets たなか find タナカ.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def fold(*texts: str | None) -> str:
    """Text as the search index keeps it: NFKC, case-folded, kana as hiragana, no spaces.

    NFKC makes full- and half-width forms one (ＡＢＣ, ｶﾀｶﾅ); several texts are
    joined with '|' so that a match never spans two of them.
    """
    joined = "|".join(text for text in texts if text)
    folded = unicodedata.normalize("NFKC", joined).casefold().translate(_KATAKANA_TO_HIRAGANA)
    return "".join(folded.split())


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun, plural when not one: 1 topic, 2 topics."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
