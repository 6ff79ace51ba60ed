"""Should you go back? A verdict on a gathering from what its organizer did afterwards.

One visit rarely shows what a gathering is worth. What does show it is whether
the organizer followed up: a thank-you mail to participants, a satisfaction
survey, a report or minutes. An organizer who does that values participants and
grows the gathering. An invitation to the next one is only marketing, so it is
reported but never counts.

`decide` is a pure function of the recorded facts: no I/O, and `today` is
passed in so the same facts always give the same verdict.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from meishi.attendance.rules import CANCELLED
from meishi.errors import BadValue

# Organizers usually follow up within two weeks; after that, silence is an answer.
FOLLOW_UP_WINDOW_DAYS = 14
# Follow-ups that show care for participants, in the order reasons list them.
CARE_KINDS = ("thanks", "survey", "report")
INVITE_KIND = "invite"
# Each kind of follow-up and what recording it means.
FOLLOW_UP_KINDS = {
    "thanks": "the organizer thanked participants",
    "survey": "the organizer sent a satisfaction survey",
    "report": "the organizer shared a report or minutes",
    INVITE_KIND: "the organizer invited you to the next one",
}

RETURN, WAIT, SKIP, UNKNOWN = "return", "wait", "skip", "unknown"

# What the organizer did, as the predicate of a reason sentence.
KIND_DEEDS = {
    "thanks": "sent participants a thank-you mail",
    "survey": "sent a satisfaction survey",
    "report": "published a report or minutes",
    INVITE_KIND: "invited you to the next one",
}
INVITE_CAVEAT = "; an invitation alone does not show care for participants"
# A mail's kinds as a reason names them: the first alone, the others after "with".
KIND_NOUNS = {
    "thanks": "thank-you",
    "survey": "survey",
    "report": "report",
    INVITE_KIND: "invitation",
}
WITH_NOUNS = {
    "thanks": "thanks to participants",
    "survey": "a survey link",
    "report": "a report",
    INVITE_KIND: "an invitation to the next one",
}
SUBJECT_SHOWN = 30  # characters of a mail's subject a reason quotes
# More kinds of follow-up make a stronger case; keyed by the number of care kinds.
STRENGTH_WORDS = {1: "a sign", 2: "a good sign", 3: "a strong sign"}


class FollowUpFact(NamedTuple):
    """Something the organizer did after an occurrence (decide() refuses a kind it does not
    know)."""

    kind: str  # "thanks" | "survey" | "report" | "invite"
    on: date
    note: str | None = None
    subject: str | None = None  # the organizer's mail that shows it, when one does
    message_id: str | None = None


class Occurrence(NamedTuple):
    """One dated occurrence of an event or series, with what is recorded about it."""

    event_id: int
    name: str
    on: date
    attended: bool  # the caller decides (today: date <= today)
    follow_ups: tuple[FollowUpFact, ...] = ()
    people_met: int = 0  # contacts met there
    thanked: int = 0  # of those, how many you sent a thank-you to
    status: str = ""  # your own status, when not attended: registered, cancelled or no-show
    sprouting: int = 0  # of those met, how many are sprouting by mail now
    in_touch: int = 0  # and how many in touch by mail


class Reason(NamedTuple):
    """One sentence of evidence: which event, what the organizer did, when."""

    text: str
    event_id: int | None = None
    kind: str | None = None
    on: date | None = None

    def to_json(self) -> dict[str, object]:
        """The reason as JSON-ready values, its date as an ISO string."""
        return {
            "text": self.text,
            "event_id": self.event_id,
            "kind": self.kind,
            "date": self.on.isoformat() if self.on else None,
        }


class Verdict(NamedTuple):
    """Whether to go back to a series, and the evidence for it."""

    verdict: str  # "return" | "wait" | "skip" | "unknown"
    series: str
    attended: int
    reasons: tuple[Reason, ...]
    ask_again_on: date | None  # only for "wait"
    strength: int  # distinct care kinds after the latest visit, else across all visits (0-3)
    people_met: int
    thanked: int
    owed: tuple[Reason, ...] = ()  # apologies and fees still owed to this organizer
    sprouting: int = 0  # people met there who are sprouting by mail now
    in_touch: int = 0  # and who are in touch by mail

    def to_json(self) -> dict[str, object]:
        """The verdict as JSON-ready values, dates as ISO strings."""
        return {
            "verdict": self.verdict,
            "series": self.series,
            "attended": self.attended,
            "reasons": [reason.to_json() for reason in self.reasons],
            "ask_again_on": self.ask_again_on.isoformat() if self.ask_again_on else None,
            "strength": self.strength,
            "people_met": self.people_met,
            "thanked": self.thanked,
            "owed": [reason.to_json() for reason in self.owed],
            "sprouting": self.sprouting,
            "in_touch": self.in_touch,
        }


def counted_follow_ups(occurrence: Occurrence) -> tuple[FollowUpFact, ...]:
    """Follow-ups dated on or after their occurrence, oldest first."""
    # A "follow-up" dated before the event is a recording mistake, not a follow-up.
    valid = (f for f in occurrence.follow_ups if f.on >= occurrence.on)
    return tuple(sorted(valid, key=lambda f: f.on))


def care_kinds(occurrences: Iterable[Occurrence]) -> tuple[str, ...]:
    """Distinct care kinds counted for the occurrences, in CARE_KINDS order."""
    seen = {f.kind for o in occurrences for f in counted_follow_ups(o)}
    return tuple(kind for kind in CARE_KINDS if kind in seen)


def _refuse_unknown_kinds(occurrences: Iterable[Occurrence]) -> None:
    """Refuse a follow-up kind the rules do not know, rather than silently ignore it."""
    for fact in (fact for o in occurrences for fact in o.follow_ups):
        if fact.kind not in FOLLOW_UP_KINDS:
            raise BadValue(
                f"Unknown follow-up kind {fact.kind!r}: use one of {', '.join(FOLLOW_UP_KINDS)}."
            )


def decide(
    series: str,
    occurrences: Sequence[Occurrence],
    today: date,
    window_days: int = FOLLOW_UP_WINDOW_DAYS,
) -> Verdict:
    """Decide whether to go back to SERIES: return, wait, skip or unknown."""
    _refuse_unknown_kinds(occurrences)
    attended = sorted((o for o in occurrences if o.attended), key=lambda o: (o.on, o.event_id))
    if not attended:
        return _unknown(series, occurrences, today)
    latest = attended[-1]
    cared = [o for o in attended if care_kinds([o])]
    ask_again_on = latest.on + timedelta(days=window_days)
    if care_kinds([latest]) or 2 * len(cared) > len(attended):
        verdict, headline = RETURN, _return_reasons(latest, cared, len(attended))
    elif today < ask_again_on:
        verdict, headline = WAIT, _wait_reasons(latest, cared, len(attended), ask_again_on)
    else:
        verdict, headline = SKIP, _skip_reasons(latest, cared, len(attended), window_days)
    kinds = care_kinds([latest]) or care_kinds(attended)
    strength = _strength_reasons(kinds, care_kinds(attended), latest) if verdict == RETURN else ()
    next_step = _skip_next_step(latest) if verdict == SKIP else ()
    reasons = (
        *headline,
        *strength,
        *next_step,
        *(reason for o in attended for reason in _fact_reasons(o)),
        *_not_attended_reasons(occurrences, today),
        _people_reason(attended),
    )
    return Verdict(
        verdict=verdict,
        series=series,
        attended=len(attended),
        reasons=reasons,
        ask_again_on=ask_again_on if verdict == WAIT else None,
        strength=len(kinds),
        people_met=sum(o.people_met for o in attended),
        thanked=sum(o.thanked for o in attended),
        sprouting=sum(o.sprouting for o in attended),
        in_touch=sum(o.in_touch for o in attended),
    )


def _unknown(series: str, occurrences: Sequence[Occurrence], today: date) -> Verdict:
    """The verdict when no occurrence was attended: say what to record."""
    cancelled = bool(occurrences) and all(o.status == CANCELLED for o in occurrences)
    if cancelled:
        text = (
            f'You cancelled "{series}", so there is nothing to judge; if you go to one after'
            " all, record it with `meishi attend` and the people you met with `meishi add`."
        )
    elif occurrences:
        text = (
            f'You have not attended "{series}" yet, so there is nothing to judge;'
            " after you go, record the people you met with `meishi add`"
            " and what the organizer did with `meishi followup`."
        )
    else:
        text = (
            f'Nothing is recorded for "{series}": record an event you went to with'
            " `meishi event add` and the people you met there with `meishi add`."
        )
    people = () if cancelled else (_people_reason(()),)  # no one is met at a cancelled event
    reasons = (Reason(text), *_not_attended_reasons(occurrences, today), *people)
    return Verdict(UNKNOWN, series, 0, reasons, None, 0, 0, 0)


def _return_reasons(latest: Occurrence, cared: list[Occurrence], visits: int) -> tuple[Reason, ...]:
    """Why to go back: care after the latest visit, or after most visits."""
    tally = f"{len(cared)} of {visits} visits"
    if care_kinds([latest]):
        overall = f", and after {tally} in all" if visits > 1 else ""
        text = f"The organizer followed up after your latest visit, {_label(latest)}{overall}."
    else:
        text = (
            f"The organizer followed up after {tally}, more than half,"
            f" though nothing is recorded yet for the latest, {_label(latest)}."
        )
    return (Reason(text, latest.event_id, None, latest.on),)


def _wait_reasons(
    latest: Occurrence, cared: list[Occurrence], visits: int, ask_again_on: date
) -> tuple[Reason, ...]:
    """Why to wait: the latest visit is too recent to judge; mention earlier care."""
    text = (
        f"Your latest visit, {_label(latest)}, is still inside the follow-up window"
        f" and no thank-you, survey or report is recorded for it yet;"
        f" ask again from {ask_again_on.isoformat()}."
    )
    reasons = [Reason(text, latest.event_id, None, latest.on)]
    if cared:
        earlier = f"{len(cared)} of {_count(visits - 1, 'earlier visit')}"
        reasons.append(Reason(f"Before that, the organizer followed up after {earlier}."))
    return tuple(reasons)


def _skip_reasons(
    latest: Occurrence, cared: list[Occurrence], visits: int, window_days: int
) -> tuple[Reason, ...]:
    """Why to skip: the window after the latest visit passed without care."""
    # Starts after the article so it reads both mid-sentence and as the subject.
    passed = f"{window_days}-day follow-up window after {_label(latest)} has passed"
    if cared:
        text = (
            f"The organizer followed up only after {len(cared)} of {visits} visits,"
            f" not the latest, and the {passed}."
        )
    else:
        after = "it" if visits == 1 else f"any of your {visits} visits"
        text = f"The {passed} with no thank-you, survey or report recorded after {after}."
    return (Reason(text, latest.event_id, None, latest.on),)


def _strength_reasons(
    kinds: tuple[str, ...], in_all: tuple[str, ...], latest: Occurrence
) -> tuple[Reason, ...]:
    """How strong the case is: more kinds of care, stronger case.

    When the kinds are the latest visit's and earlier visits had others, the sentence
    says so, lest it contradict the follow-ups listed below it.
    """
    scope = f"After {_label(latest)}, the" if kinds != in_all else "The"
    others = [kind for kind in in_all if kind not in kinds]
    earlier = f" (and {_join(others)} after earlier visits)" if others else ""
    text = (
        f"{scope} organizer did {_count(len(kinds), 'kind')} of follow-up: {_join(kinds)}"
        f"{earlier} — {STRENGTH_WORDS[len(kinds)]} they value participants."
    )
    return (Reason(text),)


def _skip_next_step(latest: Occurrence) -> tuple[Reason, ...]:
    """What to do after a skip: record a follow-up you missed, or try another gathering."""
    text = (
        "If the organizer did follow up and it is not recorded, record it"
        f" (meishi followup {latest.event_id} thanks|survey|report) and ask again;"
        " otherwise try another gathering, perhaps one by a different organizer."
    )
    return (Reason(text, latest.event_id),)


def _fact_reasons(occurrence: Occurrence) -> tuple[Reason, ...]:
    """One reason per follow-up recorded for an attended occurrence; one per mail for those
    found in the organizer's mail (a thank-you with a survey link is one mail)."""
    reasons = []
    mails = _by_mail(occurrence.follow_ups)
    for fact in sorted(occurrence.follow_ups, key=lambda f: f.on):
        if fact.message_id is None or fact.on < occurrence.on:
            reasons.append(_fact_reason(occurrence, fact))
        elif mails[fact.message_id][0] is fact:
            reasons.append(_mail_reason(occurrence, mails[fact.message_id]))
    return tuple(reasons)


