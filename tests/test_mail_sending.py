"""Sending thank-yous through a real SMTP server on 127.0.0.1: once each, one person each."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from helpers import (
    ME_EMAIL,
    ME_NAME,
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
    store_rows,
    table_count,
)
from smtp_server import Recorder, SmtpServer, Tls, make_tls, smtp_server

EVENT = "AI勉強会 #12"
SUBJECT = f"【御礼】{EVENT}（{ME_NAME}）"
NAMES = (
    "佐藤 一郎",
    "鈴木 二郎",
    "高橋 三郎",
    "田中 四郎",
    "伊藤 五郎",
    "渡辺 六郎",
    "山本 七郎",
    "中村 八郎",
    "小林 九郎",
    "加藤 十郎",
)
# No topic is part of another, so a body mentioning one cannot be mistaken for another.
TOPICS = (
    "量子暗号",
    "物流DX",
    "農業IoT",
    "音声認識",
    "地方創生",
    "半導体不足",
    "宇宙ビジネス",
    "医療画像",
    "教育アプリ",
    "再生可能エネルギー",
)
USER = "hanako"
PASSWORD = "correct horse 7f3a"


@pytest.fixture(autouse=True)
def no_usable_keyring() -> Iterator[None]:
    """By default no keyring works, so no test can reach the user's; restored afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(no_usable_keyring: None) -> MemoryKeyring:
    """An in-memory keyring for this test."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def configure(server: SmtpServer, security: str = "none") -> None:
    """Point meishi at a test server, without pausing between messages."""
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", str(server.port))
    ok("config", "set", "smtp.security", security)
    ok("config", "set", "send.pause", "0")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 that meishi is set to send through."""
    with smtp_server() as running:
        configure(running)
        yield running


@pytest.fixture
def tls(tmp_path: Path) -> Tls:
    """A private CA and a certificate for 127.0.0.1."""
    return make_tls(tmp_path)


def guest(index: int) -> str:
    """The email address of the index-th person met (0-based)."""
    return f"guest{index + 1:02d}@example.com"


def meet(count: int = len(NAMES)) -> list[str]:
    """Yesterday's event and count people met there, each with an email and a topic."""
    set_me()
    add_event(EVENT, -1)
    for index in range(count):
        name = NAMES[index % len(NAMES)] + ("" if index < len(NAMES) else str(index))
        topic = TOPICS[index % len(TOPICS)]
        add_person(EVENT, name, "--email", guest(index), "--topic", topic)
    return [guest(index) for index in range(count)]


@pytest.fixture
def ten() -> list[str]:
    """Ten people met yesterday; their addresses in the order they were added."""
    return meet()


def outbox() -> list[dict[str, Any]]:
    """What `meishi outbox --json` reports, oldest first."""
    return sorted(json_of(ok("outbox", "--json")), key=lambda row: row["id"])


def states() -> Counter[str]:
    """How many outbox messages are in each state."""
    return Counter(row["state"] for row in outbox())


def row_for(address: str) -> dict[str, Any]:
    """The one outbox message to an address."""
    rows = [row for row in outbox() if row["to"] == address]
    assert len(rows) == 1, rows
    return rows[0]


def received_by(server: SmtpServer) -> Counter[str]:
    """How many messages each recipient received."""
    return Counter(rcpt for message in server.received() for rcpt in message.rcpt_tos)


def one_line_output(result: Any) -> str:
    """The only line a run printed, on stdout or stderr."""
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def files_under_home() -> dict[str, bytes]:
    """Every file in the meishi home (config, database, WAL), as bytes."""
    return {str(path): path.read_bytes() for path in home().rglob("*") if path.is_file()}


def assert_nowhere(secret: str, *outputs: str) -> None:
    """The secret is in no output and no file of the meishi home, in any encoding."""
    for output in outputs:
        assert secret not in output
    for path, data in files_under_home().items():
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
            assert encoded not in data, path


# --- 1. One message per person --------------------------------------------------------------


