"""One agenda of what you owe, most urgent first."""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import asdict, dataclass

from sqlmodel import Session, col, func, select

from meishi.attendance.owed import APOLOGY, open_obligations
from meishi.attendance.rules import ATTENDED, REGISTERED
from meishi.drafts.box import DISCARDED, HELD, PENDING
from meishi.followups.candidates import FOLLOW_UP_DAYS
from meishi.models import Decision, Draft, Event, id_of
from meishi.relationships.facts import next_steps, replies_to_answer
from meishi.relationships.rules import REPLY_AFTER_DAYS
from meishi.should_return.facts import judged, occurrences_of
from meishi.should_return.reminders import closing_window, coming_up, worth_deciding
from meishi.should_return.rules import CARE_KINDS, Verdict
from meishi.store.follow_ups import follow_ups_of
from meishi.store.resolve import raw_connection
from meishi.thank_yous import LATE_AFTER_DAYS, drafts_for, unthanked

# Older thank-yous are left off the agenda: past this, a thank-you would be odd.
THANK_HORIZON_DAYS = 30
# Order of urgency: what you owe organizers first, then people, then an organizer's
# follow-up about to go unnoticed, then decisions, then chances to take (a next step with
# someone whose replies keep coming).
RANKS = {
    "apology": 0,
    "fee": 1,
    "thank-late": 2,
    "thank": 3,
    "reply": 4,
    "follow-up-window": 5,
    "decide": 6,
    "next-step": 7,
}


@dataclass(frozen=True)
class Task:
    """One thing to do, with the command that settles it."""

    kind: str
    due: dt.date
    text: str
    command: str
    late: bool = False
    verdict: str | None = None  # for a decision: what should-return says now

    def to_json(self) -> dict[str, object]:
        """The task as JSON-ready values."""
        return {**asdict(self), "due": self.due.isoformat()}


def build_agenda(session: Session, today: dt.date) -> list[Task]:
    """Everything owed, most urgent first."""
    tasks = [
        *_owed(session),
        *_thank_yous(session, today),
        *_replies(session, today),
        *_closing_windows(session, today),
        *_decisions(session, today),
        *_next_steps(session, today),
    ]
    return sorted(tasks, key=lambda t: (RANKS[t.kind], t.due, t.text))


def _owed(session: Session) -> list[Task]:
    """Apologies and fees owed after last-minute cancellations and no-shows."""
    tasks = []
    for obligation in open_obligations(session):
        event = session.get(Event, obligation.event_id)
        assert event is not None
        whom = event.organizer_name or "the organizer"
        if obligation.kind == APOLOGY:
            text = f"Apologize to {whom} for {event.name} ({event.date}); in person is best"
            command = (
                f"meishi apology {event.id}, then meishi apologized {event.id} --how in-person; "
                f"by mail, only meishi apology {event.id} --send (or meishi send with the "
                "draft's id) sends it: meishi send alone never does"
            )
        else:
            text = f"Pay the ¥{obligation.amount or 0:,} fee for {event.name} ({event.date})"
            command = f"meishi paid {event.id}"
        tasks.append(Task(obligation.kind, event.date, text, command))
    return tasks


def _thank_yous(session: Session, today: dt.date) -> list[Task]:
    """Recent encounters with people you can write to, not thanked yet (nor discarded)."""
    since = today - dt.timedelta(days=THANK_HORIZON_DAYS)
    tasks = []
    for encounter, contact, event in unthanked(session, since, None, today, with_email=True):
        draft = session.exec(drafts_for(encounter).order_by(col(Draft.id).desc())).first()
        if draft is not None and draft.state == DISCARDED:
            continue  # you decided not to send it
        late = (today - event.date).days > LATE_AFTER_DAYS
        mark = f"meishi thank --mark-sent {_word(contact.full_name)} --event {event.id}"
        text = f"Thank {contact.full_name} for {event.name} ({event.date})" + (
            " — late" if late else ""
        )
        due = event.date + dt.timedelta(days=1)
        command = _thank_command(draft, event, mark)
        tasks.append(Task("thank-late" if late else "thank", due, text, command, late))
    return tasks


def _thank_command(draft: Draft | None, event: Event, mark: str) -> str:
    """What sends (or records) one thank-you, by the state of its draft."""
    if draft is None:
        return f"meishi thank --event {event.id}"
    if draft.state == HELD:
        return f"meishi drafts release {draft.id}, then meishi send {draft.id}, or {mark}"
    if draft.state == PENDING:
        return (
            f"meishi send {draft.id} (meishi send alone sends every pending thank-you, "
            f"after asking), or {mark}"
        )
    return f"see meishi drafts show {draft.id} and meishi outbox, or {mark}"


