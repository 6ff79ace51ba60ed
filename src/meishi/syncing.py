"""`meishi sync`: read the mailbox's headers and record the mail exchanged with contacts.

Incremental: a cursor per folder (UIDVALIDITY, highest UID recorded) means a second run
fetches only new messages; a changed UIDVALIDITY rescans the date window, and the unique
(Message-ID, contact, direction) keeps what was recorded from being doubled. Each batch
is committed with its cursor, so a lost connection leaves the cursor at the last message
fully recorded. Sent mail to a contact marks that meeting's thank-you sent, so that
`meishi send` never sends a second one. In the inbox, mail that may be an organizer's
follow-up to an event you attended is read whole and classified (`organizer_follow_ups`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from meishi import organizer_follow_ups as organizers
from meishi.mail import imap, threads
from meishi.mail.headers import Seen, is_no_reply, read_headers
from meishi.mail.subjects import is_reply_subject, thread_subject
from meishi.models import Contact, Encounter, Event, Exchange, MailCursor, id_of, in_utc
from meishi.store import drafting, mailbox
from meishi.store.engine import Store
from meishi.store.resolve import raw_connection
from meishi.store.rows import by_id

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.mail.imap import Mailbox

# A mail to a contact up to this long after the event is taken as its thank-you.
THANK_WINDOW = dt.timedelta(days=7)
# A reply matched only by correspondent and subject must come this soon after ours.
SUBJECT_WINDOW = dt.timedelta(days=30)
LOOK_BACK = dt.timedelta(days=90)  # the first run's window, without --since
BATCH = 200  # messages fetched and committed together
ORDER = ("sent", "inbox")  # Sent first: a reply in the inbox may answer mail sent today
Progress = Callable[[str, int, int], None]  # (folder, messages done, messages to read)


@dataclass(frozen=True)
class SyncRequest:
    """What to read: from when on the first run, and whether to record anything."""

    since: dt.date | None = None
    dry_run: bool = False
    batch: int = BATCH


@dataclass
class FolderRead:
    """One folder: how it was found, and how many messages were read from it."""

    role: str
    name: str | None
    how: str
    read: int = 0
    rescanned: bool = False  # its UIDVALIDITY changed since the last run


@dataclass
class SyncReport:
    """What a sync recorded, ignored and marked as thanked."""

    folders: list[FolderRead]
    dry_run: bool
    recorded: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    thanked: list[tuple[str, str, dt.date]] = field(default_factory=list)  # contact, event, day
    follow_ups: Counter[str] = field(default_factory=Counter)  # found, waiting for review


@dataclass
class _Reading:
    """What every message of a run is compared with."""

    addresses: dict[str, int]  # a contact's address, lower-cased → the contact
    ignore: tuple[str, ...]  # mail.ignore: addresses and @domains
    report: SyncReport
    batch: Callable[[], Any]  # a session for one batch (see _batches)
    since: dt.date  # where a folder read for the first time (or again) starts
    size: int  # messages per batch
    now: dt.datetime
    progress: Progress | None
    events: tuple[organizers.Attended, ...]  # whose organizers' follow-ups are looked for


@dataclass(frozen=True)
class _Written:
    """A mail meishi wrote, and the meeting it thanks for (None: not a thank-you)."""

    encounter: Encounter | None


def sync_mailbox(
    store: Store,
    settings: Mapping[str, str],
    keyring_named: str | None,
    request: SyncRequest,
    now: dt.datetime,
    progress: Progress | None = None,
) -> SyncReport:
    """Read the Sent folder and the inbox since the last run and record the exchanges."""
    server = imap.imap_settings(settings, keyring_named)
    chosen = imap.chosen_folders(settings)
    since = request.since or (now - LOOK_BACK).date()
    with imap.lost_connection(server), imap.imap_session(server) as client:
        found = [f for f in imap.find_folders(client, chosen) if f.role in ORDER]
        report = SyncReport([FolderRead(f.role, f.name, f.how) for f in found], request.dry_run)
        report.folders.sort(key=lambda folder: ORDER.index(folder.role))
        with _batches(store, request.dry_run) as batch:
            with batch() as session:
                addresses = _addresses(session)
                events = organizers.attended_events(session, since, _zone(now))
            reading = _Reading(
                addresses,
                ignore_list(settings),
                report,
                batch,
                since,
                request.batch,
                now,
                progress,
                events,
            )
            for folder in report.folders:
                if folder.name is not None:
                    _sync_folder(client, folder, reading)
    return report


def _zone(now: dt.datetime) -> dt.tzinfo:
    """The user's time zone, in which a mail's day and an event's start are read."""
    return now.tzinfo or dt.UTC