def _by_mail(facts: Iterable[FollowUpFact]) -> dict[str, list[FollowUpFact]]:
    """The follow-ups each mail shows, in the order of FOLLOW_UP_KINDS."""
    mails: dict[str, list[FollowUpFact]] = {}
    for fact in sorted(facts, key=lambda f: list(FOLLOW_UP_KINDS).index(f.kind)):
        if fact.message_id is not None:
            mails.setdefault(fact.message_id, []).append(fact)
    return mails


def _mail_reason(occurrence: Occurrence, facts: Sequence[FollowUpFact]) -> Reason:
    """The sentence for the organizer's mail that shows one or more follow-ups."""
    first = facts[0]
    kinds = [KIND_NOUNS[first.kind], *(f"with {WITH_NOUNS[f.kind]}" for f in facts[1:])]
    note = "".join(f' (note: "{f.note}")' for f in facts if f.note)
    caveat = INVITE_CAVEAT if all(f.kind == INVITE_KIND for f in facts) else ""
    text = (
        f'On {first.on.isoformat()} the organizer sent "{_quoted(first.subject or "")}"'
        f" ({', '.join(kinds)}) after {_label(occurrence)}{note}{caveat}."
    )
    return Reason(text, occurrence.event_id, first.kind, first.on)


def _quoted(subject: str) -> str:
    """A mail's subject as a reason quotes it: its start, cut with an ellipsis."""
    return subject if len(subject) <= SUBJECT_SHOWN else subject[: SUBJECT_SHOWN - 1] + "…"


