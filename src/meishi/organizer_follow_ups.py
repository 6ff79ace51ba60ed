"""The step of `meishi sync` that finds organizers' follow-ups in the inbox.

A message is read whole only when its headers make it a candidate for an event you
attended (from the organizer's address or domain, or from an event platform naming the
event, within FOLLOW_UP_DAYS of its start: `followups.candidates`); no other body is
fetched. The classifier (`followups.classify`) tells its kinds: a confident one is
recorded as a follow-up, a doubtful one waits on the review list (`mail_follow_ups`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meishi.attendance.rules import ATTENDED
from meishi.followups.candidates import EventWindow, is_candidate
from meishi.followups.classify import classify
from meishi.followups.mail import organizer_mail
from meishi.followups.window import FOLLOW_UP_DAYS
from meishi.mail import imap
from meishi.mail_follow_ups import FoundInMail, keep_for_review, record_found
from meishi.models import Event, id_of
from meishi.should_return.rules import FOLLOW_UP_KINDS
from meishi.store.mailbox import events_from

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.mail.headers import Seen
    from meishi.mail.imap import Mailbox

FOUND, TO_REVIEW = "found", "waiting for review"


@dataclass(frozen=True)
class Attended:
    """An event you attended, as the candidate rules see it."""

    event_id: int
    window: EventWindow


@dataclass(frozen=True)
class Candidate:
    """A message that may be an organizer's follow-up: the event, its headers as sync read
    them (the date falls back on the arrival), and the whole mail."""

    event: Attended
    seen: Seen
    raw: bytes


def attended_events(session: Session, since: dt.date, zone: dt.tzinfo) -> tuple[Attended, ...]:
    """The events attended late enough that mail read from `since` on may follow them up."""
    first = since - dt.timedelta(days=FOLLOW_UP_DAYS)
    attended = events_from(session, first, ATTENDED)
    return tuple(Attended(id_of(event), _window(event, zone)) for event in attended)


def _window(event: Event, zone: dt.tzinfo) -> EventWindow:
    """The event as the candidate rules see it: it starts at its time (else at midnight)."""
    start = dt.datetime.combine(event.date, event.start_time or dt.time(0), zone)
    return EventWindow(event.name, event.series, start, event.organizer_email)


def event_of(seen: Seen, events: Sequence[Attended]) -> Attended | None:
    """The event a message may follow up: of those it is a candidate for, the latest."""
    matching = [e for e in events if is_candidate(seen.sender, seen.subject, seen.date, e.window)]
    return max(matching, key=lambda e: e.window.start, default=None)


def candidates(
    client: Mailbox, messages: Sequence[tuple[int, Seen]], events: Sequence[Attended]
) -> list[Candidate]:
    """The candidates among these messages (UID and headers), read whole: the only bodies
    fetched."""
    headers = dict(messages)
    chosen = {uid: event for uid, seen in messages if (event := event_of(seen, events))}
    bodies = imap.fetch_bodies(client, sorted(chosen))
    return [
        Candidate(chosen[uid], headers[uid], bodies[uid]) for uid in sorted(chosen) if uid in bodies
    ]


def record_candidates(
    session: Session, found: Sequence[Candidate], zone: dt.tzinfo
) -> Counter[str]:
    """Classify each candidate: record the sure follow-ups, keep the doubtful ones for
    review; how many of each were new."""
    counts: Counter[str] = Counter()
    for candidate in found:
        for one, confident in findings(candidate, zone):
            if confident:
                counts[FOUND] += record_found(session, one)
            else:
                counts[TO_REVIEW] += keep_for_review(session, one)
    return counts


def findings(candidate: Candidate, zone: dt.tzinfo) -> Iterator[tuple[FoundInMail, bool]]:
    """What the classifier found in a candidate that the verdict counts (not "other"), each
    with whether it is sure; dated the mail's day in the user's time zone."""
    seen = candidate.seen
    for finding in classify(organizer_mail(candidate.raw), candidate.event.window):
        if finding.kind in FOLLOW_UP_KINDS:
            on = seen.date.astimezone(zone).date()
            yield (
                FoundInMail(
                    candidate.event.event_id,
                    finding.kind,
                    on,
                    seen.subject,
                    seen.message_id,
                    tuple(finding.reasons),
                ),
                finding.confident,
            )