def ignore_list(settings: Mapping[str, str]) -> tuple[str, ...]:
    """mail.ignore as lower-cased addresses and @domains."""
    text = settings.get("mail.ignore") or ""
    return tuple(item.strip().lower() for item in text.split(",") if item.strip())


def is_ignored(address: str, ignore: tuple[str, ...]) -> bool:
    """True when mail.ignore names the address or its domain (@example.com)."""
    domain = "@" + address.rpartition("@")[2]
    return address in ignore or domain in ignore or domain.lstrip("@") in ignore


@contextmanager
def _batches(store: Store, dry_run: bool) -> Iterator[Callable[[], Any]]:
    """Sessions for the batches: each committed on its own, or, for a dry run, one session
    shared by all and never committed."""
    if not dry_run:
        yield store.write
        return
    with store.read() as session:

        @contextmanager
        def shared() -> Iterator[Session]:
            yield session
            session.flush()

        yield shared
        session.rollback()


def _addresses(session: Session) -> dict[str, int]:
    """Every contact's addresses, lower-cased, with the contact they belong to."""
    return {address.lower(): contact for address, contact in mailbox.contact_addresses(session)}


def _sync_folder(client: Mailbox, folder: FolderRead, reading: _Reading) -> None:
    """Read one folder's new messages, a batch at a time, each batch committed with its cursor;
    at the end the cursor passes every UID the folder had when it was opened."""
    name = folder.name or ""
    selected = client.select_folder(name, readonly=True)
    uidvalidity, top = int(selected[b"UIDVALIDITY"]), int(selected.get(b"UIDNEXT", 1)) - 1
    uids = _uids_to_read(client, folder, uidvalidity, reading)
    for start in range(0, len(uids), reading.size):
        chunk = uids[start : start + reading.size]
        fetched = imap.fetch_headers(client, chunk)
        seen = [(m.uid, _seen(m, reading.now)) for m in fetched]
        inbox = folder.role == "inbox"
        found = organizers.candidates(client, seen, reading.events) if inbox else []
        with reading.batch() as session:
            for _uid, message in seen:
                _record(session, folder, message, reading)
            reading.report.follow_ups += organizers.record_candidates(
                session, found, _zone(reading.now)
            )
            _advance(session, name, uidvalidity, chunk[-1], reading.now)
        folder.read += len(fetched)
        if reading.progress is not None:
            reading.progress(name, folder.read, len(uids))
    with reading.batch() as session:
        _advance(session, name, uidvalidity, top, reading.now)


def _uids_to_read(
    client: Mailbox, folder: FolderRead, uidvalidity: int, reading: _Reading
) -> list[int]:
    """The UIDs past the cursor; with no cursor, or a changed UIDVALIDITY, those since `since`."""
    with reading.batch() as session:
        cursor = mailbox.folder_cursor(session, folder.name)
    folder.rescanned = cursor is not None and cursor.uidvalidity != uidvalidity
    if cursor is None or folder.rescanned:
        return imap.uids_since(client, reading.since)
    return imap.uids_after(client, cursor.highest_uid)


