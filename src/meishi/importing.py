"""Applying imported records to the store: one file, one transaction, all or nothing.

Parsers (meishi.formats.registry) yield records; here each becomes a contact (merged
with the one it duplicates), an event, an encounter, or a whole restored dump.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from meishi import limits
from meishi.contacts import (
    Difference,
    check_card,
    company_in_full,
    differences,
    kept_values,
    meet,
    taking_command,
    upsert_contact,
)
from meishi.errors import ImportRefused, MeishiError
from meishi.events import add_event
from meishi.formats.registry import ReadOptions, Source, open_source
from meishi.inputs import (
    BadRecord,
    CardInput,
    CardRecord,
    DumpRecord,
    EventInput,
    EventRecord,
    Record,
)
from meishi.models import Contact, Event, in_utc
from meishi.store.engine import Store, index_held
from meishi.text import blank_to_none, has_japanese
from meishi.validation import optional_text

# The session forgets rows it has flushed every so many records: a big file streams.
FORGET_EVERY = 1000
EXCHANGE_EVENT = "名刺交換 {date}"  # the event a card-exchange date (Eight's 名刺交換日) names


LISTED = 50  # names kept for the report; a big file's are counted, not listed


@dataclass
class Tally:
    """How many contacts or events, and the names of the first few."""

    count: int = 0
    names: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        """Count one more, keeping its name while there are few."""
        self.count += 1
        if len(self.names) < LISTED:
            self.names.append(name)


@dataclass
class ImportReport:
    """What importing one file did (or, in a dry run, would do)."""

    path: str
    format: str
    created: Tally = field(default_factory=Tally)
    merged: Tally = field(default_factory=Tally)
    unchanged: int = 0
    events_created: Tally = field(default_factory=Tally)
    events_known: int = 0
    encounters: int = 0
    differs: Tally = field(default_factory=Tally)  # known contacts the file says otherwise of
    in_full: Tally = field(default_factory=Tally)  # companies whose legal form was abbreviated
    restored: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "FILE:LINE: what is wrong"


@dataclass(frozen=True)
class ImportRequest:
    """What `meishi import` was asked: the files, their format and columns, and how."""

    paths: list[Path]
    format: str | None = None
    mapping: str | None = None  # --map 'column=field,...'
    event: str | None = None  # link every imported contact to it
    skip_bad: bool = False
    dry_run: bool = False


def import_files(
    request: ImportRequest,
    today: dt.date,
    now: dt.datetime,
    store: Callable[[], AbstractContextManager[Store]],
    progress: FileProgress | None = None,
) -> Iterator[ImportReport]:
    """Import each file in its own transaction, giving its report as it is done.

    Every file is checked (readable, known format, --map fits) before the store is
    opened and any is imported; progress, when given, wraps each file's import and is
    told of each record applied."""
    from meishi.formats.csvfile import parse_map

    mapping = parse_map(request.mapping) if request.mapping is not None else None
    options = ReadOptions(mapping, today)
    sources = [open_source(path, request.format, options) for path in request.paths]
    with store() as opened:
        for source in sources:
            with (progress or _unseen)(source.path) as seen:
                report = import_source(
                    opened, source, now, request.event, request.skip_bad, request.dry_run, seen
                )
            yield report


# Wraps one file's import (a progress bar), giving what to tell of each record applied.
FileProgress = Callable[[Path], AbstractContextManager[Callable[[Record], None] | None]]


def _unseen(path: Path) -> AbstractContextManager[None]:
    """No progress shown."""
    return nullcontext()


def import_source(
    store: Store,
    source: Source,
    now: dt.datetime,
    event_name: str | None = None,
    skip_bad: bool = False,
    dry_run: bool = False,
    seen: Callable[[Record], None] | None = None,
) -> ImportReport:
    """Import one file in one transaction; a bad record refuses it whole unless skip_bad.

    seen, when given, is told of each record once it is applied (for a progress bar).
    """
    report = ImportReport(str(source.path), source.format)
    records = source.records() if seen is None else _telling(source.records(), seen)
    with store.rehearsal() if dry_run else store.write() as session:
        _apply_all(session, records, report, now, event_name, skip_bad)
    return report


def _telling(records: Iterator[Record], seen: Callable[[Record], None]) -> Iterator[Record]:
    """The records, each told to seen when the next is asked for (so, once it is applied)."""
    for record in records:
        yield record
        seen(record)


def _apply_all(
    session: Session,
    records: Iterator[Record],
    report: ImportReport,
    now: dt.datetime,
    event_name: str | None,
    skip_bad: bool,
) -> None:
    """Apply every record of a file to the session."""
    from meishi.store.resolve import find_event

    event = find_event(session, event_name) if event_name else None
    exchanges: dict[dt.date, Event] = {}
    # Every step flushes what later queries need; autoflush before each query only costs.
    # The search index is brought up to date once, at the end: nothing here searches.
    with session.no_autoflush, index_held(session):
        _apply_records(session, records, report, now, event, exchanges, skip_bad)


def _apply_records(
    session: Session,
    records: Iterator[Record],
    report: ImportReport,
    now: dt.datetime,
    event: Event | None,
    exchanges: dict[dt.date, Event],
    skip_bad: bool,
) -> None:
    """Apply the records one by one, refusing the file or noting each bad one."""
    for count, record in enumerate(records, start=1):
        try:
            # Skipping a bad record must undo what it wrote before it was found bad.
            with session.begin_nested() if skip_bad else nullcontext():
                _apply(session, record, report, now, event, exchanges)
        except MeishiError as error:
            problem = f"{report.path}:{record.line}: {error}"
            if not skip_bad:
                raise ImportRefused(
                    f"{problem}; nothing of {report.path} was imported "
                    "(--skip-bad imports the rest)"
                ) from None
            report.skipped.append(problem)
        if count % FORGET_EVERY == 0:
            session.expunge_all()  # all flushed: the transaction holds them, memory need not
            if event is not None:
                event = session.merge(event, load=False)
            for day, known in exchanges.items():
                exchanges[day] = session.merge(known, load=False)


def _apply(
    session: Session,
    record: Record,
    report: ImportReport,
    now: dt.datetime,
    event: Event | None,
    exchanges: dict[dt.date, Event],
) -> None:
    """Apply one record; raises MeishiError (before writing anything) when it is bad."""
    if isinstance(record, BadRecord):
        raise MeishiError(record.problem)
    if isinstance(record, CardRecord):
        _apply_card(session, record, report, now, event, exchanges)
    elif isinstance(record, EventRecord):
        _, created = find_or_add_event(session, record.event, now)
        if created:
            report.events_created.add(record.event.name)
        else:
            report.events_known += 1
    elif isinstance(record, DumpRecord):
        from meishi.formats.json_dump import restore

        report.restored = restore(session, record.data)


def _apply_card(
    session: Session,
    record: CardRecord,
    report: ImportReport,
    now: dt.datetime,
    event: Event | None,
    exchanges: dict[dt.date, Event],
) -> None:
    """Merge a card into the contact it duplicates (or add it), and link it to its event."""
    card, note = card_input(record), contact_note(record)
    if in_full := company_in_full(card):
        report.in_full.add(in_full)
    card = check_card(card)
    contact, created, filled = upsert_contact(session, card, now)
    _note_differences(report, contact, [] if created else differences(contact, card))
    noted = _add_note(contact, note, now)
    met_at = event or _exchange_event(session, record.met_on, now, exchanges)
    met = meet(session, contact, met_at) if met_at is not None else False
    report.encounters += met
    if created:
        report.created.add(card.name)
    elif filled or noted or met:
        report.merged.add(card.name)
    else:
        report.unchanged += 1


def _note_differences(report: ImportReport, contact: Contact, differs: list[Difference]) -> None:
    """Note a known contact the file says otherwise of: kept as known, with how to change it."""
    if differs:
        report.differs.add(
            f"{contact.full_name}: kept {kept_values(differs)}; "
            f"to take the file's: {taking_command(contact, differs)}"
        )


def card_input(record: CardRecord) -> CardInput:
    """The card a record gives: its name (composed from family and given names if need be)."""
    name = record.name or _compose(record.family_name, record.given_name)
    name = name or (record.emails[0].strip() if record.emails else None)
    if not name:
        raise MeishiError("the card has no name (and no email to name it by)")
    japanese = has_japanese(name)
    reading = record.reading or _compose(record.family_reading, record.given_reading, japanese)
    return CardInput(
        name=" ".join(name.split()),  # 田中　太郎 (a full-width space) is 田中 太郎
        reading=reading,
        company=blank_to_none(record.company),
        department=blank_to_none(record.department),
        title=blank_to_none(record.title),
        phone=", ".join(dict.fromkeys(p.strip() for p in record.phones if p.strip())) or None,
        emails=tuple(record.emails),
    )


def _compose(family: str | None, given: str | None, family_first: bool | None = None) -> str | None:
    """A full name from its parts: family first in Japanese, given first otherwise."""
    parts = [p for p in (blank_to_none(family), blank_to_none(given)) if p]
    if family_first is None:
        family_first = has_japanese("".join(parts))
    return " ".join(parts if family_first else parts[::-1]) or None


def contact_note(record: CardRecord) -> str | None:
    """The note a card carries about the person: its notes, then its tags."""
    lines = [note.strip() for note in record.notes if note.strip()]
    tags = list(dict.fromkeys(record.tags))
    if tags:
        lines.append("Tags: " + ", ".join(tags))
    return optional_text("\n".join(lines), "note", limits.NOTE_CHARS, lines=True)


def _add_note(contact: Contact, note: str | None, now: dt.datetime) -> bool:
    """Add the note to the contact's unless it is already there; True if it was added."""
    if not note or note in (contact.note or ""):
        return False
    contact.note = f"{contact.note}\n{note}" if contact.note else note
    contact.updated_at = in_utc(now)
    return True


def _exchange_event(
    session: Session, day: dt.date | None, now: dt.datetime, known: dict[dt.date, Event]
) -> Event | None:
    """The event standing for the day cards were exchanged, created the first time
    (remembered in `known`: a big file has few days and many cards)."""
    if day is None:
        return None
    if day not in known:
        given = EventInput(EXCHANGE_EVENT.format(date=day), day)
        known[day] = find_or_add_event(session, given, now)[0]
    return known[day]


def find_or_add_event(session: Session, given: EventInput, now: dt.datetime) -> tuple[Event, bool]:
    """(event, created): the event with the same name, date and time, else a new one."""
    query = select(Event).where(Event.name == given.name.strip(), Event.date == given.date)
    query = query.where(
        col(Event.start_time).is_(None)
        if given.start_time is None
        else Event.start_time == given.start_time
    )
    known = session.exec(query.order_by(col(Event.id))).first()
    if known is not None:
        return known, False
    return add_event(session, given, now), True
