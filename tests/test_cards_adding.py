"""cards/adding.py: reading a pile of cards, with the command's progress bar around it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from meishi.cards.adding import read_all
from meishi.errors import BadValue


def test_several_cards_are_read_inside_the_progress_bar_and_the_unreadable_named(
    tmp_path: Path,
) -> None:
    files = [tmp_path / "a.png", tmp_path / "b.jpg"]
    for path in files:
        path.write_text("not an image")
    shown: list[list[Path]] = []

    @contextmanager
    def progress(paths: list[Path]) -> Iterator[Iterable[Path]]:
        shown.append(paths)
        yield paths

    scans, failed = read_all(files, progress)
    assert shown == [files]
    assert scans == []
    assert failed == [f"{path}: cannot read the image (not an image)" for path in files]


def test_one_unreadable_card_is_refused_at_once_without_a_progress_bar(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_text("not an image")

    def progress(paths: list[Path]) -> Iterator[Iterable[Path]]:
        raise AssertionError("no progress bar for one card")

    with pytest.raises(BadValue, match="not an image"):
        read_all([path], progress)