def _advance(session: Session, folder: str, uidvalidity: int, uid: int, now: dt.datetime) -> None:
    """Move the folder's cursor up to `uid` (a new UIDVALIDITY starts it again)."""
    cursor = mailbox.folder_cursor(session, folder)
    if cursor is None:
        cursor = MailCursor(folder=folder, uidvalidity=uidvalidity, highest_uid=0)
    if cursor.uidvalidity != uidvalidity:
        cursor.uidvalidity, cursor.highest_uid = uidvalidity, 0
    cursor.highest_uid = max(cursor.highest_uid, uid)
    cursor.synced_at = in_utc(now)
    session.add(cursor)
    session.flush()


def _seen(message: imap.Fetched, now: dt.datetime) -> Seen:
    """What a fetched message's headers say, with its Gmail thread when the server told it."""
    return replace(
        read_headers(message.headers, message.arrived, now), gmail_thread=message.gmail_thread
    )


def _record(session: Session, folder: FolderRead, seen: Seen, reading: _Reading) -> None:
    """Record one message with each known contact it was exchanged with, or say why not."""
    sent = folder.role == "sent"
    why_not = _why_ignored(seen, reading, sent)
    if why_not:
        reading.report.ignored[why_not] += 1
        return
    wanted = _wanted(seen, reading, sent)
    contacts = dict.fromkeys(reading.addresses[a] for a in wanted if a in reading.addresses)
    for contact in contacts:
        if mailbox.is_recorded(session, seen.message_id, contact, "out" if sent else "in"):
            reading.report.ignored["recorded before"] += 1
        elif sent:
            _record_sent(session, folder.name or "", seen, contact, reading.report)
        else:
            _record_received(session, folder.name or "", seen, contact, reading.report)


def _why_ignored(seen: Seen, reading: _Reading, sent: bool) -> str:
    """Why a message is not recorded (empty when it is)."""
    people = seen.recipients if sent else (seen.sender,)
    wanted = _wanted(seen, reading, sent)
    if not sent and seen.sender and is_no_reply(seen.sender):
        return "no-reply sender"
    if seen.bulk:
        return "bulk or automatic"
    if people and not wanted:
        return "mail.ignore"
    if not any(a in reading.addresses for a in wanted):
        return "not from or to a contact"
    return ""


def _wanted(seen: Seen, reading: _Reading, sent: bool) -> list[str]:
    """The addresses on the other side of a mail (its recipients, or its sender) that
    mail.ignore does not name."""
    people = seen.recipients if sent else (seen.sender,)
    return [a for a in people if a and not is_ignored(a, reading.ignore)]


def _record_sent(
    session: Session, folder: str, seen: Seen, contact: int, report: SyncReport
) -> None:
    """Record mail you sent to a contact; when it thanks for a meeting, mark that thank-you."""
    mine = _meishi_meeting(session, seen.message_id)
    exchange = _exchange(seen, contact, "out", folder, "meishi" if mine else "address")
    encounter = mine.encounter if mine else _thanked_by_date(session, seen, contact)
    if encounter is not None:
        exchange.encounter_id = id_of(encounter)
        if _mark_thanked(session, encounter, in_utc(seen.date)):
            report.thanked.append(_thanked_row(session, encounter))
    session.add(exchange)
    session.flush()
    report.recorded["sent"] += 1


def _mark_thanked(session: Session, encounter: Encounter, when: dt.datetime) -> bool:
    """Record that a mail in Sent thanked for a meeting (store/drafting.mark_thanked, as
    `thank --mark-sent` records it), the rows the session holds read again after; False
    when it was thanked for already."""
    marked = drafting.mark_thanked(raw_connection(session), id_of(encounter), when)
    if marked:
        session.expire_all()  # raw_connection flushed first: nothing pending is lost
    return marked


def _meishi_meeting(session: Session, message_id: str) -> _Written | None:
    """Mail meishi wrote (sent from the outbox, or a draft's .eml file), found by its
    Message-ID, with the meeting it thanks for; None when meishi did not write it."""
    row = mailbox.written_by_meishi(session, message_id)
    if row is None:
        return None
    return _Written(by_id(session, Encounter, row.encounter_id))