def _replies(session: Session, today: dt.date) -> list[Task]:
    """Mail from contacts that ends its thread and has waited too long for your answer."""
    tasks = []
    for contact, mail in replies_to_answer(session, today):
        text = f"{contact.full_name} wrote on {mail.day} (“{mail.subject}”): reply"
        command = "reply from your mail client; the next meishi sync sees it in Sent"
        tasks.append(Task("reply", mail.day + dt.timedelta(days=REPLY_AFTER_DAYS), text, command))
    return tasks


def _next_steps(session: Session, today: dt.date) -> list[Task]:
    """Sprouting relationships: time to suggest meeting again."""
    tasks = []
    for contact, found in next_steps(session, today):
        text = (
            f"Sprouting with {contact.full_name} (they wrote on {found.reply_days} days, "
            f"last mail {found.last_day}): suggest a next step, e.g. propose a meeting"
        )
        command = (
            f"meishi contacts show {_word(contact.full_name)}, then write to propose a meeting"
        )
        assert found.last_day is not None
        tasks.append(Task("next-step", found.last_day, text, command))
    return tasks


def _closing_windows(session: Session, today: dt.date) -> list[Task]:
    """Events you attended whose follow-up window closes soon with nothing from the organizer."""
    since = today - dt.timedelta(days=FOLLOW_UP_DAYS)
    attended = session.exec(
        select(Event)
        .where(Event.date >= since, Event.date <= today, Event.attendance == ATTENDED)
        .order_by(col(Event.date), col(Event.id))
    ).all()
    ids = [id_of(event) for event in attended]
    cared = {
        f.event_id for f in follow_ups_of(raw_connection(session), ids) if f.kind in CARE_KINDS
    }
    tasks = []
    for event in attended:
        closes = closing_window(event.date, True, event.id in cared, today)
        if closes is not None:
            text = (
                f"The follow-up window for {event.name} ({event.date}) closes on {closes}:"
                " no thank-you, survey or report from the organizer is recorded yet"
            )
            command = f"meishi followup {event.id} thanks|survey|report, if the organizer sent one"
            tasks.append(Task("follow-up-window", closes, text, command))
    return tasks


def _decisions(session: Session, today: dt.date) -> list[Task]:
    """Coming occurrences of gatherings you went to, with what should-return says of them,
    unless you were told just that since your last visit."""
    upcoming = session.exec(
        select(Event)
        .where(Event.date >= today, Event.attendance == REGISTERED)
        .where(col(Event.series).is_not(None))
        .order_by(col(Event.date), col(Event.id))
    ).all()
    tasks, seen = [], set()
    for event in upcoming:
        series = event.series or ""
        if series in seen or not coming_up(event.date, today):
            continue
        seen.add(series)
        verdict = judged(session, *occurrences_of(session, event), today)
        if worth_deciding(
            _last_visit(session, series), *_last_asked(session, series), verdict.verdict
        ):
            tasks.append(_decision(event, series, verdict))
    return tasks


def _decision(event: Event, series: str, verdict: Verdict) -> Task:
    """The agenda's line for a coming occurrence: the verdict and its first reason."""
    text = (
        f"Decide whether to go back to {series}: next on {event.date};"
        f" should-return says {verdict.verdict}: {verdict.reasons[0].text}"
    )
    command = f"meishi should-return {_word(series)}, or meishi brief {event.id}"
    return Task("decide", event.date, text, command, verdict=verdict.verdict)


def _last_visit(session: Session, series: str) -> dt.date | None:
    """The day of the last occurrence of the series you attended."""
    return session.exec(
        select(func.max(Event.date)).where(Event.series == series, Event.attendance == ATTENDED)
    ).one()


def _last_asked(session: Session, series: str) -> tuple[dt.date | None, str | None]:
    """The local day should-return last gave a verdict on the series, and that verdict."""
    decision = session.exec(
        select(Decision).where(Decision.series == series).order_by(col(Decision.decided_at).desc())
    ).first()
    if decision is None:
        return None, None
    return decision.decided_at.astimezone().date(), decision.verdict


def _word(text: str) -> str:
    """Text as one shell word to paste: double-quoted, or single-quoted if it holds $ ` \\ " !."""
    return shlex.quote(text) if set(text) & set('"$`\\!') else f'"{text}"'
