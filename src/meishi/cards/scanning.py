"""Reading business-card images: QR codes with zxing-cpp, text with Tesseract, kept copies.

The decisions about what the text means live in meishi.cards.fields; this module
only turns an image into codes and positioned words, and keeps the image.
Pillow, zxing-cpp and pytesseract are the optional `scan` extra and load only here.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.cards.fields import CONFIDENT, CardFields, Line, Word, merge, parse_code, read_lines
from meishi.errors import BadValue, ScanUnavailable
from meishi.text import has_japanese

if TYPE_CHECKING:
    from PIL.Image import Image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif")
INSTALL_EXTRA = "pip install 'meishi[scan]'"
INSTALL_TESSERACT = (
    "Tesseract is not installed, so only QR codes are read; to read the printed text "
    "install it: sudo apt-get install tesseract-ocr tesseract-ocr-jpn "
    "(macOS: brew install tesseract tesseract-lang)"
)
# Tesseract reads glyphs best at this size; phone photos are scaled down to it, small scans up.
WORKING_WIDTH = 1600
SKEW_ANGLES = [step / 2 for step in range(-10, 11)]  # -5 to 5 degrees
MIN_WORD_CONFIDENCE = 20.0  # below this a "word" is usually a speck or part of a logo
REREAD_LINES = 4  # doubtful lines read again on their own, at most this many
REREAD_HEIGHT = 40  # pixels: a line read alone is scaled to this glyph height


@dataclass
class Scan:
    """What was read from one image."""

    path: Path
    fields: CardFields
    from_code: bool  # a vCard or MECARD QR code was decoded
    text: str = ""  # what OCR saw, line by line
    notes: list[str] = field(default_factory=list)


def image_files(paths: Iterable[Path]) -> list[Path]:
    """The images named, a folder standing for every image directly in it (sorted by name)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not images:
                raise BadValue(f"{path}: no images in this folder ({', '.join(IMAGE_SUFFIXES)})")
            found.extend(images)
        else:
            found.append(path)
    return found


def require_libraries() -> None:
    """Refuse clearly when the scan extra is not installed."""
    try:
        import PIL  # noqa: F401
        import zxingcpp  # noqa: F401
    except ImportError as missing:
        raise ScanUnavailable(
            f"scanning needs {missing.name}, which is not installed: {INSTALL_EXTRA}"
        ) from None


def load(path: Path) -> Image:
    """The image in a file, upright as the camera saw it; BadValue when it is not an image,
    or one with more than limits.IMAGE_PIXELS pixels (told by its header, before decoding)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    # Pillow checks the size when it opens a file: it warns past MAX_IMAGE_PIXELS and
    # refuses past twice that; both mean a decompression bomb here.
    Image.MAX_IMAGE_PIXELS = limits.IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise BadValue(
            f"{path}: the image has more than {limits.IMAGE_PIXELS:,} pixels, far more "
            "than a card's photo; scale it down"
        ) from None
    except FileNotFoundError:
        raise BadValue(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadValue(f"{path}: is a folder") from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        detail = "not an image" if isinstance(error, UnidentifiedImageError) else str(error)
        raise BadValue(f"{path}: cannot read the image ({detail})") from None
    return image.convert("RGB")


def decode_codes(image: Image) -> CardFields | None:
    """The fields of the first vCard or MECARD QR code in the image, or None.

    Every code found is painted over in the image, so that OCR does not read its
    modules as text.
    """
    import zxingcpp
    from PIL import ImageDraw

    found = None
    for code in zxingcpp.read_barcodes(image):
        corners = code.position
        points = [
            (p.x, p.y)
            for p in (
                corners.top_left,
                corners.top_right,
                corners.bottom_right,
                corners.bottom_left,
            )
        ]
        ImageDraw.Draw(image).polygon(points, fill="white", outline="white", width=12)
        found = found or parse_code(code.text)
    return found


def tesseract_command() -> str | None:
    """The tesseract program on PATH, or None when it is not installed."""
    return shutil.which("tesseract")


def tesseract_languages(command: str) -> str:
    """Japanese and English when both are installed, else what there is of them."""
    done = subprocess.run([command, "--list-langs"], capture_output=True, text=True, check=False)
    known = set(done.stdout.split())
    wanted = [lang for lang in ("jpn", "eng") if lang in known]
    return "+".join(wanted) or "eng"


def scan(path: Path, ocr: bool = True) -> Scan:
    """Read one card: its QR code first, then (when Tesseract is there) its printed text."""
    image = load(path)
    code = decode_codes(image)
    command = tesseract_command() if ocr else None
    if command is None:
        notes = [INSTALL_TESSERACT] if ocr else []
        return Scan(path, code or CardFields(), code is not None, notes=notes)
    lines = read_text(image, command)
    text = "\n".join(line.text for line in lines)
    return Scan(path, merge(code, read_lines(lines)), code is not None, text)


def read_text(image: Image, command: str) -> list[Line]:
    """The card's lines of words, after cleaning, straightening and turning it upright."""
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = command
    languages = tesseract_languages(command)
    clean = straighten(prepare(image))
    lines = ocr_lines(clean, languages)
    if _legible(lines) < 3:  # upside down or on its side: let Tesseract's OSD say which
        for turned in _turned(clean):
            again = ocr_lines(turned, languages)
            if _legible(again) > _legible(lines):
                clean, lines = turned, again
    return reread_doubtful(clean, lines, languages)


