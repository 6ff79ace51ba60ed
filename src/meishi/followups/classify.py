"""What kind of follow-up an organizer's mail is: thanks, survey, report or invite (or none).

Rules and a score (docs/should-return.md, "How meishi reads the organizer's mail"). Each
piece of evidence adds its weight to one kind:

- a phrase of the kind in the subject (or, in a platform's mail, in the organizer's own
  subject line quoted in the body): SUBJECT; a few phrases count only there (a subject
  saying "Thanks" or ありがとうございました is a thank-you; a body saying it is polite);
- a phrase of the kind in the body: BODY for the first, BODY_MORE for each other phrase,
  at most BODY_MAX in all (a word in passing is weak evidence);
- a link of the kind (a form host is a survey; a slide, blog or video host, or a connpass
  presentation page, a report): LINK for the first, LINK_MORE for each other;
- an attachment named like a report (報告, 議事録, 資料, 集計結果, report, minutes, slides):
  ATTACHMENT;
- for an invitation, a registration page on an event platform together with a date after
  the mail's own (the next one): LINK, and that later date: LATER_DATE (a deadline such as
  回答期限 or 12月4日まで is no such date, and a later date alone is no invitation).

A kind with any evidence gains NAMED when the subject names the event, SERIES when it names
only the series, and BODY_NAMED when only the body names the event or the series (the
signature left out: it names the community in every mail). Scores stop at 1.0.
A kind scoring at least FOUND is a finding; at least CONFIDENT, a confident one, recorded
without review. Some things hold a finding at DOUBTFUL, below CONFIDENT, whatever its score:
the mail names neither the event nor its series (it may be about another of the
organizer's events); the mail reads like a newsletter (メールマガジン, 12月号, newsletter);
for an invitation, a subject that does not name the event or series (it may be a sponsor's
or anyone's event). A thank-you for an earlier time (前回はご参加ありがとうございました,
"thank you for joining us last time", as invitations open) is no evidence of thanks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from meishi.followups.candidates import (
    PLATFORMS,
    EventWindow,
    folded_text,
    series_name,
    series_of,
)
from meishi.followups.mail import OrganizerMail

KINDS = ("thanks", "survey", "report", "invite")
INVITE = "invite"

# The weights and thresholds: the one place they are set.
SUBJECT = 0.55
BODY = 0.3
BODY_MORE = 0.1
BODY_MAX = 0.45
LINK = 0.45
LINK_MORE = 0.1
ATTACHMENT = 0.45
LATER_DATE = 0.2
NAMED = 0.2
SERIES = 0.1
BODY_NAMED = 0.1
FOUND = 0.3
CONFIDENT = 0.75
DOUBTFUL = CONFIDENT - 0.05  # the score a finding is held to when something casts doubt

# Phrases of each kind, as regular expressions over NFKC-folded, case-folded text.
PHRASES: dict[str, tuple[str, ...]] = {
    "thanks": (
        r"ご参加(いただき|頂き|下さり|くださり)?(まして)?[、,]?(誠に|本当に|大変)?"
        r"(ありがとう|有難う|有り難う)",
        r"ご来場(いただき|頂き)?(まして)?[、,]?(誠に|本当に|大変)?(ありがとう|有難う)",
        r"(ご参加|ご来場|参加)?御礼",
        r"お礼",
        r"thank(s| you) (so much |very much )?for (joining|attending|coming|participating)",
        r"thanks? (to )?(all|everyone) who (joined|attended|came)",
        r"(?m)^\s*(thank you|thanks)\s*[!.]",
    ),
    "survey": (
        r"アンケート",
        r"ご回答",
        r"ご意見(・ご感想)?をお聞かせ",
        r"ご感想をお聞かせ",
        r"\bsurvey\b",
        r"\bfeedback\b",
        r"\bquestionnaire\b",
    ),
    "report": (
        r"開催報告",
        r"開催レポート",
        r"レポート",
        r"議事録",
        r"資料(を|が)?(公開|共有|掲載|追加|アップ)",
        r"(発表|登壇|講演)資料",
        r"スライド",
        r"アーカイブ(動画)?(を)?(公開|配信)",
        r"録画(を)?(公開|共有)",
        r"(アンケート|集計)(の)?結果",
        r"振り返り(ブログ|記事|レポート|を)",
        r"\brecap\b",
        r"\bsurvey results\b",
        r"\bretrospective\b",
        r"\bevent report\b",
        r"\bslides\b",
        r"\b(the|panel|meeting) minutes\b",
        r"\bminutes (of|from)\b",
        r"\brecording\b",
    ),
    "invite": (
        r"次回(の)?(ご案内|開催|のお知らせ|イベント)",
        r"参加者(を)?募集",
        r"(参加)?(申込|申し込み)(受付|開始)",
        r"save the date",
        r"\bnext (meetup|event|session|edition)\b",
        r"you('| a)re invited",
        r"\bjoin us\b",
        r"\brsvp\b",
        r"registration (is )?(now )?open",
    ),
}
# Phrases that say the kind only in a subject (in a body they are said in passing).
SUBJECT_PHRASES: dict[str, tuple[str, ...]] = {
    "thanks": (r"\bthank(s| you)\b", r"ありがとうございました"),
}
# The order reasons are listed in: where the evidence was found.
SOURCES = ("subject", "body", "link", "attachment", "date")
# A thank-you for an earlier time, as an invitation opens with; not a thank-you mail.
EARLIER = re.compile(r"(前回|先回|昨年|last time|last year|previous)[^。\n.!]{0,20}$")
EARLIER_AFTER = re.compile(r"^[^。\n.!]{0,25}(last time|last year|previous|前回)")
# Newsletter marks, in the subject or the body.
NEWSLETTER = re.compile(r"メールマガジン|メルマガ|ニュースレター|newsletter|\d+月号|通信\s*vol")
# A line in a platform's mail quoting the organizer's own subject.
QUOTED_SUBJECT = re.compile(
    r"^\s*(件名|タイトル|subject)\s*[:：]\s*(.+)$", re.MULTILINE | re.IGNORECASE
)
# A line that starts a signature, when few lines follow it.
SIGNATURE = re.compile(r"^(--\s*|[-―━=_＿]{4,})$", re.MULTILINE)
SIGNATURE_LINES = 6
# Words around a date that make it a deadline (回答期限, by ...), not the next event's date.
DEADLINE_BEFORE = re.compile(r"(期限|締切|締め切り|deadline|\bby|\buntil)\W{0,3}$")
DEADLINE_AFTER = re.compile(r"^\W{0,6}(まで|迄|〆切|締切)")
# Link hosts and paths, and the kind of follow-up each is.
LINK_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("survey", re.compile(r"//(docs\.google\.com/forms|forms\.gle/|goo\.gl/forms)")),
    ("survey", re.compile(r"//(forms\.office\.com|forms\.microsoft\.com)/")),
    ("survey", re.compile(r"//([\w-]+\.)?(questant\.jp|surveymonkey\.(com|net)|typeform\.com)/")),
    ("survey", re.compile(r"//([\w-]+\.)?(qualtrics\.com|jp\.surveymonkey\.com|tally\.so)/")),
    ("report", re.compile(r"//(www\.)?(speakerdeck\.com|slideshare\.net|docswell\.com)/")),
    ("report", re.compile(r"//(www\.)?(note\.com|qiita\.com|zenn\.dev|hatenablog\.com)/")),
    ("report", re.compile(r"//([\w-]+\.)?(youtube\.com|youtu\.be|vimeo\.com)/")),
    ("report", re.compile(r"//([\w-]+\.)?hatenablog\.(com|jp)/")),
    ("report", re.compile(r"//([\w-]+\.)?connpass\.com/event/\d+/presentation")),
)
# Attachment names that say report; only documents count (not logos or photos).
REPORT_FILE = re.compile(
    r"(報告|議事録|資料|レポート|スライド|集計|結果|振り返り|report|minutes|slides|recap|results)"
    r".*\.(pdf|pptx?|key|docx?)$"
)
# Dates written in mail: 2026年12月18日, 12月18日, 2026/12/18, 12/18, 2026-12-18, Dec 18.
DATES = (
    re.compile(
        r"(?:(?P<y>20\d\d)\s*年\s*)?(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*日"
    ),
    re.compile(
        r"(?<![\d/])(?:(?P<y>20\d\d)[/-])?(?P<m>1[0-2]|0?[1-9])[/-](?P<d>3[01]|[12]\d|0?[1-9])(?![\d/])"
    ),
    re.compile(
        r"\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+"
        r"(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>20\d\d))?"
    ),
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Finding:
    """One kind of follow-up a mail is, how sure, and the evidence, in the user's words."""

    kind: str
    score: float
    confident: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for a kind: its weight and what the user reads."""

    kind: str
    source: str  # "subject" | "body" | "link" | "attachment" | "date"
    reason: str


def classify(mail: OrganizerMail, event: EventWindow) -> tuple[Finding, ...]:
    """The kinds of follow-up the mail is, in KINDS order; empty when it is none of them."""
    subject, body = _fold(subjects(mail)), _fold(mail.body)
    found = list(evidence(subject, body, mail))
    naming = _naming(subject, without_signature(body), event)
    doubts = _doubts(subject, without_signature(body), naming)
    findings = (_finding(kind, found, naming, doubts + _doubts_of(kind, naming)) for kind in KINDS)
    return tuple(f for f in findings if f is not None)


def without_signature(body: str) -> str:
    """The body without its signature (the lines after a last '--' or ━━━━ line), which
    names the organizer's community in every mail, whatever the mail is about."""
    marks = list(SIGNATURE.finditer(body))
    last = marks[-1] if marks else None
    if last is None or body[last.end() :].strip().count("\n") >= SIGNATURE_LINES:
        return body
    return body[: last.start()]


