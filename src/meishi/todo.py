"""One agenda of what you owe, most urgent first.

Read over the plain connection (store/): each kind of task is a query or two for the whole
store (what is owed, the recent meetings not thanked and their drafts, the mail that may
await an answer), so the agenda grows with what there is to do, not with the store.
"""

from __future__ import annotations

import datetime as dt
import shlex
from typing import NamedTuple

from meishi.attendance.rules import APOLOGY, ATTENDED, REGISTERED
from meishi.drafts.states import DISCARDED, HELD, LATE_AFTER_DAYS, PENDING
from meishi.followups.window import FOLLOW_UP_DAYS
from meishi.relationships.facts import next_steps, replies_to_answer
from meishi.relationships.rules import REPLY_AFTER_DAYS
from meishi.should_return.facts import judged, occurrences_of
from meishi.should_return.reminders import closing_window, coming_up, worth_deciding
from meishi.should_return.rules import CARE_KINDS, Verdict
from meishi.store import occurrences as held
from meishi.store.decisions import last_decision
from meishi.store.follow_ups import follow_ups_of
from meishi.store.meetings import latest_thank_drafts, unthanked
from meishi.store.obligations import open_obligations
from meishi.store.occurrences import EventRecord
from meishi.store.sql import ReadConnection

# Older thank-yous are left off the agenda: past this, a thank-you would be odd.
THANK_HORIZON_DAYS = 30
SHELL_SPECIAL = frozenset('"$`\\!')  # what a double-quoted shell word would act on
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


class Task(NamedTuple):
    """One thing to do, with the command that settles it (a named tuple: an agenda at 100k
    contacts holds thousands)."""

    kind: str
    due: dt.date
    text: str
    command: str
    late: bool = False
    verdict: str | None = None  # for a decision: what should-return says now

    def to_json(self) -> dict[str, object]:
        """The task as JSON-ready values."""
        return {**self._asdict(), "due": self.due.isoformat()}


def build_agenda(connection: ReadConnection, today: dt.date) -> list[Task]:
    """Everything owed, most urgent first."""
    tasks = [
        *_owed(connection),
        *_thank_yous(connection, today),
        *_replies(connection, today),
        *_closing_windows(connection, today),
        *_decisions(connection, today),
        *_next_steps(connection, today),
    ]
    return sorted(tasks, key=lambda t: (RANKS[t.kind], t.due, t.text))


def _owed(connection: ReadConnection) -> list[Task]:
    """Apologies and fees owed after last-minute cancellations and no-shows."""
    tasks = []
    for owed in open_obligations(connection):
        event, named = owed.event_id, f"{owed.event_name} ({owed.event_date})"
        if owed.kind == APOLOGY:
            whom = owed.organizer or "the organizer"
            text = f"Apologize to {whom} for {named}; in person is best"
            command = (
                f"meishi apology {event}, then meishi apologized {event} --how in-person; "
                f"by mail, only meishi apology {event} --send (or meishi send with the "
                "draft's id) sends it: meishi send alone never does"
            )
        else:
            text = f"Pay the ¥{owed.amount or 0:,} fee for {named}"
            command = f"meishi paid {event}"
        tasks.append(Task(owed.kind, owed.event_date, text, command))
    return tasks


def _thank_yous(connection: ReadConnection, today: dt.date) -> list[Task]:
    """Recent encounters with people you can write to, not thanked yet (nor discarded)."""
    since = today - dt.timedelta(days=THANK_HORIZON_DAYS)
    drafts = latest_thank_drafts(connection, since, today)
    tasks = []
    for met in unthanked(connection, since, today, with_email=True):
        draft = drafts.get(met.encounter_id)
        if draft is not None and draft[1] == DISCARDED:
            continue  # you decided not to send it
        late = (today - met.event_date).days > LATE_AFTER_DAYS
        mark = f"meishi thank --mark-sent {_word(met.full_name)} --event {met.event_id}"
        text = f"Thank {met.full_name} for {met.event_name} ({met.event_date})" + (
            " — late" if late else ""
        )
        due = met.event_date + dt.timedelta(days=1)
        command = _thank_command(draft, met.event_id, mark)
        tasks.append(Task("thank-late" if late else "thank", due, text, command, late))
    return tasks


