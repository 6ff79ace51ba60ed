"""Which conversation a received mail belongs to, straight from the pure rule
(mail/threads.py): Dovecot offers no Gmail thread ids, so they are tested here."""

from __future__ import annotations

import datetime as dt

import pytest

from meishi.mail.headers import Seen
from meishi.mail.threads import Recorded, ThreadFacts, how_tied, thread_root

WHEN = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)


def received(
    in_reply_to: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    subject: str = "次回の件",
    gmail_thread: str | None = None,
) -> Seen:
    """A mail from a contact, as its headers tell it."""
    return Seen(
        "<new@example.com>",
        "suzuki@example.com",
        ("hanako@example.jp",),
        WHEN,
        subject,
        in_reply_to,
        references,
        False,
        gmail_thread,
    )


def facts(
    ours: tuple[str, ...] = (), recorded: tuple[Recorded, ...] = (), same_subject: bool = False
) -> ThreadFacts:
    """What was recorded before the mail came."""
    return ThreadFacts(frozenset(ours), recorded, same_subject)


@pytest.mark.parametrize(
    ("seen", "known", "expected"),
    [
        (received(("<mine@x>",)), facts(("<mine@x>",)), "in-reply-to"),
        (received((), ("<a@x>", "<mine@x>")), facts(("<mine@x>",)), "references"),
        # A reply to their own earlier mail, recorded with them.
        (received(("<theirs@y>",)), facts((), (Recorded("<theirs@y>"),)), "thread"),
        # A reply to a reply: it names the first mail of a thread recorded with them.
        (
            received(("<unseen@z>",), ("<root@x>", "<unseen@z>")),
            facts((), (Recorded("<theirs@y>", "<root@x>"),)),
            "thread",
        ),
        # Gmail says it is one thread, though no header says so.
        (
            received(gmail_thread="1790"),
            facts((), (Recorded("<theirs@y>", None, "1790"),)),
            "gmail-thread",
        ),
        (
            received(gmail_thread="1790"),
            facts((), (Recorded("<theirs@y>", None, "2001"),)),
            "address",
        ),
        (received(subject="Re: 次回の件"), facts(same_subject=True), "subject"),
        (received(subject="次回の件"), facts(same_subject=True), "address"),
        # Naming mail recorded with nobody it was exchanged with ties it to nothing.
        (received(("<elsewhere@q>",)), facts((), (Recorded("<theirs@y>", "<root@x>"),)), "address"),
    ],
)
def test_how_a_received_mail_is_tied(seen: Seen, known: ThreadFacts, expected: str) -> None:
    assert how_tied(seen, known) == expected


def test_the_surest_tie_wins() -> None:
    seen = received(("<mine@x>",), ("<theirs@y>",), "Re: 次回の件", "1790")
    known = facts(("<mine@x>",), (Recorded("<theirs@y>", None, "1790"),), True)
    assert how_tied(seen, known) == "in-reply-to"
    assert how_tied(received((), ("<theirs@y>",), gmail_thread="1790"), known) == "thread"


def test_a_threads_first_mail_is_the_first_reference() -> None:
    assert thread_root(received(("<b@x>",), ("<a@x>", "<b@x>"))) == "<a@x>"
    assert thread_root(received(("<b@x>",))) == "<b@x>"
    assert thread_root(received()) == "<new@example.com>"
