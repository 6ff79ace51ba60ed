"""Applying imported records to the store: one file, one transaction, all or nothing.

Parsers (meishi.formats.registry) yield records; here each becomes a contact (merged
with the one it duplicates), an event, an encounter, or a whole restored dump.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from meishi import limits
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
from meishi.meeting import (
    Difference,
    check_card,
    company_in_full,
    differences,
    kept_values,
    meet,
    new_contact_fields,
    taking_command,
    upsert_contact,
)
from meishi.models import Event, id_of, in_utc
from meishi.store import bulk
from meishi.store.adding import StoredContact, emails_of, update_contact
from meishi.store.engine import Store
from meishi.store.index import index_held
from meishi.store.resolve import raw_connection
from meishi.store.rows import matching
from meishi.store.sql import ReadConnection
from meishi.text import blank_to_none, has_japanese
from meishi.validation import optional_text

if TYPE_CHECKING:
    from sqlmodel import Session

# The session forgets rows it has flushed every so many records: a big file streams.
FORGET_EVERY = 1000
# Cards checked, looked up in the store and added as new contacts together.
BULK_EVERY = 500
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
    with store.rehearsal() if dry_run else store.write() as session:
        importer = _Importer(session, report, now, skip_bad, seen or _unnoticed)
        importer.apply_all(source.records(), event_name)
    return report


def _unnoticed(_record: Record) -> None:
    """Nobody is told of the records applied."""


@dataclass(frozen=True)
class _CheckedCard:
    """A card record checked (before anything is written): the card and its note."""

    record: CardRecord
    card: CardInput
    note: str | None


# What checking a record gives: a checked card, what is wrong with it, or another record.
_Checked = _CheckedCard | MeishiError | Record


class _Importer:
    """Applies a file's records to a write session, new people in bulk (store/bulk.py).

    Records are taken a batch at a time: every card is checked first, the store is asked
    once which of their emails and names it knows, and a card that matches nothing known
    (nor an earlier card) is a new contact, added with the others at the batch's end. Any
    other record goes the ORM's way, one at a time, once the new ones before it are stored,
    so that duplicates, merges and messages stay exactly as they are one by one.
    """

    def __init__(
        self,
        session: Session,
        report: ImportReport,
        now: dt.datetime,
        skip_bad: bool,
        seen: Callable[[Record], None],
    ) -> None:
        self.session, self.report, self.now = session, report, now
        self.skip_bad, self.seen = skip_bad, seen
        self.event: Event | None = None
        self.exchanges: dict[dt.date, Event] = {}
        self.applied = 0
        self.emails: set[str] = set()  # known, or on a new contact waiting to be added
        self.names: set[bulk.NameKey] = set()
        self.waiting: list[bulk.NewContact] = []

    def apply_all(self, records: Iterator[Record], event_name: str | None) -> None:
        """Apply every record of a file (linking each card to the named event, if any)."""
        from meishi.store.resolve import find_event

        self.event = find_event(self.session, event_name) if event_name else None
        # Every step flushes what later queries need; autoflush before each query only
        # costs. The search index is brought up to date once, at the end: nothing here
        # searches.
        with self.session.no_autoflush, index_held(self.session):
            while batch := list(islice(records, BULK_EVERY)):
                self._apply_batch(batch)

    def _apply_batch(self, records: list[Record]) -> None:
        """Check a batch of records, learn what the store knows of them, apply each."""
        checked = [self._check(record) for record in records]
        cards = [c.card for c in checked if isinstance(c, _CheckedCard)]
        self.emails = bulk.known_emails(self.session, (e for c in cards for e in c.emails))
        self.names = bulk.known_names(self.session, (card.name for card in cards))
        for record, check in zip(records, checked, strict=True):
            self._apply_one(record, check)
        self._add_waiting()

    def _check(self, record: Record) -> _Checked:
        """A card record checked; what is wrong with a bad one; any other record as it is."""
        try:
            if isinstance(record, BadRecord):
                raise MeishiError(record.problem)
            return _check_card(record, self.report) if isinstance(record, CardRecord) else record
        except MeishiError as error:
            return error

    def _apply_one(self, record: Record, check: _Checked) -> None:
        """Apply one record, refusing the file or noting it when it is bad."""
        try:
            if isinstance(check, MeishiError):
                raise check
            if not (isinstance(check, _CheckedCard) and self._took_new(check)):
                self._add_waiting()  # stored before this record looks for what it matches
                self._apply_alone(check)
        except MeishiError as error:
            self._refuse_or_skip(record, error)
        self.seen(record)
        self._forget_now_and_then()

    def _took_new(self, checked: _CheckedCard) -> bool:
        """Keep the card for adding as a new contact, unless it may be someone known."""
        card = checked.card
        key = bulk.name_key(card.name, card.company)
        if key in self.names or self.emails.intersection(card.emails):
            return False
        fields = new_contact_fields(card)
        if checked.note:  # as _add_note gives a contact its first note
            fields.update(note=checked.note, updated_at=in_utc(self.now))
        met_at = self.event or _exchange_event(
            self.session, checked.record.met_on, self.now, self.exchanges
        )
        event_id = None if met_at is None else id_of(met_at)
        self.waiting.append(bulk.NewContact(fields, card.emails, event_id))
        self.names.add(key)
        self.emails.update(card.emails)
        self.report.encounters += event_id is not None
        self.report.created.add(card.name)
        return True

    def _add_waiting(self) -> None:
        """Store the new contacts kept so far."""
        bulk.insert_contacts(self.session, self.waiting)
        self.waiting = []

    def _apply_alone(self, check: _CheckedCard | Record) -> None:
        """Apply a record through the ORM (in a savepoint when bad ones are skipped: a bad
        one must undo what it wrote before it was found bad)."""
        with self.session.begin_nested() if self.skip_bad else nullcontext():
            if isinstance(check, _CheckedCard):
                contact = _apply_card(
                    self.session, check, self.report, self.now, self.event, self.exchanges
                )
                self.names.add(bulk.name_key(contact.full_name, contact.company))
                self.emails.update(emails_of(raw_connection(self.session), contact.id))
            else:
                _apply(self.session, check, self.report, self.now)

    def _refuse_or_skip(self, record: Record, error: MeishiError) -> None:
        """Refuse the whole file for a bad record, or, with --skip-bad, note it."""
        problem = f"{self.report.path}:{record.line}: {error}"
        if not self.skip_bad:
            raise ImportRefused(
                f"{problem}; nothing of {self.report.path} was imported "
                "(--skip-bad imports the rest)"
            ) from None
        self.report.skipped.append(problem)

    def _forget_now_and_then(self) -> None:
        """Every so many records, let the session forget what it flushed: all of it is in
        the transaction, it need not be in memory too."""
        self.applied += 1
        if self.applied % FORGET_EVERY:
            return
        self.session.flush()  # a new event's status, written after the event itself
        self.session.expunge_all()
        if self.event is not None:
            self.event = self.session.merge(self.event, load=False)
        for day, known in self.exchanges.items():
            self.exchanges[day] = self.session.merge(known, load=False)


def _apply(session: Session, record: Record, report: ImportReport, now: dt.datetime) -> None:
    """Apply an event or a whole dump."""
    if isinstance(record, EventRecord):
        _, created = find_or_add_event(session, record.event, now)
        if created:
            report.events_created.add(record.event.name)
        else:
            report.events_known += 1
    elif isinstance(record, DumpRecord):
        from meishi.formats.json_dump import restore

        report.restored = restore(session, record.data)


def _check_card(record: CardRecord, report: ImportReport) -> _CheckedCard:
    """Check a card record, noting a company whose legal form it abbreviates."""
    card, note = card_input(record), contact_note(record)
    if in_full := company_in_full(card):
        report.in_full.add(in_full)
    return _CheckedCard(record, check_card(card), note)


def _apply_card(
    session: Session,
    checked: _CheckedCard,
    report: ImportReport,
    now: dt.datetime,
    event: Event | None,
    exchanges: dict[dt.date, Event],
) -> StoredContact:
    """Merge a card into the contact it duplicates (or add it), and link it to its event."""
    card = checked.card
    connection = raw_connection(session)
    contact, created, filled = upsert_contact(connection, card, now)
    _note_differences(report, contact, [] if created else differences(contact, card))
    noted = _add_note(connection, contact, checked.note, now)
    met_at = event or _exchange_event(session, checked.record.met_on, now, exchanges)
    met = False
    if met_at is not None:  # a new event is stored (flushed) before the plain statements
        met = meet(raw_connection(session), contact.id, id_of(met_at), now)
    report.encounters += met
    if created:
        report.created.add(card.name)
    elif filled or noted or met:
        report.merged.add(card.name)
    else:
        report.unchanged += 1
    return contact


def _note_differences(
    report: ImportReport, contact: StoredContact, differs: list[Difference]
) -> None:
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


def _add_note(
    connection: ReadConnection, contact: StoredContact, note: str | None, now: dt.datetime
) -> bool:
    """Add the note to the contact's unless it is already there; True if it was added."""
    if not note or note in (contact.note or ""):
        return False
    joined = f"{contact.note}\n{note}" if contact.note else note
    update_contact(connection, contact.id, {"note": joined}, now)
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
    same = {"name": given.name.strip(), "date": given.date, "start_time": given.start_time}
    known = matching(session, Event, same)
    if known is not None:
        return known, False
    return add_event(session, given, now), True
