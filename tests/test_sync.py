"""`meishi sync` and `meishi mail check` against a real Dovecot on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.header import Header
from pathlib import Path
from typing import Any

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
        server.append(
            user, sent, mail(me, address, subject, f"<thanks-{number}@example.jp>", at(0, 9))
        )
    inbox = (
        mail(
            SUZUKI,
            me,
            "Re: " + subject,
            "<r1@example.com>",
            at(0, 11),
            "In-Reply-To: <thanks-1@example.jp>",
        ),
        mail(
            SUZUKI,
            me,
            "次回の件",
            "<r2@example.com>",
            at(0, 12),
            "References: <x@y> <thanks-1@example.jp>",
        ),
        mail(SATO, me, "返信: " + subject, "<r3@example.net>", at(0, 13)),
        mail(
            TANAKA,
            me,
            "月刊ニュース",
            "<news@example.co.jp>",
            at(0, 8),
            "List-Unsubscribe: <mailto:u@example.co.jp>",
        ),
        mail("stranger@example.org", me, "はじめまして", "<s@example.org>", at(0, 8)),
        mail("no-reply@example.com", me, "ご登録ありがとうございます", "<n@example.com>", at(0, 8)),
    )
    for raw in inbox:
        server.append(user, "INBOX", raw)


def sync(*args: str) -> Any:
    """Run meishi sync --json and return its report."""
    return json_of(ok("sync", "--json", *args))


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
    assert sorted(row["contact"] for row in report["thank_yous_found"]) == [
        "佐藤 次郎",
        "鈴木 一郎",
    ]
    assert table_count("exchange") == 5
    # The second run reads nothing and records nothing.
    again = sync()
    assert again["recorded"] == {} and again["ignored"] == {}
    assert [f["read"] for f in again["folders"]] == [0, 0]
    assert table_count("exchange") == 5


@pytest.mark.usefixtures("met")
def test_a_thank_you_found_in_sent_is_not_sent_again(imap_server: DovecotServer) -> None:
    ok("thank", "--since", "yesterday")  # three drafts wait
    configure(imap_server)
    fill(imap_server)
    sync()
    with smtp_server(Recorder()) as server:
        for key, value in (("host", "127.0.0.1"), ("port", str(server.port)), ("security", "none")):
            ok("config", "set", f"smtp.{key}", value)
        ok("config", "set", "send.pause", "0")
        ok("send", "--yes")
        recipients = [r for received in server.handler.snapshot() for r in received.rcpt_tos]
    assert recipients == [TANAKA]  # Suzuki and Sato were thanked from the mail client


@pytest.mark.usefixtures("met")
def test_a_changed_uidvalidity_duplicates_nothing(imap_server: DovecotServer) -> None:
    configure(imap_server)
    fill(imap_server)
    sync()
    sent = imap_server.messages(HANAKO.name, HANAKO.sent)
    imap_server.recreate_folder(HANAKO.name, HANAKO.sent)
    for _uid, _flags, raw in sent:
        imap_server.append(HANAKO.name, HANAKO.sent, raw)
    report = sync()
    assert report["folders"][0]["rescanned"] is True
    assert report["folders"][0]["read"] == 2
    assert report["recorded"] == {} and report["ignored"] == {"recorded before": 2}
    assert table_count("exchange") == 5


@pytest.mark.usefixtures("met")
def test_a_connection_killed_mid_sync_resumes_and_records_each_message_once(
    imap_server: DovecotServer,
) -> None:
    from meishi.errors import MailboxUnavailable
    from meishi.run import running
    from meishi.syncing import SyncRequest, sync_mailbox

    configure(imap_server)
    fill(imap_server)

    def kill_after_the_first_batch(folder: str, done: int, total: int) -> None:
        if folder == "INBOX" and done == 2:
            imap_server.kill_connections(HANAKO.name)

    with running() as current, pytest.raises(MailboxUnavailable, match="run meishi sync again"):
        sync_mailbox(
            current.store,
            current.settings,
            None,
            SyncRequest(batch=2),
            current.now,
            kill_after_the_first_batch,
        )
    assert table_count("exchange") == 4  # both sent, and the inbox's first batch
    report = sync()
    assert report["folders"][1]["read"] == 4
    assert report["recorded"] == {"replies (by subject)": 1}
    assert table_count("exchange") == 5
    again = sync()
    assert again["recorded"] == {}


@pytest.mark.usefixtures("met")
def test_a_lost_server_is_one_line_exit_1_and_the_store_unchanged(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    fill(imap_server)
    before = snapshot()
    imap_server.stop()
    try:
        result = fails("sync", code=1)
    finally:
        imap_server.start()
    assert "cannot reach your mailbox at 127.0.0.1" in error_of(result)
    assert snapshot() == before


@pytest.mark.usefixtures("met")
@pytest.mark.parametrize("wrong", ["wrong-pass-ZQ81", "違うパスワード"])
def test_a_wrong_password_is_one_line_exit_1_and_never_shown(
    imap_server: DovecotServer, wrong: str
) -> None:
    configure(imap_server, password=wrong)
    for command in (("mail", "check"), ("sync",)):
        result = fails(*command, code=1)
        assert "refused the login for hanako" in error_of(result)
        assert "set-password imap" in error_of(result)
        assert wrong not in result.output
    for path in home().rglob("*"):
        if path.is_file():
            assert wrong.encode() not in path.read_bytes(), path


def test_no_password_in_a_keyring_that_cannot_keep_it(imap_server: DovecotServer) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        for key, value in (("imap.host", imap_server.host), ("imap.user", "hanako")):
            ok("config", "set", key, value)
        result = fails("config", "set-password", "imap", input="secret\n", code=1)
    finally:
        keyring.set_keyring(previous)
    assert "keyring" in error_of(result)


@pytest.mark.usefixtures("memory_keyring")
def test_mail_check_lists_japanese_folders_found_by_special_use(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server, TARO.name)
    text = ok("mail", "check").stdout
    assert f"sent: {TARO.sent}  (SPECIAL-USE \\Sent)" in text
    assert f"drafts: {TARO.drafts}  (SPECIAL-USE \\Drafts)" in text
    ok("config", "set", "imap.sent_folder", "INBOX")
    assert "sent: INBOX  (imap.sent_folder)" in ok("mail", "check").stdout


@pytest.mark.usefixtures("met")
def test_japanese_folder_and_subjects_round_trip(imap_server: DovecotServer) -> None:
    configure(imap_server, TARO.name)
    fill(imap_server, TARO.name, TARO.sent)
    report = sync()
    assert report["folders"][0]["name"] == TARO.sent
    assert report["recorded"] == {"sent": 2, "replies": 2, "replies (by subject)": 1}
    dump = json_of(ok("export", "--format", "json"))
    subjects = {row["subject"] for row in dump["exchanges"]}
    assert "返信: 昨日はありがとうございました" in subjects
    assert {row["folder"] for row in dump["exchanges"]} == {TARO.sent, "INBOX"}


@pytest.mark.usefixtures("met")
def test_dry_run_records_nothing_and_mail_ignore_is_obeyed(imap_server: DovecotServer) -> None:
    configure(imap_server)
    fill(imap_server)
    before = snapshot()
    report = sync("--dry-run")
    assert report["recorded"] == {"sent": 2, "replies": 2, "replies (by subject)": 1}
    assert snapshot()[0] == before[0]
    ok("config", "set", "mail.ignore", "@example.net, suzuki@example.com")
    imap_server.append(  # to an ignored contact and a known one: recorded for the known one
        HANAKO.name,
        HANAKO.sent,
        mail("hanako@example.jp", f"{SUZUKI}, {TANAKA}", "件", "<t@x>", at(0)),
    )
    report = sync()
    assert report["recorded"] == {"sent": 1}
    assert report["ignored"]["mail.ignore"] == 5
    dump = json_of(ok("export", "--format", "json"))
    assert [row["contact_id"] for row in dump["exchanges"]] == [2]  # Tanaka only


def test_old_mail_outside_since_is_not_read(imap_server: DovecotServer, met: None) -> None:
    configure(imap_server)
    imap_server.append(
        HANAKO.name,
        "INBOX",
        mail(SUZUKI, "hanako@example.jp", "old", "<old@x>", at(-200)),
        date=at(-200),
    )
    fill(imap_server)
    report = sync("--since", (dt.date.today() - dt.timedelta(days=30)).isoformat())
    assert report["folders"][1]["read"] == 6


@pytest.mark.usefixtures("memory_keyring")
def test_no_password_travels_unencrypted_beyond_this_machine() -> None:
    ok("config", "set", "imap.host", "imap.example.com")
    ok("config", "set", "imap.user", "hanako")
    warned = ok("config", "set", "imap.security", "none")
    assert "imap.security is none: mail to imap.example.com travels unencrypted" in warned.stderr
    ok("config", "set-password", "imap", input="secret-pw\n")
    result = fails("mail", "check", code=1)
    assert "refusing to send your password unencrypted to imap.example.com" in error_of(result)
    assert "secret-pw" not in result.output


def test_sync_without_settings_says_what_to_set() -> None:
    result = fails("sync")
    assert "meishi config set imap.host" in error_of(result)


@pytest.mark.usefixtures("met")
def test_relationships_after_sync_show_who_sprouted(imap_server: DovecotServer) -> None:
    configure(imap_server)
    fill(imap_server)
    sync()
    rows = json_of(ok("relationships", "--json"))
    states = {row["name"]: (row["state"], row["last_writer"]) for row in rows}
    # Suzuki replied twice, at 11:00 and 12:00 (three turns are needed, or two days).
    assert states == {"鈴木 一郎": ("in touch", "them"), "佐藤 次郎": ("in touch", "them")}
    assert [r["name"] for r in json_of(ok("relationships", "--state", "none", "--json"))] == [
        "田中 花"
    ]
    assert "unknown state 'close'" in error_of(fails("relationships", "--state", "close"))
    # A mail from Suzuki on another day: replies on two days make it sprout.
    imap_server.append(
        HANAKO.name, "INBOX", mail(SUZUKI, "hanako@example.jp", "資料", "<r4@x>", at(-1, 20))
    )
    sync()
    sprouting = json_of(ok("relationships", "--state", "sprouting", "--json"))
    assert [(r["name"], r["reply_days"]) for r in sprouting] == [("鈴木 一郎", 2)]
    text = ok("relationships").stdout
    assert "sprouting" in text and "佐藤 次郎" in text


@pytest.mark.usefixtures("met")
def test_merging_two_contacts_who_got_the_same_mail_keeps_one_exchange(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    both = f"{SUZUKI}, {TANAKA}"
    imap_server.append(
        HANAKO.name, HANAKO.sent, mail("hanako@example.jp", both, "ご案内", "<both@x>", at(0))
    )
    sync()
    assert table_count("exchange") == 2
    ok("merge", SUZUKI, TANAKA)
    assert table_count("exchange") == 1


@pytest.mark.usefixtures("met")
def test_deleting_a_contact_says_their_mail_record_goes_too(imap_server: DovecotServer) -> None:
    configure(imap_server)
    fill(imap_server)
    sync()
    said = ok("contacts", "delete", SUZUKI, "--yes").stdout
    assert "3 mails read by sync" in said
    assert table_count("exchange") == 2


def test_a_drafts_eml_file_sent_late_is_known_by_its_message_id(
    imap_server: DovecotServer, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    set_me()
    add_event(EVENT, -10)  # too long ago for the 7-day window: only the Message-ID can tell
    add_person(EVENT, "鈴木 一郎", "--email", SUZUKI, "--topic", "量子暗号")
    ok("thank", "--since", "10 days ago", "--out", str(tmp_path))
    (eml,) = tmp_path.glob("*.eml")
    configure(imap_server)
    imap_server.append(HANAKO.name, HANAKO.sent, eml.read_bytes())
    report = sync()
    assert [row["contact"] for row in report["thank_yous_found"]] == ["鈴木 一郎"]
    dump = json_of(ok("export", "--format", "json"))
    assert [row["matched"] for row in dump["exchanges"]] == ["meishi"]
    assert [row["state"] for row in dump["drafts"]] == ["sent"]


@pytest.mark.usefixtures("met")
def test_a_reply_to_a_reply_is_tied_to_the_conversation(imap_server: DovecotServer) -> None:
    configure(imap_server)
    fill(imap_server)
    sync()
    me = "hanako@example.jp"
    for raw in (  # Suzuki answers his own reply; Sato his mail matched only by subject
        mail(SUZUKI, me, "追伸", "<r5@example.com>", at(0, 14), "In-Reply-To: <r1@example.com>"),
        mail(SATO, me, "補足", "<r6@example.net>", at(0, 15), "References: <r3@example.net>"),
        mail(TANAKA, me, "補足", "<r7@x>", at(0, 15), "In-Reply-To: <r1@example.com>"),
    ):
        imap_server.append(HANAKO.name, "INBOX", raw)
    report = sync()
    # Tanaka names Suzuki's mail, recorded with Suzuki only: not a thread of hers.
    assert report["recorded"] == {"replies (in a thread)": 2, "received": 1}
    dump = json_of(ok("export", "--format", "json"))
    rows = {row["message_id"]: row for row in dump["exchanges"]}
    assert [rows[f"<r{n}@example.{tld}>"]["matched"] for n, tld in ((5, "com"), (6, "net"))] == [
        "thread",
        "thread",
    ]
    assert rows["<r2@example.com>"]["thread_root"] == "<x@y>"  # the first of its References
    assert rows["<thanks-1@example.jp>"]["thread_root"] == "<thanks-1@example.jp>"
