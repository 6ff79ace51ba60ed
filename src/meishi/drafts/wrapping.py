"""Line wrapping of draft bodies: display widths, and where Japanese and English lines may break."""

import unicodedata

# Japanese business mail keeps lines to about 35 full-width characters.
WRAP_WIDTH = {"ja": 70, "en": 72}
# Kinsoku: characters that may not begin a line, and ones that may not end it.
_NO_LINE_START = frozenset(
    "、。，．・：；？！‼⁇⁈⁉ー」』）］｝〕〉》】〙〗〟’”｠»"
    "ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    ")]},.!?:;"
)
_NO_LINE_END = frozenset("「『（［｛〔〈《【〘〖〝‘“｟«([{")


def display_width(text: str) -> int:
    """Columns text takes in a terminal or mail window: wide characters count 2."""
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> int:
    """0 for combining marks and format characters, 2 for wide ones, else 1."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if _is_wide(char) else 1


def _is_wide(char: str) -> bool:
    """Whether a character is East Asian Wide or Fullwidth."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def wrap_body(text: str, lang: str) -> str:
    """Wrap the lines wider than lang's width; lines that fit are left as they are."""
    width = WRAP_WIDTH[lang]
    return "\n".join("\n".join(_wrap_line(line, width, lang)) for line in text.split("\n"))


def _wrap_line(line: str, width: int, lang: str) -> list[str]:
    """A line as lines of at most width columns; an unbreakable piece (a URL) stays whole."""
    if display_width(line) <= width:
        return [line]
    lines: list[str] = []
    current = ""
    for piece in _pieces(line, lang):
        if current.strip() and display_width(current + piece.rstrip()) > width:
            lines.append(current.rstrip())
            current = ""
        current += piece
    return [*lines, current.rstrip()]


def _pieces(line: str, lang: str) -> list[str]:
    """A line cut at every point where it may break."""
    cuts = [i for i in range(1, len(line)) if _may_break(line[i - 1], line[i], lang)]
    return [line[start:end] for start, end in zip([0, *cuts], [*cuts, len(line)], strict=True)]


def _may_break(before: str, after: str, lang: str) -> bool:
    """Whether a line may end between two characters: after spaces, or around Japanese."""
    if after.isspace():
        return False
    if lang == "ja" and (after in _NO_LINE_START or before in _NO_LINE_END):
        # Kinsoku: the character before moves down with the punctuation (oidashi),
        # so the line stays within its width.
        return False
    return before.isspace() or (lang == "ja" and (_is_wide(before) or _is_wide(after)))
