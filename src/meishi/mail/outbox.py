"""The outbox: every message is stored byte for byte before it is sent, and sent once.

A message moves queued → sending → sent, each step committed. A definite
reply decides: 2xx sent, 5xx failed, 4xx back to queued. When the connection
is lost after the message was handed over, or meishi stopped while sending,
nobody knows whether it arrived: it becomes `unknown` and is never re-sent
unless the user asks for exactly that message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi.attendance.owed import settle_apology
from meishi.attendance.rules import APOLOGY
from meishi.config import checked
from meishi.drafts.states import DISCARDED, HELD, PENDING, RESTORED
from meishi.errors import BadValue, MissingSetting, NotFound, NothingToDo, SendingBusy
from meishi.mail import message as mail
from meishi.mail import smtp
from meishi.models import Draft, Encounter, Event, OutboxMessage, id_of, in_utc
from meishi.store import outbox as stored
from meishi.store.drafts import drafts_in, thanked_for
from meishi.store.engine import Store
from meishi.store.obligations import open_obligations
from meishi.store.outbox import QUEUED as QUEUED  # the outbox's first state, named here too
from meishi.store.outbox import any_waiting_after, next_to_claim, waiting_ids
from meishi.store.resolve import raw_connection
from meishi.store.rows import by_id

if TYPE_CHECKING:
    from sqlmodel import Session

SENDING, SENT, FAILED, UNKNOWN = "sending", "sent", "failed", "unknown"
# How long a claim holds: one message is one SMTP exchange of a few commands, each given up
# after smtp.SmtpSettings.timeout (30 s). A message another machine has been `sending` for
# longer than this was left by a run that stopped; a fresher one is being sent right now.
LEASE = dt.timedelta(minutes=15)
# A message in one of these states must never be queued again for the same encounter.
ON_ITS_WAY = (QUEUED, SENDING, SENT, UNKNOWN)
# The states `outbox retry` may put back in the queue.
RETRIABLE = (QUEUED, FAILED, UNKNOWN)
STATE_MEANINGS = {
    QUEUED: "waiting to be sent: meishi send",
    SENDING: (
        "being sent right now, here or by another machine sharing the store "
        "(or meishi stopped while sending it)"
    ),
    SENT: "accepted by your mail server",
    FAILED: "refused by the mail server; fix the cause, then meishi outbox retry ID",
    UNKNOWN: (
        "the connection was lost after the message was handed over, so it may have "
        "arrived: check your Sent folder or ask the recipient; meishi outbox retry ID "
        "sends it again"
    ),
    RESTORED: (
        "copied from an imported file as a record; meishi never sends it: "
        "draft it again (meishi thank, meishi apology) to send it"
    ),
}


@dataclass(frozen=True)
class Queued:
    """What enqueueing did with one draft."""

    draft: Draft
    message: OutboxMessage | None
    reason: str = ""  # why the draft was not queued


@dataclass
class SendReport:
    """What one sending run did."""

    sent: list[OutboxMessage] = field(default_factory=list)
    failed: list[OutboxMessage] = field(default_factory=list)
    unknown: list[OutboxMessage] = field(default_factory=list)
    retry_later: list[OutboxMessage] = field(default_factory=list)
    stopped: str | None = None  # why the batch stopped early
    left: int = 0  # messages still queued afterwards


@dataclass(frozen=True)
class Sender:
    """Everything needed to send: who you are, the server, the pause between messages."""

    me: dict[str, str]
    smtp: smtp.SmtpSettings
    pause: float


def sender_from(settings: Mapping[str, str], keyring_named: str | None) -> Sender:
    """Check the settings needed to send, before anything is queued; `keyring_named` is the
    keyring the environment chose (PYTHON_KEYRING_BACKEND), told when it cannot work."""
    me = mail_from(settings)
    pause = float(checked(settings, "send.pause", "1"))
    return Sender(me, smtp_settings(settings, keyring_named), pause)


def mail_from(settings: Mapping[str, str]) -> dict[str, str]:
    """Who mail is from (a dry run needs only this, not the mail server)."""
    from meishi.config import require_me

    me = require_me(settings)
    if not me["email"]:
        raise MissingSetting(
            "me.email is not set; mail is sent from it: meishi config set me.email YOU@EXAMPLE.COM"
        )
    return me


def smtp_settings(settings: Mapping[str, str], keyring_named: str | None) -> smtp.SmtpSettings:
    """The mail server settings, with the password from the keyring."""
    from meishi.mail import keychain

    host = settings.get("smtp.host")
    if not host:
        raise MissingSetting("smtp.host is not set: meishi config set smtp.host smtp.example.com")
    security = checked(settings, "smtp.security", "starttls")
    user = settings.get("smtp.user") or None
    password = None
    if user:
        password = keychain.load_password(keychain.account("smtp", user, host), keyring_named)
        if password is None:
            raise MissingSetting(
                f"no password for {user} at {host} in the keyring: meishi config set-password smtp"
            )
    port = int(checked(settings, "smtp.port", str(smtp.DEFAULT_PORTS[security])))
    cafile = settings.get("smtp.cafile") or None
    if cafile and not Path(cafile).expanduser().is_file():
        raise BadValue(f"smtp.cafile {cafile} is not a file; give the CA certificate's path")
    return smtp.SmtpSettings(host, port, security, user, password, cafile)


def pending_drafts(session: Session, draft_ids: list[int]) -> list[Draft]:
    """The drafts named, or every pending thank-you: an apology goes out only when named."""
    if draft_ids:
        return [find_draft(session, draft_id) for draft_id in draft_ids]
    return drafts_in(session, "thank", PENDING)


def find_draft(session: Session, draft_id: int) -> Draft:
    """A draft by id."""
    draft = by_id(session, Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft #{draft_id}; meishi drafts lists them")
    return draft


def enqueue(
    session: Session, drafts: list[Draft], me: dict[str, str], now: dt.datetime
) -> list[Queued]:
    """Store each draft's exact message as queued, unless it is already on its way."""
    results = []
    for draft in drafts:
        reason = _why_not_queue(session, draft)
        if reason:
            results.append(Queued(draft, None, reason))
            continue
        results.append(Queued(draft, _queue(session, draft, me, now)))
    session.flush()
    return results


