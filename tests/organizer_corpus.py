"""The labelled organizer-mail corpus (tests/corpus/organizer_mail), and how well the
follow-up classifier does on it: shared by the tests and benchmarks/bench_followups.py."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meishi.followups.candidates import EventWindow, is_candidate
from meishi.followups.classify import KINDS, Finding, classify
from meishi.followups.mail import organizer_mail

CORPUS = Path(__file__).resolve().parent / "corpus" / "organizer_mail"


@dataclass(frozen=True)
class Labelled:
    """One mail of the corpus: its bytes, its event, and what it truly is."""

    file: str
    raw: bytes
    event: EventWindow
    kinds: frozenset[str]  # what it is for its event (empty: none of the kinds)
    candidate: bool  # whether it should be read at all
    note: str
    held_out: bool  # written after the rules were set, to check them on unseen mail


@dataclass(frozen=True)
class Outcome:
    """What meishi made of one labelled mail."""

    mail: Labelled
    candidate: bool
    findings: tuple[Finding, ...]

    def kinds(self, confident_only: bool) -> set[str]:
        """The kinds found: the confident ones, or with the review list too."""
        return {f.kind for f in self.findings if f.confident or not confident_only}

    @property
    def truth(self) -> frozenset[str]:
        """The kinds that should be found: none when the mail is no candidate."""
        return self.mail.kinds if self.mail.candidate else frozenset()


def labels() -> dict[str, Any]:
    """labels.toml as read."""
    return tomllib.loads((CORPUS / "labels.toml").read_text(encoding="utf-8"))


def load() -> list[Labelled]:
    """Every labelled mail of the corpus, in the labels' order."""
    read = labels()
    events = {key: event_window(value) for key, value in read["events"].items()}
    return [
        Labelled(
            file=name,
            raw=(CORPUS / name).read_bytes(),
            event=events[label["event"]],
            kinds=frozenset(label["kinds"]),
            candidate=label["candidate"],
            note=label.get("note", ""),
            held_out=label.get("set") == "held-out",
        )
        for name, label in read["mails"].items()
    ]


def event_window(value: dict[str, Any]) -> EventWindow:
    """An event of the labels as the classifier takes it."""
    return EventWindow(
        value["name"], value.get("series"), value["start"], value.get("organizer_email")
    )


def judge(mail: Labelled) -> Outcome:
    """Read, check and classify one mail the way sync does: only candidates are classified."""
    read = organizer_mail(mail.raw)
    candidate = is_candidate(read.sender, read.subject, read.date, mail.event)
    return Outcome(mail, candidate, classify(read, mail.event) if candidate else ())


@dataclass(frozen=True)
class Score:
    """Precision and recall of one kind (or all), counted over (mail, kind) pairs."""

    found: int  # pairs found
    true: int  # true pairs
    hits: int  # pairs both found and true

    @property
    def precision(self) -> float:
        """Found pairs that are true; 1.0 when nothing was found."""
        return self.hits / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        """True pairs that were found; 1.0 when there were none."""
        return self.hits / self.true if self.true else 1.0


def score(outcomes: Iterable[Outcome], kinds: Iterable[str], confident_only: bool) -> Score:
    """Precision and recall over these kinds: confident findings only, or with the review
    list."""
    pairs = [
        (kind in outcome.kinds(confident_only), kind in outcome.truth)
        for outcome in outcomes
        for kind in kinds
    ]
    return Score(
        found=sum(said for said, _ in pairs),
        true=sum(truly for _, truly in pairs),
        hits=sum(said and truly for said, truly in pairs),
    )


def per_kind(outcomes: list[Outcome], confident_only: bool) -> dict[str, Score]:
    """The score of each kind, and of all of them ("all")."""
    scores = {kind: score(outcomes, (kind,), confident_only) for kind in KINDS}
    return scores | {"all": score(outcomes, KINDS, confident_only)}