def _fact_reason(occurrence: Occurrence, fact: FollowUpFact) -> Reason:
    """The sentence for one follow-up: what the organizer did after which event, when."""
    label = _label(occurrence)
    if fact.on < occurrence.on:
        when = fact.on.isoformat()
        text = f"The {fact.kind} dated {when} comes before {label}, so it does not count."
    else:
        note = f' (note: "{fact.note}")' if fact.note else ""
        caveat = INVITE_CAVEAT if fact.kind == INVITE_KIND else ""
        deed = KIND_DEEDS[fact.kind]
        text = f"On {fact.on.isoformat()} the organizer of {label} {deed}{note}{caveat}."
    return Reason(text, occurrence.event_id, fact.kind, fact.on)


def _not_attended_reasons(occurrences: Sequence[Occurrence], today: date) -> tuple[Reason, ...]:
    """Mention occurrences you did not attend; they count toward nothing."""
    return tuple(
        Reason(_not_attended(o, today), o.event_id, None, o.on)
        for o in sorted(occurrences, key=lambda o: o.on)
        if not o.attended
    )


def _not_attended(occurrence: Occurrence, today: date) -> str:
    """Why an occurrence does not count: you cancelled it, it is ahead, or you did not go."""
    label = _label(occurrence)
    if occurrence.status == CANCELLED:
        return f"You cancelled {label}, so it does not count."
    if occurrence.on > today:
        return f"{label} is upcoming; it counts once you have been."
    return f"You did not attend {label}, so it does not count."