def prepare(image: Image) -> Image:
    """Grey, at the working size, contrast stretched and specks removed."""
    from PIL import Image as PILImage
    from PIL import ImageFilter, ImageOps

    grey = ImageOps.grayscale(image)
    scale = WORKING_WIDTH / max(grey.size)
    if not 0.8 < scale < 1.25:
        size = (round(grey.width * scale), round(grey.height * scale))
        grey = grey.resize(size, PILImage.Resampling.LANCZOS)
    return ImageOps.autocontrast(grey, cutoff=1).filter(ImageFilter.MedianFilter(3))


def straighten(image: Image) -> Image:
    """The image turned by the small angle at which its text rows line up best."""
    from PIL import Image as PILImage
    from PIL import ImageOps, ImageStat

    small = ImageOps.invert(image.resize((image.width // 3, image.height // 3)))

    def row_contrast(angle: float) -> float:
        turned = small.rotate(angle, resample=PILImage.Resampling.BILINEAR)
        rows = turned.resize((1, turned.height), PILImage.Resampling.BOX)
        return float(ImageStat.Stat(rows).var[0])

    angle = max(SKEW_ANGLES, key=lambda a: (row_contrast(a), -abs(a)))
    if angle == 0:
        return image
    return image.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=255)


def _turned(image: Image) -> list[Image]:
    """The image turned upright as OSD sees it, or else each quarter turn to try."""
    import pytesseract
    from PIL import Image as PILImage

    try:
        rotate = int(pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)["rotate"])
        angles = [rotate] if rotate else []
    except (pytesseract.TesseractError, KeyError, ValueError):
        angles = [90, 180, 270]
    # OSD's `rotate` is clockwise; Pillow turns counter-clockwise.
    return [
        image.rotate(-angle, expand=True, resample=PILImage.Resampling.NEAREST) for angle in angles
    ]


def _legible(lines: Sequence[Line]) -> int:
    """How many lines were read with confidence: the measure of which way up reads better."""
    return sum(1 for line in lines if line.confidence >= CONFIDENT and len(line.text) >= 3)


def ocr_lines(image: Image, languages: str, psm: int = 3) -> list[Line]:
    """Tesseract's words on the image, grouped into lines top to bottom."""
    import pytesseract

    data = pytesseract.image_to_data(
        image, lang=languages, config=f"--psm {psm}", output_type=pytesseract.Output.DICT
    )
    return group_lines(_words(data))


def _words(data: dict[str, list[Any]]) -> list[Word]:
    """The recognized words of Tesseract's output."""
    words = []
    for index, text in enumerate(data["text"]):
        confidence = float(data["conf"][index])
        if text.strip() and confidence >= 0:  # -1 marks Tesseract's blocks and lines
            left, top, width, height = (
                int(data[key][index]) for key in ("left", "top", "width", "height")
            )
            words.append(Word(text.strip(), left, top, width, height, confidence))
    return words


def group_lines(words: Iterable[Word]) -> list[Line]:
    """Words in rows (their vertical middles within one another's height), split at wide gaps.

    Tesseract sometimes cuts one printed line into two blocks (an address, for
    one); putting rows together by position undoes that.
    """
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.top + w.height / 2):
        middle = word.top + word.height / 2
        row = rows[-1] if rows else None
        if row and abs(middle - _middle(row)) < 0.5 * max(word.height, _tallest(row)):
            row.append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.left)
        current = [row[0]]
        for before, word in itertools.pairwise(row):
            if word.left - (before.left + before.width) > 3 * max(before.height, word.height):
                lines.append(Line(tuple(current)))
                current = []
            current.append(word)
        lines.append(Line(tuple(current)))
    return lines


