"""How long `meishi sync` takes over 10,000 messages, and how much memory (docs/performance.md)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from helpers import add_event, add_person, ok, run_bounded, set_me
from imap_server import HANAKO, DovecotServer
from test_sync import at, mail

MESSAGES = 10_000  # half in the inbox, half in Sent
PEOPLE = 50  # contacts; one message in five is with one of them
SECONDS = 180  # bounds generous for a shared 2-core machine; the numbers go in the doc
PEAK_MB = 250


def fill_mailbox(server: DovecotServer) -> None:
    """MESSAGES realistic messages over 80 days, one in five with a contact."""
    with server.session(HANAKO.name) as client:
        for number in range(MESSAGES):
            person = f"p{number % PEOPLE}@example.com" if number % 5 == 0 else f"x{number}@o.jp"
            when = at(-(number % 80), 9 + number % 10)
            if number % 2:
                raw = mail(person, "hanako@example.jp", f"件名 {number}", f"<i{number}@x>", when)
                client.append("INBOX", raw)
            else:
                raw = mail(
                    "hanako@example.jp", person, f"Re: 件名 {number}", f"<o{number}@x>", when
                )
                client.append(HANAKO.sent, raw)


# A keyring for the child process, at the recommended priority, kept in a file of the
# test's folder: the child cannot see this process's memory keyring.
CHILD_KEYRING = """
import json, os
from keyring.backend import KeyringBackend

class FileForTests(KeyringBackend):
    priority = 1

    def get_password(self, service, username):
        return json.load(open(os.environ["BENCH_KEYRING"])).get(username)

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
"""


@pytest.mark.slow
def test_sync_of_ten_thousand_messages(
    imap_server: DovecotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_me()
    add_event("大勉強会", -85)
    for index in range(PEOPLE):
        add_person("大勉強会", f"参加者 {index}", "--email", f"p{index}@example.com")
    for key, value in (("host", imap_server.host), ("port", str(imap_server.port))):
        ok("config", "set", f"imap.{key}", value)
    ok("config", "set", "imap.user", HANAKO.name)
    ok("config", "set", "imap.security", "none")
    (tmp_path / "bench_keyring.py").write_text(CHILD_KEYRING, encoding="utf-8")
    secrets = tmp_path / "secrets.json"
    entry = f"imap:{HANAKO.name}@{imap_server.host}"
    secrets.write_text(json.dumps({entry: HANAKO.password}), encoding="utf-8")
    monkeypatch.setenv("BENCH_KEYRING", str(secrets))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "bench_keyring.FileForTests")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    fill_mailbox(imap_server)

    began = time.monotonic()
    done, peak_mb = run_bounded("sync", "--json", seconds=SECONDS)
    seconds = time.monotonic() - began
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert sum(f["read"] for f in report["folders"]) == MESSAGES
    assert report["recorded"]["sent"] == MESSAGES // 10
    print(f"\nsync of {MESSAGES:,} messages: {seconds:.1f} s, peak {peak_mb:.0f} MB")
    assert peak_mb < PEAK_MB

    began = time.monotonic()
    again, peak_mb = run_bounded("sync", "--json", seconds=SECONDS)
    assert json.loads(again.stdout)["recorded"] == {}
    print(f"second sync (nothing new): {time.monotonic() - began:.1f} s, peak {peak_mb:.0f} MB")