def test_thank_send_sends_one_individual_message_per_person(
    server: SmtpServer, ten: list[str]
) -> None:
    text = ok("thank", "--since", "yesterday", "--send").stdout
    assert "10 sent, 0 failed, 0 unknown; 0 left in the queue." in text

    received = server.received()
    assert len(received) == 10
    assert sorted(rcpt for message in received for rcpt in message.rcpt_tos) == sorted(ten)
    for message in received:
        assert len(message.rcpt_tos) == 1
        (rcpt,) = message.rcpt_tos
        index = ten.index(rcpt)
        assert message.mail_from == ME_EMAIL
        assert message.data.isascii()  # 7-bit: encoded headers, base64 body
        parsed = message.message()
        (to,) = parsed["To"].addresses
        assert (to.addr_spec, to.display_name) == (rcpt, NAMES[index])
        assert "Cc" not in parsed and "Bcc" not in parsed
        (sender,) = parsed["From"].addresses
        assert (sender.addr_spec, sender.display_name) == (ME_EMAIL, ME_NAME)
        assert str(parsed["Message-ID"]).strip("<>").endswith("@" + ME_EMAIL.split("@")[1])
        assert parsed["Date"].datetime is not None
        assert "X-Unsent" not in parsed
        assert str(parsed["Subject"]) == SUBJECT
        body = parsed.get_content().replace("\r\n", "\n")
        assert f"{NAMES[index]} 様" in body
        assert [topic for topic in TOPICS if topic in body] == [TOPICS[index]]

    rows = outbox()
    assert [row["state"] for row in rows] == ["sent"] * 10
    assert {row["message_id"] for row in rows} == {m.message_id for m in received}
    assert all(row["sent"] for row in rows)
    shown = ok("contacts", "show", ten[0]).stdout
    assert re.search(r"thank-you: sent \d{4}-\d{2}-\d{2}", shown), shown

    again = ok("thank", "--since", "yesterday", "--send").stdout
    assert "nothing to send" in again
    assert len(server.received()) == 10
    assert len(outbox()) == 10


# --- 2-4. What the server says decides each message ------------------------------------------


def test_421_stops_the_batch_and_the_next_run_sends_the_rest_once(
    server: SmtpServer, ten: list[str]
) -> None:
    server.handler.busy_after = 3
    result = run("thank", "--since", "yesterday", "--send")
    assert result.exit_code == 1, result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("3 sent, 0 failed, 0 unknown; 7 left in the queue. Stopped: 421")
    assert states() == {"sent": 3, "queued": 7}
    assert len(server.received()) == 3

    text = ok("send", "--yes").stdout
    assert "7 sent, 0 failed, 0 unknown; 0 left in the queue." in text
    received = server.received()
    assert len(received) == 10
    assert len({m.message_id for m in received}) == 10
    assert received_by(server) == Counter(ten)
    assert states() == {"sent": 10}


def test_a_connection_lost_after_data_leaves_the_message_unknown_until_retried(
    server: SmtpServer, ten: list[str]
) -> None:
    dropped = ten[3]
    server.handler.drop_after_data = {dropped}
    result = run("thank", "--since", "yesterday", "--send")
    assert result.exit_code == 1, result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("3 sent, 0 failed, 1 unknown; 6 left in the queue. Stopped:")
    assert "never re-sent by themselves" in summary
    assert row_for(dropped)["state"] == "unknown"
    assert states() == {"sent": 3, "unknown": 1, "queued": 6}
    assert len(server.received()) == 4  # the server did get it: hence "unknown"

    ok("send", "--yes")
    ok("thank", "--since", "yesterday", "--send")  # does not queue it again either
    assert received_by(server) == Counter(ten)
    assert states() == {"sent": 9, "unknown": 1}

    unknown = row_for(dropped)
    text = ok("outbox", "retry", str(unknown["id"])).stdout
    assert "1 sent, 0 failed, 0 unknown; 0 left in the queue." in text
    assert received_by(server)[dropped] == 2  # sent again only on explicit request
    assert len(server.received()) == 11
    assert row_for(dropped)["state"] == "sent"
    assert states() == {"sent": 10}


def test_an_unexpected_answer_to_data_sends_and_records_nothing(
    server: SmtpServer, ten: list[str]
) -> None:
    server.handler.data_answer = "250 OK"
    result = run("thank", "--since", "yesterday", "--send")
    assert result.exit_code == 1, result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("0 sent, 0 failed, 0 unknown; 10 left in the queue. Stopped:")
    assert "unexpected reply to DATA: 250" in summary
    assert states() == {"queued": 10}
    assert "thank-you: sent" not in ok("contacts", "show", ten[0]).stdout

    server.handler.data_answer = None
    ok("send", "--yes")
    assert received_by(server) == Counter(ten)


