"""The Dovecot test server behaves as the mailbox features will need it to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.imap_utf7 import encode as utf7_encode

from imap_server import HANAKO, TARO, DovecotServer, ImapUser, require_dovecot

DRAFT = (
    "From: 山田 花子 <hanako@example.jp>\r\n"
    "To: Taro Suzuki <taro@example.com>\r\n"
    "Subject: =?UTF-8?B?5pio5pel44Gv44GC44KK44GM44Go44GG?=\r\n"
    "Date: Tue, 02 Dec 2025 09:00:00 +0900\r\n"
    "Message-ID: <draft-1@meishi.test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "昨日はありがとうございました。\r\n"
).encode()


def test_login_needs_the_right_password(imap_server: DovecotServer) -> None:
    """Both users log in with their passwords, and a wrong one is refused."""
    for user in (HANAKO, TARO):
        with imap_server.session(user.name) as client:
            assert client.noop()
    client = imap_server.connect()
    with pytest.raises(IMAPClient.Error, match="AUTHENTICATIONFAILED"):
        client.login(HANAKO.name, "not the password")
    client.shutdown()


def test_capabilities_include_what_sync_relies_on(imap_server: DovecotServer) -> None:
    """UIDPLUS (APPENDUID) and SPECIAL-USE are offered after login."""
    with imap_server.session(HANAKO.name) as client:
        capabilities = set(client.capabilities())
    assert {b"UIDPLUS", b"SPECIAL-USE", b"IMAP4REV1"} <= capabilities


@pytest.mark.parametrize("user", [HANAKO, TARO], ids=lambda user: user.name)
def test_list_flags_the_special_use_folders(imap_server: DovecotServer, user: ImapUser) -> None:
    """Each user's Sent and Drafts exist at first login and carry \\Sent and \\Drafts."""
    with imap_server.session(user.name) as client:
        folders = {name: flags for flags, _separator, name in client.list_folders()}
        assert client.find_special_folder(b"\\Sent") == user.sent
        assert client.find_special_folder(b"\\Drafts") == user.drafts
    assert set(folders) == {"INBOX", user.sent, user.drafts}
    assert b"\\Sent" in folders[user.sent]
    assert b"\\Drafts" in folders[user.drafts]


def test_japanese_folder_names_travel_as_modified_utf7(imap_server: DovecotServer) -> None:
    """On the wire the names are modified UTF-7; decoded, they select and take messages."""
    with imap_server.session(TARO.name) as client:
        client.folder_encode = False  # see the names exactly as the server sends them
        raw_names = {name for _flags, _separator, name in client.list_folders()}
    assert utf7_encode(TARO.sent) in raw_names
    assert utf7_encode(TARO.drafts) == b"&Tgtm+DBN-" and b"&Tgtm+DBN-" in raw_names

    uid = imap_server.append(TARO.name, TARO.drafts, DRAFT, flags=[b"\\Draft"])
    assert [(u, body) for u, _flags, body in imap_server.messages(TARO.name, TARO.drafts)] == [
        (uid, DRAFT)
    ]
    with imap_server.session(TARO.name) as client:
        client.create_folder("名刺/2025年")
        assert "名刺/2025年" in {name for _f, _s, name in client.list_folders()}


def test_append_returns_appenduid_and_fetch_returns_the_same_message(
    imap_server: DovecotServer,
) -> None:
    """A draft APPENDed with \\Draft \\Seen comes back byte for byte, flags and date intact."""
    date = dt.datetime(2025, 12, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    uid = imap_server.append(
        HANAKO.name, HANAKO.drafts, DRAFT, flags=[b"\\Draft", b"\\Seen"], date=date
    )
    assert uid >= 1
    assert imap_server.messages(HANAKO.name, HANAKO.drafts) == [
        (uid, (b"\\Draft", b"\\Seen"), DRAFT)
    ]
    with imap_server.session(HANAKO.name) as client:
        client.normalise_times = False  # keep the server's zone, to compare instants
        client.select_folder(HANAKO.drafts, readonly=True)
        assert client.fetch([uid], ["INTERNALDATE"])[uid][b"INTERNALDATE"] == date
    assert imap_server.messages(HANAKO.name, "INBOX") == []


def test_recreating_a_folder_changes_uidvalidity(imap_server: DovecotServer) -> None:
    """Deleting and recreating Drafts gives it a new UIDVALIDITY and no messages."""
    imap_server.append(HANAKO.name, HANAKO.drafts, DRAFT)
    before = imap_server.uidvalidity(HANAKO.name, HANAKO.drafts)
    after = imap_server.recreate_folder(HANAKO.name, HANAKO.drafts)
    assert after != before
    assert imap_server.uidvalidity(HANAKO.name, HANAKO.drafts) == after
    assert imap_server.messages(HANAKO.name, HANAKO.drafts) == []


def test_killed_connection_raises_and_a_new_login_works(imap_server: DovecotServer) -> None:
    """After kill_connections the old client fails on its next command; logging in again works."""
    hanako = imap_server.login(HANAKO.name)
    taro = imap_server.login(TARO.name)
    hanako.select_folder("INBOX")
    assert imap_server.kill_connections(HANAKO.name) == 1
    with pytest.raises((IMAPClient.AbortError, OSError)):
        hanako.noop()
    assert taro.noop()  # only hanako's connection was dropped
    assert imap_server.kill_connections() == 1
    with pytest.raises((IMAPClient.AbortError, OSError)):
        taro.select_folder("INBOX")
    uid = imap_server.append(HANAKO.name, "INBOX", DRAFT)
    assert [u for u, _f, _b in imap_server.messages(HANAKO.name, "INBOX")] == [uid]


def test_restart_drops_connections_and_keeps_mail(imap_server: DovecotServer) -> None:
    """While stopped the port refuses connections; after a restart the mail is still there."""
    uid = imap_server.append(HANAKO.name, HANAKO.drafts, DRAFT, flags=[b"\\Draft"])
    client = imap_server.login(HANAKO.name)
    imap_server.stop()
    with pytest.raises((IMAPClient.AbortError, OSError)):
        client.noop()
    with pytest.raises(ConnectionRefusedError):
        imap_server.connect()
    imap_server.restart()
    assert imap_server.messages(HANAKO.name, HANAKO.drafts) == [(uid, (b"\\Draft",), DRAFT)]


def test_reset_empties_every_mailbox(imap_server: DovecotServer) -> None:
    """reset (run before each test) leaves only the empty default folders."""
    imap_server.append(TARO.name, TARO.sent, DRAFT, flags=[b"\\Seen"])
    with imap_server.session(TARO.name) as client:
        client.create_folder("extra")
    imap_server.reset()
    with imap_server.session(TARO.name) as client:
        names = {name for _flags, _separator, name in client.list_folders()}
    assert names == {"INBOX", TARO.sent, TARO.drafts}
    assert imap_server.messages(TARO.name, TARO.sent) == []


def test_log_holds_this_tests_logins(imap_server: DovecotServer) -> None:
    """The log since the reset shows this test's login, for failure reports."""
    with imap_server.session(TARO.name):
        pass
    assert "Login: user=<taro>" in imap_server.log()


def test_missing_dovecot_fails_with_how_to_install(tmp_path: Path) -> None:
    """Without Dovecot the IMAP tests fail (not skip) and say what to install."""
    with pytest.raises(pytest.fail.Exception, match="apt-get install dovecot-imapd"):
        require_dovecot(tmp_path / "dovecot")
