"""The tables meishi keeps, named in the user's words."""

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """The current time, timezone-aware (SQLModel refuses naive datetimes)."""
    return dt.datetime.now(dt.UTC)


def in_utc(moment: dt.datetime) -> dt.datetime:
    """A moment as meishi stamps it in the store: in UTC, as utcnow() gives it."""
    return moment.astimezone(dt.UTC)


def id_of(row: SQLModel) -> int:
    """The primary key of a row that has been flushed to the database."""
    key = getattr(row, "id", None)
    if key is None:
        raise ValueError(f"{type(row).__name__} has no id until it is flushed")
    return int(key)


class Contact(SQLModel, table=True):
    """A person whose card you have."""

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(index=True)
    family_name: str | None = None
    given_name: str | None = None
    reading: str | None = None  # furigana (or romaji) of the full name
    company: str | None = Field(default=None, index=True)
    department: str | None = None
    title: str | None = None
    phone: str | None = None
    note: str | None = None
    lang: str | None = None  # "ja" or "en"; None means guess from the name
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class ContactEmail(SQLModel, table=True):
    """One of a contact's email addresses; an address belongs to one contact."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    address: str = Field(unique=True)  # normalized: the domain lower-cased
    position: int = 0


class Event(SQLModel, table=True):
    """A gathering: a networking event, a study session, one occurrence of a series."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    name_en: str | None = None  # how English drafts name it
    date: dt.date = Field(index=True)
    start_time: dt.time | None = None
    place: str | None = None
    series: str | None = Field(default=None, index=True)
    organizer_name: str | None = None
    organizer_email: str | None = None
    fee: int | None = None  # yen
    # Your own status: registered, attended, cancelled or no-show.
    attendance: str = Field(default="registered", sa_column_kwargs={"server_default": "registered"})
    created_at: dt.datetime = Field(default_factory=utcnow)