def subjects(mail: OrganizerMail) -> str:
    """The subject, with the organizer's own subject a platform's mail quotes in its body."""
    quoted = QUOTED_SUBJECT.search(mail.body[:2000])
    return f"{mail.subject}\n{quoted.group(2)}" if quoted else mail.subject


def evidence(subject: str, body: str, mail: OrganizerMail) -> Iterator[Evidence]:
    """Every piece of evidence in the mail's subject, body, links and attachments."""
    for kind, pattern in _phrases(PHRASES):
        yield from _said(kind, pattern, subject, "subject")
        yield from _said(kind, pattern, body, "body")
    for kind, pattern in _phrases(SUBJECT_PHRASES):
        yield from _said(kind, pattern, subject, "subject")
    yield from _links(mail.links)
    yield from _attachments(mail.attachments)
    yield from _next_one(body, mail)


def _phrases(table: dict[str, tuple[str, ...]]) -> Iterator[tuple[str, str]]:
    """Each phrase pattern of a table with its kind."""
    for kind, patterns in table.items():
        for pattern in patterns:
            yield kind, pattern


def _said(kind: str, pattern: str, text: str, where: str) -> Iterator[Evidence]:
    """The first place the phrase is said in the text, unless it thanks for an earlier time."""
    for match in re.finditer(pattern, text):
        if kind == "thanks" and _earlier(text, match):
            continue
        yield Evidence(kind, where, f'the {where} says "{match.group(0)}"')
        return