def test_550_fails_that_message_with_the_servers_words_and_sends_the_others(
    server: SmtpServer, ten: list[str]
) -> None:
    refused = ten[4]
    server.handler.refuse = {refused}
    result = run("thank", "--since", "yesterday", "--send")
    assert result.exit_code == 1, result.output
    assert f"FAILED: #5 to {refused}" in result.stdout
    assert "9 sent, 1 failed, 0 unknown; 0 left in the queue." in result.stdout
    failed = row_for(refused)
    assert failed["state"] == "failed"
    assert failed["error"].startswith("550 5.1.1")
    assert "User unknown" in failed["error"]
    assert states() == {"sent": 9, "failed": 1}
    assert received_by(server) == Counter(address for address in ten if address != refused)


# --- 5. TLS, login and the password --------------------------------------------------------


@pytest.mark.usefixtures("memory_keyring")
@pytest.mark.parametrize("password", [PASSWORD, "パスワード-7f3a"])
def test_starttls_with_a_private_ca_and_a_password_from_the_keyring(
    tls: Tls, ten: list[str], password: str
) -> None:
    with smtp_server(Recorder(login=(USER, password)), starttls=tls.server_context) as server:
        configure(server, "starttls")
        ok("config", "set", "smtp.user", USER)
        stored = ok("config", "set-password", "smtp", input=password + "\n")
        outputs = [stored.output]

        # The certificate is checked: it is not trusted yet.
        untrusted = run("thank", "--since", "yesterday", "--send")
        outputs.append(untrusted.output)
        assert untrusted.exit_code == 1
        assert "certificate verify failed" in one_line_output(untrusted)
        assert server.received() == [] and server.handler.logins == []
        assert states() == {"queued": 10}

        ok("config", "set", "smtp.cafile", str(tls.cafile))
        sent = ok("send", "--yes")
        outputs.append(sent.output)
        assert "10 sent, 0 failed, 0 unknown; 0 left in the queue." in sent.stdout
        received = server.received()
        assert len(received) == 10
        assert all(message.tls and message.login == USER for message in received)
        assert server.handler.logins == [(USER, True)]  # one session for the batch
        outputs.append(ok("outbox", "--json").output)
        assert_nowhere(password, *outputs)


@pytest.mark.usefixtures("memory_keyring")
def test_a_wrong_password_is_one_line_and_the_messages_stay_queued(
    tls: Tls, ten: list[str]
) -> None:
    with smtp_server(Recorder(login=(USER, PASSWORD)), starttls=tls.server_context) as server:
        configure(server, "starttls")
        ok("config", "set", "smtp.user", USER)
        ok("config", "set", "smtp.cafile", str(tls.cafile))
        wrong = "wrong horse 9c1d"
        outputs = [ok("config", "set-password", "smtp", input=wrong + "\n").output]

        result = run("thank", "--since", "yesterday", "--send")
        outputs.append(result.output)
        assert result.exit_code == 1
        line = one_line_output(result)
        assert "refused the login for hanako" in line
        assert "meishi config set-password smtp" in line
        assert "0 sent" in line and "10 left in the queue" in line
        assert server.received() == []
        assert server.handler.logins and not any(a for _, a in server.handler.logins)
        assert states() == {"queued": 10}
        assert_nowhere(wrong, *outputs)

        outputs.append(ok("config", "set-password", "smtp", input=PASSWORD + "\n").output)
        outputs.append(ok("send", "--yes").output)
        assert len(server.received()) == 10
        assert states() == {"sent": 10}
        assert_nowhere(wrong, *outputs)
        assert_nowhere(PASSWORD, *outputs)


@pytest.mark.usefixtures("memory_keyring")
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_a_login(tls: Tls, ten: list[str]) -> None:
    with smtp_server(Recorder(login=(USER, PASSWORD)), implicit_tls=tls.server_context) as server:
        configure(server, "ssl")
        ok("config", "set", "smtp.user", USER)
        ok("config", "set", "smtp.cafile", str(tls.cafile))
        ok("config", "set-password", "smtp", input=PASSWORD + "\n")
        ok("thank", "--since", "yesterday", "--send")
        received = server.received()
        assert len(received) == 10
        assert all(message.tls and message.login == USER for message in received)
        assert_nowhere(PASSWORD)


# --- 6. No keyring ------------------------------------------------------------------------


