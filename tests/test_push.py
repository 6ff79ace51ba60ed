"""`meishi drafts push` and `thank --to-drafts` against a real Dovecot on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from helpers import (
    add_event,
    describe,
    error_of,
    fails,
    json_of,
    ok,
    run,
    set_me,
    snapshot,
    store_rows,
)
from imap_server import HANAKO, TARO, DovecotServer
from meishi.mail import imap
from smtp_server import Recorder, SmtpServer, smtp_server
from test_sync import SATO, SUZUKI, TANAKA, configure, memory_keyring, met

__all__ = ["memory_keyring", "met"]  # fixtures, used by name
DRAFT_FLAGS = (b"\\Draft", b"\\Seen")


def drafts_on_server(server: DovecotServer, user: str, folder: str) -> list[EmailMessage]:
    """The messages in the user's drafts folder, each checked to be flagged as a draft."""
    found = []
    for _uid, flags, raw in server.messages(user, folder):
        assert flags == DRAFT_FLAGS
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def folder_names(server: DovecotServer, user: str) -> list[str]:
    """The user's folders on the server, sorted."""
    with server.session(user) as client:
        return sorted(name for *_flags, name in client.list_folders())


def recipients(messages: list[EmailMessage]) -> list[str]:
    """Each message's To address, sorted."""
    return sorted(message["To"].addresses[0].addr_spec for message in messages)


def pushed(*args: str) -> list[dict[str, object]]:
    """Run a pushing command with --json and return what it put where."""
    report = json_of(ok(*args, "--json"))
    assert isinstance(report, list)
    return report


@pytest.mark.usefixtures("met")
def test_to_drafts_twice_leaves_one_draft_per_person_flagged_draft(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    first = pushed("thank", "--since", "yesterday", "--to-drafts")
    assert [row["replaced"] for row in first] == [False] * 3
    assert {row["folder"] for row in first} == {HANAKO.drafts}
    ids = [m["Message-ID"] for m in drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)]
    second = pushed("thank", "--since", "yesterday", "--to-drafts")
    assert [row["replaced"] for row in second] == [True] * 3
    messages = drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)
    assert recipients(messages) == sorted((SUZUKI, TANAKA, SATO))
    assert sorted(m["Message-ID"] for m in messages) == sorted(ids)  # the same messages
    assert all("X-Unsent" not in m for m in messages)


@pytest.mark.usefixtures("met")
def test_a_drafts_folder_set_but_missing_is_created(imap_server: DovecotServer) -> None:
    configure(imap_server)
    ok("config", "set", "imap.drafts_folder", "名刺の下書き")
    assert "名刺の下書き" not in folder_names(imap_server, HANAKO.name)
    rows = pushed("thank", "--since", "yesterday", "--to-drafts")
    assert {row["folder"] for row in rows} == {"名刺の下書き"}
    assert "名刺の下書き" in folder_names(imap_server, HANAKO.name)
    assert len(drafts_on_server(imap_server, HANAKO.name, "名刺の下書き")) == 3
    assert drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts) == []


def test_a_folder_the_server_says_to_create_is_created(imap_server: DovecotServer) -> None:
    raw = b"To: a@example.com\r\nSubject: hi\r\nMessage-ID: <x@example.jp>\r\n\r\nbody\r\n"
    with imap_server.session(HANAKO.name) as client:
        placed = imap.put_draft(client, "Entwürfe", raw, None, "<x@example.jp>")  # TRYCREATE
    assert placed.folder == "Entwürfe" and placed.uid == 1 and placed.uidvalidity
    assert "Entwürfe" in folder_names(imap_server, HANAKO.name)
    [message] = drafts_on_server(imap_server, HANAKO.name, "Entwürfe")
    assert message["Message-ID"] == "<x@example.jp>"


@pytest.mark.usefixtures("met")
def test_a_changed_draft_pushed_again_replaces_the_old(
    imap_server: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(imap_server)
    rows = pushed("thank", "--since", "yesterday", "--to-drafts")
    draft = str(rows[0]["id"])
    monkeypatch.setenv("VISUAL", "sed -i '1s/$/（訂正）/'")
    ok("drafts", "edit", draft)
    again = pushed("drafts", "push", draft)
    assert again == [{**rows[0], "replaced": True}]
    messages = drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)
    assert len(messages) == 3
    edited = [m for m in messages if str(m["Subject"]).endswith("（訂正）")]
    assert [m["To"].addresses[0].addr_spec for m in edited] == [rows[0]["email"]]


@pytest.mark.usefixtures("met")
def test_a_japanese_subject_round_trips_into_a_japanese_drafts_folder(
    imap_server: DovecotServer,
) -> None:
    ok("config", "set", "imap.drafts_folder", TARO.drafts)
    configure(imap_server, TARO.name)
    ok("thank", "--since", "yesterday")
    shown = json_of(ok("drafts", "--json"))
    report = ok("drafts", "push", *(str(row["id"]) for row in shown))
    assert f"into {TARO.drafts} (new)" in report.stdout
    messages = drafts_on_server(imap_server, TARO.name, TARO.drafts)
    assert sorted(str(m["Subject"]) for m in messages) == sorted(r["subject"] for r in shown)
    assert any(not str(m["Subject"]).isascii() for m in messages)
    body = messages[0].get_body()
    assert body is not None and "量子暗号" in body.get_content()


