"""`meishi sync` and `meishi mail check` against a real Dovecot on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.header import Header

import keyring
import pytest
from keyring.backends import fail

from helpers import (
    MemoryKeyring,
    add_event,
    add_person,
    error_of,
    fails,
    home,
    json_of,
    ok,
    run,
    set_me,
    snapshot,
    table_count,
)
from imap_server import HANAKO, TARO, DovecotServer
from smtp_server import Recorder, smtp_server

EVENT = "AI勉強会 #12"
SUZUKI = "suzuki@example.com"  # met yesterday; replies
TANAKA = "tanaka@example.co.jp"  # met yesterday; a newsletter sender too
SATO = "sato@example.net"  # met yesterday; answers by subject only


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring for this test, the previous one restored afterwards."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def configure(server: DovecotServer, user: str = HANAKO.name, password: str | None = None) -> None:
    """Point meishi at the test Dovecot as `user` (security none: it is on loopback)."""
    for key, value in (
        ("imap.host", server.host),
        ("imap.port", str(server.port)),
        ("imap.user", user),
        ("imap.security", "none"),
    ):
        ok("config", "set", key, value)
    ok("config", "set-password", "imap", input=(password or server.password(user)) + "\n")


def mail(
    sender: str,
    to: str,
    subject: str,
    message_id: str,
    when: dt.datetime,
    *extra: str,
) -> bytes:
    """A message's bytes: headers (the subject encoded when not ASCII) and a short body."""
    encoded = subject if subject.isascii() else Header(subject, "utf-8").encode()
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {encoded}",
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0900')}",
        f"Message-ID: {message_id}",
        *extra,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "本文はsyncが読まないもの。",
        "",
    ]
    return "\r\n".join(lines).encode()


def at(days: int, hour: int = 10) -> dt.datetime:
    """A time `days` from today (negative: before), in Japan."""
    jst = dt.timezone(dt.timedelta(hours=9))
    return dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(hour), jst)


@pytest.fixture
def met(memory_keyring: MemoryKeyring) -> None:
    """Three people met yesterday, each with an email, no thank-you sent yet."""
    set_me()
    add_event(EVENT, -1)
    for name, address in (("鈴木 一郎", SUZUKI), ("田中 花", TANAKA), ("佐藤 次郎", SATO)):
        add_person(EVENT, name, "--email", address, "--topic", "量子暗号")


def fill(server: DovecotServer, user: str = HANAKO.name, sent: str = HANAKO.sent) -> None:
    """Realistic mail: thank-yous sent from the mail client, replies of every kind, and
    mail sync must ignore."""
    me = "hanako@example.jp"
    subject = "昨日はありがとうございました"
    for address, number in ((SUZUKI, 1), (SATO, 2)):
        server.append(user, sent, mail(me, address, subject, f"<thanks-{number}@example.jp>", at(0, 9)))
    inbox = (
        mail(SUZUKI, me, "Re: " + subject, "<r1@example.com>", at(0, 11), "In-Reply-To: <thanks-1@example.jp>"),
        mail(SUZUKI, me, "次回の件", "<r2@example.com>", at(0, 12), "References: <x@y> <thanks-1@example.jp>"),
        mail(SATO, me, "返信: " + subject, "<r3@example.net>", at(0, 13)),
        mail(TANAKA, me, "月刊ニュース", "<news@example.co.jp>", at(0, 8), "List-Unsubscribe: <mailto:u@example.co.jp>"),
        mail("stranger@example.org", me, "はじめまして", "<s@example.org>", at(0, 8)),
        mail("no-reply@example.com", me, "ご登録ありがとうございます", "<n@example.com>", at(0, 8)),
    )
    for raw in inbox:
        server.append(user, "INBOX", raw)


def sync(*args: str) -> dict[str, object]:
    """Run meishi sync --json and return its report."""
    return json_of(ok("sync", "--json", *args))  # type: ignore[no-any-return]


@pytest.mark.usefixtures("met")
def test_sync_records_each_kind_and_marks_thank_yous_sent(imap_server: DovecotServer) -> None:
    configure(imap_server)
    fill(imap_server)
    report = sync()
    assert report["recorded"] == {"sent": 2, "replies": 2, "replies (by subject)": 1}
    assert report["ignored"] == {
        "bulk or automatic": 1,
        "not from or to a contact": 1,
        "no-reply sender": 1,
    }
    assert sorted(row["contact"] for row in report["thank_yous_found"]) == ["佐藤 次郎", "鈴木 一郎"]  # type: ignore[index, union-attr]
    assert table_count("exchange") == 5
    # The second run reads nothing and records nothing.
    again = sync()
    assert again["recorded"] == {} and again["ignored"] == {}
    assert [f["read"] for f in again["folders"]] == [0, 0]  # type: ignore[index, union-attr]
    assert table_count("exchange") == 5