def test_without_a_usable_keyring_set_password_says_what_to_install(
    server: SmtpServer, ten: list[str]
) -> None:
    ok("config", "set", "smtp.user", USER)
    before = snapshot()
    message = error_of(fails("config", "set-password", "smtp", input=PASSWORD + "\n", code=1))
    assert "Secret Service" in message and "fail Keyring" in message
    assert snapshot() == before
    assert_nowhere(PASSWORD)

    message = error_of(fails("thank", "--since", "yesterday", "--send", code=1))
    assert "keyring" in message
    assert table_count("outbox") == 0
    assert server.received() == []


# --- 7. Hostile names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Mallory\r\nBcc: x@evil.example",
        "\r\nBcc: x@evil.example",
        "Mallory\nBcc: x@evil.example",
        "Mallory\u2028Bcc: x@evil.example",
        "Mallory\u0085Bcc: x@evil.example",
    ],
)
def test_a_name_with_a_line_break_cannot_be_stored(name: str) -> None:
    set_me()
    add_event(EVENT, -1)
    message = error_of(fails("add", "--event", EVENT, "--name", name, "--email", guest(0)))
    assert "name contains a line break or control character" in message
    assert table_count("contact") == 0


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("to_name", "Mallory\r\nBcc: x@evil.example", "name"),
        ("to_name", "Mallory\u2028Bcc: x@evil.example", "name"),
        ("subject", "Thanks\r\nBcc: x@evil.example", "subject"),
        ("subject", "Thanks\u0085Bcc: x@evil.example", "subject"),
        ("to_addr", "mallory@example.com\r\nBcc: x@evil.example", "email"),
    ],
)
def test_send_refuses_a_stored_draft_with_a_forged_header(
    server: SmtpServer, field: str, value: str, named: str
) -> None:
    (honest,) = meet(1)
    (draft,) = json_of(ok("thank", "--json"))["drafts"]
    hostile = insert_draft(**{field: value})

    message = error_of(fails("send", "--yes"))
    assert f"draft #{hostile}: {named} contains a line break" in message
    assert table_count("outbox") == 0
    assert server.received() == []

    ok("send", str(draft["id"]))  # the honest draft still goes, alone
    (received,) = server.received()
    assert received.rcpt_tos == (honest,)
    assert server.handler.rcpt_attempts == [honest]
    assert "Bcc" not in received.message()
    assert b"evil" not in received.data


def insert_draft(**fields: str) -> int:
    """Store a contact met yesterday and a draft to them, bypassing every CLI check; its id."""
    from sqlmodel import select

    from meishi.home import resolve
    from meishi.models import Contact, Draft, Encounter, Event
    from meishi.store.engine import open_store

    store = open_store(resolve().location)
    try:
        with store.write() as session:
            event = session.exec(select(Event)).one()
            contact = Contact(full_name="Mallory")
            session.add(contact)
            session.flush()
            encounter = Encounter(contact_id=contact.id, event_id=event.id)
            session.add(encounter)
            session.flush()
            values = {
                "to_name": "Mallory",
                "to_addr": "mallory@example.com",
                "subject": "Thanks",
                "body": "Thank you.\n",
                **fields,
            }
            draft = Draft(
                contact_id=contact.id,
                event_id=event.id,
                encounter_id=encounter.id,
                template="thank-en",
                **values,
            )
            session.add(draft)
            session.flush()
            assert draft.id is not None
            return draft.id
    finally:
        store.close()


# --- 8. Dry runs --------------------------------------------------------------------------


def test_dry_runs_show_each_message_and_send_or_queue_nothing(
    server: SmtpServer, ten: list[str]
) -> None:
    ok("thank")
    planned = json_of(ok("send", "--dry-run", "--json"))
    assert planned["dry_run"] is True
    rows = planned["messages"]
    assert [row["to"] for row in rows] == [f"{n} <{a}>" for n, a in zip(NAMES, ten, strict=True)]
    assert all(row["subject"] == SUBJECT and row["size"] > 500 for row in rows)

    text = ok("thank", "--since", "yesterday", "--send", "--dry-run").stdout
    assert text.count("would send draft #") == 10
    assert f"to {NAMES[0]} <{ten[0]}>: {SUBJECT} (" in text
    assert "Dry run: 10 message(s) would be sent; nothing was sent." in text
    assert server.received() == []
    assert table_count("outbox") == 0

    ok("send", "--yes")
    sizes = {row["to"]: row["size"] for row in outbox()}
    for row, address in zip(rows, ten, strict=True):
        # Only the random part of each Message-ID may differ in length.
        assert abs(row["size"] - sizes[address]) <= 6, (row, sizes[address])


# --- 9. kill -9 ---------------------------------------------------------------------------


