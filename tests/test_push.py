"""`meishi drafts push` and `thank --to-drafts` against a real Dovecot on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from helpers import add_event, error_of, fails, json_of, ok, set_me, snapshot, store_rows
from imap_server import HANAKO, TARO, DovecotServer
from meishi.mail import imap
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
        placed = imap.put_draft(client, "Entwürfe", raw, None)  # APPEND: NO [TRYCREATE]
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