def _earlier(text: str, match: re.Match[str]) -> bool:
    """True when a thank-you is for an earlier time (前回は…, … last time)."""
    before, after = (
        text[max(0, match.start() - 40) : match.start()],
        text[match.end() : match.end() + 40],
    )
    return bool(EARLIER.search(before) or EARLIER_AFTER.search(after))


def _links(links: Iterable[str]) -> Iterator[Evidence]:
    """Links to forms (survey) and to slide, blog and video hosts (report)."""
    for link in links:
        kind = next((k for k, host in LINK_KINDS if host.search(link.lower())), None)
        if kind:
            yield Evidence(kind, "link", f"a {kind} link: {link}")


def _attachments(names: Iterable[str]) -> Iterator[Evidence]:
    """Documents attached under a report's name."""
    for name in names:
        if REPORT_FILE.search(_fold(name)):
            yield Evidence("report", "attachment", f"a report attached: {name}")


def _next_one(body: str, mail: OrganizerMail) -> Iterator[Evidence]:
    """A registration page on an event platform, when the mail names a later date."""
    later = later_dates(body, mail.date.date())
    pages = [link for link in mail.links if any(p.event_page.match(link) for p in PLATFORMS)]
    if later and pages:
        yield Evidence("invite", "link", f"a registration page: {pages[0]}")
    if later:
        yield Evidence("invite", "date", f"a later date: {later[0]}")


def later_dates(text: str, sent: dt.date) -> list[str]:
    """The dates written in the text that fall after the day the mail was sent, as written;
    deadlines (回答期限: 11月30日, 12月4日までに) are not dates of a next one."""
    return [written for written, day in _dates(text, sent) if day > sent]