def wait_until_received(
    server: SmtpServer, count: int, process: subprocess.Popen[bytes], seconds: float
) -> None:
    """Wait until the server has count messages, the process ends, or time runs out."""
    deadline = time.monotonic() + seconds
    while len(server.received()) < count and process.poll() is None:
        if time.monotonic() > deadline:
            return
        time.sleep(0.002)


@pytest.mark.slow
def test_kill_9_at_random_moments_never_sends_anything_twice(
    server: SmtpServer, tmp_path: Path
) -> None:
    people = meet(12)
    ok("config", "set", "send.pause", "0.05")
    ok("thank")
    command = [sys.executable, "-m", "meishi", "send", "--yes"]
    env = {**os.environ, "MEISHI_HOME": str(home())}
    rng = random.Random(20240607)
    errors = tmp_path / "stderr.txt"
    deadline = time.monotonic() + 15
    killed_while_sending = 0
    for _ in range(16):  # until the deadline: one kill while sending is what the test needs
        if time.monotonic() > deadline or (table_count("outbox") and "queued" not in states()):
            break
        before = len(server.received())
        with errors.open("ab") as stderr:
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            if rng.random() < 0.25:  # anywhere: starting, queueing or sending
                time.sleep(rng.uniform(0.0, 0.9))
            else:  # just after the server took a message, before or after its reply
                wait_until_received(server, before + rng.randint(1, 2), process, 5.0)
                time.sleep(rng.choice((0.0, rng.uniform(0.0, 0.03))))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=5)
        if process.returncode == -signal.SIGKILL and len(server.received()) > before:
            killed_while_sending += 1
    assert killed_while_sending >= 1, errors.read_text(encoding="utf-8", errors="replace")

    for _ in range(5):  # rerun until nothing is queued or left `sending`
        ok("send", "--yes")
        if not states().keys() & {"queued", "sending"}:
            break

    rows = outbox()
    assert sorted(row["to"] for row in rows) == sorted(people)  # none lost
    assert {row["state"] for row in rows} <= {"sent", "unknown"}
    received = server.received()
    assert all(len(message.rcpt_tos) == 1 for message in received)
    ids = Counter(message.message_id for message in received)
    assert [i for i, count in ids.items() if count > 1] == []
    assert [a for a, count in received_by(server).items() if count > 1] == []
    for row in rows:
        if row["state"] == "sent":
            assert ids[row["message_id"]] == 1, row


# --- 10-11. Settings ----------------------------------------------------------------------


