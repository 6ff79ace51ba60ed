"""Adding a pile of scanned cards: read them all, have each checked, save each with its image.

The command supplies what only it can do: a progress bar while the cards are read, and
showing each card read and asking about it (or taking it as read, with --yes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.cards import scanning
from meishi.errors import BadValue

if TYPE_CHECKING:
    from meishi.inputs import CardInput
    from meishi.meeting import AddResult
    from meishi.store.adding import StoredEvent
    from meishi.store.engine import Store

# Shows a card read and gives the card to add, or None when it cannot be added as read.
Check = Callable[[scanning.Scan], "CardInput | None"]
# Wraps the reading of several cards in a progress bar.
Progress = Callable[[list[Path]], AbstractContextManager[Iterable[Path]]]


@dataclass(frozen=True)
class ScanRequest:
    """What `meishi add --scan` was asked: the images, the event, and what the options say."""

    images: list[Path]
    event: str | None  # None: the latest event that has started
    overrides: dict[str, str | None]  # fields given as options, over what was read
    force: bool = False  # add even at an event cancelled or not yet started: you went


@dataclass(frozen=True)
class EventChosen:
    """The event the cards are added to, and whether it was chosen as the latest."""

    event: StoredEvent
    latest: bool


@dataclass(frozen=True)
class Notice:
    """Something the user should know before the cards are read."""

    text: str


def scan_all(
    store: Store,
    wanted: ScanRequest,
    data_dir: Path,
    now: dt.datetime,
    check: Check,
    progress: Progress,
) -> Iterator[EventChosen | Notice | AddResult]:
    """Read every card, have each checked, and save each with its image, saying each step.

    Cards that cannot be read or have no name are named at the end, in one BadValue."""
    from meishi.attendance.rules import check_meeting
    from meishi.contacts import add_met
    from meishi.meeting import event_meant
    from meishi.store.resolve import raw_connection

    scanning.require_libraries()
    files = scanning.image_files(wanted.images)
    with store.read() as session:
        event = event_meant(raw_connection(session), wanted.event, now)
    check_meeting(event, now, wanted.force)  # before any card is read or question asked
    yield EventChosen(event, latest=wanted.event is None)
    if scanning.tesseract_command() is None:
        yield Notice(scanning.INSTALL_TESSERACT)
    scans, failed = read_all(files, progress)
    for scanned in scans:
        _override(scanned, wanted.overrides)
        card = check(scanned)
        if card is None:
            failed.append(f"{scanned.path} (no name read; run without --yes to type it)")
            continue
        yield add_met(store, event.id, card, now, data_dir, scanned, wanted.force)
    if failed:
        raise BadValue(f"not added: {'; '.join(failed)}")


def read_all(files: list[Path], progress: Progress) -> tuple[list[scanning.Scan], list[str]]:
    """Every readable card, and why each other one was not read (one card's problem is
    raised: there is nothing else to add)."""
    if len(files) == 1:
        return [scanning.scan(files[0])], []
    scans, failed = [], []
    with progress(files) as paths:
        for path in paths:
            try:
                scans.append(scanning.scan(path))
            except BadValue as error:
                failed.append(str(error))
    return scans, failed


def _override(scanned: scanning.Scan, overrides: dict[str, str | None]) -> None:
    """The fields given as options, in place of what was read."""
    for key, value in overrides.items():
        if value:
            scanned.fields.fields.pop(key, None)
            scanned.fields.set(key, value)