def _middle(row: Sequence[Word]) -> float:
    """The vertical middle of a row of words."""
    return sum(w.top + w.height / 2 for w in row) / len(row)


def _tallest(row: Sequence[Word]) -> int:
    """The height of the tallest word in a row."""
    return max(w.height for w in row)


def reread_doubtful(image: Image, lines: list[Line], languages: str) -> list[Line]:
    """Lines read with low confidence, read again alone in their own script when that is surer.

    On a whole card Tesseract mixes Japanese and English models; a line read on its
    own with one of them is often right where the mix was not (a big bold name).
    """
    doubtful = sorted(
        (line for line in lines if line.confidence < CONFIDENT),
        key=lambda line: -line.height,
    )[:REREAD_LINES]
    better = {id(line): _best_reread(image, line, languages) for line in doubtful}
    chosen = [
        fresh
        if (fresh := better.get(id(line))) and fresh.mean_confidence > line.mean_confidence
        else line
        for line in lines
    ]
    kept = (
        Line(tuple(w for w in line.words if w.confidence >= MIN_WORD_CONFIDENCE)) for line in chosen
    )
    return [line for line in kept if line.words]


def _best_reread(image: Image, line: Line, languages: str) -> Line | None:
    """A line read again in its own script and in both, whichever is surer."""
    alone = "jpn" if has_japanese(line.text) and "jpn" in languages else "eng"
    tries = dict.fromkeys([alone, languages])
    reads = [read for language in tries if (read := _reread(image, line, language))]
    return max(reads, key=lambda read: read.mean_confidence, default=None)


def _reread(image: Image, line: Line, language: str) -> Line | None:
    """One line read again as a single line of text, in Japanese or English."""
    left = min(w.left for w in line.words)
    top = min(w.top for w in line.words)
    right = max(w.left + w.width for w in line.words)
    bottom = max(w.top + w.height for w in line.words)
    margin = max(8, (bottom - top) // 3)
    box = (max(0, left - margin), max(0, top - margin), right + margin, bottom + margin)
    crop = image.crop(box)
    # The smallest box is the truest glyph height: Tesseract's Japanese boxes often
    # take in the furigana above or the line below.
    scale = REREAD_HEIGHT / max(1, min(w.height for w in line.words))
    crop = crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))))
    words = [
        Word(
            w.text,
            box[0] + round(w.left / scale),
            box[1] + round(w.top / scale),
            round(w.width / scale),
            round(w.height / scale),
            w.confidence,
        )
        for reread in ocr_lines(crop, language, psm=7)
        for w in reread.words
    ]
    return Line(tuple(sorted(words, key=lambda w: w.left))) if words else None