def _why_not_queue(session: Session, draft: Draft) -> str:
    """Why a draft must not be queued (empty when it may be)."""
    if draft.state == RESTORED:
        return "it came from an imported file; draft it again (meishi thank, meishi apology) first"
    if draft.imap_folder is not None and draft.state in (PENDING, HELD):
        # Never twice: the mail client may have sent it, and sync may not have seen it yet.
        return (
            f"it is in your Drafts folder ({draft.imap_folder}): send it from your mail client, "
            f"or take it back first to send it from meishi: meishi drafts pull {draft.id}"
        )
    if draft.state == HELD:
        return f"it is held; meishi drafts release {draft.id} first"
    if draft.state == DISCARDED:
        return "it was discarded"
    encounter = by_id(session, Encounter, draft.encounter_id)
    if encounter is not None and encounter.thanked_at is not None:
        return "the thank-you for this meeting was already sent"
    existing = stored.message_on_its_way(session, draft, ON_ITS_WAY)
    if existing is not None:
        return f"already in the outbox as #{existing.id} ({existing.state})"
    return "it was sent already" if draft.state == SENT else ""


def _queue(session: Session, draft: Draft, me: dict[str, str], now: dt.datetime) -> OutboxMessage:
    """Freeze one draft into message bytes in the outbox."""
    message = _message(draft, me, now)
    queued = OutboxMessage(
        draft_id=draft.id,
        encounter_id=draft.encounter_id,
        kind=draft.kind,
        to_addr=draft.to_addr,
        subject=draft.subject,
        message_id=str(message["Message-ID"]),
        raw=mail.message_bytes(message),
    )
    draft.state = QUEUED
    draft.updated_at = in_utc(now)
    session.add(queued)
    return queued


def _message(draft: Draft, me: dict[str, str], now: dt.datetime) -> Any:
    """The message a draft goes out as (not marked as an unsent draft)."""
    return mail.message_for(draft, me, now, f"draft #{draft.id}", unsent=False)


@dataclass(frozen=True)
class Planned:
    """One message a sending run would send: from a draft, or queued earlier."""

    draft: int | None
    message: int | None  # for a message queued earlier
    to: str
    subject: str
    size: int  # bytes


def dry_run(
    store: Store, draft_ids: list[int], me: dict[str, str], now: dt.datetime
) -> tuple[list[Queued], list[Planned]]:
    """(drafts it would not queue, messages it would send) as `send` would have them;
    nothing is stored.

    The run is queued in a transaction that is rolled back, through the very functions
    `send` uses, so that the two always agree.
    """
    with store.rehearsal() as session:
        queued = enqueue(session, pending_drafts(session, draft_ids), me, now)
        session.flush()
        fresh = {id_of(q.message): q.draft for q in queued if q.message is not None}
        only = list(fresh) if draft_ids else None  # as send_drafts: only the drafts named
        planned = [
            _planned(message, fresh.get(id_of(message)))
            for message in stored.waiting_messages(session, only)
        ]
        skipped = [q for q in queued if q.reason]
        for item in skipped:  # kept as they are, past the rollback
            session.expunge(item.draft)
    return skipped, planned