class Encounter(SQLModel, table=True):
    """A contact met at an event; the topics talked about hang off it."""

    __table_args__ = (
        UniqueConstraint("contact_id", "event_id"),
        # How many were met and thanked at each event, from the index alone (migration 0017).
        Index("ix_encounter_event_thanked", "event_id", "thanked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    note: str | None = None
    thanked_at: dt.datetime | None = None  # when the thank-you went out
    created_at: dt.datetime = Field(default_factory=utcnow)


class Topic(SQLModel, table=True):
    """Something talked about in an encounter, in the order it was entered."""

    id: int | None = Field(default=None, primary_key=True)
    encounter_id: int = Field(foreign_key="encounter.id", index=True, ondelete="CASCADE")
    position: int = 0
    text: str


# Where a follow-up came from: typed with `meishi followup`, or found in the organizer's mail.
SOURCES = ("hand", "mail")


class OrganizerFollowUp(SQLModel, table=True):
    """What an event's organizer did afterwards: thanks, survey, report or invite.

    One per event and kind from each way it came in: a follow-up typed by hand and one
    found in mail for the same event and kind are one row, the hand's date and note kept
    with the mail's evidence (message_id, subject, evidence: the phrases and links that
    decided, one a line).
    """

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    kind: str
    date: dt.date
    note: str | None = None
    source: str = Field(default="hand", sa_column_kwargs={"server_default": "hand"})
    message_id: str | None = None
    subject: str | None = None
    evidence: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


# What the user said about a doubtful finding (changed: accepted as another kind).
REVIEW_DECISIONS = ("pending", "accepted", "rejected", "changed")


class FollowUpReview(SQLModel, table=True):
    """A follow-up found in mail but not surely: it waits in `meishi followup review`.

    Kept after the decision, so that the same mail never asks twice.
    """

    __tablename__ = "followup_review"
    __table_args__ = (UniqueConstraint("event_id", "message_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    kind: str  # as the classifier found it
    message_id: str
    subject: str
    date: dt.date  # the mail's
    reasons: str  # the phrases and links that decided, one a line
    decision: str = Field(default="pending", sa_column_kwargs={"server_default": "pending"})
    decided_kind: str | None = None  # the kind accepted (another one when changed)
    decided_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class Draft(SQLModel, table=True):
    """A rendered message waiting to go out (or recorded as sent)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = "thank"
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="CASCADE")
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    encounter_id: int | None = Field(
        default=None, foreign_key="encounter.id", index=True, ondelete="CASCADE"
    )
    template: str
    to_name: str
    to_addr: str
    subject: str
    body: str
    # "draft" (pending), "held" or "discarded" until it goes to the outbox; then the
    # outbox message's state (queued, sending, sent, failed, unknown). See drafts/review.py.
    state: str = "draft"
    edited_at: dt.datetime | None = None  # set by `drafts edit`: drafting again keeps the text
    eml_path: str | None = None  # the .eml file last written for it, and that file's SHA-256,
    eml_sha256: str | None = None  # so that a file the user changed is never overwritten
    # The Message-ID of the .eml file last written, so that sync knows it in the Sent folder.
    message_id: str | None = None
    # Where `drafts push` last put it in the mailbox (folder, UIDVALIDITY, UID), so that
    # pushing it again replaces that copy.
    imap_folder: str | None = None
    imap_uidvalidity: int | None = None
    imap_uid: int | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class DraftEncounter(SQLModel, table=True):
    """A meeting a thank-you draft thanks for: one draft may thank for several."""

    __tablename__ = "draft_encounter"
    __table_args__ = (UniqueConstraint("draft_id", "encounter_id"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True, ondelete="CASCADE")
    encounter_id: int = Field(foreign_key="encounter.id", index=True, ondelete="CASCADE")


class OutboxMessage(SQLModel, table=True):
    """A message on its way out: its exact bytes are stored before any network I/O.

    States: queued → sending → sent; failed (a 5xx reply, with the server's
    text); unknown (the connection was lost after DATA, or meishi stopped while
    sending: it may have arrived, so it is never re-sent automatically).
    """

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int | None = Field(
        default=None, foreign_key="draft.id", index=True, ondelete="SET NULL"
    )
    encounter_id: int | None = Field(
        default=None, foreign_key="encounter.id", index=True, ondelete="SET NULL"
    )
    kind: str = "thank"
    to_addr: str
    subject: str
    message_id: str = Field(unique=True)
    raw: bytes
    state: str = Field(default="queued", index=True)
    attempts: int = 0
    last_error: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None
    # The sending run's machine (its home), set when the message is claimed: a run only
    # calls `sending` its own leftover, never what another machine is sending right now.
    claimed_by: str | None = None


class AttendanceChange(SQLModel, table=True):
    """One change of your status for an event, with when it happened."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    status: str
    at: dt.datetime
    last_minute: bool = False  # a cancellation inside the window before the start
    reason: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class Obligation(SQLModel, table=True):
    """What you owe an organizer after a last-minute cancellation or a no-show."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    kind: str  # "apology" or "fee"
    amount: int | None = None  # the fee owed, in yen
    created_at: dt.datetime = Field(default_factory=utcnow)
    settled_at: dt.datetime | None = None
    how: str | None = None  # for an apology: mail, phone or in-person
    paid: int | None = None  # for a fee: the amount paid


class Decision(SQLModel, table=True):
    """A should-return verdict you were given for a series, remembered for the agenda."""

    id: int | None = Field(default=None, primary_key=True)
    series: str = Field(index=True)
    verdict: str
    decided_at: dt.datetime = Field(default_factory=utcnow)


class CardImage(SQLModel, table=True):
    """A photo or scan of a contact's business card, kept in the home's cards/ folder (or, on a
    server, in the database)."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    path: str  # relative to the data folder, e.g. cards/3f2a….jpg
    sha256: str
    fields: str | None = None  # JSON: what was read that has no column (mobile, fax, url, address)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # The image itself when the store is a server (every machine reaches it there); None on
    # SQLite, where the file at `path` holds it. `db copy` moves it between the two.
    data: bytes | None = None


class PastPosition(SQLModel, table=True):
    """Where a contact worked before a job change (転職・異動): the company, department and
    title they had until the day it changed."""

    __tablename__ = "past_position"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    company: str | None = None
    department: str | None = None
    title: str | None = None
    until: dt.date  # the day the change was recorded
    created_at: dt.datetime = Field(default_factory=utcnow)


class MailCursor(SQLModel, table=True):
    """How far sync has read one mailbox folder: its UIDVALIDITY and the highest UID recorded."""

    __tablename__ = "mail_cursor"

    id: int | None = Field(default=None, primary_key=True)
    folder: str = Field(unique=True)
    uidvalidity: int
    highest_uid: int = 0
    synced_at: dt.datetime = Field(default_factory=utcnow)


# An exchange's direction, and how sync tied it to the conversation (see Exchange).
DIRECTIONS = ("out", "in")
MATCHES = ("meishi", "in-reply-to", "references", "thread", "gmail-thread", "subject", "address")


class Exchange(SQLModel, table=True):
    """One mail between you and a contact, read from its headers by sync (no body kept).

    direction: "out" (you wrote) or "in" (they wrote). matched: how it was tied to the
    conversation: "meishi" (our own Message-ID), "in-reply-to", "references", "thread"
    (it names mail recorded with the contact, either way), "gmail-thread" (Gmail's thread
    id), "subject" (same correspondent and subject within 30 days: low confidence) or
    "address" (only the address: not a reply to anything we saw). See mail/threads.py.
    """

    __table_args__ = (
        UniqueConstraint("message_id", "contact_id", "direction"),
        # Each contact's mail in order, read from the index alone: the relationship rules'
        # counts and whether their mail awaits an answer (migration 0019).
        Index("ix_exchange_contact_date", "contact_id", "date", "direction", "thread_root"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    direction: str
    date: dt.datetime = Field(index=True)
    subject: str = ""
    message_id: str
    folder: str
    matched: str
    # The first Message-ID of its thread (References, else In-Reply-To, else its own) and
    # Gmail's X-GM-THRID, so that later mail in the same conversation is tied to it.
    thread_root: str | None = None
    gmail_thread: str | None = None
    # The meeting this mail thanked for, when sync took it for that thank-you.
    encounter_id: int | None = Field(
        default=None, foreign_key="encounter.id", index=True, ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(default_factory=utcnow)