def _thanked_by_date(session: Session, seen: Seen, contact: int) -> Encounter | None:
    """The contact's unthanked meeting at an event from 7 days before the mail up to its day,
    which a mail from your mail client then thanks for."""
    day = seen.date.date()
    return mailbox.unthanked_meeting(session, contact, day - THANK_WINDOW, day)


def _thanked_row(session: Session, encounter: Encounter) -> tuple[str, str, dt.date]:
    """(contact, event, the event's day) of a meeting whose thank-you was found."""
    contact = by_id(session, Contact, encounter.contact_id)
    event = by_id(session, Event, encounter.event_id)
    assert contact is not None and event is not None  # foreign keys
    return contact.full_name, event.name, event.date


def _record_received(
    session: Session, folder: str, seen: Seen, contact: int, report: SyncReport
) -> None:
    """Record mail a contact sent you, noting whether (and how surely) it replies to yours."""
    matched = threads.how_tied(seen, _thread_facts(session, seen, contact))
    session.add(_exchange(seen, contact, "in", folder, matched))
    session.flush()
    report.recorded[REPORTED.get(matched, "received")] += 1


# How the report counts received mail, by how it was tied to the conversation.
REPORTED = {
    threads.IN_REPLY_TO: "replies",
    threads.REFERENCES: "replies",
    threads.THREAD: "replies (in a thread)",
    threads.GMAIL_THREAD: "replies (in a thread)",
    threads.SUBJECT: "replies (by subject)",
}


def _thread_facts(session: Session, seen: Seen, contact: int) -> threads.ThreadFacts:
    """What was recorded that a received mail may answer: the mail it names that you sent,
    the mail with its sender in its thread, and whether you used its subject lately.
    Only what its headers can match is looked up: most mail names nothing."""
    named = (*seen.in_reply_to, *seen.references)
    return threads.ThreadFacts(
        mailbox.sent_among(session, named) if named else frozenset(),
        _in_its_thread(session, seen, contact, named) if named or seen.gmail_thread else [],
        is_reply_subject(seen.subject) and _same_subject_sent(session, seen, contact),
    )


def _in_its_thread(
    session: Session, seen: Seen, contact: int, named: tuple[str, ...]
) -> list[threads.Recorded]:
    """The mail recorded with the contact that a received mail names, or whose thread it
    names, or that Gmail puts in its thread."""
    rows = mailbox.in_thread(session, contact, named, seen.gmail_thread)
    return [threads.Recorded(*row) for row in rows]


def _same_subject_sent(session: Session, seen: Seen, contact: int) -> bool:
    """True when we wrote to the contact with the same subject in the 30 days before."""
    moment = in_utc(seen.date)
    sent = mailbox.subjects_sent(session, contact, moment - SUBJECT_WINDOW, moment)
    wanted = thread_subject(seen.subject)
    return any(thread_subject(subject) == wanted for subject in sent)


def _exchange(seen: Seen, contact: int, direction: str, folder: str, matched: str) -> Exchange:
    """The row for one message with one contact."""
    return Exchange(
        contact_id=contact,
        direction=direction,
        date=in_utc(seen.date),
        subject=seen.subject[:500],
        message_id=seen.message_id[:500],
        folder=folder,
        matched=matched,
        thread_root=threads.thread_root(seen)[:500],
        gmail_thread=seen.gmail_thread,
    )


def report_json(report: SyncReport) -> dict[str, Any]:
    """A sync's report as JSON-ready values."""
    return {
        "dry_run": report.dry_run,
        "folders": [vars(folder) for folder in report.folders],
        "recorded": dict(report.recorded),
        "ignored": dict(report.ignored),
        "follow_ups": {
            kind: report.follow_ups[kind] for kind in (organizers.FOUND, organizers.TO_REVIEW)
        },
        "thank_yous_found": [
            {"contact": contact, "event": event, "date": day.isoformat()}
            for contact, event, day in report.thanked
        ],
    }