def _planned(message: OutboxMessage, draft: Draft | None) -> Planned:
    """What a dry run says of one message (a fresh one by its draft, since it has no id yet)."""
    if draft is not None:
        return Planned(
            draft.id, None, f"{draft.to_name} <{draft.to_addr}>", draft.subject, len(message.raw)
        )
    return Planned(message.draft_id, message.id, message.to_addr, message.subject, len(message.raw))


def mark_interrupted(session: Session, now: dt.datetime, claimant: str) -> int:
    """Turn messages left `sending` by a stopped run into `unknown`; how many.

    Left means claimed by this machine (whose sending lock the caller holds, so no run of
    its own is sending), by a meishi from before claims were recorded, or longer ago than
    the lease. Another machine's fresh claim is that machine sending it right now.
    """
    sending = stored.messages_in_state(session, SENDING)
    stuck = [m for m in sending if _left_behind(m, now, claimant)]
    for message in stuck:
        _set_state(message, UNKNOWN, "meishi stopped while sending it", now)
    return len(stuck)


def _left_behind(message: OutboxMessage, now: dt.datetime, claimant: str) -> bool:
    """True when no running meishi can be sending this `sending` message."""
    if message.claimed_by in (None, claimant):
        return True
    claimed = message.updated_at  # claiming is the last change of a message being sent
    if claimed.tzinfo is None:  # the store gives back its UTC stamps without a zone
        claimed = claimed.replace(tzinfo=dt.UTC)
    return now - claimed > LEASE


def claimant_for(lock_dir: Path) -> str:
    """This machine's name in claims: its host and meishi home, hashed (a claim is exported
    with the store, and the path is nobody else's business)."""
    place = f"{socket.gethostname()}\0{lock_dir.resolve()}"
    return hashlib.sha256(place.encode()).hexdigest()[:16]


def send_queued(
    store: Store,
    sender: Sender,
    lock_dir: Path,
    clock: Callable[[], dt.datetime],
    only: list[int] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send the queued messages (or only some) one envelope each; stop at a connection failure.

    `clock` tells the time each message is claimed and settled: a batch takes a while.
    """
    report = SendReport()
    claimant = claimant_for(lock_dir)
    # The claim alone keeps two runs from sending one message, on either engine; the lock
    # (one per home, so one per machine) is what lets a run call its own machine's
    # `sending` messages leftovers: while it holds the lock, no run of its own is sending.
    with _sending_lock(lock_dir):
        with store.write() as session:
            mark_interrupted(session, clock(), claimant)
            ids = waiting_ids(session, only)
        if ids:
            _send_batch(store, sender, _Batch(claimant, only), report, _Pace(clock, sleep))
        with store.read() as session:
            report.left = len(waiting_ids(session))
    return report


@dataclass(frozen=True)
class _Pace:
    """What a batch keeps time with: the clock for its stamps, and the pause between messages."""

    clock: Callable[[], dt.datetime]
    sleep: Callable[[float], None]


@dataclass(frozen=True)
class _Batch:
    """Who a batch claims messages as, and which messages it may claim (None: any)."""

    claimant: str
    only: list[int] | None


def _send_batch(
    store: Store, sender: Sender, batch: _Batch, report: SendReport, pace: _Pace
) -> None:
    """One SMTP session for the batch; each message is claimed, sent and settled in turn,
    oldest first, until none is left that this run has not yet tried."""
    try:
        with smtp.smtp_session(sender.smtp) as connection:
            message = _claim(store, batch, 0, pace.clock())
            while message is not None:
                message_id = id_of(message)
                reply = smtp.deliver(connection, sender.me["email"], message.to_addr, message.raw)
                _settle(store, message_id, reply, report, pace.clock())
                if reply.stop:
                    report.stopped = reply.text
                    return
                message = _claim_after_pause(store, batch, message_id, sender.pause, pace)
    except smtp.SmtpUnavailable as error:
        report.stopped = str(error)


def _claim_after_pause(
    store: Store, batch: _Batch, after: int, pause: float, pace: _Pace
) -> OutboxMessage | None:
    """The next message to send, after the pause between messages (none when none is left)."""
    with store.read() as session:
        if not any_waiting_after(session, after, batch.only):
            return None
    if pause > 0:
        pace.sleep(pause)
    return _claim(store, batch, after, pace.clock())


def _claim(store: Store, batch: _Batch, after: int, now: dt.datetime) -> OutboxMessage | None:
    """Mark the oldest queued message past id `after` `sending` as this machine's (committed
    before any byte goes out); None when none is left.

    Only past `after`: a message put back in the queue (a 4xx reply) waits for the next run.
    """
    with store.write() as session:
        message = next_to_claim(session, after, batch.only)
        if message is None:
            return None
        message.attempts += 1
        message.claimed_by = batch.claimant
        _set_state(message, SENDING, None, now)
        return message


def _settle(
    store: Store, message_id: int, reply: smtp.Reply, report: SendReport, now: dt.datetime
) -> None:
    """Record what the server said about one message, at `now`."""
    with store.write() as session:
        message = by_id(session, OutboxMessage, message_id)
        assert message is not None
        _set_state(message, reply.outcome, None if reply.outcome == SENT else reply.text, now)
        if reply.outcome == SENT:
            message.sent_at = in_utc(now)
            _record_delivery(session, message)
        _draft_follows(session, message, now)
        {SENT: report.sent, FAILED: report.failed, UNKNOWN: report.unknown}.get(
            reply.outcome, report.retry_later
        ).append(message)


def _record_delivery(session: Session, message: OutboxMessage) -> None:
    """A sent thank-you marks its encounter thanked; a sent apology counts as made."""
    if message.kind == "thank":
        for encounter in thanked_for(session, message.encounter_id, message.draft_id):
            if encounter.thanked_at is None:
                encounter.thanked_at = message.sent_at
    draft = by_id(session, Draft, message.draft_id)
    if message.kind == "apology" and draft is not None:
        event = by_id(session, Event, draft.event_id)
        plain = raw_connection(session)  # what the session holds flushed first
        owed = open_obligations(plain, id_of(event)) if event is not None else []
        if event is not None and any(o.kind == APOLOGY for o in owed):
            settle_apology(plain, event, "mail", message.sent_at or message.updated_at)


def _draft_follows(session: Session, message: OutboxMessage, now: dt.datetime) -> None:
    """Keep the draft's state in step with its message."""
    draft = by_id(session, Draft, message.draft_id)
    if draft is not None:
        draft.state = message.state
        draft.updated_at = in_utc(now)