def _people_reason(attended: Sequence[Occurrence]) -> Reason:
    """Secondary evidence: whom you met there, how many you thanked, and how many of them
    your mail shows sprouting or in touch."""
    met = sum(o.people_met for o in attended)
    if not met:
        return Reason("You have recorded nobody you met there yet; add them with `meishi add`.")
    thanked = sum(o.thanked for o in attended)
    text = f"You met {_count(met, 'person', 'people')} there and thanked {thanked} of them"
    sprouting, in_touch = sum(o.sprouting for o in attended), sum(o.in_touch for o in attended)
    if sprouting or in_touch:  # without mail recorded, silence says nothing
        verb = "is" if sprouting == 1 else "are"
        text += f"; by mail, {sprouting} {verb} sprouting and {in_touch} in touch"
    return Reason(text + ".")


def _label(occurrence: Occurrence) -> str:
    """An occurrence as reasons name it: its name and date."""
    return f"{occurrence.name} on {occurrence.on.isoformat()}"


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """N with the noun in singular or plural."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _join(words: Sequence[str]) -> str:
    """Words as an English list: "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class OwedFact(NamedTuple):
    """Something you still owe an organizer: an apology, or a fee."""

    kind: str  # "apology" | "fee"
    event_id: int
    name: str
    on: date
    organizer: str | None = None
    amount: int | None = None


def with_owed(verdict: Verdict, owed: Sequence[OwedFact]) -> Verdict:
    """The verdict with what you still owe the organizer: go back, but settle it first."""
    if not owed:
        return verdict
    going = verdict.verdict in ("return", "wait")
    reasons = tuple(_owed_reason(fact, going) for fact in owed)
    return verdict._replace(reasons=verdict.reasons + reasons, owed=reasons)


def _owed_reason(fact: OwedFact, going: bool) -> Reason:
    """One sentence naming what is owed, to whom, and how to settle it."""
    whom = fact.organizer or "the organizer"
    if fact.kind == "fee":
        what = f"the ¥{fact.amount:,} fee" if fact.amount else "the fee"
        settle = f"meishi paid {fact.event_id}"
    else:
        what, settle = "an apology", f"meishi apologized {fact.event_id} --how in-person"
    text = (
        f"You still owe {whom} {what} for {fact.name} on {fact.on.isoformat()}: "
        f"{'go back, but settle it first' if going else 'settle it all the same'} ({settle})."
    )
    return Reason(text, event_id=fact.event_id, kind=fact.kind, on=fact.on)