def test_sending_needs_a_mail_server_and_your_address(ten: list[str]) -> None:
    for command in (("thank", "--since", "yesterday", "--send"), ("send", "--yes")):
        message = error_of(fails(*command))
        assert "smtp.host is not set" in message
        assert "meishi config set smtp.host" in message
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "unset", "me.email")
    for command in (("thank", "--since", "yesterday", "--send"), ("send", "--yes")):
        message = error_of(fails(*command))
        assert "me.email is not set" in message
        assert "meishi config set me.email" in message
    assert table_count("draft") == 0
    assert table_count("outbox") == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("smtp.port", "abc"),
        ("smtp.port", "70000"),
        ("smtp.security", "tls"),
        ("send.pause", "-1"),
        ("send.pause", "soon"),
    ],
)
def test_invalid_sending_settings_are_refused(key: str, value: str) -> None:
    before = snapshot()
    message = error_of(fails("config", "set", "--", key, value))
    assert value in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ('security = "tls"', "tls"),
        ('port = "abc"', "abc"),
        ('port = "0"', "0"),
    ],
)
def test_a_hand_edited_config_cannot_bypass_the_checks(
    server: SmtpServer, ten: list[str], line: str, named: str
) -> None:
    path = home() / "config.toml"
    key = line.split(" = ")[0]
    text = re.sub(rf"^{key} = .*$", line, path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    message = error_of(fails("thank", "--since", "yesterday", "--send"))
    assert f"'{named}'" in message
    assert table_count("outbox") == 0
    assert server.received() == []


def test_a_hand_edited_pause_is_checked(server: SmtpServer, ten: list[str]) -> None:
    path = home() / "config.toml"
    text = path.read_text(encoding="utf-8").replace('pause = "0"', 'pause = "soon"')
    path.write_text(text, encoding="utf-8")
    message = error_of(fails("send", "--yes"))
    assert "invalid pause 'soon'" in message
    assert table_count("outbox") == 0


# --- 12. Two machines, one server store ------------------------------------------------------


def second_machine(tmp_path: Path, name: str) -> dict[str, str]:
    """The environment of another machine: its own home, this home's settings, the same store."""
    other = tmp_path / name
    other.mkdir()
    (other / "config.toml").write_bytes((home() / "config.toml").read_bytes())
    return {**os.environ, "MEISHI_HOME": str(other)}


def send_in(env: dict[str, str]) -> subprocess.Popen[str]:
    """`meishi send --yes` started in a machine's environment."""
    command = [sys.executable, "-m", "meishi", "send", "--yes"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def assert_each_received_once(server: SmtpServer, people: list[str]) -> None:
    """Every person got exactly one message, with its own Message-ID."""
    assert received_by(server) == Counter(people)
    ids = Counter(message.message_id for message in server.received())
    assert [i for i, count in ids.items() if count > 1] == []


def test_two_machines_sending_at_once_deliver_every_message_exactly_once(
    server: SmtpServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `meishi send` processes, two homes, one PostgreSQL store, one mail server: 40
    messages, each delivered once, both machines sending, none left `sending` or unknown."""
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    people = meet(40)
    ok("config", "set", "send.pause", "0.05")  # long enough for the two runs to overlap
    ok("thank")
    machines = [second_machine(tmp_path, name) for name in ("laptop", "desktop")]
    runs = [send_in(env) for env in machines]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert_each_received_once(server, people)
    assert states() == Counter(sent=40)
    claimants = Counter(row[0] for row in store_rows("SELECT claimed_by FROM outbox"))
    assert len(claimants) == 2, claimants  # both machines sent some of them


def test_kill_9_of_a_sender_on_a_server_store_leaves_it_whole_and_nothing_doubled(
    server: SmtpServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send killed while the server holds its third message's reply: every change is whole;
    another machine leaves the killed run's fresh claim alone and sends the rest; the killed
    machine's next run calls its leftover unknown. Each person received one message."""
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    people = meet(12)
    ok("thank")
    server.handler.slow_reply[guest(2)] = 30.0
    laptop = second_machine(tmp_path, "laptop")
    killed = send_in(laptop)
    wait_until_received(server, 3, killed, 30.0)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=5)
    assert_whole()
    assert states() == Counter(sent=2, sending=1, queued=9)
    finish(send_in(second_machine(tmp_path, "desktop")))
    assert states() == Counter(sent=11, sending=1)  # the laptop's claim is not the desktop's
    finish(send_in(laptop))
    assert states() == Counter(sent=11, unknown=1)
    assert row_for(guest(2))["state"] == "unknown"
    assert_whole()
    assert_each_received_once(server, people)


def finish(process: subprocess.Popen[str]) -> None:
    """Wait for a run to end, and check it went well."""
    output = process.communicate(timeout=60)
    assert process.returncode == 0, output


def assert_whole() -> None:
    """Each sent thank-you and only those marked their draft sent and their meeting thanked."""
    sent = store_rows("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
    assert store_rows("SELECT count(*) FROM draft WHERE state = 'sent'")[0][0] == sent
    assert store_rows("SELECT count(*) FROM encounter WHERE thanked_at IS NOT NULL")[0][0] == sent


@pytest.mark.parametrize(
    ("claimed_by", "minutes_ago", "after"),
    [
        ("another machine", 1, "sending"),  # being sent there right now: left alone
        ("another machine", 60, "unknown"),  # its claim is older than any send takes
        (None, 1, "unknown"),  # claimed by a meishi from before claims were recorded
        ("this machine", 1, "unknown"),  # this machine's own run stopped while sending it
    ],
)
def test_a_send_calls_sending_only_what_no_running_meishi_can_be_sending(
    server: SmtpServer, ten: list[str], claimed_by: str | None, minutes_ago: int, after: str
) -> None:
    """The run's start turns leftovers into unknown, never another machine's fresh claim."""
    from meishi.mail.outbox import claimant_for

    ok("thank", "--since", "yesterday", "--send")
    first = outbox()[0]["id"]
    claimant = claimant_for(home()) if claimed_by == "this machine" else claimed_by
    claimed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    store_rows(
        "UPDATE outbox SET state = 'sending', claimed_by = ?, updated_at = ? WHERE id = ?",
        claimant, claimed.replace(tzinfo=None).isoformat(sep=" "), first,
    )  # fmt: skip
    ok("send", "--yes")
    assert outbox()[0]["state"] == after