def _set_state(message: OutboxMessage, state: str, error: str | None, now: dt.datetime) -> None:
    """Move a message to a state at `now`, noting why when it did not go well."""
    message.state = state
    message.last_error = error
    message.updated_at = in_utc(now)


def list_outbox(session: Session) -> list[OutboxMessage]:
    """Every message in the outbox, newest first."""
    return stored.messages_newest_first(session)


def requeue(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage:
    """Put one failed, unknown or queued message back in the queue, on explicit request."""
    message = by_id(session, OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"no message #{message_id} in the outbox; see meishi outbox")
    if message.state not in RETRIABLE:
        raise NothingToDo(f"message #{message_id} is {message.state}; it is not sent again")
    if not message.raw:
        raise NothingToDo(
            f"message #{message_id} came from an imported file, without bytes of its own; "
            "meishi never sends it: draft it again (meishi thank, meishi apology)"
        )
    _set_state(message, QUEUED, None, now)
    _draft_follows(session, message, now)
    return message


def outbox_json(message: OutboxMessage) -> dict[str, Any]:
    """One outbox message as JSON-ready values (never its bytes)."""
    return {
        "id": id_of(message),
        "state": message.state,
        "meaning": state_meaning(message.state),
        "to": message.to_addr,
        "subject": message.subject,
        "message_id": message.message_id,
        "size": len(message.raw),
        "attempts": message.attempts,
        "error": message.last_error,
        "updated": message.updated_at.astimezone().isoformat(timespec="seconds"),
        "sent": message.sent_at.astimezone().isoformat(timespec="seconds")
        if message.sent_at
        else None,
    }


def state_meaning(state: str) -> str:
    """What a message's state means, even for one this meishi does not know."""
    return STATE_MEANINGS.get(state, "not a state meishi knows; meishi never sends it")


@contextmanager
def _sending_lock(lock_dir: Path) -> Iterator[None]:
    """Only one meishi sends at a time, so a `sending` message found here is a leftover."""
    from filelock import FileLock, Timeout

    lock = FileLock(lock_dir / "sending.lock", timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise SendingBusy(
            "another meishi is sending mail right now; try again when it is done"
        ) from None
    try:
        yield
    finally:
        lock.release()
