"""Which conversation a received mail belongs to: how surely it answers mail recorded with
its sender. Pure: what its headers say and what was recorded in, a word out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meishi.mail.headers import Seen
from meishi.mail.subjects import is_reply_subject

# How a received mail was tied to the conversation, surest first (Exchange.matched).
IN_REPLY_TO, REFERENCES, THREAD = "in-reply-to", "references", "thread"
GMAIL_THREAD, SUBJECT, ADDRESS = "gmail-thread", "subject", "address"


@dataclass(frozen=True)
class Recorded:
    """A mail recorded with the contact (either direction): its Message-ID, the first
    Message-ID of its thread, and its Gmail thread id."""

    message_id: str
    root: str | None = None
    gmail_thread: str | None = None


@dataclass(frozen=True)
class ThreadFacts:
    """What was recorded that a received mail may answer."""

    ours: frozenset[str]  # the Message-IDs it names that are mail you sent (to anyone)
    recorded: Sequence[Recorded]  # mail recorded with its sender, either direction
    same_subject: bool  # you wrote to them under this subject in the 30 days before


def thread_root(seen: Seen) -> str:
    """The first mail of its thread: the first Message-ID its References names (RFC 5322
    keeps the thread's start there), else the one it answers, else its own."""
    return next(iter(seen.references + seen.in_reply_to), seen.message_id)


def how_tied(seen: Seen, facts: ThreadFacts) -> str:
    """How a received mail answers the conversation: in-reply-to or references (it names
    mail you sent), thread (it names mail recorded with them, either way, or shares its
    first mail), gmail-thread (Gmail's X-GM-THRID of mail recorded with them), subject
    (low confidence: Re: and a subject you used), else only its address."""
    if facts.ours.intersection(seen.in_reply_to):
        return IN_REPLY_TO
    if facts.ours.intersection(seen.references):
        return REFERENCES
    named = {*seen.in_reply_to, *seen.references}
    if named and any(_in_thread(mail, named) for mail in facts.recorded):
        return THREAD
    thread = seen.gmail_thread
    if thread and any(mail.gmail_thread == thread for mail in facts.recorded):
        return GMAIL_THREAD
    if facts.same_subject and is_reply_subject(seen.subject):
        return SUBJECT
    return ADDRESS


def _in_thread(mail: Recorded, named: set[str]) -> bool:
    """True when a mail names this recorded one, or the first mail of its thread."""
    return mail.message_id in named or (mail.root is not None and mail.root in named)
