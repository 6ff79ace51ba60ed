"""How a draft in English names a person: a Latin-script name, never one in kanji."""

import unicodedata

# Passport Hepburn writes a long vowel as one letter: さとう → Sato, おおの → Ono.
_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"))


def is_latin(text: str) -> bool:
    """Whether text is written in Latin letters (accents allowed), not in Japanese."""
    letters = [char for char in text if char.isalpha()]
    return bool(text.strip()) and all("LATIN" in unicodedata.name(char, "") for char in letters)


def latin_name(full_name: str, reading: str) -> str:
    """The person's name in Latin letters, given name first: the name itself, a romaji
    reading, or a kana reading with a space between family and given name; else ""."""
    if is_latin(full_name):
        return full_name
    if is_latin(reading):
        return reading.strip()
    parts = reading.split()
    if len(parts) != 2 or not all(_is_kana(part) for part in parts):
        return ""  # without the space, where the family name ends is unknown
    family, given = (_romaji(part) for part in parts)
    return f"{given} {family}"


def _is_kana(text: str) -> bool:
    """Whether text is all hiragana or katakana."""
    return all(
        "HIRAGANA" in unicodedata.name(c, "") or "KATAKANA" in unicodedata.name(c, "") for c in text
    )


def _romaji(kana: str) -> str:
    """A kana name in passport Hepburn, capitalised: さとう → Sato, じゅんいち → Junichi."""
    import jaconv

    text = jaconv.kana2alphabet(jaconv.kata2hira(unicodedata.normalize("NFKC", kana)))
    for long, short in _LONG_VOWELS:
        text = text.replace(long, short)
    return text.replace("ー", "").capitalize()