def _dates(text: str, sent: dt.date) -> Iterator[tuple[str, dt.date]]:
    """Each date written in the text that is not a deadline, with the day it means."""
    for pattern in DATES:
        for match in pattern.finditer(text):
            day = _day(match, sent)
            if day is not None and not _deadline(text, match):
                yield match.group(0).strip(), day


def _deadline(text: str, match: re.Match[str]) -> bool:
    """True when the words around a date make it a deadline."""
    before, after = (
        text[max(0, match.start() - 12) : match.start()],
        text[match.end() : match.end() + 12],
    )
    return bool(DEADLINE_BEFORE.search(before) or DEADLINE_AFTER.search(after))


def _day(match: re.Match[str], sent: dt.date) -> dt.date | None:
    """The day a date match means; without a year, the one nearest the mail's date."""
    parts = match.groupdict()
    month = MONTHS.index(parts["mon"]) + 1 if parts.get("mon") else int(parts["m"])
    years = [int(parts["y"])] if parts.get("y") else [sent.year - 1, sent.year, sent.year + 1]
    days = [_valid(year, month, int(parts["d"])) for year in years]
    valid = [d for d in days if d is not None]
    return min(valid, key=lambda d: abs((d - sent).days)) if valid else None


def _valid(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when there is no such day (2月30日)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Naming:
    """Where the mail names the event, what that adds, and the reason to show."""

    where: str  # "subject" | "body" | "" (nowhere)
    weight: float
    reason: str | None


def _naming(subject: str, body: str, event: EventWindow) -> Naming:
    """Where the mail names the event or its series (the signature left out)."""
    name, series = folded_text(event.name), series_of(event)
    flat_subject, flat_body = folded_text(subject), folded_text(body)
    if name and name in flat_subject:
        return Naming("subject", NAMED, f'the subject names "{event.name}"')
    if series and series in flat_subject:
        return Naming("subject", SERIES, f'the subject names the series "{series_name(event)}"')
    if (name and name in flat_body) or (series and series in flat_body):
        return Naming("body", BODY_NAMED, "the body names the event")
    return Naming("", 0.0, None)


def _doubts(subject: str, body: str, naming: Naming) -> tuple[str, ...]:
    """What keeps any finding of this mail from being confident, in the user's words."""
    doubts = []
    newsletter = NEWSLETTER.search(subject) or NEWSLETTER.search(body)
    if newsletter:
        doubts.append(f'reads like a newsletter ("{newsletter.group(0)}")')
    if not naming.where:
        doubts.append("does not name the event or its series")
    return tuple(doubts)


def _doubts_of(kind: str, naming: Naming) -> tuple[str, ...]:
    """What keeps one kind from being confident: an invitation is to the next one of the
    series only when its subject names the series (else it may be anyone's event)."""
    if kind == INVITE and naming.where == "body":
        return ("the subject does not name the series",)
    return ()


def _finding(
    kind: str, found: list[Evidence], naming: Naming, doubts: tuple[str, ...]
) -> Finding | None:
    """The finding for one kind from the evidence, or None below FOUND; a later date alone
    is no evidence of an invitation."""
    mine = sorted((e for e in found if e.kind == kind), key=lambda e: SOURCES.index(e.source))
    if all(e.source == "date" for e in mine):
        return None
    score = min(1.0, _weight(mine) + naming.weight)
    if doubts:
        score = min(score, DOUBTFUL)
    if score < FOUND:
        return None
    reasons = [e.reason for e in mine] + ([naming.reason] if naming.reason else []) + list(doubts)
    return Finding(kind, round(score, 2), score >= CONFIDENT, tuple(reasons))


def _weight(mine: list[Evidence]) -> float:
    """The weight of one kind's evidence: each source counted as the module doc says."""
    subject = SUBJECT if any(e.source == "subject" for e in mine) else 0.0
    said = sum(1 for e in mine if e.source == "body")
    body = min(BODY_MAX, BODY + BODY_MORE * (said - 1)) if said else 0.0
    linked = sum(1 for e in mine if e.source == "link")
    links = LINK + LINK_MORE * (linked - 1) if linked else 0.0
    attached = ATTACHMENT if any(e.source == "attachment" for e in mine) else 0.0
    later = LATER_DATE if any(e.source == "date" for e in mine) else 0.0
    return subject + body + links + attached + later


def _fold(text: str) -> str:
    """Text as the phrases are written against: full-width as plain, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()
