"""Which mail may be an organizer's follow-up to an event: from the organizer, or from an
event platform sending on the organizer's behalf and naming the event, within the window."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from meishi.followups.window import FOLLOW_UP_DAYS

# Addresses anyone can have: sharing one of these domains says nothing about the sender.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.co.jp",
        "yahoo.com",
        "ymail.ne.jp",
        "outlook.com",
        "outlook.jp",
        "hotmail.com",
        "hotmail.co.jp",
        "live.jp",
        "live.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "docomo.ne.jp",
        "ezweb.ne.jp",
        "au.com",
        "softbank.ne.jp",
        "i.softbank.jp",
        "nifty.com",
        "proton.me",
        "protonmail.com",
    ]
)


# The numbering of an occurrence in its name: 第12回, #34, vol.8, 2026, Day 2.
NUMBERING = re.compile(
    r"第\s*\d+\s*回|#\s*\d+|\bvol\.?\s*\d+|\bno\.?\s*\d+|\b(19|20)\d\d\b|\bday\s*\d+\b|\d+",
    re.IGNORECASE,
)
# Fewer folded characters than this are too little to recognise a series by.
MIN_SERIES = 4


@dataclass(frozen=True)
class Platform:
    """An event platform that mails participants for organizers."""

    name: str
    domains: tuple[str, ...]  # mail from these domains (or their subdomains) is the platform's
    title: re.Pattern[str]  # where the subject names the event: group "title", else all of it
    event_page: re.Pattern[str]  # an event's page (registration) on the platform


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        name="connpass",
        domains=("connpass.com",),
        # connpass イベント管理者からのメッセージ「第12回 ○○勉強会」
        title=re.compile(r"メッセージ\s*[「『](?P<title>.+)[」』]"),
        event_page=re.compile(r"https?://(?:[\w-]+\.)?connpass\.com/event/\d+/?(?:[?#].*)?$"),
    ),
    Platform(
        name="Peatix",
        domains=("peatix.com",),
        # 「DevRel Summit」主催者からのメッセージ / Message from the organizer of DevRel Summit
        title=re.compile(r"[「『](?P<title>.+?)[」』]|organizer of\s+(?P<en>.+)$", re.IGNORECASE),
        event_page=re.compile(r"https?://peatix\.com/event/\d+/?(?:[?#].*)?$"),
    ),
    Platform(
        name="Doorkeeper",
        domains=("doorkeeper.jp", "doorkeeper.co.jp"),
        # [データ分析勉強会] vol.8 ご参加ありがとうございました
        title=re.compile(r"^\s*\[(?P<title>[^\]]+)\]"),
        event_page=re.compile(r"https?://[\w-]+\.doorkeeper\.jp/events/\d+/?(?:[?#].*)?$"),
    ),
    Platform(
        name="TECH PLAY",
        domains=("techplay.jp",),
        # 【TECH PLAY】Cloud Native Day Osaka 2026 主催者からのお知らせ
        title=re.compile(r"【TECH ?PLAY】\s*(?P<title>.+)$", re.IGNORECASE),
        event_page=re.compile(r"https?://techplay\.jp/event/\d+/?(?:[?#].*)?$"),
    ),
)


@dataclass(frozen=True)
class EventWindow:
    """An event as the follow-up search sees it: what it is called, when, and who runs it."""

    name: str
    series: str | None
    start: dt.datetime  # aware
    organizer_email: str | None


def is_candidate(sender: str, subject: str, date: dt.datetime, event: EventWindow) -> bool:
    """True when a mail may be the organizer's follow-up to the event: see the module doc."""
    if not in_window(date, event):
        return False
    if from_organizer(sender, event):
        return True
    platform = platform_of(sender)
    return platform is not None and names_event(platform_title(platform, subject), event)


def in_window(date: dt.datetime, event: EventWindow) -> bool:
    """True when the mail is dated from the event's start to FOLLOW_UP_DAYS after it."""
    return event.start <= date <= event.start + dt.timedelta(days=FOLLOW_UP_DAYS)


def from_organizer(sender: str, event: EventWindow) -> bool:
    """True when the sender is the organizer's address, or shares the organizer's own domain;
    an organizer known by a platform's address is the platform's (its mail must name the
    event)."""
    organizer = (event.organizer_email or "").strip().lower()
    sender = sender.strip().lower()
    if not organizer or not sender or platform_of(organizer):
        return False
    if sender == organizer:
        return True
    domain = domain_of(organizer)
    return domain not in FREE_MAIL and _within(domain_of(sender), domain)


def platform_of(sender: str) -> Platform | None:
    """The event platform a sender's address belongs to, if any."""
    domain = domain_of(sender.strip().lower())
    return next((p for p in PLATFORMS if any(_within(domain, d) for d in p.domains)), None)


def platform_title(platform: Platform, subject: str) -> str:
    """The part of a platform mail's subject that names the event (all of it if no pattern)."""
    found = platform.title.search(subject)
    if not found:
        return subject
    return next((g for g in found.groups() if g), subject)


def names_event(text: str, event: EventWindow) -> bool:
    """True when the text names the event or its series (ignoring width, case, spaces and
    punctuation)."""
    folded = folded_text(text)
    return any(name in folded for name in (folded_text(event.name), series_of(event)) if name)


def series_of(event: EventWindow) -> str:
    """The event's series as compared (see series_name); empty when there is none."""
    return folded_text(series_name(event))


def series_name(event: EventWindow) -> str:
    """The event's series: its own, else its name without the numbering (DevRel Summit
    Japan 2026 → DevRel Summit Japan); empty when too little is left to recognise it by."""
    if event.series:
        return event.series
    bare = " ".join(NUMBERING.sub(" ", unicodedata.normalize("NFKC", event.name)).split())
    keep = len(folded_text(bare)) >= MIN_SERIES and folded_text(bare) != folded_text(event.name)
    return bare if keep else ""


def folded_text(text: str) -> str:
    """Text for comparing names: full-width as plain, case folded, without spaces,
    punctuation or symbols (【】「」[]#:・ ...)."""
    plain = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in plain if unicodedata.category(c)[0] not in "PSZC")


def domain_of(address: str) -> str:
    """The domain of an address, lower-cased ('' when it has none)."""
    return address.rpartition("@")[2].lower() if "@" in address else ""


def _within(domain: str, parent: str) -> bool:
    """True when the domain is the parent domain or one of its subdomains."""
    return bool(domain) and (domain == parent or domain.endswith("." + parent))
