"""Line wrapping of draft bodies: display widths, and where Japanese and English lines may break.

Japanese lines break between phrases, as BudouX (Google's phrase segmenter) finds them,
preferably after 、 and 。; never inside a number, a Latin word, or a name the draft
names (passed as `keep`); and no short orphan line is left. English lines break at spaces.
"""

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import budoux

# Japanese business mail keeps lines to about 35 full-width characters.
WRAP_WIDTH = {"ja": 70, "en": 72}
# A wrapped line this short (in characters) is an orphan: the line above gives it company.
ORPHAN_CHARS = 3
# A break after 、 or 。 is preferred when the line it ends fills at least this share.
PUNCTUATION_FILL = 0.5
# Kinsoku: characters that may not begin a line, and ones that may not end it.
_NO_LINE_START = frozenset(
    "、。，．・：；？！‼⁇⁈⁉ー」』）］｝〕〉》】〙〗〟’”｠»"
    "ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    ")]},.!?:;"
)
_NO_LINE_END = frozenset("「『（［｛〔〈《【〘〖〝‘“｟«([{")
_CLAUSE_ENDS = frozenset("、。，．！？")
# Units of a Japanese organization, for cutting a long department name one unit a line.
_DEPARTMENT_UNIT = re.compile(r".+?(?:本部|事業部|部|課|室|局|所|センター|グループ|チーム)|.+")


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


def wrap_body(text: str, lang: str, keep: Iterable[str] = ()) -> str:
    """Wrap the lines wider than lang's width; lines that fit are left as they are.

    keep: names and phrases a Japanese line is not to be broken inside, where it can be.
    """
    width = WRAP_WIDTH[lang]
    names = [name for name in set(keep) if len(name) > 1 and display_width(name) <= width]
    return "\n".join("\n".join(_wrap_line(line, width, lang, names)) for line in text.split("\n"))


def department_lines(department: str, title: str, lang: str) -> list[str]:
    """The 宛名 lines for a department and a title: one line if they fit, else one unit a line."""
    width = WRAP_WIDTH[lang]
    whole = " ".join(part for part in (department, title) if part)
    if display_width(whole) <= width:
        return [whole] if whole else []
    units = [unit for part in department.split() for unit in _DEPARTMENT_UNIT.findall(part)]
    if title and display_width(f"{units[-1]} {title}") <= width:
        return [*units[:-1], f"{units[-1]} {title}"]
    return [*units, title] if title else units


def _wrap_line(line: str, width: int, lang: str, keep: Sequence[str]) -> list[str]:
    """A line as lines of at most width columns; an unbreakable piece (a URL) stays whole."""
    if display_width(line) <= width:
        return [line]
    possible = [i for i in range(1, len(line)) if _may_break(line[i - 1], line[i], lang)]
    inside = _inside(line, keep)
    outside = [cut for cut in possible if cut not in inside]
    phrases = _phrase_breaks(line, outside) if lang == "ja" else possible
    # Breaks from best to worst: between phrases; anywhere but inside a name; anywhere.
    tiers = (phrases, outside, possible)
    cuts = _without_orphans(line, width, _fill(line, width, tiers), tiers)
    return [
        line[start:end].rstrip() for start, end in zip([0, *cuts], [*cuts, len(line)], strict=True)
    ]


def _fill(line: str, width: int, tiers: Sequence[list[int]]) -> list[int]:
    """Where to cut, filling each line as far as it goes, at the best breaks that allow."""
    cuts: list[int] = []
    start = 0
    while display_width(line[start:].rstrip()) > width:
        cut = _best_cut(line, start, width, tiers)
        if cut is None:
            break
        cuts.append(cut)
        start = cut
    return cuts


def _best_cut(line: str, start: int, width: int, tiers: Sequence[list[int]]) -> int | None:
    """The cut ending the line that starts at start: after 、 or 。 when that fills the line
    well enough, else the last fitting break of the best tier that has one, else the first
    break past the width (nothing fits: a long URL)."""
    fits = _fitting(line, start, width)
    in_phrases = [cut for cut in tiers[0] if cut > start and fits(cut)]
    clauses = [cut for cut in in_phrases if line[cut - 1] in _CLAUSE_ENDS]
    if clauses and display_width(line[start : clauses[-1]]) >= width * PUNCTUATION_FILL:
        return clauses[-1]
    for breaks in tiers:
        fitting = [cut for cut in breaks if cut > start and fits(cut)]
        if fitting:
            return fitting[-1]
    beyond = [cut for cut in tiers[-1] if cut > start]
    return beyond[0] if beyond else None


def _fitting(line: str, start: int, width: int) -> Callable[[int], bool]:
    """Whether a cut leaves the line from start within width."""
    return lambda cut: display_width(line[start:cut].rstrip()) <= width


def _without_orphans(
    line: str, width: int, cuts: list[int], tiers: Sequence[list[int]]
) -> list[int]:
    """The cuts, each line of ORPHAN_CHARS or fewer given company from the line above."""
    cuts = list(cuts)
    for index in range(len(cuts)):
        start = cuts[index - 1] if index else 0
        end = cuts[index + 1] if index + 1 < len(cuts) else len(line)
        if len(line[cuts[index] : end].strip()) > ORPHAN_CHARS:
            continue
        fits = _fitting_before(line, end, width)
        for breaks in tiers:
            earlier = [cut for cut in breaks if start < cut < cuts[index] and fits(cut)]
            if earlier:
                cuts[index] = earlier[-1]
                break
    return cuts


def _fitting_before(line: str, end: int, width: int) -> Callable[[int], bool]:
    """Whether a cut leaves the line up to end within width."""
    return lambda cut: display_width(line[cut:end].rstrip()) <= width


def _phrase_breaks(line: str, allowed: Collection[int]) -> list[int]:
    """The allowed places where a Japanese line breaks between phrases: between BudouX
    phrases, and after spaces and clause ends."""
    boundaries = set(_budoux_boundaries(line))
    boundaries.update(i for i in range(1, len(line)) if line[i - 1] in _CLAUSE_ENDS)
    boundaries.update(i for i in range(1, len(line)) if line[i - 1].isspace())
    return sorted(boundaries.intersection(allowed))


def _inside(line: str, keep: Sequence[str]) -> set[int]:
    """The places strictly inside an occurrence of a kept name."""
    places: set[int] = set()
    for name in keep:
        for found in re.finditer(re.escape(name), line):
            places.update(range(found.start() + 1, found.end()))
    return places


def _is_alnum(char: str) -> bool:
    """A digit or Latin letter, full-width ones included (a number or a word)."""
    return unicodedata.normalize("NFKC", char).isascii() and char.isalnum()


def _budoux_boundaries(line: str) -> Iterable[int]:
    """Where BudouX ends a phrase in line."""
    position = 0
    for phrase in _parser().parse(line)[:-1]:
        position += len(phrase)
        yield position


@cache
def _parser() -> "budoux.Parser":
    """BudouX's Japanese model (loaded once, on the first Japanese line to wrap)."""
    import budoux

    return budoux.load_default_japanese_parser()


def _may_break(before: str, after: str, lang: str) -> bool:
    """Whether a line may end between two characters: after spaces, or around Japanese."""
    if after.isspace() or (_is_alnum(before) and _is_alnum(after)):  # a word or a number
        return False
    if lang == "ja" and (after in _NO_LINE_START or before in _NO_LINE_END):
        # Kinsoku: the character before moves down with the punctuation (oidashi),
        # so the line stays within its width.
        return False
    return before.isspace() or (lang == "ja" and (_is_wide(before) or _is_wide(after)))
