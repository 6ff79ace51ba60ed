"""Reading text files whatever wrote them: UTF-8 (with or without BOM), UTF-16, CP932."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
        try:
            for block in iter(lambda: file.read(BLOCK), b""):
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
    """The file's lines with their numbers from 1, read as a stream (line ends dropped)."""
    number = 0
    try:
        with path.open(encoding=encoding, newline="") as file:
            for number, line in enumerate(file, start=1):
                yield number, line if keep_ends else line.rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise BadValue(
            f"{path}:{number + 1}: not readable as {encoding} text ({error.reason})"
        ) from None


def _open_binary(path: Path) -> BinaryIO:
    """The file opened for reading bytes; a clear error when it cannot be."""
    try:
        return path.open("rb")
    except IsADirectoryError:
        raise BadValue(f"{path} is a folder; give the files to import") from None
    except OSError as error:
        raise BadValue(f"cannot read {path}: {error.strerror}") from None
