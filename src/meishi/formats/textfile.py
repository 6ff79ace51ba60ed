"""Reading text files whatever wrote them: UTF-8 (with or without BOM), UTF-16, CP932."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from meishi import limits
from meishi.errors import BadValue

BLOCK = 1 << 20
SNIFF = 16 * 1024
# CP932 is Shift_JIS as Windows writes it: a superset holding 髙, ① and ～ (U+FF5E),
# which the plain shift_jis codec refuses or maps elsewhere.
JAPANESE_WINDOWS = "cp932"


def detect_encoding(path: Path) -> str:
    """The file's text encoding: from its BOM, else UTF-8 if it all decodes, else CP932.

    The UTF-8 check streams the whole file (a byte late in a big file can
    decide it) and keeps nothing but the decoder's state.
    """
    with _open_binary(path) as file:
        head = file.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        read = 0
        try:
            for block in iter(lambda: file.read(BLOCK), b""):
                read += len(block)
                if read > limits.IMPORT_FILE_BYTES:  # a device or pipe that never ends
                    raise BadValue(_too_big(path))
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return JAPANESE_WINDOWS
    return "utf-8"


def head_text(path: Path, encoding: str) -> str:
    """The first few kilobytes of the file as text, for telling its format."""
    with _open_binary(path) as file:
        return file.read(SNIFF).decode(encoding, errors="ignore")


def numbered_lines(path: Path, encoding: str, keep_ends: bool = False) -> Iterator[tuple[int, str]]:
    """The file's lines with their numbers from 1, read as a stream (line ends dropped).

    A line longer than limits.IMPORT_LINE_BYTES is refused as soon as that much of it is
    read: one line must not fill memory.
    """
    number = 0
    try:
        with path.open(encoding=encoding, newline="") as file:
            # A character takes one to four bytes, so reading one more than the limit in
            # characters tells a line that is too long, and a quarter of it one that is not.
            while line := file.readline(limits.IMPORT_LINE_BYTES + 1):
                number += 1
                if len(line) > limits.IMPORT_LINE_BYTES // 4 and _too_long(line):
                    raise BadValue(
                        f"{path}:{number}: the line is longer than "
                        f"{megabytes(limits.IMPORT_LINE_BYTES)}, the most meishi reads as one line"
                    )
                yield number, line if keep_ends else line.rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise BadValue(
            f"{path}:{number + 1}: not readable as {encoding} text ({error.reason})"
        ) from None


class LinePosition:
    """How far into a file a line lies, in bytes: read forward as later lines are reached.

    The readers number lines, not bytes; this reads the same file a second time (from the
    page cache) to tell how many bytes a progress bar has covered.
    """

    def __init__(self, path: Path) -> None:
        self.file = _open_binary(path)
        self.size = os.fstat(self.file.fileno()).st_size
        self.line = 0

    def after(self, line: int) -> int:
        """The bytes up to the end of this line (never going back)."""
        while self.line < line and self.file.readline(BLOCK):
            self.line += 1
        return self.file.tell()

    def close(self) -> None:
        """Close the second reading of the file."""
        self.file.close()


def _too_long(line: str) -> bool:
    """True when a line (its end aside) is longer than the limit."""
    return size_of(line.rstrip("\r\n")) > limits.IMPORT_LINE_BYTES


def size_of(text: str) -> int:
    """The bytes text takes in UTF-8: how the limits on lines and records measure it."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def megabytes(size: int) -> str:
    """A size in bytes as a round number of megabytes, for messages."""
    return f"{size / 1024**2:,.0f} MB"


def record_too_long(what: str) -> str:
    """Why a record (a card, an event, a row) too long to parse is refused."""
    return (
        f"the {what} is longer than {megabytes(limits.IMPORT_RECORD_BYTES)}, "
        "the most meishi reads as one record"
    )


def content_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Physical lines joined into content lines: folding, and 2.1 QP soft line breaks."""
    # Each content line's pieces are joined once: adding to a string line by line
    # is quadratic for a long folded value.
    joined: list[tuple[int, list[str], bool]] = []  # (line, pieces, quoted-printable)
    for number, line in lines:
        if joined and joined[-1][2] and joined[-1][1][-1].endswith("="):  # a soft line break
            pieces = joined[-1][1]
            pieces[-1] = pieces[-1][:-1]
            pieces.append(line)
        elif joined and line[:1] in (" ", "\t"):
            joined[-1][1].append(line[1:])
        elif line.strip():
            joined.append((number, [line], "QUOTED-PRINTABLE" in line.partition(":")[0].upper()))
    return [(number, "".join(pieces)) for number, pieces, _ in joined]


def property_name(line: str) -> str:
    """The property a content line gives, upper-cased, without its group (item1.EMAIL)."""
    return line.partition(":")[0].partition(";")[0].rpartition(".")[2].strip().upper()


def too_much_to_parse(
    start: int, lines: list[tuple[int, str]], what: str, earlier: int = 0
) -> tuple[int, str] | None:
    """(line, problem) when a record starting at `start` has too many content lines
    (with `earlier` ones read before), or too long a one, to hand a parser."""
    if earlier + len(lines) > limits.PARSED_LINES:
        return start, f"more than {limits.PARSED_LINES:,} lines in {what}, the most meishi reads"
    for number, line in lines:
        if size_of(line) > limits.PARSED_LINE_BYTES:
            return number, (
                f"{property_name(line)[:40]} is longer than {limits.PARSED_LINE_BYTES // 1024} KB, "
                "the most meishi reads as one line of a record"
            )
    return None


def _too_big(path: Path) -> str:
    """Why a file too big to import is refused."""
    return (
        f"{path} is larger than {megabytes(limits.IMPORT_FILE_BYTES)}, the most meishi "
        "imports from one file; split it into smaller files"
    )


def _open_binary(path: Path) -> BinaryIO:
    """The file opened for reading bytes; a clear error when it cannot be, or is too big."""
    try:
        file = path.open("rb")
    except IsADirectoryError:
        raise BadValue(f"{path} is a folder; give the files to import") from None
    except OSError as error:
        raise BadValue(f"cannot read {path}: {error.strerror}") from None
    if os.fstat(file.fileno()).st_size > limits.IMPORT_FILE_BYTES:
        file.close()
        raise BadValue(_too_big(path))
    return file