@pytest.mark.usefixtures("met")
def test_a_pushed_draft_sent_from_the_mail_client_is_marked_sent_by_sync(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    rows = pushed("thank", "--since", "yesterday", "--to-drafts")
    [(_uid, _flags, raw), *_others] = imap_server.messages(HANAKO.name, HANAKO.drafts)
    imap_server.append(HANAKO.name, HANAKO.sent, raw)  # as the mail client sends it
    report = json_of(ok("sync", "--json"))
    assert report["recorded"] == {"sent": 1}
    [found] = report["thank_yous_found"]
    states = {row["id"]: row["state"] for row in json_of(ok("drafts", "--json"))}
    assert sorted(states.values()) == ["pending", "pending", "sent"]
    sent = next(row for row in rows if states[row["id"]] == "sent")
    assert found["contact"] == sent["to"]
    # Known by the Message-ID pushed, not guessed from the address and the date.
    assert store_rows("SELECT matched FROM exchange") == [("meishi",)]


@pytest.mark.parametrize("wrong", ["not-the-password", "パスワード違い"])
@pytest.mark.usefixtures("met")
def test_a_wrong_password_is_one_line_exit_1_and_the_store_unchanged(
    imap_server: DovecotServer, wrong: str
) -> None:
    configure(imap_server, password=wrong)
    before = snapshot()
    result = fails("thank", "--since", "yesterday", "--to-drafts", code=1)
    assert "refused the login for hanako" in error_of(result)
    assert len(result.stderr.splitlines()) == 1
    assert wrong not in result.output
    assert snapshot() == before
    assert imap_server.messages(HANAKO.name, "INBOX") == []


@pytest.mark.usefixtures("met")
def test_pushing_a_discarded_draft_is_refused_and_changes_nothing(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    ok("thank", "--since", "yesterday")
    draft = str(json_of(ok("drafts", "--json"))[0]["id"])
    ok("drafts", "discard", draft, "--yes")
    before = snapshot()
    result = fails("drafts", "push", draft)
    assert error_of(result) == (
        f"draft #{draft} is discarded: only pending or held drafts go to the Drafts "
        "folder (see meishi drafts)"
    )
    assert snapshot() == before
    assert "no draft #999" in error_of(fails("drafts", "push", "999"))


@pytest.mark.usefixtures("memory_keyring")
def test_an_apology_to_drafts_twice_leaves_one_for_the_organizer(
    imap_server: DovecotServer,
) -> None:
    set_me()
    event = str(
        add_event("AI勉強会 #13", -1, "--organizer", "佐藤 一郎", "--organizer-email", SATO)
    )
    ok("no-show", event)
    configure(imap_server)
    for _time in range(2):
        assert f"into {HANAKO.drafts}" in ok("apology", event, "--to-drafts").stdout
    [message] = drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)
    assert recipients([message]) == [SATO] and "お詫び" in str(message["Subject"])


@pytest.mark.parametrize("command", [("thank",), ("apology", "1")])
@pytest.mark.parametrize("flag", ["--send", "--dry-run"])
def test_to_drafts_with_send_or_dry_run_is_refused(command: tuple[str, ...], flag: str) -> None:
    result = fails(*command, "--to-drafts", flag)
    assert error_of(result) == "--to-drafts cannot go with --send or --dry-run: choose one"


def send_through(server: SmtpServer) -> None:
    """Point meishi at the SMTP test server, without pausing between messages."""
    for key, value in (("host", "127.0.0.1"), ("port", str(server.port)), ("security", "none")):
        ok("config", "set", f"smtp.{key}", value)
    ok("config", "set", "send.pause", "0")


def sent_from_the_mail_client(server: DovecotServer, uid: int, raw: bytes) -> None:
    """What a mail client does when you send a draft: into Sent, out of Drafts."""
    server.append(HANAKO.name, HANAKO.sent, raw)
    with server.session(HANAKO.name) as client:
        client.select_folder(HANAKO.drafts)
        client.delete_messages([uid])
        client.uid_expunge([uid])


def to_of(raw: bytes) -> str:
    """The To address of a message's bytes."""
    return str(
        email.message_from_bytes(raw, policy=email.policy.default)["To"].addresses[0].addr_spec
    )


@pytest.mark.usefixtures("met")
def test_send_leaves_pushed_drafts_alone_until_pulled_and_never_sends_one_twice(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    rows = pushed("thank", "--since", "yesterday", "--to-drafts")
    by_email = {str(row["email"]): str(row["id"]) for row in rows}
    copies = {
        to_of(raw): (uid, raw) for uid, _f, raw in imap_server.messages(HANAKO.name, "Drafts")
    }
    assert all("Drafts" in r["note"] for r in json_of(ok("drafts", "--json")))
    with smtp_server(Recorder()) as smtp:
        send_through(smtp)
        said = ok("send", "--yes")
        assert said.stdout.count("in your Drafts folder (Drafts)") == 3
        named = ok("send", by_email[SUZUKI])  # naming one does not send it either
        assert f"meishi drafts pull {by_email[SUZUKI]}" in named.stdout
        assert smtp.received() == []
        sent_from_the_mail_client(imap_server, *copies[SUZUKI])
        pulling = run("drafts", "pull", by_email[SUZUKI], by_email[SATO])
        assert pulling.exit_code == 1, describe(pulling)
        assert (
            f"Left draft #{by_email[SUZUKI]} to 鈴木 一郎 as it is: it was sent" in pulling.stdout
        )
        assert f"Took back draft #{by_email[SATO]} to 佐藤 次郎, deleting" in pulling.stdout
        assert recipients(drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)) == [TANAKA]
        ok("send", "--yes")
        ok("sync")  # records Suzuki's thank-you, sent from the mail client
        ok("send", "--yes")
        assert [r for received in smtp.received() for r in received.rcpt_tos] == [SATO]
    states = {row["id"]: row["state"] for row in json_of(ok("drafts", "--json"))}
    assert [states[int(by_email[a])] for a in (SUZUKI, SATO, TANAKA)] == ["sent", "sent", "pending"]


@pytest.mark.usefixtures("met")
def test_discarding_a_pushed_draft_says_its_copy_stays_in_the_drafts_folder(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    [row, *_others] = pushed("thank", "--since", "yesterday", "--to-drafts")
    said = ok("drafts", "discard", str(row["id"]), "--yes").stdout
    assert "Its copy is still in your Drafts folder (Drafts): delete it there" in said
    assert len(drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)) == 3  # left as it was


@pytest.mark.usefixtures("met")
def test_pulling_a_draft_deleted_in_the_mail_client_takes_it_back(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    [row, *_others] = pushed("thank", "--since", "yesterday", "--to-drafts")
    imap_server.recreate_folder(HANAKO.name, HANAKO.drafts)  # every copy gone
    said = ok("drafts", "pull", str(row["id"])).stdout
    assert f"its copy was no longer in {HANAKO.drafts}" in said
    [shown] = [r for r in json_of(ok("drafts", "--json")) if r["id"] == row["id"]]
    assert shown["drafts_folder"] is None and shown["note"] is None
    before = snapshot()
    result = fails("drafts", "pull", str(row["id"]))
    assert error_of(result) == (
        f"draft #{row['id']} is not in your Drafts folder; meishi send {row['id']} sends it"
    )
    assert snapshot() == before


@pytest.mark.usefixtures("met")
def test_a_copy_in_a_rebuilt_drafts_folder_is_found_by_its_message_id(
    imap_server: DovecotServer,
) -> None:
    configure(imap_server)
    [row, *_others] = pushed("thank", "--since", "yesterday", "--to-drafts")
    kept = imap_server.messages(HANAKO.name, HANAKO.drafts)
    imap_server.recreate_folder(HANAKO.name, HANAKO.drafts)  # a new UIDVALIDITY
    for _uid, flags, raw in kept:
        imap_server.append(HANAKO.name, HANAKO.drafts, raw, flags=flags)
    taken = json_of(ok("drafts", "pull", str(row["id"]), "--json"))
    assert taken == [{"id": row["id"], "to": row["to"], "folder": HANAKO.drafts, "copy": "removed"}]
    left = recipients(drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts))
    assert str(row["email"]) not in left and len(left) == 2


@pytest.mark.usefixtures("met")
def test_a_connection_lost_mid_push_then_run_again_leaves_one_copy_per_person(
    imap_server: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(imap_server)
    appended = []
    real_append = imap._append_draft

    def lost_after_the_second(client: imap.Mailbox, folder: str, raw: bytes) -> imap.Placed:
        """APPEND for real; after the second, the connection drops before meishi hears back."""
        placed = real_append(client, folder, raw)
        appended.append(placed)
        if len(appended) == 2:
            imap_server.kill_connections(HANAKO.name)
        return placed

    monkeypatch.setattr(imap, "_append_draft", lost_after_the_second)
    result = fails("thank", "--since", "yesterday", "--to-drafts", code=1)
    assert "lost the connection to 127.0.0.1" in error_of(result)
    assert error_of(result).endswith(
        "the drafts put there so far are kept: run it again to put the others"
    )
    assert len(drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)) == 2
    monkeypatch.setattr(imap, "_append_draft", real_append)
    rows = pushed("thank", "--since", "yesterday", "--to-drafts")
    assert [row["replaced"] for row in rows] == [True, False, False]  # the first was kept
    messages = drafts_on_server(imap_server, HANAKO.name, HANAKO.drafts)
    assert recipients(messages) == sorted((SUZUKI, TANAKA, SATO))  # one each, none doubled
    assert len({m["Message-ID"] for m in messages}) == 3