def _thank_command(draft: tuple[int, str] | None, event: int, mark: str) -> str:
    """What sends (or records) one thank-you, by its draft's (id, state)."""
    if draft is None:
        return f"meishi thank --event {event}"
    key, state = draft
    if state == HELD:
        return f"meishi drafts release {key}, then meishi send {key}, or {mark}"
    if state == PENDING:
        return (
            f"meishi send {key} (meishi send alone sends every pending thank-you, "
            f"after asking), or {mark}"
        )
    return f"see meishi drafts show {key} and meishi outbox, or {mark}"


def _replies(connection: ReadConnection, today: dt.date) -> list[Task]:
    """Mail from contacts that ends its thread and has waited too long for your answer."""
    tasks = []
    for contact, mail in replies_to_answer(connection, today):
        text = f"{contact.full_name} wrote on {mail.day} (“{mail.subject}”): reply"
        command = "reply from your mail client; the next meishi sync sees it in Sent"
        tasks.append(Task("reply", mail.day + dt.timedelta(days=REPLY_AFTER_DAYS), text, command))
    return tasks


def _next_steps(connection: ReadConnection, today: dt.date) -> list[Task]:
    """Sprouting relationships: time to suggest meeting again."""
    tasks = []
    for contact, found in next_steps(connection, today):
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


def _closing_windows(connection: ReadConnection, today: dt.date) -> list[Task]:
    """Events you attended whose follow-up window closes soon with nothing from the organizer."""
    since = today - dt.timedelta(days=FOLLOW_UP_DAYS)
    attended = held.with_status_between(connection, ATTENDED, since, today)
    ids = [event.id for event in attended]
    cared = {f.event_id for f in follow_ups_of(connection, ids) if f.kind in CARE_KINDS}
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


def _decisions(connection: ReadConnection, today: dt.date) -> list[Task]:
    """Coming occurrences of gatherings you went to, with what should-return says of them,
    unless you were told just that since your last visit."""
    tasks, seen = [], set()
    for event in held.coming_in_a_series(connection, REGISTERED, today):
        series = event.series or ""
        if series in seen or not coming_up(event.date, today):
            continue
        seen.add(series)
        # Only the verdict and its first reason are shown: whom you met there is not read.
        verdict = judged(connection, *occurrences_of(connection, event), today, people=False)
        last_visit = held.last_of_series(connection, series, ATTENDED)
        if worth_deciding(last_visit, *_last_asked(connection, series), verdict.verdict):
            tasks.append(_decision(event, series, verdict))
    return tasks


def _decision(event: EventRecord, series: str, verdict: Verdict) -> Task:
    """The agenda's line for a coming occurrence: the verdict and its first reason."""
    text = (
        f"Decide whether to go back to {series}: next on {event.date};"
        f" should-return says {verdict.verdict}: {verdict.reasons[0].text}"
    )
    command = f"meishi should-return {_word(series)}, or meishi brief {event.id}"
    return Task("decide", event.date, text, command, verdict=verdict.verdict)


def _last_asked(connection: ReadConnection, series: str) -> tuple[dt.date | None, str | None]:
    """The local day should-return last gave a verdict on the series, and that verdict."""
    decision = last_decision(connection, series)
    if decision is None:
        return None, None
    decided_at, verdict = decision
    return decided_at.astimezone().date(), verdict


def _word(text: str) -> str:
    """Text as one shell word to paste: double-quoted, or single-quoted if it holds $ ` \\ " !."""
    return f'"{text}"' if SHELL_SPECIAL.isdisjoint(text) else shlex.quote(text)
